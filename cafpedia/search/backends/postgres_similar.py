"""Documents like a text, in PostgreSQL's full-text search: the text's lexemes (to_tsvector with
the backend's configuration), the rarest of its first ones (each counted in the GIN index on
`tsv_match`, up to a bound), any of them enough, ranked with ts_rank, within what the reader
may see (visibility.py). `PostgresSimilar` is a part of `PostgresBackend`."""

from __future__ import annotations

from sqlalchemy import cast, func, literal, select, text
from sqlalchemy.dialects.postgresql import TSQUERY

from cafpedia.extensions import db
from cafpedia.search.backends import (
    SIMILAR_BODY_CHARS,
    SIMILAR_WORDS,
    SearchUnavailable,
    Similar,
    Visibility,
    distinctive,
)
from cafpedia.search.backends.postgres_query import CONFIG, RowTerms, quote_lexeme
from cafpedia.search.models import SearchDocumentRow, SearchText
from cafpedia.search.visibility import condition as visibility_condition

# A word's documents are counted up to this many (to find the rarest words, no more is needed),
# and at most MATCHES documents holding any chosen word are ranked.
FREQUENCY_BOUND = 500
MATCHES = 2000


class PostgresSimilar:
    def similar(
        self,
        text_: str,
        visibility: Visibility,
        *,
        kinds: tuple[str, ...] = ("tip",),
        limit: int = 5,
        exclude_keys: tuple[str, ...] = (),
    ) -> list[Similar]:
        if not text_.strip() or limit < 1:
            return []
        table = SearchDocumentRow
        try:
            words = self._lexemes_in_order(text_)
            frequency = self._frequencies(words[:SIMILAR_WORDS])
            terms = distinctive(words, frequency.__getitem__)
            if not terms:
                return []
            query = cast(literal(" | ".join(quote_lexeme(t) for t in terms)), TSQUERY)
            where = [
                visibility_condition(visibility, [], RowTerms()),
                table.kind.in_(list(kinds)),
                table.tsv_match.op("@@")(query),
            ]
            if exclude_keys:
                where.append(table.key.not_in(list(exclude_keys)))
            db.session.execute(text("SET LOCAL enable_seqscan = off"))  # matches from the GIN index
            matches = select(table.key).where(*where).limit(MATCHES).subquery()
            rank = func.ts_rank(table.tsv, query)
            rows = db.session.execute(
                select(
                    table.key,
                    table.kind,
                    table.title,
                    table.url,
                    table.status,
                    table.area,
                    table.area_title,
                    rank.label("rank"),
                    func.left(SearchText.body, SIMILAR_BODY_CHARS).label("body"),
                )
                .join(matches, matches.c.key == table.key)
                .join(SearchText, SearchText.key == table.key)
                .order_by(rank.desc(), table.key)
                .limit(limit)
            ).all()
            db.session.execute(text("RESET enable_seqscan"))
        except Exception as exc:
            db.session.rollback()
            raise SearchUnavailable(f"the database search could not answer ({type(exc).__name__})") from exc
        return [
            Similar(
                key=r.key,
                kind=r.kind,
                title=r.title,
                url=r.url,
                status=r.status,
                area=r.area,
                area_title=r.area_title,
                score=float(r.rank),
                body=r.body or "",
            )
            for r in rows
        ]

    @staticmethod
    def _lexemes_in_order(text_: str) -> list[str]:
        """The text's lexemes, in the order they first appear."""
        found = db.session.execute(
            text(
                "SELECT u.lexeme FROM unnest(to_tsvector(CAST(:config AS regconfig), :body)) AS u "
                "ORDER BY u.positions[1], u.lexeme"
            ),
            {"config": CONFIG, "body": text_},
        ).scalars()
        return list(found)

    @staticmethod
    def _frequencies(words: list[str]) -> dict[str, int]:
        """How many documents hold each word (counted up to FREQUENCY_BOUND), in one query."""
        if not words:
            return {}
        table = SearchDocumentRow
        counts = [
            select(func.count())
            .select_from(
                select(literal(1))
                .where(table.tsv_match.op("@@")(cast(literal(quote_lexeme(w)), TSQUERY)))
                .limit(FREQUENCY_BOUND)
                .subquery()
            )
            .scalar_subquery()
            for w in words
        ]
        return dict(zip(words, db.session.execute(select(*counts)).one(), strict=True))
