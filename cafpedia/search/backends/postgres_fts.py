"""The PostgreSQL search backend: full-text search in the database itself.

For installations with several application servers and no shared disk. Documents are
rows of `search_documents`: a weighted tsvector with positions (`tsv`, for ranking), and
for matching, under a GIN index, every word and every pair of adjacent words (`tsv_match`,
as the Whoosh backend indexes pairs), so that the index alone answers a phrase and no
document's vector is read to check positions. Bodies, for snippets, are in `search_texts`.
Writes happen in the same transaction as the cursor's move past the changes they apply.
Chosen by CAFPEDIA_SEARCH_BACKEND=postgres.
"""

from __future__ import annotations

import difflib
import re
import time
from contextlib import contextmanager
from html import escape

from sqlalchemy import (
    String,
    Text,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy import delete as delete_rows
from sqlalchemy.dialects.postgresql import TSQUERY, insert

from cafpedia.extensions import db
from cafpedia.search.backends import BackendResults, Hit, SearchUnavailable, Visibility
from cafpedia.search.documents import KIND_WEIGHTS, SearchDocument
from cafpedia.search.models import SearchDocumentRow, SearchText, SearchWord
from cafpedia.search.query import ParsedQuery
from cafpedia.search.synonyms import current_groups

CONFIG = "english"
START, STOP = "\x02", "\x03"  # headline markers no document holds (control characters are refused)
# The index's one write lock: a transaction-level advisory lock, so it is released by the
# commit that makes the drain's writes and its queue deletions permanent together, or by a
# rollback, or when the connection dies; it can never be left behind.
WRITE_LOCK = 0x43414650  # "CAFP"
# How many matches the second stage ranks with ts_rank (see _page_of_keys).
CANDIDATES = 200
# tsv_match of the document `d`: its words (without positions) and each word~next-word pair,
# the next word being the next one kept (stop words are not kept), as Whoosh's pairs are.
MATCH_VECTOR = """strip(d.tsv) || coalesce((
    SELECT array_to_tsvector(array_agg(DISTINCT w.lexeme || '~' || w.next))
    FROM (SELECT x.lexeme, lead(x.lexeme) OVER (ORDER BY x.pos) AS next
          FROM (SELECT u.lexeme, p AS pos FROM unnest(d.tsv) AS u, unnest(u.positions) AS p) AS x) AS w
    WHERE w.next IS NOT NULL), ''::tsvector)"""
LEXEME = re.compile(r"'((?:[^'\\]|''|\\.)*)'")
CHAIN = re.compile(r"(\s*<(?:-|\d+)>\s*)*")
_lexemes_of: dict[str, tuple[tuple[str, ...], bool]] = {}  # a phrase -> (its lexemes, in a chain?)
HEADLINE_OPTIONS = (
    f'StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "'
)


class PostgresBackend:
    def __init__(self):
        self._known_ok = False

    def status(self) -> str:
        if self._known_ok:
            return "ok"
        try:
            has_rows = db.session.scalar(select(SearchDocumentRow.key).limit(1)) is not None
        except Exception as exc:
            db.session.rollback()
            return f"broken: {type(exc).__name__}"
        if not has_rows:
            from cafpedia.search.documents import count_documents

            if count_documents():
                return "missing"
        self._known_ok = True
        return "ok"

    def close(self) -> None:
        self._known_ok = False

    def check_now(self) -> str:
        self._known_ok = False
        return self.status()

    @staticmethod
    def document_count() -> int:
        return db.session.scalar(select(func.count()).select_from(SearchDocumentRow))

    @staticmethod
    def index_name() -> str:
        """One index, in the database, whichever machine asks: one cursor."""
        return "postgres"

    # --- writing ---------------------------------------------------------------------------

    @staticmethod
    def _row(doc: SearchDocument) -> dict:
        return {
            "key": doc.key,
            "kind": doc.kind,
            "status": doc.status,
            "area": doc.area or "",
            "area_title": doc.area_title,
            "url": doc.url,
            "title": doc.title,
            "keywords": doc.keywords,
            "extra": doc.index_extra(),
            "tags": list(doc.tags),
            "standards": list(doc.standards),
            "updated_at": doc.updated_at,
            "author_id": doc.author_id,
            "area_id": doc.area_id,
            "fingerprint": doc.fingerprint(),
        }

    @staticmethod
    def _tsv():
        table, texts = SearchDocumentRow.__table__, SearchText.__table__
        return (
            func.setweight(
                func.to_tsvector(CONFIG, func.concat_ws(" ", table.c.title, table.c.keywords)), literal_column("'A'")
            )
            .op("||")(func.setweight(func.to_tsvector(CONFIG, func.coalesce(table.c.extra, "")), literal_column("'B'")))
            .op("||")(func.setweight(func.to_tsvector(CONFIG, func.coalesce(texts.c.body, "")), literal_column("'C'")))
        )

    def _upsert(self, docs: list[SearchDocument]) -> None:
        if not docs:
            return
        rows = [self._row(d) for d in docs]
        bodies = [{"key": d.key, "body": d.index_body()} for d in docs]
        statement = insert(SearchDocumentRow).values(rows)
        columns = {c: statement.excluded[c] for c in rows[0] if c != "key"}
        db.session.execute(statement.on_conflict_do_update(index_elements=["key"], set_=columns))
        statement = insert(SearchText).values(bodies)
        db.session.execute(
            statement.on_conflict_do_update(index_elements=["key"], set_={"body": statement.excluded.body})
        )
        table, texts = SearchDocumentRow.__table__, SearchText.__table__
        keys = [d.key for d in docs]
        db.session.execute(
            table.update()
            .where(table.c.key.in_(keys), texts.c.key == table.c.key)
            .values(
                tsv=self._tsv(),
                tsv_title=func.to_tsvector(CONFIG, func.concat_ws(" ", table.c.title, table.c.keywords)),
            )
        )
        db.session.execute(
            text(f"UPDATE search_documents AS d SET tsv_match = {MATCH_VECTOR} WHERE d.key = ANY(:keys)"),
            {"keys": keys},
        )
        words = {w for body, d in zip(bodies, docs, strict=True) for w in d.spelling_words(body["body"])}
        if words:
            db.session.execute(
                insert(SearchWord).values([{"word": w, "first": w[0]} for w in sorted(words)]).on_conflict_do_nothing()
            )

    @staticmethod
    def _lock(timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not db.session.scalar(select(func.pg_try_advisory_xact_lock(WRITE_LOCK))):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True

    @contextmanager
    def writing(self, *, timeout: float):
        """The advisory lock, in the drain's own transaction: the rows written here and the
        index's cursor moved by the drain commit together (`commit()` itself does nothing)."""
        if not self._lock(timeout):
            db.session.rollback()
            yield None
            return
        try:
            yield self
        finally:
            db.session.rollback()  # nothing, once the drain has committed; else discards and unlocks

    def write(self, add: list[SearchDocument], delete: list[str]) -> None:
        if delete:
            db.session.execute(delete_rows(SearchText).where(SearchText.key.in_(delete)))
            db.session.execute(delete_rows(SearchDocumentRow).where(SearchDocumentRow.key.in_(delete)))
        for start in range(0, len(add), 200):
            self._upsert(add[start : start + 200])

    def commit(self) -> None:
        """The drain's transaction commits these rows with the cursor's move."""

    def fingerprints(self, keys: list[str] | None = None) -> dict[str, str | None]:
        query = select(SearchDocumentRow.key, SearchDocumentRow.fingerprint)
        if keys is not None:
            query = query.where(SearchDocumentRow.key.in_(keys))
        return dict(db.session.execute(query).all())

    def rebuild(
        self, documents, *, total: int | None = None, progress=None, only_if_needed: bool = False, wait: bool = True
    ) -> int | None:
        if only_if_needed:
            self._known_ok = False
            if self.status() == "ok":
                return None
        if not self._lock(120 if wait else 0):
            db.session.rollback()
            raise SearchUnavailable(
                "another process has been writing to the index for 2 minutes"
                if wait
                else "the search index is being rebuilt"
            )
        db.session.execute(delete_rows(SearchText))  # first: the cascade from each document would be row by row
        db.session.execute(delete_rows(SearchDocumentRow))
        db.session.execute(delete_rows(SearchWord))
        batch, count = [], 0
        for doc in documents:
            batch.append(doc)
            if len(batch) == 200:
                self._upsert(batch)
                count += len(batch)
                if progress:
                    progress(len(batch))
                batch = []
        self._upsert(batch)
        count += len(batch)
        if progress and batch:
            progress(len(batch))
        db.session.commit()
        db.session.execute(
            text("ANALYZE search_documents, search_texts")
        )  # the planner's figures, for thousands of new rows at once
        db.session.commit()
        self._known_ok = True
        return count

    # --- searching -----------------------------------------------------------------------------

    @staticmethod
    def _variant_query(text: str):
        return func.phraseto_tsquery(CONFIG, text)

    def _element(self, variants: list[str]):
        query = self._variant_query(variants[0])
        for variant in variants[1:]:
            query = query.op("||")(self._variant_query(variant))
        return query

    def build_query(self, parsed: ParsedQuery):
        """(tsquery or None, the match query's text or None, filters as SQL conditions, single
        words that could be misspelt)."""
        groups = {v: list(g) for g in current_groups() for v in g}
        element_variants, plain = [], []  # each element: the phrases any one of which it needs
        parts, i = parsed.parts, 0
        while i < len(parts):
            if i in parsed.phrases:
                element_variants.append(groups.get(parts[i].lower(), [parts[i]]))
                i += 1
                continue
            for j in range(min(len(parts), i + 4), i, -1):
                candidate = " ".join(parts[i:j]).lower()
                if candidate in groups and not any(k in parsed.phrases for k in range(i, j)):
                    element_variants.append(groups[candidate])
                    i = j
                    break
            else:
                element_variants.append([parts[i]])
                if re.fullmatch(r"[A-Za-z']+", parts[i]):
                    plain.append(parts[i])
                i += 1
        tsquery = None
        for variants in element_variants:
            element = self._element(variants)
            tsquery = element if tsquery is None else tsquery.op("&&")(element)
        match = self._match_query(element_variants)
        table = SearchDocumentRow
        conditions = []
        for name, values in parsed.filters.items():
            if name == "kind":
                conditions.append(table.kind.in_(values))
            elif name == "area":
                conditions.append(table.area.in_(values))
            elif name == "standard":
                conditions.append(or_(*[cast(table.standards, Text).contains(f'"{v}"') for v in values]))
            elif name == "tag":
                conditions.append(or_(*[cast(table.tags, Text).contains(f'"{v}"') for v in values]))
        return tsquery, match, conditions, plain

    @staticmethod
    def _lexemes(variants: list[str]) -> dict[str, tuple[tuple[str, ...], bool]]:
        """Each phrase's lexemes as phraseto_tsquery gives them, and whether they form a simple
        chain (a <-> b <2> c); read from the database once per phrase and process."""
        missing = [v for v in dict.fromkeys(variants) if v not in _lexemes_of]
        if missing:
            row = db.session.execute(select(*[cast(func.phraseto_tsquery(CONFIG, v), Text) for v in missing])).one()
            if len(_lexemes_of) > 20_000:
                _lexemes_of.clear()
            for variant, shown in zip(missing, row, strict=True):
                found = [m.replace("''", "'").replace("\\\\", "\\") for m in LEXEME.findall(shown or "")]
                _lexemes_of[variant] = (tuple(found), CHAIN.fullmatch(LEXEME.sub("", shown or "")) is not None)
        return {v: _lexemes_of[v] for v in variants}

    def _match_query(self, element_variants: list[list[str]]) -> str | None:
        """The tsquery (as text) that tsv_match answers from the index alone: each word, and a
        phrase as its adjacent pairs (all required), as the Whoosh backend finds phrases.
        Elements that are only stop words are left out; None if nothing is left to find."""
        lexemes = self._lexemes([v for variants in element_variants for v in variants])
        elements = []
        for variants in element_variants:
            alternatives = []
            for variant in variants:
                words, chain = lexemes[variant]
                if not words:
                    continue
                terms = (
                    [f"{a}~{b}" for a, b in zip(words, words[1:], strict=False)]
                    if chain and len(words) > 1
                    else list(words)
                )
                alternatives.append(" & ".join(_quote(t) for t in terms))
            if alternatives:
                elements.append(" | ".join(f"({a})" for a in alternatives))
        return " & ".join(f"({e})" for e in elements) if elements else None

    @staticmethod
    def _visibility(visibility: Visibility, parsed: ParsedQuery):
        table = SearchDocumentRow
        wanted = set(parsed.filters.get("status", []))
        allowed = [table.status == "published"]
        if visibility.include_archived or "archived" in wanted:
            allowed.append(table.status == "archived")
        if visibility.user_id is not None:
            if visibility.moderated_area_ids is None:
                allowed.append(table.status == "pending")
            else:
                allowed.append(
                    and_(
                        table.status == "pending",
                        or_(
                            table.author_id == visibility.user_id,
                            table.area_id.in_(visibility.moderated_area_ids or [-1]),
                        ),
                    )
                )
        condition = or_(*allowed)
        if wanted:
            condition = and_(condition, table.status.in_(wanted))
        return condition

    def search(self, parsed: ParsedQuery, visibility: Visibility, *, page: int, per_page: int) -> BackendResults:
        tsquery, match, conditions, plain = self.build_query(parsed)
        table = SearchDocumentRow
        where = [self._visibility(visibility, parsed), *conditions]
        if tsquery is not None:
            where.append(table.tsv_match.op("@@")(cast(literal(match), TSQUERY)) if match else false())
        weight = case({kind: w for kind, w in KIND_WEIGHTS.items()}, value=table.kind, else_=1.0)
        headline = (
            func.ts_headline(CONFIG, SearchText.body, tsquery, HEADLINE_OPTIONS)
            if tsquery is not None
            else func.left(SearchText.body, 220)
        )
        try:
            if tsquery is not None:
                # Matches come from the GIN index, never by reading every document's tsvector
                # (the planner would scan the table for a common word): for this transaction only.
                db.session.execute(text("SET LOCAL enable_seqscan = off"))
            ranks, facets = self._page_and_facets(tsquery, where, weight, page=page, per_page=per_page)
            if tsquery is not None:
                db.session.execute(text("RESET enable_seqscan"))
            rows = (
                db.session.execute(
                    select(
                        table.key,
                        table.kind,
                        table.title,
                        table.url,
                        table.area,
                        table.area_title,
                        table.status,
                        table.updated_at,
                        headline.label("headline"),
                    )
                    .join(SearchText, SearchText.key == table.key)
                    .where(table.key.in_(list(ranks)))
                ).all()
                if ranks
                else []
            )
            order = {key: i for i, key in enumerate(ranks)}
            rows.sort(key=lambda r: order[r.key])
            total = sum(facets["kind"].values())
        except Exception as exc:
            db.session.rollback()
            raise SearchUnavailable(f"the database search could not answer ({type(exc).__name__})") from exc
        hits = [
            Hit(
                key=r.key,
                kind=r.kind,
                title=r.title,
                url=r.url,
                snippet=_mark(r.headline),
                area=r.area,
                area_title=r.area_title,
                status=r.status,
                updated_at=r.updated_at,
            )
            for r in rows
        ]
        suggestion = self._suggest(parsed, plain) if total == 0 and plain else None
        return BackendResults(total=total, hits=hits, facets=facets, suggestion=suggestion)

    @staticmethod
    def _page_and_facets(tsquery, where, weight, *, page: int, per_page: int):
        """({key: rank} for the page, in order; the kind and area facets), from one pass over
        the matches. Ranking has two stages: the CANDIDATES best matches by a cheap order (the
        words in the title or keywords first, then the kind's weight, then the newest), then
        ts_rank over those only, since reading a document's tsvector is what costs; any further
        matches follow in the cheap order. With fewer matches than CANDIDATES, every match is
        ranked, exactly as a full ranking would."""
        table = SearchDocumentRow
        in_title = func.coalesce(table.tsv_title.op("@@")(tsquery), False) if tsquery is not None else literal(False)
        matches = (
            select(
                table.key, table.kind, table.area, table.updated_at, in_title.label("in_title"), weight.label("weight")
            )
            .where(*where)
            .cte("matches")
        )
        if tsquery is None:
            order = (matches.c.updated_at.desc(), matches.c.key)
            page_rows = (
                select(
                    matches.c.key, literal(0.0).label("rank"), func.row_number().over(order_by=order).label("position")
                )
                .order_by(*order)
                .offset((page - 1) * per_page)
                .limit(per_page)
            )
        else:
            cheap = (matches.c.in_title.desc(), matches.c.weight.desc(), matches.c.updated_at.desc(), matches.c.key)
            candidates = select(matches.c.key, matches.c.weight).order_by(*cheap).limit(CANDIDATES).cte("candidates")
            rank = func.ts_rank(table.tsv, tsquery) * candidates.c.weight
            order = (rank.desc(), table.updated_at.desc(), table.key)
            ranked = select(
                table.key, rank.label("rank"), func.row_number().over(order_by=order).label("position")
            ).join(candidates, candidates.c.key == table.key)
            if page * per_page > CANDIDATES:
                # Past the candidates, the rest follow in the cheap order: one order for every page.
                rest = select(
                    matches.c.key,
                    literal(0.0).label("rank"),
                    (CANDIDATES + func.row_number().over(order_by=cheap)).label("position"),
                ).where(matches.c.key.not_in(select(candidates.c.key)))
                ranked = union_all(ranked, rest)
            ranked = ranked.subquery()
            page_rows = select(ranked.c.key, ranked.c.rank, ranked.c.position).where(
                ranked.c.position > (page - 1) * per_page, ranked.c.position <= page * per_page
            )
        page_rows = page_rows.subquery()
        nothing = literal(None, String)
        hits = select(
            literal("hit").label("part"),
            page_rows.c.key,
            page_rows.c.rank,
            nothing.label("kind"),
            nothing.label("area"),
            page_rows.c.position.label("n"),
        )
        groups = select(literal("facet"), nothing, literal(0.0), matches.c.kind, matches.c.area, func.count()).group_by(
            func.grouping_sets(matches.c.kind, matches.c.area)
        )
        found, facets = [], {"kind": {}, "area": {}}
        for part, key, rank, kind, area, n in db.session.execute(union_all(hits, groups)).all():
            if part == "hit":
                found.append((n, key, rank))  # n: its position in the ranking
            elif kind is not None:
                facets["kind"][kind] = n
            elif area:
                facets["area"][area] = n
        return {key: rank for _, key, rank in sorted(found)}, facets

    def _suggest(self, parsed: ParsedQuery, plain: list[str]) -> str | None:
        corrections = {}
        for typed in plain:
            word = typed.lower()
            if db.session.scalar(select(SearchWord.word).where(SearchWord.word == word)):
                continue
            candidates = list(
                db.session.scalars(
                    select(SearchWord.word).where(
                        SearchWord.first == word[0], func.length(SearchWord.word).between(len(word) - 2, len(word) + 2)
                    )
                )
            )
            found = difflib.get_close_matches(word, candidates, n=1, cutoff=0.75)
            if found:
                corrections[typed] = found[0]
        if not corrections:
            return None
        parts = [f'"{p}"' if i in parsed.phrases else corrections.get(p, p) for i, p in enumerate(parsed.parts)]
        parts += [f"{k}:{v}" for k, values in parsed.filters.items() for v in values]
        return " ".join(parts)


def _quote(lexeme: str) -> str:
    """A lexeme as tsquery text reads it: quoted, so that nothing in it is an operator."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _mark(headline: str) -> str:
    """ts_headline's text, escaped, with its markers turned into <mark>."""
    return escape(headline or "").replace(START, '<mark class="match">').replace(STOP, "</mark>")
