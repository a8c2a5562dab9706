"""The search outbox: keys of documents to refresh, written in the same transaction as
the change, and removed once the index has them. Nothing is lost if a process stops
between the commit and the index write, or if another process holds the index lock."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cafpedia.core.clock import utcnow
from cafpedia.extensions import db


class SearchQueueEntry(db.Model):
    __tablename__ = "search_queue"
    # Ids must never be reused (SQLite reuses the highest rowid after a delete otherwise):
    # a drain deletes the rows it read by id, and must not delete a newer row by mistake.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
