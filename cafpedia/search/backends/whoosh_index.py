"""The embedded search backend: a Whoosh index in a folder.

The only module that imports whoosh. Whoosh stores the index (segments of postings, the
stored fields for results), analyses text (English stemming) and cuts the highlighted
snippets. Evaluating a query is done here, with numpy, over each segment's postings:
Whoosh's own matchers walk every posting one Python call at a time, which is what makes
a plain Whoosh index slow once queries match thousands of documents (and counting every
match for the total and the facets needs exactly that). Segments never change once
written, so what is read from one (its postings per term, its per-document columns) is
kept in memory while the segment lives; a change to the index adds a small segment and
only that one is read afresh.

Fields: `title` and `text` (body and references) hold stemmed words; `tpairs` and
`pairs` hold the same text as pairs of adjacent words ("first+hear"), so a quoted phrase or a
multi-word synonym is a lookup of its pairs rather than a walk over word positions.
"Did you mean" draws on a word list kept beside the index.

One searcher is kept open per process and refreshed when the index changes; writes take
Whoosh's lock with a short timeout, and a write that cannot get it reports failure so
the caller keeps the work queued.
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import os
import shutil
import threading
import time
import uuid
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from html import escape
from pathlib import Path

import numpy as np
from whoosh import highlight, index
from whoosh.analysis import SpaceSeparatedTokenizer, StemmingAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.index import LockError
from whoosh.spelling import ListCorrector

from cafpedia.search.backends import BackendResults, Hit, SearchUnavailable, Visibility
from cafpedia.search.documents import KIND_WEIGHTS, SearchDocument
from cafpedia.search.query import ParsedQuery
from cafpedia.search.synonyms import current_groups
from cafpedia.search.text import pair_tokens, tokens

OPEN_TRIES = 4  # a table of contents replaced mid-read by another process's commit

SCHEMA_VERSION = "7"
VERSION_FILE = "cafpedia_schema_version"
WORDS_FILE = "cafpedia_words.txt"
NAME_FILE = "cafpedia_index_name"  # this index's name, for its cursor in the change log
# Stemmed words, keeping one-character tokens: "s 7", "Part 4" and clause numbers matter here.
ANALYZER = StemmingAnalyzer(minsize=1)
# `text`, `pairs` and `tpairs` are analysed once, before Whoosh sees them (see `_fields`).
ANALYSED = SpaceSeparatedTokenizer()
# (word field, pairs field, length field, boost): a match in the title counts four times.
TEXT_FIELDS = (("title", "tpairs", "title", 4.0), ("text", "pairs", "text", 1.0))
FILTER_FIELDS = {"kind": "kind", "area": "area", "standard": "standards", "tag": "tags"}
SNIPPET_CHARS = 220
K1, B = 1.2, 0.75  # BM25
CACHE_BYTES = 96 * 1024 * 1024  # postings kept in memory per process, across segments
STATUSES = ("published", "pending", "archived")
NO_DATE = 2**63  # Whoosh's column value for a document without a date is 2**64 - 1


def make_schema() -> Schema:
    return Schema(
        key=ID(unique=True, stored=True),
        kind=ID(stored=True, sortable=True),
        status=ID(stored=True, sortable=True),
        area=ID(stored=True, sortable=True),
        area_title=STORED(),
        url=STORED(),
        name=STORED(),  # the title as shown
        title=TEXT(analyzer=ANALYZER, phrase=False),  # the title and the keywords, as searched
        body=STORED(),
        text=TEXT(analyzer=ANALYSED, phrase=False),
        tpairs=TEXT(analyzer=ANALYSED, phrase=False),
        pairs=TEXT(analyzer=ANALYSED, phrase=False),
        tags=KEYWORD(commas=True, lowercase=True, stored=True),
        standards=KEYWORD(commas=True, stored=True),
        updated=DATETIME(stored=True, sortable=True),
        author=ID(sortable=True),
        area_id=ID(sortable=True),
        fingerprint=STORED(),  # of the document as built: `cafpedia reindex --check` compares it
    )


# --- A query, as the evaluator sees it ------------------------------------------------------


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
    filters: list[tuple[str, list[str]]] = field(default_factory=list)  # (field, any of these values)
    plain_words: list[tuple[str, str]] = field(default_factory=list)  # (as typed, stem): could be misspelt

    @property
    def highlight_terms(self) -> set[str]:
        return {w for clause in self.clauses for v in clause for w in v.words}


# --- What is kept of a segment ----------------------------------------------------------------


class SegmentData:
    """Per-document columns of one segment, read once while it lives."""

    def __init__(self, reader, codes: dict[str, dict[str, int]]):
        n = reader.doc_count_all()
        self.n = n
        self.codes = {}
        for name in ("kind", "area", "status"):
            table = codes[name]
            column = reader.column_reader(name)
            self.codes[name] = np.fromiter((table.setdefault(v, len(table)) for v in column), dtype=np.int32, count=n)
        self.weight = np.ones(n, dtype=np.float64)
        for kind, weight in KIND_WEIGHTS.items():
            if kind in codes["kind"]:
                self.weight[self.codes["kind"] == codes["kind"][kind]] = weight
        self.author = np.fromiter(
            (int(v) if v else -1 for v in reader.column_reader("author")), dtype=np.int64, count=n
        )
        self.area_id = np.fromiter(
            (int(v) if v else -1 for v in reader.column_reader("area_id")), dtype=np.int64, count=n
        )
        updated = np.fromiter(reader.column_reader("updated", translate=False), dtype=np.uint64, count=n)
        updated = np.where(updated >= NO_DATE, 0, updated).astype(np.float64)
        # Newer first among equal scores: a tie-breaker far below any difference in score.
        span = updated.max() - updated.min() if n else 0
        self.recency = (updated - updated.min()) / span * 1e-6 if span else np.zeros(n)
        self.lengths = {}
        for name in {f[2] for f in TEXT_FIELDS}:
            self.lengths[name] = np.fromiter(
                (reader.doc_field_length(d, name) or 0 for d in range(n)), dtype=np.float32, count=n
            )
        self.deleted_count = -1
        self.live = np.ones(n, dtype=bool)

    def refresh_live(self, reader) -> None:
        segment = reader.segment()
        count = segment.deleted_count() if segment.has_deletions() else 0
        if count != self.deleted_count:
            live = np.ones(self.n, dtype=bool)
            if count:
                live[np.fromiter(segment.deleted_docs(), dtype=np.int64)] = False
            self.live, self.deleted_count = live, count


EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))


def read_postings(reader, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers, weights) of a term in one segment, read a block at a time."""
    if (fieldname, text) not in reader:
        return EMPTY
    matcher = reader.postings(fieldname, text)
    ids, weights = [], []
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
        # Whoosh 2.7's block matcher: take each block's arrays whole instead of stepping
        # through its postings one call at a time.
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.append(np.asarray(matcher._ids, dtype=np.int64))
            weights.append(np.asarray(matcher._weights, dtype=np.float32))
            matcher._next_block()
        return np.concatenate(ids), np.concatenate(weights)
    while matcher.is_active():  # short lists, kept inline in the term dictionary
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float32)


