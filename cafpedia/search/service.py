"""Search for the rest of CAFpedia: one backend per app, the outbox that keeps the index
following the database, and the search itself with CAFpedia's visibility rules.

Flow of a change: a service commits; `before_commit` has written the keys of every
changed document to the `search_queue` table in that same transaction; after the
request (or at the next search, or at the end of a command, or in the worker's next
round) `drain()` rebuilds those documents from the database and writes them to the
index, then deletes the queue rows it read.

Order: any number of drains may run at once, in threads or processes. Each batch takes
the index's one write lock *before* it reads the queue and the database, and keeps it
until the index has the documents, so batches apply one after another and each reads the
database as it is after every batch before it. A drain that built its documents from an
older state can therefore never write after one that built them from a newer state. A
change committed after a batch read the queue has a row of its own, which that batch does
not delete. (Versioned documents were the alternative; but a queue id is not a version on
PostgreSQL, where ids do not commit in order, and the database offers no other version
of a document built from several tables.)
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from cafpedia.extensions import db
from cafpedia.search.backends import BackendResults, SearchUnavailable, Visibility
from cafpedia.search.documents import all_documents, count_documents, documents_for_key, keys_for
from cafpedia.search.models import SearchQueueEntry
from cafpedia.search.query import ParsedQuery, parse_query

log = logging.getLogger(__name__)
PER_PAGE = 10
MAX_PAGE = 1000
DRAIN_BATCH = 500


def init_app(app: Flask) -> None:
    choice = app.config.get("SEARCH_BACKEND", "whoosh")
    if choice == "postgres":
        if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            raise RuntimeError("CAFPEDIA_SEARCH_BACKEND=postgres needs CAFPEDIA_DATABASE_URL to be a PostgreSQL database")
        from cafpedia.search.backends.postgres_fts import PostgresBackend

        app.extensions["cafpedia_search"] = PostgresBackend()
    elif choice == "whoosh":
        from cafpedia.search.backends.whoosh_index import WhooshBackend

        app.extensions["cafpedia_search"] = WhooshBackend(Path(app.config["SEARCH_DIR"]) / "whoosh")
    else:
        raise RuntimeError(f"CAFPEDIA_SEARCH_BACKEND must be whoosh or postgres, not {choice!r}")
    app.after_request(_drain_after_request)


def backend():
    return current_app.extensions["cafpedia_search"]


# --- Following the database -----------------------------------------------------------------


@event.listens_for(Session, "before_flush")
def _collect_changed(session, _flush_context, _instances):
    keys = session.info.setdefault("search_keys", set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(obj, SearchQueueEntry):
            keys.update(keys_for(obj))


@event.listens_for(Session, "before_commit")
def _queue_changed(session):
    if session.new or session.dirty or session.deleted:
        session.flush()  # changes not yet flushed reach _collect_changed first
    keys = session.info.pop("search_keys", set())
    if keys:
        session.add_all(SearchQueueEntry(key=k) for k in sorted(keys))
        session.flush()
        session.info["search_queued"] = True


@event.listens_for(Session, "after_commit")
def _note_queued(session):
    if session.info.pop("search_queued", False) and has_request_context():
        g.search_queued = True


@event.listens_for(Session, "after_soft_rollback")
def _forget_changes(session, _previous_transaction):
    if not session.in_transaction():
        session.info.pop("search_keys", None)
        session.info.pop("search_queued", None)


def _drain_after_request(response):
    if g.pop("search_queued", False):
        try:
            drain(timeout=2.0)
        except Exception:  # the index lags; the queue keeps the work for the next drain
            log.exception("search index update failed; it stays queued")
    return response


def _documents_built(keys: list[str]) -> None:
    """Called between building a batch's documents and writing them: tests hold a drain here."""


def queue_length() -> int:
    return db.session.query(SearchQueueEntry.id).count()


def drain(*, timeout: float = 1.0) -> int:
    """Write queued changes to the index. Returns how many documents were refreshed.

    Each batch holds the index's write lock from before it reads the queue until the index
    has the documents (see "Order" above). If another drain holds the lock for `timeout`
    seconds, the work stays queued for it or for the next drain. A missing or outdated
    index is rebuilt instead (which includes every change); a broken one leaves the queue
    as it is.
    """
    status = backend().status()
    if status in ("missing", "outdated"):
        return rebuild(only_if_needed=True)
    if status != "ok":
        return 0
    done = 0
    # A session of its own (a fresh app context): its reads begin after the lock is taken,
    # and the caller's objects, such as the signed-in user, stay as they were.
    with current_app.app_context():
        try:
            while (batch := _drain_batch(timeout)) is not None:
                documents, rows = batch
                done += documents
                if rows < DRAIN_BATCH:
                    break
        finally:
            db.session.remove()
    return done


def _drain_batch(timeout: float) -> tuple[int, int] | None:
    """(documents refreshed, queue rows applied), or None if another drain holds the index."""
    with backend().writing(timeout=timeout) as index:
        if index is None:
            return None
        rows = db.session.execute(select(SearchQueueEntry.id, SearchQueueEntry.key).order_by(SearchQueueEntry.id).limit(DRAIN_BATCH)).all()
        if not rows:
            return 0, 0
        keys = list(dict.fromkeys(key for _, key in rows))
        add = [doc for key in keys for doc in documents_for_key(key)]
        present = {doc.key for doc in add}
        _documents_built(keys)
        index.write(add, [k for k in keys if k not in present])
        index.commit()
        # Only the rows read: a change committed since has its own row, and the next batch.
        db.session.execute(delete(SearchQueueEntry).where(SearchQueueEntry.id.in_([row_id for row_id, _ in rows])))
        db.session.commit()
        return len(keys), len(rows)


