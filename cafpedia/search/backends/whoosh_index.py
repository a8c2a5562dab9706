"""The embedded search backend: a Whoosh index in a folder.

Whoosh is imported here, in whoosh_query and in search/text.py, and nowhere else. Whoosh
stores the index (segments of postings, the stored fields for results), analyses text
(English stemming) and cuts the highlighted snippets. Evaluating a query is done with numpy
over each segment's postings (whoosh_query, whoosh_segments): Whoosh's own matchers walk
every posting one Python call at a time, which is what makes a plain Whoosh index slow once
queries match thousands of documents (and counting every match for the total and the facets
needs exactly that). Segments never change once written, so what is read from one (its
postings per term, its per-document columns) is kept in memory while the segment lives; a
change to the index adds a small segment and only that one is read afresh.

Fields: `title` and `text` (body and references) hold stemmed words; `tpairs` and
`pairs` hold the same text as pairs of adjacent words ("first+hear"), so a quoted phrase or a
multi-word synonym is a lookup of its pairs rather than a walk over word positions.
Correcting a misspelt word draws on a word list kept beside the index.

A process's threads share its searcher, and a search holds it until it has answered; after
a change to the index the next search opens a new one, and the old one is closed when its
last search ends (whoosh_searchers). Writes take Whoosh's lock with a short timeout, and a
write that cannot get it reports failure so the caller keeps the work queued.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import threading
import time
import uuid
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path

from whoosh import index
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.index import LockError

from cafpedia.search.backends import SearchUnavailable
from cafpedia.search.backends.whoosh_query import ANALYZER, WORDS_FILE, WhooshQuerying
from cafpedia.search.backends.whoosh_searchers import Searchers
from cafpedia.search.backends.whoosh_segments import SegmentData
from cafpedia.search.backends.whoosh_similar import WhooshSimilar
from cafpedia.search.documents import SearchDocument
from cafpedia.search.text import pair_tokens, tokens

OPEN_TRIES = 4  # a table of contents replaced mid-read by another process's commit
SCHEMA_VERSION = "8"  # 8: `areas`, every area of a document
VERSION_FILE = "cafpedia_schema_version"
NAME_FILE = "cafpedia_index_name"  # this index's name, for its cursor in the change log


# Stemmed words, keeping one-character tokens: "s 7", "Part 4" and clause numbers matter here.


# `text`, `pairs` and `tpairs` are analysed once, before Whoosh sees them (see `_fields`).
ANALYSED = SpaceSeparatedTokenizer()


def make_schema() -> Schema:
    return Schema(
        key=ID(unique=True, stored=True),
        kind=ID(stored=True, sortable=True),
        status=ID(stored=True, sortable=True),
        area=STORED(),  # the first area, shown with the result
        areas=KEYWORD(commas=True, sortable=True),  # every area: filtered by each, counted in each one's facet
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


class WhooshBackend(WhooshQuerying, WhooshSimilar):
    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)
        self._index = None
        self._searchers = Searchers(self._open)
        self._lock = threading.RLock()  # the caches below
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
        with self.searching() as searcher:
            return searcher.doc_count()

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

    @contextmanager
    def searching(self):
        """The searcher on the index as it is now, held (never closed) until the block ends."""
        try:
            held = self._searchers.acquire()
        except SearchUnavailable:
            raise
        except Exception as exc:
            self._forget()
            raise SearchUnavailable(f"the search index cannot be read ({type(exc).__name__})") from exc
        try:
            yield held.searcher
        finally:
            self._searchers.release(held)

    def _forget(self) -> None:
        """Forget what this process knew of the index: the next search opens it afresh."""
        self._searchers.close()
        with self._lock:
            self._index = None
            self._known_ok = False
            self._segments.clear()
            self._postings.clear()
            self._postings_bytes = 0
            self._words = None

    def close(self) -> None:
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
            try:
                for doc in documents:
                    fields = self._fields(doc)
                    words |= doc.spelling_words(fields["body"])
                    writer.add_document(**fields)
                    count += 1
                    if progress:
                        progress(1)
            except BaseException:  # the documents could not all be read: the live index stays
                writer.cancel()
                raise
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
            "areas": ",".join(dict.fromkeys(doc.areas)),
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
        """Add to the word list corrections draw on (words never leave it until a rebuild)."""
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

    # --- evaluating it ------------------------------------------------------------------------

    # --- searching ------------------------------------------------------------------------------


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
