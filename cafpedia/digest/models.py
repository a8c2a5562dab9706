"""Digest issues, their items, the earlier text of corrected items, suggested research
topics, and the links from tips to the research behind them.

An issue is a draft until `published_at` is set. While it is a draft its items are a
working copy, changed in place and seen by nobody but the coordinator and admins. Once it
is published an item's text is never changed in place: a correction first copies the
text readers saw into `DigestItemVersion`, with the date, who corrected it and why. The
issue's introduction is corrected the same way (`DigestIntroductionVersion`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cafpedia.areas.models import FiledUnderAreas
from cafpedia.core.clock import utcnow
from cafpedia.extensions import db

# Suggestion status
OPEN = "open"
TAKEN_UP = "taken_up"
DECLINED = "declined"
SUGGESTION_STATUSES = {OPEN: "Waiting for the coordinator", TAKEN_UP: "Taken up", DECLINED: "Declined"}


class DigestIssue(db.Model):
    __tablename__ = "digest_issues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(16), unique=True)  # the quarter in lower case: 2007-q1
    number: Mapped[int] = mapped_column(Integer, unique=True)
    quarter: Mapped[str] = mapped_column(String(7), unique=True)  # 2007-Q1
    title: Mapped[str] = mapped_column(String(200))
    introduction: Mapped[str] = mapped_column(Text, default="")
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_on: Mapped[date | None] = mapped_column(index=True)  # None: a draft
    published_at: Mapped[datetime | None]

    editor = relationship("User")
    items: Mapped[list[DigestItem]] = relationship(
        back_populates="issue", order_by="DigestItem.position", cascade="all, delete-orphan"
    )
    introduction_versions: Mapped[list[DigestIntroductionVersion]] = relationship(
        back_populates="issue",
        order_by="DigestIntroductionVersion.id",  # oldest first: ids are given in the order corrections are made
        cascade="all, delete-orphan",
    )

    @property
    def is_draft(self) -> bool:
        return self.published_on is None

    @property
    def year(self) -> int:
        return int(self.quarter[:4])

    def item(self, slug: str) -> DigestItem | None:
        return next((i for i in self.items if i.slug == slug), None)

    @property
    def introduction_correction(self) -> DigestIntroductionVersion | None:
        """The latest correction of the published introduction (its date and reason), if any."""
        return self.introduction_versions[-1] if self.introduction_versions else None


class DigestItem(FiledUnderAreas, db.Model):
    __tablename__ = "digest_items"
    __table_args__ = (UniqueConstraint("issue_id", "slug"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("digest_issues.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(500))
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    year: Mapped[int | None] = mapped_column(Integer)
    url: Mapped[str | None] = mapped_column(String(500))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text)
    implications: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The latest correction, shown to readers ("Corrected on ... because ...").
    corrected_at: Mapped[datetime | None]
    correction_note: Mapped[str | None] = mapped_column(String(500))
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    issue: Mapped[DigestIssue] = relationship(back_populates="items")
    area_links: Mapped[list[DigestItemArea]] = relationship(
        cascade="all, delete-orphan", order_by="DigestItemArea.position"
    )
    versions: Mapped[list[DigestItemVersion]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="DigestItemVersion.id"
    )
    tip_links: Mapped[list[TipResearchLink]] = relationship(back_populates="item", cascade="all, delete-orphan")
    corrected_by = relationship("User", foreign_keys=[corrected_by_id])


class DigestItemArea(db.Model):
    __tablename__ = "digest_item_areas"

    item_id: Mapped[int] = mapped_column(ForeignKey("digest_items.id", ondelete="CASCADE"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("practice_areas.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    area = relationship("PracticeArea")


class DigestItemVersion(db.Model):
    """The text of a published item as it was before a correction replaced it."""

    __tablename__ = "digest_item_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("digest_items.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(500))
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    year: Mapped[int | None] = mapped_column(Integer)
    url: Mapped[str | None] = mapped_column(String(500))
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)  # area slugs
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text)
    implications: Mapped[str] = mapped_column(Text)
    # The correction that replaced this text.
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)
    replaced_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(500))

    item: Mapped[DigestItem] = relationship(back_populates="versions")
    replaced_by = relationship("User")


class DigestIntroductionVersion(db.Model):
    """A published issue's introduction as it was before a correction replaced it."""

    __tablename__ = "digest_introduction_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("digest_issues.id", ondelete="CASCADE"), index=True)
    introduction: Mapped[str] = mapped_column(Text)
    # The correction that replaced this text.
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)
    replaced_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(500))

    issue: Mapped[DigestIssue] = relationship(back_populates="introduction_versions")
    replaced_by = relationship("User")


class TipResearchLink(db.Model):
    """'The research behind this tip': a published tip and a digest item."""

    __tablename__ = "tip_research_links"

    tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("digest_items.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)

    tip = relationship("Tip")
    item: Mapped[DigestItem] = relationship(back_populates="tip_links")


class ResearchSuggestion(db.Model):
    """A research topic or question anyone may suggest; the coordinator answers it."""

    __tablename__ = "research_suggestions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    suggester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    topic: Mapped[str] = mapped_column(String(200))
    details: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default=OPEN, index=True)
    reply: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]

    suggester = relationship("User", foreign_keys=[suggester_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