class WhooshBackend:
    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)
        self._index = None
        self._searcher = None
        self._lock = threading.Lock()
        self._synonyms = None
        self._known_ok = False
        self._codes: dict[str, dict[str, int]] = {"kind": {}, "area": {}, "status": {}}
        self._segments: dict[str, SegmentData] = {}
        self._postings: OrderedDict = OrderedDict()
        self._postings_bytes = 0
        self._words: tuple[int, list[str]] | None = None

    # --- state ---------------------------------------------------------------------------

    def status(self) -> str:
        """ok, missing, outdated, or broken: <why> (checked once per process while it stays ok)."""
        if self._known_ok:
            return "ok"
        status = self._check()
        self._known_ok = status == "ok"
        return status

    def check_now(self) -> str:
        """status(), read afresh from the files (for /healthz): an index damaged in place is
        noticed here, and this process forgets what it knew of it."""
        status = self._check()
        if status != "ok":
            self.close()
        return status

    def _check(self) -> str:
        try:
            exists = self.directory.is_dir() and index.exists_in(str(self.directory))
        except Exception as exc:  # a table of contents that cannot be read
            return f"broken: {type(exc).__name__}: {exc}"
        if not exists:
            return "missing"
        version = self.directory / VERSION_FILE
        if not version.is_file() or version.read_text().strip() != SCHEMA_VERSION:
            return "outdated"
        try:
            ix = index.open_dir(str(self.directory))
            with ix.searcher() as searcher:
                searcher.doc_count()
        except Exception as exc:  # any damage to the files: report it, plainly
            return f"broken: {type(exc).__name__}: {exc}"
        return "ok"

    def document_count(self) -> int:
        return self._current_searcher().doc_count()

    def index_name(self) -> str:
        """This index's own name (a new one for each rebuild), so each machine's index follows
        the change log with a cursor of its own. Read each time: another process may have
        swapped a rebuilt index in."""
        path = self.directory / NAME_FILE
        try:
            return path.read_text().strip()
        except FileNotFoundError:
            if not (self.directory.is_dir() and index.exists_in(str(self.directory))):
                raise SearchUnavailable("the search index is missing") from None
        # An index built before indexes had names: name it, once, whoever gets there first.
        spare = self.directory / f".{NAME_FILE}.{uuid.uuid4().hex[:8]}"
        spare.write_text(_new_name())
        try:
            os.link(spare, path)
        except FileExistsError:
            pass
        finally:
            spare.unlink()
        return path.read_text().strip()

    def _open(self):
        if self._index is None:
            for attempt in range(OPEN_TRIES):
                try:
                    self._index = index.open_dir(str(self.directory))
                    break
                except Exception as exc:
                    # Another process committing can replace the table of contents (and the
                    # segments it names) while this one reads it: read it again, a moment later.
                    if attempt == OPEN_TRIES - 1:
                        raise SearchUnavailable(f"the search index cannot be opened ({type(exc).__name__})") from exc
                    time.sleep(0.05 * (attempt + 1))
        return self._index

    def _current_searcher(self):
        with self._lock:
            try:
                if self._searcher is None:
                    self._searcher = self._open().searcher()
                else:  # a new searcher if the index changed (Whoosh closes the old readers)
                    self._searcher = self._searcher.refresh()
            except SearchUnavailable:
                raise
            except Exception as exc:
                self._forget()
                raise SearchUnavailable(f"the search index cannot be read ({type(exc).__name__})") from exc
            return self._searcher

    def _forget(self) -> None:
        self._searcher = None
        self._index = None
        self._known_ok = False
        self._segments.clear()
        self._postings.clear()
        self._postings_bytes = 0
        self._words = None

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._forget()

    # --- writing ----------------------------------------------------------------------------

    @contextmanager
    def writing(self, *, timeout: float):
        """Whoosh's write lock (a lock file, taken with flock: one holder across threads and
        processes), held from before the drain reads the queue until the index commits."""
        try:
            writer = self._open().writer(timeout=timeout)
        except LockError:
            yield None
            return
        except OSError as exc:  # its files gone or unreadable since this process opened it
            self._forget()
            raise SearchUnavailable(f"the search index cannot be written ({type(exc).__name__})") from exc
        batch = _WhooshWriter(self, writer)
        try:
            yield batch
        finally:
            batch.cancel()  # nothing, once committed

    def rebuild(
        self, documents, *, total: int | None = None, progress=None, only_if_needed: bool = False, wait: bool = True
    ) -> int | None:
        """Build a new index beside the live one and swap it in.

        One process rebuilds at a time (a lock file beside the index); with
        `only_if_needed`, a process that waited finds the index ready and does nothing
        (returns None). While it builds, the live index's write lock is held, so other
        processes keep their changes queued and apply them to the new index afterwards.
        Without `wait`, a rebuild under way elsewhere is reported at once (SearchUnavailable).
        """
        self.directory.parent.mkdir(parents=True, exist_ok=True)
        with open(self.directory.with_name(f".{self.directory.name}.rebuild-lock"), "a+") as lock_file:
            deadline = time.monotonic() + (120 if wait else 0)
            while True:
                try:
                    fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise SearchUnavailable("the search index is being rebuilt by another process") from None
                    time.sleep(0.05)
            try:
                if only_if_needed and self._check() == "ok":
                    self.close()
                    return None
                return self._rebuild_locked(documents, progress)
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def _rebuild_locked(self, documents, progress) -> int:
        building = self.directory.with_name(f".{self.directory.name}.building-{uuid.uuid4().hex[:8]}")
        building.mkdir()
        live_lock = None
        if self.directory.is_dir():
            try:  # a missing or damaged index fails here: the new one is built without its lock
                live_lock = index.open_dir(str(self.directory)).storage.lock("MAIN_WRITELOCK")
                deadline = time.monotonic() + 30
                while not live_lock.acquire(blocking=False):
                    if time.monotonic() > deadline:
                        raise SearchUnavailable("another process has been writing to the index for 30 s")
                    time.sleep(0.05)
            except SearchUnavailable:
                shutil.rmtree(building, ignore_errors=True)
                raise
            except Exception:
                live_lock = None  # a damaged index: build the new one without it
        count = 0
        try:
            ix = index.create_in(str(building), make_schema())
            writer = ix.writer(limitmb=512, procs=max(1, min(4, os.cpu_count() or 1)), multisegment=True)
            words = set()
            for doc in documents:
                fields = self._fields(doc)
                words |= doc.spelling_words(fields["body"])
                writer.add_document(**fields)
                count += 1
                if progress:
                    progress(1)
            writer.commit(optimize=True)
            self._add_words(building, words)
            (building / VERSION_FILE).write_text(SCHEMA_VERSION)
            (building / NAME_FILE).write_text(_new_name())
            old = self.directory.with_name(f".{self.directory.name}.old-{uuid.uuid4().hex[:8]}")
            if self.directory.exists():
                os.rename(self.directory, old)
            os.rename(building, self.directory)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            if live_lock is not None:
                with contextlib.suppress(Exception):  # the lock's own trouble must not hide the rebuild's
                    live_lock.release()
            shutil.rmtree(building, ignore_errors=True)
        self.close()
        return count

    @staticmethod
    def _fields(doc: SearchDocument) -> dict:
        body = doc.index_body()
        # Analysed here, once, for both the words and the pairs of the text.
        words = tokens(f"{body}\n{doc.index_extra()}")
        return {
            "key": doc.key,
            "kind": doc.kind,
            "status": doc.status,
            "area": doc.area or "",
            "area_title": doc.area_title,
            "url": doc.url,
            "name": doc.title,
            "title": f"{doc.title} {doc.keywords}".strip(),
            "body": body,
            "text": " ".join(words),
            "tpairs": " ".join(pair_tokens(tokens(doc.title)) + pair_tokens(tokens(doc.keywords))),
            "pairs": " ".join(pair_tokens(words)),
            "tags": ",".join(doc.tags),
            "standards": ",".join(doc.standards),
            "updated": doc.updated_at,
            "author": str(doc.author_id or ""),
            "area_id": str(doc.area_id or ""),
            "fingerprint": doc.fingerprint(),
        }

    @staticmethod
    def _add_words(directory: Path, words: set[str]) -> None:
        """Add to the word list "did you mean" draws on (words never leave it until a rebuild)."""
        path = directory / WORDS_FILE
        known = set(path.read_text(encoding="utf-8").split()) if path.is_file() else set()
        if words - known or not path.is_file():
            temporary = path.with_name(f".{WORDS_FILE}.{uuid.uuid4().hex[:8]}")
            temporary.write_text("\n".join(sorted(known | words)) + "\n", encoding="utf-8")
            os.replace(temporary, path)

    def fingerprints(self, keys: list[str] | None = None) -> dict[str, str | None]:
        try:
            with self._open().searcher() as searcher:  # the index as last committed
                if keys is None:
                    return {f["key"]: f.get("fingerprint") for f in searcher.reader().all_stored_fields()}
                found = {}
                for key in keys:
                    fields = searcher.document(key=key)
                    if fields is not None:
                        found[key] = fields.get("fingerprint")
                return found
        except SearchUnavailable:
            raise
        except Exception as exc:
            raise SearchUnavailable(f"the search index cannot be read ({type(exc).__name__})") from exc

    # --- reading a query ------------------------------------------------------------------------

    def _synonym_map(self) -> dict[str, list[list[str]]]:
        """Analysed variant → every variant of its group, analysed (lists of tokens)."""
        groups = current_groups()
        if self._synonyms is None or self._synonyms[0] is not groups:  # a newer list was saved
            mapping: dict[str, list[list[str]]] = {}
            for group in groups:
                analysed = [tokens(v) for v in group]
                analysed = [a for a in analysed if a]
                for variant in analysed:
                    mapping[" ".join(variant)] = analysed
            self._synonyms = (groups, mapping)
        return self._synonyms[1]

    def plan(self, parsed: ParsedQuery) -> Plan:
        """What to look up: each typed word or phrase with its synonyms, and the filters."""
        synonyms = self._synonym_map()
        plan = Plan()
        parts = parsed.parts
        i = 0
        while i < len(parts):
            if i in parsed.phrases:
                words = tokens(parts[i])
                i += 1
                if words:
                    plan.clauses.append([Variant(v) for v in synonyms.get(" ".join(words), [words])])
                continue
            # The longest run of typed words that is a synonym (e.g. "section 7").
            matched = False
            for j in range(min(len(parts), i + 4), i, -1):
                if any(k in parsed.phrases for k in range(i, j)):
                    continue
                words = tokens(" ".join(parts[i:j]))
                if words and " ".join(words) in synonyms:
                    plan.clauses.append([Variant(v) for v in synonyms[" ".join(words)]])
                    i, matched = j, True
                    break
            if matched:
                continue
            words = tokens(parts[i])
            if len(words) == 1:
                plan.plain_words.append((parts[i], words[0]))
            if words:  # a typed word the analyser splits ("in-court") is found as a phrase
                plan.clauses.append([Variant(words)])
            i += 1
        for name, values in parsed.filters.items():
            if name in FILTER_FIELDS:
                plan.filters.append((FILTER_FIELDS[name], list(values)))
        return plan

    # --- evaluating it ------------------------------------------------------------------------

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

    def _allowed(self, data: SegmentData, visibility: Visibility, parsed: ParsedQuery) -> np.ndarray:
        status = data.codes["status"]
        code = {name: self._codes["status"].get(name, -1) for name in STATUSES}
        wanted = set(parsed.filters.get("status", []))
        allowed = status == code["published"]
        if visibility.include_archived or "archived" in wanted:
            allowed |= status == code["archived"]
        if visibility.user_id is not None:
            pending = status == code["pending"]
            if visibility.moderated_area_ids is not None:
                mine = data.author == visibility.user_id
                if visibility.moderated_area_ids:
                    mine |= np.isin(data.area_id, np.asarray(visibility.moderated_area_ids, dtype=np.int64))
                pending &= mine
            allowed |= pending
        if wanted:
            allowed &= np.isin(status, [code.get(s, -2) for s in wanted])
        return allowed & data.live

    def _evaluate(self, searcher, plan: Plan, visibility: Visibility, parsed: ParsedQuery, limit: int):
        """(total, facet counts, the best `limit` documents as (global docnum, key) pairs)."""
        n_all = max(searcher.doc_count(), 1)
        idf_cache: dict = {}

        def idf(fieldname: str, text: str) -> float:
            if (fieldname, text) not in idf_cache:
                df = searcher.doc_frequency(fieldname, text)
                idf_cache[fieldname, text] = math.log(1 + (n_all - df + 0.5) / (df + 0.5))
            return idf_cache[fieldname, text]

        averages = {name: max(searcher.avg_field_length(name, 1.0), 1.0) for name in {f[2] for f in TEXT_FIELDS}}
        total = 0
        facet_counts = {"kind": None, "area": None}
        candidates = []  # (keys, global docnums) per segment
        for reader, offset in _segments(searcher):
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
                clause_mask = np.zeros(data.n, dtype=bool)
                clause_score = np.zeros(data.n, dtype=np.float64)
                for variant in clause:
                    v_mask, v_score = self._variant(variant, data, term, idf, averages)
                    clause_mask |= v_mask
                    np.maximum(clause_score, v_score, out=clause_score)
                mask &= clause_mask
                score += clause_score
            matches = np.flatnonzero(mask)
            if not len(matches):
                continue
            total += len(matches)
            for name in facet_counts:
                counts = np.bincount(data.codes[name][matches], minlength=len(self._codes[name]))
                facet_counts[name] = counts if facet_counts[name] is None else _add(facet_counts[name], counts)
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

    # --- searching ------------------------------------------------------------------------------

    def search(self, parsed: ParsedQuery, visibility: Visibility, *, page: int, per_page: int) -> BackendResults:
        searcher = self._current_searcher()
        if searcher.doc_count_all() == 0:  # an empty knowledge base: no segments to read
            return BackendResults(total=0, hits=[], facets={"kind": {}, "area": {}}, suggestion=None)
        plan = self.plan(parsed)
        try:
            with self._lock:
                self._drop_gone_segments(searcher)
                total, facets, docnums = self._evaluate(searcher, plan, visibility, parsed, page * per_page)
            hits = [
                self._hit(searcher.stored_fields(d), plan) for d in docnums[(page - 1) * per_page : page * per_page]
            ]
            suggestion = self._suggest(searcher, parsed, plan, visibility) if total == 0 and plan.plain_words else None
        except Exception as exc:
            raise SearchUnavailable(f"the search index could not answer ({type(exc).__name__}: {exc})") from exc
        return BackendResults(total=total, hits=hits, facets=facets, suggestion=suggestion)

    def _drop_gone_segments(self, searcher) -> None:
        live = {reader.segment().segment_id() for reader, _ in _segments(searcher)}
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
            # Snippets come from the first few thousand characters: quick, and where the point is.
            snippet = highlight.highlight(
                body,
                frozenset(terms),
                ANALYZER,
                highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60, charlimit=4000),
                highlight.HtmlFormatter(tagname="mark", between=" … "),
                top=2,
            )
        return Hit(
            key=stored["key"],
            kind=stored["kind"],
            title=stored["name"],
            url=stored["url"],
            snippet=snippet or escape(_shorten(body, SNIPPET_CHARS)),
            area=stored.get("area", ""),
            area_title=stored.get("area_title", ""),
            status=stored["status"],
            updated_at=stored.get("updated"),
        )

    def _word_list(self) -> list[str]:
        path = self.directory / WORDS_FILE
        try:
            stamp = path.stat().st_mtime_ns
        except FileNotFoundError:
            return []
        if self._words is None or self._words[0] != stamp:
            self._words = (stamp, sorted(path.read_text(encoding="utf-8").split()))
        return self._words[1]

    def _held_by(self, searcher, stem: str, visibility: Visibility, parsed: ParsedQuery) -> int:
        """How many documents this reader may see hold a word (by its stem)."""
        count = 0
        with self._lock:
            for reader, _ in _segments(searcher):
                data = self._segment(reader)
                found = np.zeros(data.n, dtype=bool)
                for fieldname, *_ in TEXT_FIELDS:
                    found[self._term(reader.segment().segment_id(), reader, fieldname, stem)[0]] = True
                count += int(np.count_nonzero(found & self._allowed(data, visibility, parsed)))
        return count

    def _suggest(self, searcher, parsed: ParsedQuery, plan: Plan, visibility: Visibility) -> str | None:
        """A corrected query: each word no document holds, replaced by the nearest known word
        that some document the reader may see still holds."""
        wordlist = self._word_list()
        corrector = ListCorrector(wordlist)
        corrections = {}
        for typed, stem in plan.plain_words:
            if self._held_by(searcher, stem, visibility, parsed):
                continue
            for distance in (1, 2):  # the nearest words first; among them, the most used
                held = {}
                for found in corrector.suggest(typed.lower(), limit=8, maxdist=distance):
                    found_stems = tokens(found)
                    if len(found_stems) == 1:
                        frequency = self._held_by(searcher, found_stems[0], visibility, parsed)
                        if frequency:
                            held[found] = frequency
                if held:
                    corrections[typed] = max(sorted(held), key=held.get)
                    break
        if not corrections:
            return None
        parts = [f'"{p}"' if i in parsed.phrases else corrections.get(p, p) for i, p in enumerate(parsed.parts)]
        parts += [f"{k}:{v}" for k, values in parsed.filters.items() for v in values]
        return " ".join(parts)


