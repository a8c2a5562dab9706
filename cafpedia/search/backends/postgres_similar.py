"""Documents like a text, in PostgreSQL's full-text search: the text's lexemes (to_tsvector with
the backend's configuration), the rarest of its first ones (each counted in the GIN index on
`tsv_match`, up to a bound), any of them enough, ranked with ts_rank, within what the reader
may see (visibility.py). `PostgresSimilar` is a part of `PostgresBackend`."""

from __future__ import annotations

from sqlalchemy import cast, func, literal, select, text, union
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

# A word's documents are counted up to this many (to find the rarest words, no more is needed:
# past it, the earlier words are taken first). Of the documents holding any chosen word, at
# most MATCHES are read, the CANDIDATES whose titles hold the words best ranked by their text.
FREQUENCY_BOUND = 50
MATCHES = 500
CANDIDATES = 250


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
            db.session.execute(text("SET LOCAL enable_seqscan = off"))  # every lookup from a GIN index
            words = self._lexemes_in_order(text_)
            frequency = self._frequencies(words[:SIMILAR_WORDS])
            terms = distinctive(words, frequency.__getitem__)
            if not terms:
                db.session.execute(text("RESET enable_seqscan"))
                return []
            query = cast(literal(" | ".join(quote_lexeme(t) for t in terms)), TSQUERY)
            where = [visibility_condition(visibility, [], RowTerms()), table.kind.in_(list(kinds))]
            if exclude_keys:
                where.append(table.key.not_in(list(exclude_keys)))
            where.append(table.tsv_match.op("@@")(query))  # last: the title branch leaves it out
            # Two stages, as a search ranks: of the documents whose titles hold any word (the
            # title index alone finds them) and of the others up to MATCHES, the CANDIDATES whose
            # titles hold the words best (a title's vector is small), then ts_rank over the whole
            # text of those only.
            titled = select(table.key).where(*where[:-1], table.tsv_title.op("@@")(query)).limit(MATCHES)
            found = union(select(table.key).where(*where).limit(MATCHES), titled).subquery()
            in_title = func.ts_rank(table.tsv_title, query)
            matches = (
                select(table.key)
                .join(found, found.c.key == table.key)
                .order_by(in_title.desc(), table.key)
                .limit(CANDIDATES)
                .subquery()
            )
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
        counted = db.session.execute(
            text(
                "SELECT c.n FROM unnest(CAST(:words AS text[])) WITH ORDINALITY AS w(q, i) "
                "CROSS JOIN LATERAL (SELECT count(*) AS n FROM (SELECT 1 FROM search_documents d "
                "WHERE d.tsv_match @@ CAST(w.q AS tsquery) LIMIT :bound) AS s) AS c ORDER BY w.i"
            ),
            {"words": [quote_lexeme(w) for w in words], "bound": FREQUENCY_BOUND},
        ).scalars()
        return dict(zip(words, counted, strict=True))
