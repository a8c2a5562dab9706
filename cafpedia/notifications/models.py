"""A notification for one person, and the kinds of notification a person has turned off."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cafpedia.core.clock import utcnow
from cafpedia.extensions import db

# Kinds a person can turn off, with what the settings page calls them.
KINDS = {
    "digest": "A new issue of the research digest is published",
    "legal_review": "A legal update sends one of my area's tips back to me for review",
    "nomination": "A nomination for the Register of Experts is made or decided",
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


class NotificationOptOut(db.Model):
    """A kind of notification this person does not want."""

    __tablename__ = "notification_opt_outs"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
