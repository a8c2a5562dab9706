"""`IndexFollower`: the one object that keeps this app's search index following the change log
(change_log.py). Every drain, rebuild, prune and check goes through it, whoever starts it:
- after a request whose commit logged a change (`drain_after_request`),
- at a search, when changes are waiting (service.search),
- in the worker's every round (drain; once a minute, prune),
- in the `cafpedia` commands: `load` (drain), `reindex` (rebuild), `reindex --check` (check),
  `init` (rebuild if need be);
and `/healthz` asks it the lag. `follower()` is the app's, which `search.init_app` makes from
the app's backend and the Sources create_app lists.

Order of drains: any number of drains may run at once, in threads or processes. Each
batch takes the index's one write lock *before* it reads the cursor, the log and the
database, and keeps it until the index has the documents and the cursor has moved, so
batches apply one after another and each reads the database as it is after every batch
before it. Applying a change twice is harmless (a document is rebuilt from the database).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app, g
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from cafpedia.core import content_version
from cafpedia.core.clock import utcnow
from cafpedia.extensions import db
from cafpedia.search import change_log
from cafpedia.search.backends import Backend, SearchUnavailable
from cafpedia.search.change_log import HEARTBEAT, STALE_AFTER, Lag, cursors, move_cursor, pending_query
from cafpedia.search.documents import Sources, UnknownKind
from cafpedia.search.models import SearchCursor, SearchQueueEntry

log = logging.getLogger(__name__)
DRAIN_BATCH = 500


def follower() -> IndexFollower:
    """The app's IndexFollower."""
    return current_app.extensions[change_log.EXTENSION]


class _FellBehind(Exception):
    """The index's cursor is behind changes already pruned from the log."""


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


