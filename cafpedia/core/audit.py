"""The audit log: who changed what, when, with the state before and after.

Services call `record()` in the same transaction as the change, so an entry exists
exactly when the change does.
"""
from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

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

    actor = relationship("User", foreign_keys=[actor_id])

    def changed_fields(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for each field whose value differs."""
        before = self.before or {}
        after = self.after or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


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
