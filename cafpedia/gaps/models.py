"""What a lead manager decided about a line of an area's "What people need" list."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cafpedia.core.clock import utcnow
from cafpedia.extensions import db

# Where a line comes from (gap_marks.source)
SOURCES = ("search", "advice", "vote", "review", "unopened")
# What was decided
NOT_FOR = "not_for"  # not for CAFpedia, with a reason: the line leaves the list
WRITING = "writing"  # a tip is proposed for it
ANSWERED = "answered"  # that tip is published: the line closes
REASON_MAX = 500


class GapMark(db.Model):
    __tablename__ = "gap_marks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("practice_areas.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(12))
    line_key: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    tip_id: Mapped[int | None] = mapped_column(ForeignKey("tips.id", ondelete="SET NULL"))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    tip = relationship("Tip")

    __table_args__ = (UniqueConstraint("area_id", "source", "line_key"),)