def rebuild(progress=None, *, only_if_needed: bool = False) -> int:
    """Rebuild the whole index from the database; queued changes are then redundant.

    It reads through a session of its own (a fresh app context), so the caller's objects,
    such as the signed-in user, stay as they were. The queue rows present before it reads
    the database are the ones it answers, and the only ones it deletes: on PostgreSQL, ids
    do not commit in order, so "every id up to the highest seen" could include a change
    committed after the documents were read.
    """
    with current_app.app_context():
        answered = list(db.session.scalars(select(SearchQueueEntry.id)))
        count = backend().rebuild(all_documents(), total=count_documents(), progress=progress, only_if_needed=only_if_needed)
        if count is None:  # another process rebuilt it meanwhile: the queue is drained as usual
            db.session.remove()
            return drain() if backend().status() == "ok" else 0
        for start in range(0, len(answered), 1000):
            db.session.execute(delete(SearchQueueEntry).where(SearchQueueEntry.id.in_(answered[start:start + 1000])))
        db.session.commit()
        db.session.remove()
    return count


@dataclass
class IndexCheck:
    """What `cafpedia reindex --check` found: documents whose index entry differs from the
    database, by how; and those that changed while the check ran (queued, so not drift)."""

    documents: int
    missing: list[str]  # in the database, not in the index
    extra: list[str]  # in the index, no longer in the database
    differ: list[str]  # in both, saying different things
    changed_meanwhile: list[str]

    @property
    def drift(self) -> list[str]:
        return sorted([*self.missing, *self.extra, *self.differ])


def check_index(*, timeout: float = 30.0) -> IndexCheck:
    """Compare every document in the index with the database.

    Queued changes are applied first, as the worker would. The whole comparison runs without
    the write lock (it can take seconds, and requests should not wait for it); the documents
    that differ are then compared again under the lock, so a drain that ran meanwhile is not
    mistaken for drift. Raises SearchUnavailable if the index cannot be read.
    """
    status = ensure_index()
    if status != "ok":
        raise SearchUnavailable(f"the search index is {status}")
    drain(timeout=timeout)
    with current_app.app_context():  # all_documents() empties its session as it goes
        try:
            indexed = backend().fingerprints()
            expected = {doc.key: doc.fingerprint() for doc in all_documents()}
        finally:
            db.session.remove()
    documents = len(expected)
    suspects = sorted(k for k in expected.keys() | indexed.keys() if expected.get(k) != indexed.get(k))
    missing, extra, differ, meanwhile = [], [], [], []
    if suspects:
        with current_app.app_context():
            try:
                with backend().writing(timeout=timeout) as index:
                    if index is None:
                        raise SearchUnavailable(f"another process has held the index for {timeout:g} s")
                    queued = set(db.session.scalars(select(SearchQueueEntry.key).where(SearchQueueEntry.key.in_(suspects))))
                    indexed = backend().fingerprints(suspects)
                    expected = {doc.key: doc.fingerprint() for key in suspects for doc in documents_for_key(key) if doc.key == key}
            finally:
                db.session.remove()
        for key in suspects:
            if expected.get(key) == indexed.get(key):
                continue
            if key in queued:
                meanwhile.append(key)
            elif key not in indexed:
                missing.append(key)
            elif key not in expected:
                extra.append(key)
            else:
                differ.append(key)
    return IndexCheck(documents, missing, extra, differ, meanwhile)


def ensure_index() -> str:
    """Rebuild a missing or outdated index; report a broken one. Returns the status."""
    status = backend().status()
    if status in ("missing", "outdated"):
        rebuild(only_if_needed=True)
        status = backend().status()
    return status


# --- Searching ---------------------------------------------------------------------------------


@dataclass
class SearchResults:
    query: ParsedQuery
    page: int
    per_page: int
    results: BackendResults | None
    problem: str | None = None

    @property
    def total(self) -> int:
        return self.results.total if self.results else 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def visibility_for(user, *, include_archived: bool = False) -> Visibility:
    if not getattr(user, "is_authenticated", False):
        return Visibility(user_id=None, moderated_area_ids=[], include_archived=include_archived)
    from cafpedia.tips.services import moderated_area_ids

    return Visibility(user_id=user.id, moderated_area_ids=moderated_area_ids(user), include_archived=include_archived)


def search(user, raw_query: str, *, filters: dict[str, str] | None = None, page: int = 1, include_archived: bool = False) -> SearchResults:
    query = parse_query(raw_query, filters)
    page = min(max(page, 1), MAX_PAGE)
    if query.is_empty:
        return SearchResults(query, page, PER_PAGE, None)
    try:
        status = ensure_index()
        if status != "ok":
            raise SearchUnavailable("the search index is damaged")
        if db.session.query(SearchQueueEntry.id).limit(1).first() is not None:
            drain(timeout=0.2)
        results = backend().search(query, visibility_for(user, include_archived=include_archived), page=page, per_page=PER_PAGE)
    except SearchUnavailable as exc:
        log.error("search unavailable: %s", exc)
        return SearchResults(query, page, PER_PAGE, None, problem=str(exc))
    return SearchResults(query, page, PER_PAGE, results)
