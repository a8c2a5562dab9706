"""Documents like a text, over the Whoosh index: the text's most distinctive words (the rarest
in the index of its first words), any of them enough, ranked by BM25 as a search ranks, within
what the reader may see (visibility.py). `WhooshSimilar` is a part of `WhooshBackend`, using
its searcher and the caches of `WhooshQuerying`."""

from __future__ import annotations

import numpy as np

from cafpedia.search.backends import (
    SIMILAR_BODY_CHARS,
    SearchUnavailable,
    Similar,
    Visibility,
    distinctive,
)
from cafpedia.search.backends.whoosh_query import SegmentTerms, Variant
from cafpedia.search.backends.whoosh_segments import bm25_statistics, segments_of
from cafpedia.search.text import tokens
from cafpedia.search.visibility import condition as visibility_condition


class WhooshSimilar:
    def similar(
        self,
        text: str,
        visibility: Visibility,
        *,
        kinds: tuple[str, ...] = ("tip",),
        limit: int = 5,
        exclude_keys: tuple[str, ...] = (),
    ) -> list[Similar]:
        words = tokens(text)
        if not words or limit < 1:
            return []
        with self.searching() as searcher:
            if searcher.doc_count_all() == 0:
                return []
            try:
                with self._lock:
                    self._drop_gone_segments(searcher)
                    found = self._similar(searcher, words, visibility, kinds, limit + len(exclude_keys))
                stored = [(searcher.stored_fields(d), score) for d, score in found]
            except Exception as exc:
                raise SearchUnavailable(f"the search index could not answer ({type(exc).__name__}: {exc})") from exc
        excluded = set(exclude_keys)
        return [
            Similar(
                key=fields["key"],
                kind=fields["kind"],
                title=fields["name"],
                url=fields["url"],
                status=fields["status"],
                area=fields.get("area", ""),
                area_title=fields.get("area_title", ""),
                score=score,
                body=fields.get("body", "")[:SIMILAR_BODY_CHARS],
            )
            for fields, score in found_in_order(stored)
            if fields["key"] not in excluded
        ][:limit]

    def _similar(self, searcher, words: list[str], visibility: Visibility, kinds, limit: int):
        """[(global docnum, score)] of the best `limit` documents holding any distinctive word."""
        terms = distinctive(words, lambda w: searcher.doc_frequency("text", w) + searcher.doc_frequency("title", w))
        if not terms:
            return []
        idf, averages = bm25_statistics(searcher)
        scores, docnums = [], []
        for reader, offset in segments_of(searcher):
            data = self._segment(reader)
            segment_id = reader.segment().segment_id()
            allowed = visibility_condition(visibility, [], SegmentTerms(data, self._codes["status"])) & data.live
            allowed &= np.isin(data.codes["kind"], [self._codes["kind"].get(k, -2) for k in kinds])
            if not allowed.any():
                continue

            def term(fieldname, text, segment_id=segment_id, reader=reader):
                return self._term(segment_id, reader, fieldname, text)

            score = np.zeros(data.n, dtype=np.float64)
            for word in terms:
                score += self._variant(Variant([word]), data, term, idf, averages)[1]
            matches = np.flatnonzero(allowed & (score > 0))
            if len(matches) > limit:
                matches = matches[np.argpartition(-score[matches], limit - 1)[:limit]]
            scores.append(score[matches])
            docnums.append(matches + offset)
        if not scores:
            return []
        scores, docnums = np.concatenate(scores), np.concatenate(docnums)
        order = np.argsort(-scores, kind="stable")[:limit]
        return [(int(docnums[i]), float(scores[i])) for i in order]


def found_in_order(stored: list[tuple[dict, float]]) -> list[tuple[dict, float]]:
    """Best first; on a tie, by key, so that an answer does not depend on segment order."""
    return sorted(stored, key=lambda pair: (-pair[1], pair[0]["key"]))
