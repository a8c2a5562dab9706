"""Legal updates, their revisions, the tips an update sent back for review, and when each
reader last looked at the feed.

An update's text lives in revisions: an edit adds one, never changes one. Withdrawing keeps
the update (marked withdrawn, with the reason); nothing is deleted.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cafpedia.areas.models import FiledUnderAreas
from cafpedia.core.clock import utcnow
from cafpedia.extensions import db

KINDS = {
    "legislation": "Legislation",
    "case-law": "Case law",
    "practice-direction": "Practice direction",
    "guidance": "Guidance",
    "consultation": "Consultation",
    "inspection": "Inspection",
}
PUBLISHED = "published"
WITHDRAWN = "withdrawn"


class LegalUpdate(FiledUnderAreas, db.Model):
    __tablename__ = "legal_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=PUBLISHED, index=True)
    current_number: Mapped[int] = mapped_column(Integer, default=1)
    # Denormalised from the current revision, for the feed's filters and order.
    kind: Mapped[str] = mapped_column(String(24), index=True)
    made_on: Mapped[date] = mapped_column(index=True)  # judgment, assent, commencement or publication
    published_on: Mapped[date] = mapped_column(index=True)  # posted in CAFpedia
    published_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(String(500))
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    revisions: Mapped[list[LegalRevision]] = relationship(
        back_populates="update", order_by="LegalRevision.number", cascade="all, delete-orphan"
    )
    area_links: Mapped[list[LegalUpdateArea]] = relationship(
        cascade="all, delete-orphan", order_by="LegalUpdateArea.position"
    )
    flags: Mapped[list[TipLegalFlag]] = relationship(
        back_populates="update", cascade="all, delete-orphan", order_by="TipLegalFlag.id"
    )
    withdrawn_by = relationship("User", foreign_keys=[withdrawn_by_id])

    @property
    def current(self) -> LegalRevision:
        return next(r for r in self.revisions if r.number == self.current_number)


class LegalRevision(db.Model):
    __tablename__ = "legal_revisions"
    __table_args__ = (UniqueConstraint("update_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("legal_updates.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(200))
    citations: Mapped[list[str]] = mapped_column(JSON, default=list)  # as CAFpedia writes them
    made_on: Mapped[date]
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)  # area slugs
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(String(500))
    briefing: Mapped[str] = mapped_column(Text)
    practice: Mapped[str] = mapped_column(Text)  # what it means for practice
    source_url: Mapped[str | None] = mapped_column(String(500))
    # When the law it describes comes into force (legislation, rules, a practice direction);
    # None: in force when made, or not a change in the law.
    in_force_on: Mapped[date | None]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(String(500))  # why it was edited

    update: Mapped[LegalUpdate] = relationship(back_populates="revisions")
    author = relationship("User")


class LegalUpdateArea(db.Model):
    __tablename__ = "legal_update_areas"

    update_id: Mapped[int] = mapped_column(ForeignKey("legal_updates.id", ondelete="CASCADE"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("practice_areas.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    area = relationship("PracticeArea")


class TipLegalFlag(db.Model):
    """A tip sent back to its lead manager for review because of a legal update."""

    __tablename__ = "tip_legal_flags"
    __table_args__ = (UniqueConstraint("tip_id", "update_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id", ondelete="CASCADE"), index=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("legal_updates.id", ondelete="CASCADE"), index=True)
    flagged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    flagged_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    tip = relationship("Tip")
    update: Mapped[LegalUpdate] = relationship(back_populates="flags")
    flagged_by = relationship("User", foreign_keys=[flagged_by_id])


class LegalFeedVisit(db.Model):
    """When a reader last looked at the feed: what is newer is marked new for them."""

    __tablename__ = "legal_feed_visits"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
