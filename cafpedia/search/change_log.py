"""The change log that keeps each search index following the database: what a commit logs,
draining it into the index, rebuilding, pruning, the lag, and checking the index against
the database. `backend()` is the app's index.

Flow of a change: a service commits; `before_commit` has written the keys of every
changed document to the change log (`search_queue`) in that same transaction. After the
request (or at the next search, or at the end of a command, or in the worker's next
round) `drain()` rebuilds those documents from the database, writes them to the index, and
moves the index's cursor past them.

Several indexes: with the PostgreSQL backend there is one index, in the database; with
Whoosh each app machine has its own. Each index follows the log with a cursor of its own
(`search_cursors`, named by the index), so every machine sees every change. The worker
prunes the rows every live index has passed; an index whose cursor is behind what was
pruned (a machine that was off for days) is rebuilt.

Commit order: an id is a position in the log only if ids commit in order. On SQLite,
writes are serial anyway. On PostgreSQL, a transaction takes a transaction-level
advisory lock just before it writes its log rows, and holds it until it commits, so a
transaction with a higher id always commits after one with a lower id: a cursor that
has read id N has seen every change up to N. The lock is held only for that final insert
and the commit.

Order of drains: any number of drains may run at once, in threads or processes. Each
batch takes the index's one write lock *before* it reads the cursor, the log and the
database, and keeps it until the index has the documents and the cursor has moved, so
batches apply one after another and each reads the database as it is after every batch
before it. Applying a change twice is harmless (a document is rebuilt from the database).
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, g, has_request_context
from sqlalchemy import delete, event, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cafpedia.core.clock import utcnow
from cafpedia.extensions import db
from cafpedia.search.backends import SearchUnavailable
from cafpedia.search.documents import all_documents, count_documents, documents_for_key, keys_for
from cafpedia.search.models import SearchCursor, SearchQueueEntry

log = logging.getLogger(__name__)
DRAIN_BATCH = 500
COMMIT_ORDER_LOCK = 0x43414651  # PostgreSQL advisory lock: log rows are written in commit order
HEARTBEAT = timedelta(minutes=5)  # an idle index's follower says it is alive this often
STALE_AFTER = timedelta(days=2)  # a cursor not seen for this long no longer holds back pruning


def backend():
    return current_app.extensions["cafpedia_search"]


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
        if session.get_bind().dialect.name == "postgresql":  # ids in commit order: see "Commit order"
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": COMMIT_ORDER_LOCK})
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


def drain_after_request(response):
    if g.pop("search_queued", False):
        try:
            drain(timeout=2.0)
        except Exception:  # the index lags; the queue keeps the work for the next drain
            log.exception("search index update failed; it stays queued")
    return response


def _documents_built(keys: list[str]) -> None:
    """Called between building a batch's documents and writing them: tests hold a drain here."""


class _FellBehind(Exception):
    """The index's cursor is behind changes already pruned from the log."""


def _cursors(name: str) -> tuple[SearchCursor | None, int]:
    """This index's cursor (None: it has none yet), and the highest id pruned from the log."""
    rows = {
        c.name: c
        for c in db.session.scalars(select(SearchCursor).where(SearchCursor.name.in_([name, SearchCursor.PRUNED])))
    }
    pruned = rows.get(SearchCursor.PRUNED)
    return rows.get(name), pruned.position if pruned else 0


def _move_cursor(name: str, cursor: SearchCursor | None, position: int) -> None:
    """Under the index's write lock (so no other process writes this index's row)."""
    if cursor is None:
        cursor = SearchCursor(name=name, position=0)
        db.session.add(cursor)
    cursor.position = max(cursor.position or 0, position)
    cursor.checked_at = utcnow()
    cursor.host = socket.gethostname()[:200]


def _pending_query(name: str):
    position = select(SearchCursor.position).where(SearchCursor.name == name).scalar_subquery()
    return select(SearchQueueEntry.id, SearchQueueEntry.queued_at).where(
        SearchQueueEntry.id > func.coalesce(position, 0)
    )


@dataclass
class Lag:
    rows: int  # changes this index has not applied
    seconds: float  # since the oldest of them was logged (0: none)
    logged: int  # rows in the log, applied or not (pruning keeps this small)
    index: str | None  # the index's name (None: no usable index, so every logged row is pending)


def lag() -> Lag:
    """How far this app's index is behind the change log."""
    logged = db.session.scalar(select(func.count()).select_from(SearchQueueEntry))
    name = backend().index_name() if backend().status() == "ok" else None
    pending = (_pending_query(name) if name else select(SearchQueueEntry.id, SearchQueueEntry.queued_at)).subquery()
    rows, oldest = db.session.execute(select(func.count(), func.min(pending.c.queued_at))).one()
    return Lag(rows, max(0.0, (utcnow() - oldest).total_seconds()) if oldest else 0.0, logged, name)


def queue_length() -> int:
    """Changes logged that this app's index has not yet applied."""
    return lag().rows


def has_pending() -> bool:
    return db.session.execute(_pending_query(backend().index_name()).limit(1)).first() is not None


