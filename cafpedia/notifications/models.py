"""Notifications: one per person and thing to know; how each person wants each kind
(at once, in a daily summary, or off); what they watch; and marks of reminders sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cafpedia.core.clock import utcnow
from cafpedia.extensions import db

NOW, DAILY, OFF = "now", "daily", "off"
DELIVERIES = {NOW: "At once, by email too", DAILY: "In a daily email summary", OFF: "Off"}


@dataclass(frozen=True)
class Kind:
    label: str
    default: str


# The kinds a person can choose how to hear about, with sensible defaults: work waiting
# for you and answers to your own proposals at once; reminders and watched pages daily.
KINDS: dict[str, Kind] = {
    "proposal": Kind("A proposal or a resubmission waits for my decision (lead managers and deputies)", NOW),
    "decision": Kind("My proposal is approved, sent back or rejected", NOW),
    "review_due": Kind("A tip in my area comes due for review, or is overdue", DAILY),
    "legal_review": Kind("A legal update sends one of my area's tips back to me for review", NOW),
    "escalation": Kind("A proposal or a review in an area I help moderate has waited too long", NOW),
    "watch": Kind("Something I watch changes: a tip, an area, the legal feed or the digest", DAILY),
    "digest": Kind("A new issue of the research digest is published", NOW),
    "nomination": Kind("A nomination for the Register of Experts is made or decided", NOW),
    "gaps": Kind(
        "Once a week, what people looked for in my areas and did not find (lead managers and deputies)", DAILY
    ),
    "tip_problem": Kind("A reader reports a problem with a tip in my area (lead managers and deputies)", NOW),
    "access_request": Kind("Someone without an account signs in and asks for access (administrators)", NOW),
}


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None]
    # How it reaches the person by email: "now" (queued with it), "daily" (in the next
    # summary, then mailed_at is set) or "none".
    mail: Mapped[str] = mapped_column(String(8), default="none")
    mailed_at: Mapped[datetime | None]


class NotificationPreference(db.Model):
    """How this person wants this kind, when it is not the kind's default."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    delivery: Mapped[str] = mapped_column(String(8))


WATCH_TARGETS = {
    "tip": "a tip or guidance page",
    "area": "an area of practice",
    "legal": "the legal-update feed",
    "digest": "the research digest",
}


class Watch(db.Model):
    """Someone watching a tip, an area, the legal feed or the digest (target_id 0 for the feeds)."""

    __tablename__ = "watches"
    __table_args__ = (UniqueConstraint("user_id", "target", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NotificationMark(db.Model):
    """A reminder, escalation or summary already sent, by key, so that every worker sends
    each one once, and a worker that was down catches up without repeating any."""

    __tablename__ = "notification_marks"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
