"""Answering a query with PostgreSQL's full-text search: the typed words and phrases with their
synonyms as a tsquery for ranking and a match on `tsv_match` (words and pairs) for finding,
the visibility rules as SQL, one round trip for a page of hits and the facet counts (the
cheapest candidates first, then ts_rank on those), the snippets, and the counts and word list
that correction and relaxation use.
`PostgresQuerying` is the searching half of `PostgresBackend`."""

from __future__ import annotations

import re
from html import escape

from sqlalchemy import (
    DateTime,
    String,
    Text,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    null,
    or_,
    select,
    text,
    type_coerce,
    union,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY
from sqlalchemy.sql import visitors

from cafpedia.extensions import db
from cafpedia.search import backends
from cafpedia.search.backends import BackendResults, Hit, SearchUnavailable, Visibility
from cafpedia.search.documents import KIND_WEIGHTS
from cafpedia.search.models import SearchDocumentRow, SearchText, SearchWord
from cafpedia.search.plan import SearchPlan
from cafpedia.search.visibility import condition as visibility_condition

CONFIG = "english"
START, STOP = "\x02", "\x03"  # headline markers no document holds (control characters are refused)
# How many matches the second stage ranks with ts_rank (see _page_and_facets).
CANDIDATES = 200
LEXEME = re.compile(r"'((?:[^'\\]|''|\\.)*)'")
CHAIN = re.compile(r"(\s*<(?:-|\d+)>\s*)*")
_lexemes_of: dict[str, tuple[tuple[str, ...], bool]] = {}  # a phrase -> (its lexemes, in a chain?)
_vocabulary: dict = {}  # "stamp": (database, rows of search_words) when read, "words": them
HEADLINE_OPTIONS = (
    f'StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "'
)


def quote_lexeme(lexeme: str) -> str:
    """A lexeme as tsquery text reads it: quoted, so that nothing in it is an operator."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def marked(headline: str) -> str:
    """ts_headline's text, escaped, with its markers turned into <mark>."""
    return escape(headline or "").replace(START, '<mark class="match">').replace(STOP, "</mark>")


class RowTerms:
    """The visibility rules' terms over search_documents: SQL conditions."""

    @staticmethod
    def status_is(status: str):
        return SearchDocumentRow.status == status

    @staticmethod
    def status_in(statuses: list[str]):
        return SearchDocumentRow.status.in_(statuses)

    @staticmethod
    def author_is(user_id: int):
        return SearchDocumentRow.author_id == user_id

    @staticmethod
    def area_in(area_ids: list[int]):
        return SearchDocumentRow.area_id.in_(area_ids)

    @staticmethod
    def any_of(conditions: list):
        return or_(*conditions) if conditions else false()

    @staticmethod
    def all_of(conditions: list):
        return and_(*conditions)


def _without_match(where: list) -> list:
    """The conditions that do not read tsv_match."""
    column = SearchDocumentRow.__table__.c.tsv_match
    return [c for c in where if not any(column.shares_lineage(e) for e in visitors.iterate(c) if hasattr(e, "table"))]


class PostgresQuerying:
    """The searching half of PostgresBackend (it keeps no state of its own)."""

    @staticmethod
    def _variant_query(text: str):
        return func.phraseto_tsquery(CONFIG, text)

    def _element(self, variants: list[str]):
        query = self._variant_query(variants[0])
        for variant in variants[1:]:
            query = query.op("||")(self._variant_query(variant))
        return query

    def _joined(self, clauses, operator: str):
        joined = None
        for clause in clauses:
            element = self._element(list(clause.variants))
            joined = element if joined is None else joined.op(operator)(element)
        return joined

    def build_query(self, query: SearchPlan):
        """(tsquery for ranking or None, tsquery of the required clauses or None, the match
        query's text or None, filters as SQL conditions). The ranking query is every clause,
        all required; with optional clauses, any clause, so that what holds more ranks first.
        A title that holds the required clauses' query is a match."""
        element_variants = [list(c.variants) for c in query.clauses]
        required = self._joined(query.clauses, "&&")
        tsquery = self._joined(query.clauses + query.optional, "||") if query.optional else required
        match = self._match_query(element_variants)
        table = SearchDocumentRow
        conditions = []
        for name, values in query.filters.items():
            if name == "kind":
                conditions.append(table.kind.in_(values))
            elif name == "area":  # any of its areas (the GIN index answers &&)
                conditions.append(type_coerce(table.areas, ARRAY(Text)).overlap(list(values)))
            elif name == "standard":
                conditions.append(or_(*[cast(table.standards, Text).contains(f'"{v}"') for v in values]))
            elif name == "tag":
                conditions.append(or_(*[cast(table.tags, Text).contains(f'"{v}"') for v in values]))
        return tsquery, required, match, conditions

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
                alternatives.append(" & ".join(quote_lexeme(t) for t in terms))
            if alternatives:
                elements.append(" | ".join(f"({a})" for a in alternatives))
        return " & ".join(f"({e})" for e in elements) if elements else None

    @staticmethod
    def _visibility(visibility: Visibility, parsed: SearchPlan):
        """The documents the reader may see, as SQL (the rules: visibility.py)."""
        return visibility_condition(visibility, parsed.filters.get("status", []), RowTerms())

    def _where(self, query: SearchPlan, visibility: Visibility):
        """(the ranking tsquery or None, the conditions a match meets)."""
        tsquery, required, match, conditions = self.build_query(query)
        where = [self._visibility(visibility, query), *conditions]
        if tsquery is not None:
            where.append(SearchDocumentRow.tsv_match.op("@@")(cast(literal(match), TSQUERY)) if match else false())
        return tsquery, required, where

    def search(self, parsed: SearchPlan, visibility: Visibility, *, page: int, per_page: int) -> BackendResults:
        tsquery, required, where = self._where(parsed, visibility)
        table = SearchDocumentRow
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
            rows, facets = self._page_and_facets(
                tsquery, required, where, weight, headline, page=page, per_page=per_page
            )
            if tsquery is not None:
                db.session.execute(text("RESET enable_seqscan"))
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
                snippet=marked(r.headline),
                area=r.area,
                area_title=r.area_title,
                status=r.status,
                updated_at=r.updated_at,
            )
            for r in rows
        ]
        return BackendResults(total=total, hits=hits, facets=facets)

    @staticmethod
    def _page_and_facets(tsquery, title_query, where, weight, headline, *, page: int, per_page: int):
        """(the page's rows, in order, each with what a hit shows and its `headline`; the kind
        and area facets, a match counted under each of its areas), from one query: the
        snippets are made for the page's rows only. It reads the matches only up to one past
        COUNT_LIMIT (BackendResults then says "more than"), and with a query, up to CANDIDATES
        title matches as well, from the GIN index on tsv_title: past the bound, the matches
        read are whichever the index gives first, and finding title matches must not depend on
        that (nor sort every title match of a common word: the index's first are taken).
        Ranking has two stages: the CANDIDATES best of those by a cheap order
        (the words in the title or keywords first, then the kind's weight, then the newest),
        then ts_rank over those only, since reading a document's tsvector is what costs; the
        rest follow in the cheap order. Within the bound, every match is read, and the
        ranking, the count and the facets are exactly those of a full ranking. Without a
        query, the newest matches are read (the order shown)."""
        table = SearchDocumentRow
        bound = backends.COUNT_LIMIT + 1
        in_title = (
            func.coalesce(table.tsv_title.op("@@")(title_query), False) if title_query is not None else literal(False)
        )
        columns = (
            table.key,
            table.kind,
            table.areas,
            table.updated_at,
            in_title.label("in_title"),
            weight.label("weight"),
        )
        if tsquery is None:
            matches = select(*columns).where(*where).order_by(table.updated_at.desc(), table.key).limit(bound)
        else:
            # A title match is a match (its words and adjacent pairs are in tsv_match too): the
            # title index alone finds them, and the first CANDIDATES it gives are enough.
            titled = select(*columns).where(*_without_match(where), table.tsv_title.op("@@")(title_query))
            titled = titled.limit(CANDIDATES)
            matches = union(select(*columns).where(*where).limit(bound), titled)
        matches = matches.cte("matches")
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
        shown = (
            table.kind,
            table.area,
            table.title,
            table.url,
            table.area_title,
            table.status,
            table.updated_at,
            headline.label("headline"),
        )
        hits = (
            select(literal("hit").label("part"), page_rows.c.key, page_rows.c.position.label("n"), *shown)
            .join(table, table.key == page_rows.c.key)
            .join(SearchText, SearchText.key == table.key)
        )

        def facet(kind, area):
            """A facet's row: its kind or its area, the count as n, nothing for the rest."""
            empty = [cast(null(), kind_of) for kind_of in (Text, String, String, String, DateTime, Text)]
            return select(literal("facet"), cast(null(), String), func.count(), kind, area, *empty)

        kinds = facet(matches.c.kind, cast(null(), String)).group_by(matches.c.kind)
        # Each match counts once under each of its areas.
        filed = select(func.unnest(type_coerce(matches.c.areas, ARRAY(Text))).label("area")).subquery()
        areas = facet(cast(null(), String), filed.c.area).group_by(filed.c.area)
        found, facets = [], {"kind": {}, "area": {}}
        for row in db.session.execute(union_all(hits, kinds, areas)).all():
            if row.part == "hit":
                found.append(row)
            elif row.kind is not None:
                facets["kind"][row.kind] = row.n
            elif row.area:
                facets["area"][row.area] = row.n
        found.sort(key=lambda row: row.n)  # n: its position in the ranking
        return found, facets

    def count(self, query: SearchPlan, visibility: Visibility, *, limit: int) -> int:
        """How many documents the reader may see match (at most `limit`: no more are read)."""
        _, _, where = self._where(query, visibility)
        try:
            found = select(SearchDocumentRow.key).where(*where).limit(limit).subquery()
            return db.session.scalar(select(func.count()).select_from(found))
        except Exception as exc:
            db.session.rollback()
            raise SearchUnavailable(f"the database search could not answer ({type(exc).__name__})") from exc

    def vocabulary(self) -> list[str]:
        """The words documents were written with (lower case), for correcting a misspelt word:
        read once per process and again when the list grows."""
        stamp = (str(db.engine.url), db.session.scalar(select(func.count()).select_from(SearchWord)))
        if _vocabulary.get("stamp") != stamp:
            _vocabulary["words"] = list(db.session.scalars(select(SearchWord.word)))
            _vocabulary["stamp"] = stamp
        return _vocabulary["words"]