def drain(*, timeout: float = 1.0) -> int:
    """Apply the logged changes this index has not yet applied. Returns how many documents
    were refreshed.

    Each batch holds the index's write lock from before it reads the cursor until the index
    has the documents and the cursor has moved (see "Order of drains" above). If another drain
    holds the lock for `timeout` seconds, the work waits for it or for the next drain. A
    missing, outdated or damaged index, or one behind the pruned log, is rebuilt instead
    (which includes every change).
    """
    status = backend().status()
    if status in ("missing", "outdated") or status.startswith("broken"):
        return rebuild(only_if_needed=True)  # a damaged index is replaced: the database is the truth
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
        except _FellBehind:
            log.warning("the search index %s is behind the pruned change log: rebuilding it", backend().index_name())
            db.session.remove()
            return rebuild()
        except SearchUnavailable as exc:  # deleted or damaged since this process looked
            backend().close()
            log.warning("search index unusable (%s): the next drain checks it again, and rebuilds it if need be", exc)
        except Exception:
            backend().close()  # forget what this process knew of the index: the next drain checks it afresh
            raise
        finally:
            db.session.remove()
    return done


def _drain_batch(timeout: float) -> tuple[int, int] | None:
    """(documents refreshed, log rows applied), or None if another drain holds the index."""
    with backend().writing(timeout=timeout) as index:
        if index is None:
            return None
        name = backend().index_name()
        cursor, pruned = _cursors(name)
        position = cursor.position if cursor else 0
        if position < pruned:
            raise _FellBehind
        rows = db.session.execute(
            select(SearchQueueEntry.id, SearchQueueEntry.key)
            .where(SearchQueueEntry.id > position)
            .order_by(SearchQueueEntry.id)
            .limit(DRAIN_BATCH)
        ).all()
        if not rows:
            if cursor is None or cursor.checked_at < utcnow() - HEARTBEAT:
                _move_cursor(name, cursor, position)
                db.session.commit()
            return 0, 0
        keys = list(dict.fromkeys(key for _, key in rows))
        add = [doc for key in keys for doc in documents_for_key(key)]
        present = {doc.key for doc in add}
        _documents_built(keys)
        index.write(add, [k for k in keys if k not in present])
        index.commit()
        # Up to the last row read: a change committed since has a higher id (commit order).
        _move_cursor(name, cursor, rows[-1].id)
        db.session.commit()
        return len(keys), len(rows)


def rebuild(progress=None, *, only_if_needed: bool = False, wait: bool = True) -> int:
    """Rebuild the whole index from the database; logged changes are then redundant.

    It reads through a session of its own (a fresh app context), so the caller's objects,
    such as the signed-in user, stay as they were. The new index's cursor is the highest id
    logged before it reads the database: every change up to there is in what it reads
    (commit order), and a change after it is applied by the next drain.
    """
    with current_app.app_context():
        try:
            old_name = backend().index_name()
        except SearchUnavailable:
            old_name = None
        pruned = db.session.scalar(select(SearchCursor.position).where(SearchCursor.name == SearchCursor.PRUNED)) or 0
        position = max(db.session.scalar(select(func.max(SearchQueueEntry.id))) or 0, pruned)
        db.session.rollback()
        count = backend().rebuild(
            all_documents(), total=count_documents(), progress=progress, only_if_needed=only_if_needed, wait=wait
        )
        if count is None:  # another process rebuilt it meanwhile: the log is followed as usual
            db.session.remove()
            return drain() if backend().status() == "ok" else 0
        name = backend().index_name()
        cursor, _ = _cursors(name)
        _move_cursor(name, cursor, position)
        if old_name and old_name != name:
            db.session.execute(delete(SearchCursor).where(SearchCursor.name == old_name))
        db.session.commit()
        db.session.remove()
    return count


def prune() -> int:
    """Delete the log rows every live index has passed. Returns how many."""
    cursors = db.session.scalars(select(SearchCursor)).all()
    live_since = utcnow() - STALE_AFTER
    live = [c.position for c in cursors if c.name != SearchCursor.PRUNED and c.checked_at >= live_since]
    pruned = next((c for c in cursors if c.name == SearchCursor.PRUNED), None)
    if not live or (pruned and pruned.position >= min(live)):
        return 0
    upto = min(live)
    deleted = db.session.execute(delete(SearchQueueEntry).where(SearchQueueEntry.id <= upto)).rowcount
    if pruned is None:
        db.session.add(SearchCursor(name=SearchCursor.PRUNED, position=upto, host=""))
    else:
        pruned.position, pruned.checked_at = upto, utcnow()
    try:
        db.session.commit()
    except IntegrityError:  # another worker pruned at the same moment
        db.session.rollback()
        return 0
    return deleted


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
                    pending = _pending_query(backend().index_name()).subquery()
                    queued = set(
                        db.session.scalars(
                            select(SearchQueueEntry.key).where(
                                SearchQueueEntry.id.in_(select(pending.c.id)), SearchQueueEntry.key.in_(suspects)
                            )
                        )
                    )
                    indexed = backend().fingerprints(suspects)
                    expected = {
                        doc.key: doc.fingerprint()
                        for key in suspects
                        for doc in documents_for_key(key)
                        if doc.key == key
                    }
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


def ensure_index(*, wait: bool = True) -> str:
    """Rebuild a missing or outdated index; report a broken one (the worker's next drain
    replaces it). Returns the status. Without `wait`, a rebuild under way in another process
    raises SearchUnavailable at once, rather than holding this request up."""
    status = backend().status()
    if status in ("missing", "outdated"):
        rebuild(only_if_needed=True, wait=wait)
        status = backend().status()
    return status
