"""Answering a query over the Whoosh index with numpy (see whoosh_index for why): the plan of
what to look up (typed words and phrases with their synonyms, and the filters), each segment's
columns and postings kept in memory, the ranking, the facet counts, the hits with their
snippets, and the counts and word list that correction and relaxation use.
`WhooshQuerying` is the searching half of `WhooshBackend`."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache, partial, reduce
from html import escape

import numpy as np
from whoosh import highlight
from whoosh.analysis import StemmingAnalyzer

from cafpedia.search.backends import BackendResults, Hit, SearchUnavailable, Visibility
from cafpedia.search.backends.whoosh_segments import (
    CACHE_BYTES,
    TEXT_FIELDS,
    SegmentData,
    add_counts,
    bm25_statistics,
    read_postings,
    segments_of,
)
from cafpedia.search.plan import SearchPlan
from cafpedia.search.text import pair_tokens, tokens
from cafpedia.search.visibility import condition as visibility_condition

WORDS_FILE = "cafpedia_words.txt"
ANALYZER = StemmingAnalyzer(minsize=1)
K1, B = 1.2, 0.75  # BM25
FILTER_FIELDS = {"kind": "kind", "area": "areas", "standard": "standards", "tag": "tags"}
SNIPPET_CHARS = 220
SNIPPETS_KEPT = 2048  # marked passages kept per process (a document's text and the words: ~10 MB at most)


@lru_cache(maxsize=SNIPPETS_KEPT)
def marked_passages(body: str, terms: frozenset[str]) -> str:
    """The best two passages of `body` with `terms` marked ('' when none is in it). Passages come
    from the first few thousand characters: quick, and where the point is. Highlighting reads
    the text again through the analyser, most of a search's time; the passages are a function of
    the text and the words alone, so they are kept by them: a document found again by the same
    words costs a lookup, and a document whose text has changed is another key."""
    return highlight.highlight(
        body,
        terms,
        ANALYZER,
        highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60, charlimit=4000),
        highlight.HtmlFormatter(tagname="mark", between=" … "),
        top=2,
    )


@dataclass
class Variant:
    """One way of writing a clause: a word, or several (found by their pairs)."""

    words: list[str]

    @property
    def pairs(self) -> list[str]:
        return pair_tokens(self.words)


@dataclass
class Plan:
    clauses: list[list[Variant]] = field(default_factory=list)  # all required; any variant of each
    optional: list[list[Variant]] = field(default_factory=list)  # not required: what holds them ranks first
    filters: list[tuple[str, list[str]]] = field(default_factory=list)  # (field, any of these values)

    @property
    def highlight_terms(self) -> set[str]:
        return {w for clause in self.clauses + self.optional for v in clause for w in v.words}


@dataclass
class SegmentTerms:
    """The visibility rules' terms over one segment's columns: a mask of its documents each."""

    data: SegmentData
    codes: dict[str, int]  # status -> its code in the index

    def status_is(self, status: str) -> np.ndarray:
        return self.data.codes["status"] == self.codes.get(status, -1)

    def status_in(self, statuses: list[str]) -> np.ndarray:
        return np.isin(self.data.codes["status"], [self.codes.get(s, -2) for s in statuses])

    def author_is(self, user_id: int) -> np.ndarray:
        return self.data.author == user_id

    def area_in(self, area_ids: list[int]) -> np.ndarray:
        return np.isin(self.data.area_id, np.asarray(area_ids, dtype=np.int64))

    def any_of(self, masks: list[np.ndarray]) -> np.ndarray:
        return reduce(np.logical_or, masks) if masks else np.zeros(self.data.n, dtype=bool)

    def all_of(self, masks: list[np.ndarray]) -> np.ndarray:
        return reduce(np.logical_and, masks)


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


class WhooshQuerying:
    """The searching half of WhooshBackend: it uses the backend's searcher (`searching`),
    its synonym and word lists, and the caches `__init__` sets up (`_codes`, `_segments`,
    `_postings`, `_postings_bytes`, `_words`)."""

    def plan(self, search: SearchPlan) -> Plan:
        """What to look up: each clause's variants as analysed words, and the filters."""
        plan = Plan()
        for clauses, into in ((search.clauses, plan.clauses), (search.optional, plan.optional)):
            for clause in clauses:
                unique = dict.fromkeys(tuple(words) for v in clause.variants if (words := tokens(v)))
                if unique:  # a typed word the analyser splits ("in-court") is found as a phrase
                    into.append([Variant(list(words)) for words in unique])
        for name, values in search.filters.items():
            if name in FILTER_FIELDS:
                plan.filters.append((FILTER_FIELDS[name], list(values)))
        return plan

    def _segment(self, reader) -> SegmentData:
        segment_id = reader.segment().segment_id()
        data = self._segments.get(segment_id)
        if data is None or data.n != reader.doc_count_all():
            data = self._segments[segment_id] = SegmentData(reader, self._codes)
        data.refresh_live(reader)
        return data

    def _term(self, segment_id: str, reader, fieldname: str, text: str):
        key = (segment_id, fieldname, text)
        found = self._postings.get(key)
        if found is not None:
            self._postings.move_to_end(key)
            return found
        found = read_postings(reader, fieldname, text)
        self._postings[key] = found
        self._postings_bytes += found[0].nbytes + found[1].nbytes + 200
        while self._postings_bytes > CACHE_BYTES and len(self._postings) > 1:
            _, (ids, weights) = self._postings.popitem(last=False)
            self._postings_bytes -= ids.nbytes + weights.nbytes + 200
        return found

    def _allowed(self, data: SegmentData, visibility: Visibility, parsed: SearchPlan) -> np.ndarray:
        """The segment's live documents the reader may see (the rules: visibility.py)."""
        terms = SegmentTerms(data, self._codes["status"])
        return visibility_condition(visibility, parsed.filters.get("status", []), terms) & data.live

    def _evaluate(self, searcher, plan: Plan, visibility: Visibility, parsed: SearchPlan, limit: int):
        """(total, facet counts, the best `limit` documents as (global docnum, key) pairs)."""
        idf, averages = bm25_statistics(searcher)
        total = 0
        facet_counts = {"kind": None, "area": None}
        candidates = []  # (keys, global docnums) per segment
        for reader, offset in segments_of(searcher):
            data = self._segment(reader)
            segment_id = reader.segment().segment_id()
            mask = self._allowed(data, visibility, parsed)
            score = np.zeros(data.n, dtype=np.float64)

            term = partial(self._term, segment_id, reader)  # (field, text) → (docnums, weights)

            for fieldname, values in plan.filters:
                found = np.zeros(data.n, dtype=bool)
                for value in values:
                    found[term(fieldname, value)[0]] = True
                mask &= found
            for clause in plan.clauses:
                if not mask.any():
                    break
                clause_mask, clause_score = self._clause(clause, data, term, idf, averages)
                mask &= clause_mask
                score += clause_score
            matches = np.flatnonzero(mask)
            if not len(matches):
                continue
            if plan.optional:  # a relaxed query: what holds more of it first
                held = np.full(len(matches), len(plan.clauses), dtype=np.float64)
                for clause in plan.optional:
                    clause_mask, clause_score = self._clause(clause, data, term, idf, averages)
                    held += clause_mask[matches]
                    score += clause_score
                score[matches] *= held / (len(plan.clauses) + len(plan.optional))
            total += len(matches)
            for name, codes in (
                ("kind", data.codes["kind"][matches]),
                ("area", data.area_codes[mask[data.area_docs]]),  # each match once under each of its areas
            ):
                counts = np.bincount(codes, minlength=len(self._codes[name]))
                facet_counts[name] = counts if facet_counts[name] is None else add_counts(facet_counts[name], counts)
            keys = score[matches] * data.weight[matches] + data.recency[matches]
            if len(matches) > limit:
                best = np.argpartition(-keys, limit - 1)[:limit]
                matches, keys = matches[best], keys[best]
            candidates.append((keys, matches + offset))
        facets = {}
        for name, counts in facet_counts.items():
            values = {code: value for value, code in self._codes[name].items()}
            facets[name] = (
                {} if counts is None else {values[c]: int(n) for c, n in enumerate(counts) if n and values[c]}
            )
        if not candidates:
            return total, facets, []
        keys = np.concatenate([c[0] for c in candidates])
        docnums = np.concatenate([c[1] for c in candidates])
        order = np.argsort(-keys, kind="stable")[:limit]
        return total, facets, [int(d) for d in docnums[order]]

    @classmethod
    def _clause(cls, clause: list[Variant], data: SegmentData, term, idf, averages):
        """Where any variant of a clause matches in a segment, and the best variant's score."""
        clause_mask = np.zeros(data.n, dtype=bool)
        clause_score = np.zeros(data.n, dtype=np.float64)
        for variant in clause:
            v_mask, v_score = cls._variant(variant, data, term, idf, averages)
            clause_mask |= v_mask
            np.maximum(clause_score, v_score, out=clause_score)
        return clause_mask, clause_score

    @staticmethod
    def _variant(variant: Variant, data: SegmentData, term, idf, averages):
        """Where one variant of a clause matches in a segment, and how well (BM25 per field)."""
        mask = np.zeros(data.n, dtype=bool) if len(variant.words) == 1 else np.ones(data.n, dtype=bool)
        score = np.zeros(data.n, dtype=np.float64)
        lookups = variant.words if len(variant.words) == 1 else variant.pairs
        for text in lookups:
            found = np.zeros(data.n, dtype=bool)
            for words_field, pairs_field, length_field, boost in TEXT_FIELDS:
                fieldname = words_field if len(variant.words) == 1 else pairs_field
                ids, tf = term(fieldname, text)
                if not len(ids):
                    continue
                found[ids] = True
                norm = K1 * (1 - B + B * data.lengths[length_field][ids] / averages[length_field])
                score[ids] += boost * idf(fieldname, text) * tf * (K1 + 1) / (tf + norm)
            if len(variant.words) == 1:
                mask |= found
            else:
                mask &= found
        return mask, score

    def search(self, query: SearchPlan, visibility: Visibility, *, page: int, per_page: int) -> BackendResults:
        with self.searching() as searcher:  # held to the last snippet: no other thread closes it meanwhile
            return self._search(searcher, query, visibility, page=page, per_page=per_page)

    def _search(self, searcher, query: SearchPlan, visibility: Visibility, *, page: int, per_page: int):
        if searcher.doc_count_all() == 0:  # an empty knowledge base: no segments to read
            return BackendResults(total=0, hits=[], facets={"kind": {}, "area": {}})
        plan = self.plan(query)
        try:
            with self._lock:
                self._drop_gone_segments(searcher)
                total, facets, docnums = self._evaluate(searcher, plan, visibility, query, page * per_page)
            hits = [
                self._hit(searcher.stored_fields(d), plan) for d in docnums[(page - 1) * per_page : page * per_page]
            ]
        except Exception as exc:
            raise SearchUnavailable(f"the search index could not answer ({type(exc).__name__}: {exc})") from exc
        return BackendResults(total=total, hits=hits, facets=facets)

    def count(self, query: SearchPlan, visibility: Visibility, *, limit: int) -> int:
        """How many documents the reader may see match (at most `limit`)."""
        with self.searching() as searcher:
            if searcher.doc_count_all() == 0:
                return 0
            try:
                with self._lock:
                    self._drop_gone_segments(searcher)
                    total = self._evaluate(searcher, self.plan(query), visibility, query, 1)[0]
            except Exception as exc:
                raise SearchUnavailable(f"the search index could not answer ({type(exc).__name__}: {exc})") from exc
        return min(total, limit)

    def _drop_gone_segments(self, searcher) -> None:
        live = {reader.segment().segment_id() for reader, _ in segments_of(searcher)}
        for segment_id in [s for s in self._segments if s not in live]:
            del self._segments[segment_id]
            for key in [k for k in self._postings if k[0] == segment_id]:
                ids, weights = self._postings.pop(key)
                self._postings_bytes -= ids.nbytes + weights.nbytes + 200

    @staticmethod
    def _hit(stored: dict, plan: Plan) -> Hit:
        body = stored.get("body", "")
        snippet = ""
        terms = plan.highlight_terms
        if terms:
            snippet = marked_passages(body, frozenset(terms))
        return Hit(
            key=stored["key"],
            kind=stored["kind"],
            title=stored["name"],
            url=stored["url"],
            snippet=snippet or escape(shorten(body, SNIPPET_CHARS)),
            area=stored.get("area", ""),
            area_title=stored.get("area_title", ""),
            status=stored["status"],
            updated_at=stored.get("updated"),
        )

    def vocabulary(self) -> list[str]:
        """The words documents were written with (lower case), for correcting a misspelt word."""
        path = self.directory / WORDS_FILE
        try:
            stamp = path.stat().st_mtime_ns
        except FileNotFoundError:
            return []
        if self._words is None or self._words[0] != stamp:
            self._words = (stamp, sorted(path.read_text(encoding="utf-8").split()))
        return self._words[1]