class _WhooshWriter:
    """One drain batch's changes, under the write lock, committed at once."""

    def __init__(self, backend: WhooshBackend, writer):
        self.backend, self.writer, self.words, self.open = backend, writer, set(), True

    def write(self, add: list[SearchDocument], delete: list[str]) -> None:
        # Replace by deleting every changed key through one searcher, then adding: Whoosh's
        # update_document opens a searcher over every segment for each document.
        with self.writer.searcher() as searcher:
            for key in dict.fromkeys([*delete, *(doc.key for doc in add)]):
                self.writer.delete_by_term("key", key, searcher=searcher)
        for doc in add:
            fields = self.backend._fields(doc)
            self.words |= doc.spelling_words(fields["body"])
            self.writer.add_document(**fields)

    def commit(self) -> None:
        self.backend._add_words(self.backend.directory, self.words)  # under the write lock: one writer at a time
        self.writer.commit()  # releases the lock; on failure it stays open for cancel()
        self.open = False

    def cancel(self) -> None:
        if self.open and not self.writer.is_closed:
            self.writer.cancel()
        self.open = False


def _new_name() -> str:
    return f"whoosh-{uuid.uuid4().hex[:16]}"


def _segments(searcher) -> list:
    """(segment reader, first document number) for each segment; none for an empty index."""
    return [
        (reader, offset)
        for reader, offset in searcher.reader().leaf_readers()
        if getattr(reader, "segment", lambda: None)() is not None
    ]


def _add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if len(a) < len(b):
        a, b = b, a
    a = a.copy()
    a[: len(b)] += b
    return a


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
