"""The audit log: who changed what, when, with the state before and after; a hash chain
that shows whether anyone has changed it since.

Services call `record()` in the same transaction as the change, so an entry exists
exactly when the change does.

Every entry carries the hash of the entry before it (`prev_hash`) and its own (`entry_hash`:
the SHA-256 of `prev_hash` and the entry's fields, see `entry_digest`). The hashes are set as
the entries are flushed, in order, while the transaction holds the one row of
`audit_chain_head`, so entries written by several processes at once still form one chain.
The app never updates or deletes an entry; on PostgreSQL a trigger refuses to (migration
0015). `audit_chain.verify()` walks the chain and names the first entry that does not match.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, event, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from cafpedia.core.clock import utcnow
from cafpedia.core.sql import contains
from cafpedia.extensions import db

COMMAND_LINE = "command line"


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The actor's username at the time, kept even if the account is renamed later.
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32), index=True)
    object_ref: Mapped[str] = mapped_column(String(200), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    entry_hash: Mapped[str] = mapped_column(String(64), default="")

    actor = relationship("User", foreign_keys=[actor_id])

    def changed_fields(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for each field whose value differs."""
        before = self.before or {}
        after = self.after or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class AuditChainHead(db.Model):
    """One row: the newest entry's hash, and how many entries there are (so removing the
    newest entries shows too). Writers hold it (an UPDATE) while they chain their entries:
    the lock that keeps the chain one line."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_hash: Mapped[str] = mapped_column(String(64), default="")
    entries: Mapped[int] = mapped_column(Integer, default=0)


class AuditVerification(db.Model):
    """The outcome of each `cafpedia audit verify`, for the audit log page."""

    __tablename__ = "audit_verifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    entries: Mapped[int] = mapped_column(Integer, default=0)
    intact: Mapped[bool] = mapped_column(default=True)
    first_bad_id: Mapped[int | None]
    message: Mapped[str] = mapped_column(Text, default="")


HASHED_FIELDS = ("at", "actor_name", "action", "object_type", "object_ref", "summary", "before", "after")


def canonical(fields: dict[str, Any]) -> str:
    """The one way an entry's fields are written down for hashing and in audit.jsonl."""
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def hashed_fields(at: datetime, actor_name, action, object_type, object_ref, summary, before, after) -> dict[str, Any]:
    return {
        "at": at.isoformat(timespec="microseconds"),
        "actor_name": actor_name,
        "action": action,
        "object_type": object_type,
        "object_ref": object_ref,
        "summary": summary or "",
        "before": before,
        "after": after,
    }


def entry_digest(prev_hash: str, fields: dict[str, Any]) -> str:
    """Format 1: SHA-256 of the previous entry's hash, a newline, and the canonical fields."""
    return hashlib.sha256((prev_hash + "\n" + canonical(fields)).encode("utf-8")).hexdigest()


def fields_of(entry: AuditEntry) -> dict[str, Any]:
    return hashed_fields(
        entry.at,
        entry.actor_name,
        entry.action,
        entry.object_type,
        entry.object_ref,
        entry.summary,
        entry.before,
        entry.after,
    )


def hold_head(session: Session) -> AuditChainHead:
    """Take the chain's lock for the rest of the transaction (an UPDATE of its one row: a row
    lock on PostgreSQL, the write lock on SQLite), then read it. A missing row is made."""
    held = session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == 1)
        .values(entries=AuditChainHead.entries)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not held:  # a database emptied by hand: the head is made again from the entries (once, if two try)
        last = session.scalar(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1))
        total = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
        dialect_insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(
            dialect_insert(AuditChainHead).values(id=1, last_hash=last or "", entries=total).on_conflict_do_nothing()
        )
        session.execute(
            update(AuditChainHead)
            .where(AuditChainHead.id == 1)
            .values(entries=AuditChainHead.entries)
            .execution_options(synchronize_session=False)
        )
    return session.execute(select(AuditChainHead.last_hash, AuditChainHead.entries).where(AuditChainHead.id == 1)).one()


@event.listens_for(Session, "before_flush")
def _chain_new_entries(session: Session, _context, _instances) -> None:
    new = [obj for obj in session.new if isinstance(obj, AuditEntry)]
    if not new:
        return
    new.sort(
        key=lambda entry: getattr(entry, "_order", 0)
    )  # the order they were recorded in: the order they are inserted
    with session.no_autoflush:
        head = hold_head(session)
        prev = head.last_hash
        for entry in new:
            entry.prev_hash = prev
            entry.entry_hash = prev = entry_digest(prev, fields_of(entry))
        session.execute(
            update(AuditChainHead)
            .where(AuditChainHead.id == 1)
            .values(last_hash=prev, entries=head.entries + len(new))
            .execution_options(synchronize_session=False)
        )


_RECORDING: ContextVar[bool] = ContextVar("audit_recording", default=True)


_ORDER = iter(range(1, 1 << 62))


@contextmanager
def not_recording() -> Iterator[None]:
    """Inside, `record()` keeps nothing: a content load that brings its own audit.jsonl."""
    token = _RECORDING.set(False)
    try:
        yield
    finally:
        _RECORDING.reset(token)


def record(
    actor,
    action: str,
    object_type: str,
    object_ref: str,
    *,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor_name: str | None = None,
) -> AuditEntry:
    """Add an audit entry to the current transaction.

    `actor` is a User, or None for the command line (or the system part named `actor_name`).
    """
    entry = AuditEntry(
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", None) or actor_name or COMMAND_LINE,
        action=action,
        object_type=object_type,
        object_ref=object_ref,
        summary=summary,
        before=_jsonable(before),
        after=_jsonable(after),
    )
    entry._order = next(_ORDER)
    if _RECORDING.get():
        db.session.add(entry)
    return entry


def _jsonable(value):
    """Dates and other values as the text they print as, so the JSON column accepts them."""
    return None if value is None else json.loads(json.dumps(value, default=str))


def search_entries(
    *,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    text: str = "",
    since: date | None = None,
    until: date | None = None,
):
    """A select() of audit entries matching the filters, newest first."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if actor:
        query = query.where(AuditEntry.actor_name == actor)
    if action:
        query = query.where(AuditEntry.action == action)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if text:
        query = query.where(or_(contains(AuditEntry.object_ref, text), contains(AuditEntry.summary, text)))
    if since:
        query = query.where(AuditEntry.at >= datetime.combine(since, time.min))
    if until:
        query = query.where(AuditEntry.at <= datetime.combine(until, time.max))
    return query


def distinct_values(column) -> list[str]:
    return list(db.session.scalars(select(column).distinct().order_by(column)))
