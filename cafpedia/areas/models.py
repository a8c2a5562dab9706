"""Practice areas: the wiki's top-level structure and the unit of moderation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cafpedia.core.clock import utcnow
from cafpedia.extensions import db

area_deputies = Table(
    "area_deputies",
    db.metadata,
    Column("area_id", ForeignKey("practice_areas.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class PracticeArea(db.Model):
    __tablename__ = "practice_areas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    lead = relationship("User", foreign_keys=[lead_id])
    deputies = relationship("User", secondary=area_deputies, order_by="User.username")

    def __repr__(self) -> str:
        return f"<PracticeArea {self.slug}>"


def led_by(user):
    """The condition "this person is the area's lead manager or one of its deputies"."""
    deputy_of = select(area_deputies.c.area_id).where(area_deputies.c.user_id == user.id)
    return or_(PracticeArea.lead_id == user.id, PracticeArea.id.in_(deputy_of))


class FiledUnderAreas:
    """For content filed under areas of practice through an ordered `area_links` relationship
    (digest items, legal updates, experts): the areas, and their slugs, in order."""

    @property
    def areas(self) -> list[PracticeArea]:
        return [link.area for link in self.area_links]

    @property
    def area_slugs(self) -> list[str]:
        return [link.area.slug for link in self.area_links]
