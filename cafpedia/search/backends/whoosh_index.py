"""The embedded search backend: a Whoosh index in a folder.

The only module that imports whoosh. One searcher is kept open per process and
refreshed when the index changes; writes take Whoosh's lock with a short timeout, and a
write that cannot get it reports failure so the caller keeps the work queued.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
import uuid
from collections import Counter
from html import escape
from pathlib import Path

from whoosh import highlight, index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.idsets import BitSet
from whoosh.index import LockError
from whoosh.query import And, Every, Or, Phrase, Term

from cafpedia.search.backends import BackendResults, Hit, SearchUnavailable, Visibility
from cafpedia.search.documents import SearchDocument
from cafpedia.search.query import ParsedQuery, synonym_groups

SCHEMA_VERSION = "4"
VERSION_FILE = "cafpedia_schema_version"
# Stemmed words, keeping one-character tokens: "s 7", "Part 4" and clause numbers matter here.
ANALYZER = StemmingAnalyzer(minsize=1)
TEXT_FIELDS = (("title", 4.0), ("body", 1.0), ("extra", 1.0))
SNIPPET_CHARS = 220


def make_schema() -> Schema:
    return Schema(
        key=ID(unique=True, stored=True),
        kind=ID(stored=True, sortable=True),
        status=ID(stored=True),
        area=ID(stored=True, sortable=True),
        area_title=STORED(),
        url=STORED(),
        title=TEXT(analyzer=ANALYZER, stored=True, spelling=True),
        body=TEXT(analyzer=ANALYZER, stored=True, spelling=True),
        extra=TEXT(analyzer=ANALYZER),
        tags=KEYWORD(commas=True, lowercase=True, stored=True),
        standards=KEYWORD(commas=True, stored=True),
        updated=DATETIME(stored=True),
        author=ID(),
        area_id=ID(),
    )


def tokens(text: str) -> list[str]:
    return [t.text for t in ANALYZER(text)]


class WhooshBackend:
    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)
        self._index = None
        self._searcher = None
        self._lock = threading.Lock()
        self._synonyms = None
        self._known_ok = False
        self._filter_cache: dict = {}

    # --- state ---------------------------------------------------------------------------

    def status(self) -> str:
        """ok, missing, outdated, or broken: <why> (checked once per process while it stays ok)."""
        if self._known_ok:
            return "ok"
        status = self._check()
        self._known_ok = status == "ok"
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

    def _open(self):
        if self._index is None:
            try:
                self._index = index.open_dir(str(self.directory))
            except Exception as exc:
                raise SearchUnavailable(f"the search index cannot be opened ({type(exc).__name__})") from exc
        return self._index

    def _current_searcher(self):
        with self._lock:
            try:
                if self._searcher is None:
                    self._searcher = self._open().searcher()
                else:
                    # The fresh searcher reuses the old one's readers for unchanged
                    # segments, so the old one must not be closed.
                    self._searcher = self._searcher.refresh()
            except SearchUnavailable:
                raise
            except Exception as exc:
                self._searcher = None
                self._index = None
                self._known_ok = False
                raise SearchUnavailable(f"the search index cannot be read ({type(exc).__name__})") from exc
            return self._searcher

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._searcher = None
            self._index = None
            self._known_ok = False

    # --- writing ----------------------------------------------------------------------------

    def write(self, add: list[SearchDocument], delete: list[str], *, timeout: float) -> bool:
        """Apply changes; False (and nothing written) if another process holds the lock."""
        try:
            writer = self._open().writer(timeout=timeout)
        except LockError:
            return False
        try:
            for key in delete:
                writer.delete_by_term("key", key)
            for doc in add:
                writer.update_document(**self._fields(doc))
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        return True

    def rebuild(self, documents, *, total: int | None = None, progress=None, only_if_needed: bool = False) -> int | None:
        """Build a new index beside the live one and swap it in.

        One process rebuilds at a time (a lock file beside the index); with
        `only_if_needed`, a process that waited finds the index ready and does nothing
        (returns None). While it builds, the live index's write lock is held, so other
        processes keep their changes queued and apply them to the new index afterwards.
        """
        self.directory.parent.mkdir(parents=True, exist_ok=True)
        with open(self.directory.with_name(f".{self.directory.name}.rebuild-lock"), "a+") as lock_file:
            deadline = time.monotonic() + 120
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
        if self.directory.is_dir() and index.exists_in(str(self.directory)):
            try:
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
            writer = ix.writer(limitmb=256, procs=max(1, min(4, os.cpu_count() or 1)), multisegment=True)
            for doc in documents:
                writer.add_document(**self._fields(doc))
                count += 1
                if progress:
                    progress(1)
            writer.commit(optimize=True)
            (building / VERSION_FILE).write_text(SCHEMA_VERSION)
            old = self.directory.with_name(f".{self.directory.name}.old-{uuid.uuid4().hex[:8]}")
            if self.directory.exists():
                os.rename(self.directory, old)
            os.rename(building, self.directory)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            if live_lock is not None:
                try:
                    live_lock.release()
                except Exception:
                    pass
            shutil.rmtree(building, ignore_errors=True)
        self.close()
        return count

    @staticmethod
    def _fields(doc: SearchDocument) -> dict:
        return {
            "key": doc.key, "kind": doc.kind, "status": doc.status, "area": doc.area or "", "area_title": doc.area_title,
            "url": doc.url, "title": doc.title, "body": doc.index_body(), "extra": doc.index_extra(),
            "tags": ",".join(doc.tags), "standards": ",".join(doc.standards), "updated": doc.updated_at,
            "author": str(doc.author_id or ""), "area_id": str(doc.area_id or ""),
        }

    # --- searching ------------------------------------------------------------------------------

    def _synonym_map(self) -> dict[str, list[list[str]]]:
        """Analysed variant → every variant of its group, analysed (lists of tokens)."""
        if self._synonyms is None:
            mapping: dict[str, list[list[str]]] = {}
            for group in synonym_groups():
                analysed = [tokens(v) for v in group]
                analysed = [a for a in analysed if a]
                for variant in analysed:
                    mapping[" ".join(variant)] = analysed
            self._synonyms = mapping
        return self._synonyms

    @staticmethod
    def _text_query(words: list[str]):
        """Words (analysed) in any text field: a term, or a phrase for several."""
        if len(words) == 1:
            return Or([Term(name, words[0], boost=boost) for name, boost in TEXT_FIELDS])
        return Or([Phrase(name, words, boost=boost) for name, boost in TEXT_FIELDS])

    def build_query(self, parsed: ParsedQuery):
        """(whoosh query, the single words that could be misspelt)."""
        synonyms = self._synonym_map()
        clauses, plain_words = [], []
        parts = parsed.parts
        i = 0
        while i < len(parts):
            if i in parsed.phrases:
                words = tokens(parts[i])
                i += 1
                if words:
                    clauses.append(Or([self._text_query(v) for v in synonyms.get(" ".join(words), [words])]))
                continue
            # The longest run of typed words that is a synonym (e.g. "section 7").
            matched = False
            for j in range(min(len(parts), i + 4), i, -1):
                if any(k in parsed.phrases for k in range(i, j)):
                    continue
                words = tokens(" ".join(parts[i:j]))
                if words and " ".join(words) in synonyms:
                    clauses.append(Or([self._text_query(v) for v in synonyms[" ".join(words)]]))
                    i, matched = j, True
                    break
            if matched:
                continue
            words = tokens(parts[i])
            if len(words) == 1:
                plain_words.append((parts[i], words[0]))
            if words:
                clauses.append(self._text_query(words))
            i += 1
        for name, values in parsed.filters.items():
            field = {"kind": "kind", "area": "area", "standard": "standards", "tag": "tags"}.get(name)
            if field:
                clauses.append(Or([Term(field, v) for v in values]))
        return (And(clauses) if clauses else Every()), plain_words

    @staticmethod
    def _visibility_filter(visibility: Visibility, parsed: ParsedQuery):
        wanted_status = set(parsed.filters.get("status", []))
        allowed = [Term("status", "published")]
        if visibility.include_archived or "archived" in wanted_status:
            allowed.append(Term("status", "archived"))
        if visibility.user_id is not None:
            if visibility.moderated_area_ids is None:
                allowed.append(Term("status", "pending"))
            else:
                who = [Term("author", str(visibility.user_id))] + [Term("area_id", str(a)) for a in visibility.moderated_area_ids]
                allowed.append(And([Term("status", "pending"), Or(who)]))
        query = Or(allowed)
        if wanted_status:
            query = And([query, Or([Term("status", s) for s in wanted_status])])
        return query

    def _allowed_docs(self, searcher, visibility: Visibility, parsed: ParsedQuery):
        """The documents this reader may see, as a set of document numbers.

        The published part is the same for everyone: it is computed once per searcher
        (that is, per version of the index) and kept; only the reader's own proposals
        are looked up each time.
        """
        cache = self._filter_cache
        if cache.get("searcher") is not searcher:
            cache.clear()
            cache["searcher"] = searcher
        wanted = tuple(sorted(parsed.filters.get("status", [])))
        shared_key = ("shared", visibility.include_archived, wanted)
        if shared_key not in cache:
            shared = Visibility(user_id=None, moderated_area_ids=[], include_archived=visibility.include_archived)
            cache[shared_key] = BitSet(searcher.docs_for_query(self._visibility_filter(shared, parsed)), size=searcher.doc_count_all())
        allowed = cache[shared_key]
        if visibility.user_id is not None and (not wanted or "pending" in wanted):
            if visibility.moderated_area_ids is None:
                whose = Term("status", "pending")
            else:
                who = [Term("author", str(visibility.user_id))] + [Term("area_id", str(a)) for a in visibility.moderated_area_ids]
                whose = And([Term("status", "pending"), Or(who)])
            pending = list(searcher.docs_for_query(whose))
            if pending:
                allowed = allowed.copy()
                allowed.update(pending)
        return allowed

    def search(self, parsed: ParsedQuery, visibility: Visibility, *, page: int, per_page: int) -> BackendResults:
        searcher = self._current_searcher()
        query, plain_words = self.build_query(parsed)
        try:
            allowed = self._allowed_docs(searcher, visibility, parsed)
            # Counting (total and facets) needs every match but no scores; ranking needs
            # scores but only the top of the list, which lets Whoosh skip weak blocks.
            matching = [docnum for docnum in searcher.docs_for_query(query) if docnum in allowed]
            counts = {}
            for name in ("kind", "area"):
                column = searcher.reader().column_reader(name)
                counts[name] = dict(Counter(column[docnum] for docnum in matching))
            results = searcher.search(query, limit=page * per_page, filter=allowed, terms=True)
        except Exception as exc:
            raise SearchUnavailable(f"the search index could not answer ({type(exc).__name__}: {exc})") from exc
        # Snippets come from the first few thousand characters: quick, and where the point is.
        results.fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60, charlimit=4000)
        results.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
        hits = []
        for hit in results[(page - 1) * per_page: page * per_page]:
            snippet = hit.highlights("body", top=2) or escape(_shorten(hit.get("body", ""), SNIPPET_CHARS))
            hits.append(Hit(
                key=hit["key"], kind=hit["kind"], title=hit["title"], url=hit["url"], snippet=snippet,
                area=hit.get("area", ""), area_title=hit.get("area_title", ""), status=hit["status"], updated_at=hit.get("updated"),
            ))
        for name in counts:
            counts[name].pop(None, None)
            counts[name].pop("", None)
        suggestion = None
        if not matching and plain_words:
            suggestion = self._suggest(searcher, parsed, plain_words)
        return BackendResults(total=len(matching), hits=hits, facets=counts, suggestion=suggestion)

    @staticmethod
    def _suggest(searcher, parsed: ParsedQuery, plain_words) -> str | None:
        """A corrected query: each word no document holds, replaced by the nearest known word."""
        corrections = {}
        for typed, stem in plain_words:
            if any(searcher.doc_frequency(name, stem) for name, _ in TEXT_FIELDS):
                continue
            for name in ("body", "title"):
                found = searcher.corrector(name).suggest(typed.lower(), limit=1, maxdist=2)
                if found:
                    corrections[typed] = found[0]
                    break
        if not corrections:
            return None
        parts = [f'"{p}"' if i in parsed.phrases else corrections.get(p, p) for i, p in enumerate(parsed.parts)]
        parts += [f"{k}:{v}" for k, values in parsed.filters.items() for v in values]
        return " ".join(parts)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