class IndexFollower:
    """This app's index (`backend`) following the change log, with the documents its Sources
    give (`sources`)."""

    def __init__(self, backend: Backend, sources: Sources):
        self.backend = backend
        self.sources = sources
        self._caught_up_at: int | None = None  # the content version at which the index was last found caught up

    # --- how far behind -------------------------------------------------------------------------

    def lag(self) -> Lag:
        """How far this app's index is behind the change log."""
        return change_log.lag(self.backend.index_name() if self.backend.status() == "ok" else None)

    def queue_length(self) -> int:
        """Changes logged that this app's index has not yet applied."""
        return self.lag().rows

    def has_pending(self) -> bool:
        """Changes logged that this index has not applied. Not asked of the database again while
        the content version stands where this process last found the index caught up: every
        change the log carries is a change to content, committed with the number's move."""
        version = content_version.current()
        if version == self._caught_up_at:
            return False
        pending = db.session.execute(pending_query(self.backend.index_name()).limit(1)).first() is not None
        if not pending:
            self._caught_up_at = version
        return pending

    # --- draining ------------------------------------------------------------------------------

    def drain_after_request(self, response):
        """After a request whose commit logged changes: apply them (registered by init_app)."""
        if g.pop("search_queued", False):
            try:
                self.drain(timeout=2.0)
            except Exception:  # the index lags; the queue keeps the work for the next drain
                log.exception("search index update failed; it stays queued")
        return response

    def drain(self, *, timeout: float = 1.0) -> int:
        """Apply the logged changes this index has not yet applied. Returns how many documents
        were refreshed.

        Each batch holds the index's write lock from before it reads the cursor until the index
        has the documents and the cursor has moved (see "Order of drains" above). If another drain
        holds the lock for `timeout` seconds, the work waits for it or for the next drain. A
        missing, outdated or damaged index, or one behind the pruned log, is rebuilt instead
        (which includes every change). A logged key of a kind no Source gives raises UnknownKind.
        """
        if change_log.caller_is_writing():
            return 0  # its own session would wait on the caller's write lock (see caller_is_writing)
        status = self.backend.status()
        if status in ("missing", "outdated") or status.startswith("broken"):
            return self.rebuild(only_if_needed=True)  # a damaged index is replaced: the database is the truth
        done = 0
        # A session of its own (a fresh app context): its reads begin after the lock is taken,
        # and the caller's objects, such as the signed-in user, stay as they were.
        with current_app.app_context():
            try:
                while (batch := self._drain_batch(timeout)) is not None:
                    documents, rows = batch
                    done += documents
                    if rows < DRAIN_BATCH:
                        break
            except _FellBehind:
                log.warning(
                    "the search index %s is behind the pruned change log: rebuilding it", self.backend.index_name()
                )
                db.session.remove()
                return self.rebuild()
            except SearchUnavailable as exc:  # deleted or damaged since this process looked
                self.backend.close()
                log.warning(
                    "search index unusable (%s): the next drain checks it again, and rebuilds it if need be", exc
                )
            except UnknownKind:  # the app's list of Sources is wrong, not the index
                raise
            except Exception:
                self.backend.close()  # forget what this process knew of the index: the next drain checks it afresh
                raise
            finally:
                db.session.remove()
        return done

    def _drain_batch(self, timeout: float) -> tuple[int, int] | None:
        """(documents refreshed, log rows applied), or None if another drain holds the index."""
        with self.backend.writing(timeout=timeout) as index:
            if index is None:
                return None
            name = self.backend.index_name()
            cursor, pruned = cursors(name)
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
                    move_cursor(name, cursor, position)
                    db.session.commit()
                return 0, 0
            keys = list(dict.fromkeys(key for _, key in rows))
            add = [doc for key in keys for doc in self.sources.documents_for_key(key)]
            present = {doc.key for doc in add}
            index.write(add, [k for k in keys if k not in present])
            index.commit()
            # Up to the last row read: a change committed since has a higher id (commit order).
            move_cursor(name, cursor, rows[-1].id)
            db.session.commit()
            return len(keys), len(rows)

    # --- rebuilding ----------------------------------------------------------------------------

    def rebuild(self, progress=None, *, only_if_needed: bool = False, wait: bool = True) -> int:
        """Rebuild the whole index from the database; logged changes are then redundant.

        It reads through a session of its own (a fresh app context), so the caller's objects,
        such as the signed-in user, stay as they were. The new index's cursor is the highest id
        logged before it reads the database: every change up to there is in what it reads
        (commit order), and a change after it is applied by the next drain. A document whose
        key is of a kind its Source does not claim raises UnknownKind.
        """
        with current_app.app_context():
            try:
                old_name = self.backend.index_name()
            except SearchUnavailable:
                old_name = None
            pruned = (
                db.session.scalar(select(SearchCursor.position).where(SearchCursor.name == SearchCursor.PRUNED)) or 0
            )
            position = max(db.session.scalar(select(func.max(SearchQueueEntry.id))) or 0, pruned)
            db.session.rollback()
            count = self.backend.rebuild(
                self.sources.all_documents(),
                total=self.sources.count(),
                progress=progress,
                only_if_needed=only_if_needed,
                wait=wait,
            )
            if count is None:  # another process rebuilt it meanwhile: the log is followed as usual
                db.session.remove()
                return self.drain() if self.backend.status() == "ok" else 0
            name = self.backend.index_name()
            cursor, _ = cursors(name)
            move_cursor(name, cursor, position)
            if old_name and old_name != name:
                db.session.execute(delete(SearchCursor).where(SearchCursor.name == old_name))
            db.session.commit()
            db.session.remove()
        return count

    def ensure(self, *, wait: bool = True) -> str:
        """Rebuild a missing or outdated index; report a broken one (the worker's next drain
        replaces it). Returns the status. Without `wait`, a rebuild under way in another process
        raises SearchUnavailable at once, rather than holding this request up."""
        status = self.backend.status()
        if status in ("missing", "outdated"):
            self.rebuild(only_if_needed=True, wait=wait)
            status = self.backend.status()
        return status

    # --- pruning -------------------------------------------------------------------------------

    def prune(self) -> int:
        """Delete the log rows every live index has passed. Returns how many."""
        rows = db.session.scalars(select(SearchCursor)).all()
        live_since = utcnow() - STALE_AFTER
        live = [c.position for c in rows if c.name != SearchCursor.PRUNED and c.checked_at >= live_since]
        pruned = next((c for c in rows if c.name == SearchCursor.PRUNED), None)
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

    # --- checking ------------------------------------------------------------------------------

    def check(self, *, timeout: float = 30.0) -> IndexCheck:
        """Compare every document in the index with the database.

        Queued changes are applied first, as the worker would. The whole comparison runs without
        the write lock (it can take seconds, and requests should not wait for it); the documents
        that differ are then compared again under the lock, so a drain that ran meanwhile is not
        mistaken for drift. Raises SearchUnavailable if the index cannot be read, and
        UnknownKind if it holds a document of a kind no Source gives.
        """
        status = self.ensure()
        if status != "ok":
            raise SearchUnavailable(f"the search index is {status}")
        self.drain(timeout=timeout)
        with current_app.app_context():  # all_documents() empties its session as it goes
            try:
                indexed = self.backend.fingerprints()
                for key in indexed:
                    self.sources.source_for(key)  # UnknownKind: a Source missing from the app's list
                expected = {doc.key: doc.fingerprint() for doc in self.sources.all_documents()}
            finally:
                db.session.remove()
        documents = len(expected)
        suspects = sorted(k for k in expected.keys() | indexed.keys() if expected.get(k) != indexed.get(k))
        if not suspects:
            return IndexCheck(documents, [], [], [], [])
        queued, indexed, expected = self._look_again(suspects, timeout)
        found = IndexCheck(documents, [], [], [], [])
        for key in suspects:
            if expected.get(key) == indexed.get(key):
                continue
            if key in queued:
                found.changed_meanwhile.append(key)
            elif key not in indexed:
                found.missing.append(key)
            elif key not in expected:
                found.extra.append(key)
            else:
                found.differ.append(key)
        return found

    def _look_again(self, suspects: list[str], timeout: float):
        """Under the write lock: (those of `suspects` queued and not yet applied, their
        fingerprints in the index, their fingerprints from the database)."""
        with current_app.app_context():
            try:
                with self.backend.writing(timeout=timeout) as index:
                    if index is None:
                        raise SearchUnavailable(f"another process has held the index for {timeout:g} s")
                    pending = pending_query(self.backend.index_name()).subquery()
                    queued = set(
                        db.session.scalars(
                            select(SearchQueueEntry.key).where(
                                SearchQueueEntry.id.in_(select(pending.c.id)), SearchQueueEntry.key.in_(suspects)
                            )
                        )
                    )
                    indexed = self.backend.fingerprints(suspects)
                    expected = {
                        doc.key: doc.fingerprint()
                        for key in suspects
                        for doc in self.sources.documents_for_key(key)
                        if doc.key == key
                    }
            finally:
                db.session.remove()
        return queued, indexed, expected
