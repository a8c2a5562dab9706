"""Sending, reading and turning off notifications. Callers commit."""
from __future__ import annotations

from sqlalchemy import delete, func, insert, literal, select, update

from cafpedia.accounts.models import User
from cafpedia.core.clock import utcnow
from cafpedia.extensions import db
from cafpedia.notifications.models import KINDS, Notification, NotificationOptOut


def notify_everyone(kind: str, message: str, url: str, *, except_user_id: int | None = None) -> int:
    """One notification for every active person who has not turned this kind off.

    A single INSERT ... SELECT, so it costs the same for ten people or ten thousand.
    Returns how many were sent.
    """
    opted_out = select(NotificationOptOut.user_id).where(NotificationOptOut.kind == kind)
    recipients = select(User.id, literal(kind), literal(message), literal(url), literal(utcnow())).where(
        User.active.is_(True), User.id.not_in(opted_out)
    )
    if except_user_id is not None:
        recipients = recipients.where(User.id != except_user_id)
    statement = insert(Notification).from_select(["user_id", "kind", "message", "url", "created_at"], recipients)
    return len(db.session.execute(statement.returning(Notification.id)).all())


def notify(user, kind: str, message: str, url: str) -> bool:
    """One notification for one person, unless they turned this kind off. True if sent."""
    if db.session.get(NotificationOptOut, (user.id, kind)) is not None:
        return False
    db.session.add(Notification(user_id=user.id, kind=kind, message=message[:300], url=url, created_at=utcnow()))
    return True


def unread_count(user) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def recent(user, limit: int = 50) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    ))


def mark_all_read(user) -> int:
    result = db.session.execute(
        update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow())
    )
    return result.rowcount or 0


def turned_off(user) -> set[str]:
    return set(db.session.scalars(select(NotificationOptOut.kind).where(NotificationOptOut.user_id == user.id)))


def set_wanted(user, wanted: set[str]) -> None:
    """Keep the kinds in `wanted` on and turn every other known kind off."""
    unknown = wanted - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kind of notification: {', '.join(sorted(unknown))}")
    db.session.execute(delete(NotificationOptOut).where(NotificationOptOut.user_id == user.id))
    for kind in sorted(set(KINDS) - wanted):
        db.session.add(NotificationOptOut(user_id=user.id, kind=kind))
