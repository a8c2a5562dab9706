"""The change log that each search index follows: what a commit writes to it (the session
listeners `search.init_app` attaches), and the cursors with which each index follows it.
What follows it, draining, rebuilding, pruning and checking, is `IndexFollower` (follower.py).

Flow of a change: a service commits; `before_commit` has written the keys of every
changed document to the change log (`search_queue`) in that same transaction, asking the
app's Sources which documents each changed object shows in. After the request (or at the
next search, or at the end of a command, or in the worker's next round) the app's
`IndexFollower.drain()` rebuilds those documents from the database, writes them to the
index, and moves the index's cursor past them.

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
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from cafpedia.core.clock import utcnow
from cafpedia.extensions import db
from cafpedia.search.models import SearchCursor, SearchQueueEntry

EXTENSION = "cafpedia_search"  # app.extensions[EXTENSION]: the app's IndexFollower
COMMIT_ORDER_LOCK = 0x43414651  # PostgreSQL advisory lock: log rows are written in commit order
HEARTBEAT = timedelta(minutes=5)  # an idle index's follower says it is alive this often
STALE_AFTER = timedelta(days=2)  # a cursor not seen for this long no longer holds back pruning


def listen() -> None:
    """Attach the listeners that write the change log. SQLAlchemy's session events belong to
    the process, not to an app, so they are attached once; each asks the Sources of the app
    whose session it is (none: an app without search, whose changes are not logged)."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def _sources():
    follower = current_app.extensions.get(EXTENSION) if has_app_context() else None
    return follower.sources if follower is not None else None


def _collect_changed(session, _flush_context, _instances):
    sources = _sources()
    if sources is None:
        return
    keys = session.info.setdefault("search_keys", set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(obj, SearchQueueEntry):
            keys.update(sources.keys_for(obj, session))


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


def _note_queued(session):
    if session.info.pop("search_queued", False) and has_request_context():
        g.search_queued = True  # the follower drains after the request


def _forget_changes(session, _previous_transaction):
    if not session.in_transaction():
        session.info.pop("search_keys", None)
        session.info.pop("search_queued", None)


_LISTENERS = (
    ("before_flush", _collect_changed),
    ("before_commit", _queue_changed),
    ("after_commit", _note_queued),
    ("after_soft_rollback", _forget_changes),
)


# --- Cursors: how far each index has followed the log ---------------------------------------


def cursors(name: str) -> tuple[SearchCursor | None, int]:
    """This index's cursor (None: it has none yet), and the highest id pruned from the log."""
    rows = {
        c.name: c
        for c in db.session.scalars(select(SearchCursor).where(SearchCursor.name.in_([name, SearchCursor.PRUNED])))
    }
    pruned = rows.get(SearchCursor.PRUNED)
    return rows.get(name), pruned.position if pruned else 0


def caller_is_writing() -> bool:
    """On SQLite, whether the session's transaction has written (holds the database's write
    lock). A drain then does nothing: it writes through a session of its own, on another
    connection, which would wait on this one, in the same process, until the busy timeout, and
    hold up every other writer meanwhile. The caller's changes are not committed, so a drain
    could not see them anyway; the drain after its commit applies them."""
    session = db.session()
    if not session.in_transaction() or session.get_bind().dialect.name != "sqlite":
        return False
    return bool(session.connection().connection.dbapi_connection.in_transaction)


def move_cursor(name: str, cursor: SearchCursor | None, position: int) -> None:
    """Under the index's write lock (so no other process writes this index's row)."""
    if cursor is None:
        cursor = SearchCursor(name=name, position=0)
        db.session.add(cursor)
    cursor.position = max(cursor.position or 0, position)
    cursor.checked_at = utcnow()
    cursor.host = socket.gethostname()[:200]


def pending_query(name: str):
    """The log rows the index called `name` has not applied (id, when logged)."""
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


def lag(name: str | None) -> Lag:
    """How far the index called `name` is behind the change log (None: no usable index)."""
    logged = db.session.scalar(select(func.count()).select_from(SearchQueueEntry))
    pending = (pending_query(name) if name else select(SearchQueueEntry.id, SearchQueueEntry.queued_at)).subquery()
    rows, oldest = db.session.execute(select(func.count(), func.min(pending.c.queued_at))).one()
    return Lag(rows, max(0.0, (utcnow() - oldest).total_seconds()) if oldest else 0.0, logged, name)
