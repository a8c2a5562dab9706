"""Tips, their revisions, and the append-only record of what was decided about them.

A revision's text is never changed once written. Its `status` is where it stands in
moderation; every decision (approve, send back, reject, restore, review, archive) is a
`TipEvent` row, never an update of an earlier one. `Tip.current_number` names the
published revision readers see; it moves only by a compare-and-set, so two moderators
deciding at once cannot both win.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cafpedia.core.clock import utcnow
from cafpedia.extensions import db

KINDS = ("tip", "guidance")
KIND_LABELS = {"tip": "Practice tip", "guidance": "Guidance"}

# Tip status
PENDING = "pending"  # proposed, never published
PUBLISHED = "published"
ARCHIVED = "archived"

# Revision status
SENT_BACK = "sent_back"
REJECTED = "rejected"
REVISION_STATUSES = (PENDING, PUBLISHED, SENT_BACK, REJECTED)
STATUS_LABELS = {
    PENDING: "Waiting for moderation",
    PUBLISHED: "Published",
    SENT_BACK: "Sent back for changes",
    REJECTED: "Rejected",
    ARCHIVED: "Archived",
}

# The decisions that publish a revision: readers see it from then on.
PUBLISHING = ("approved", "restored")

# The moderator's recorded checklist: every item must be ticked to approve.
CHECKLIST = {
    "corporate": "Complies with CAFCASS corporate policy",
    "legal": "Legally accurate and compliant",
    "plain_language": "Written in plain language",
    "no_identifying_information": "Holds no information that identifies a child or family",
}


class Tip(db.Model):
    __tablename__ = "tips"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("practice_areas.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    # The number of the published revision readers see (None until first published).
    current_number: Mapped[int | None] = mapped_column(Integer)
    review_by: Mapped[date | None] = mapped_column(index=True)
    last_reviewed_at: Mapped[datetime | None]
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("tips.id"))
    archived_at: Mapped[datetime | None]
    views: Mapped[int] = mapped_column(Integer, default=0)
    last_viewed_on: Mapped[date | None]  # the UK day it was last read ("nobody has opened it in a year")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    area = relationship("PracticeArea")
    superseded_by = relationship("Tip", remote_side=[id])
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="tip", order_by="Revision.number", cascade="all", foreign_keys="Revision.tip_id"
    )
    events: Mapped[list[TipEvent]] = relationship(back_populates="tip", order_by="TipEvent.id", cascade="all")

    def revision(self, number: int | None) -> Revision | None:
        return next((r for r in self.revisions if r.number == number), None) if number else None

    @property
    def current(self) -> Revision | None:
        """The published revision, or for a tip never published, its latest proposal."""
        return self.revision(self.current_number) or (self.revisions[-1] if self.revisions else None)

    @property
    def title(self) -> str:
        return self.current.title if self.current else self.slug

    def __repr__(self) -> str:
        return f"<Tip {self.slug}>"


class Revision(db.Model):
    __tablename__ = "tip_revisions"
    __table_args__ = (UniqueConstraint("tip_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # The published revision this one was written from (None for a new tip).
    based_on: Mapped[int | None] = mapped_column(Integer)
    # A sent-back revision that this one revises, or an earlier one that it restores.
    revises: Mapped[int | None] = mapped_column(Integer)
    restores: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    # The author's note for the moderator: what changed and why.
    change_note: Mapped[str] = mapped_column(String(500), default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    legal_refs: Mapped[list[str]] = mapped_column(JSON, default=list)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    # What the confidentiality guard found when it was proposed, and whether the author
    # confirmed the text safe before submitting anyway.
    flags: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    author_confirmed_safe: Mapped[bool] = mapped_column(Boolean, default=False)
    # A moderator's small correction before approving (a typo, a clearer word): who made it,
    # and the title and body as the author proposed them. `title` and `body` are as published.
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_title: Mapped[str | None] = mapped_column(String(200))
    proposed_body: Mapped[str | None] = mapped_column(Text)

    tip: Mapped[Tip] = relationship(back_populates="revisions", foreign_keys=[tip_id])
    author = relationship("User", foreign_keys=[author_id])
    editor = relationship("User", foreign_keys=[editor_id])
    standard_links: Mapped[list[RevisionStandard]] = relationship(
        back_populates="revision", cascade="all", order_by="RevisionStandard.position"
    )
    # A link taken out of the collection is deleted: a moderator's correction can change the links.
    tip_links: Mapped[list[RevisionLink]] = relationship(back_populates="revision", cascade="all, delete-orphan")

    @property
    def clauses(self):
        return [link.clause for link in self.standard_links]

    @property
    def corrected(self) -> bool:
        return self.editor_id is not None and self.proposed_body is not None

    @property
    def standards(self) -> list[str]:
        return [link.clause.code for link in self.standard_links]

    @property
    def decisions(self) -> list[TipEvent]:
        return [e for e in self.tip.events if e.revision_number == self.number]

    def published_by(self, moment: datetime) -> bool:
        """Whether readers could see this text before `moment`: it was approved or restored by then."""
        return any(e.action in PUBLISHING and e.at < moment for e in self.decisions)


class RevisionStandard(db.Model):
    """A National Standards clause that a revision says it applies."""

    __tablename__ = "tip_revision_standards"

    revision_id: Mapped[int] = mapped_column(ForeignKey("tip_revisions.id"), primary_key=True)
    clause_id: Mapped[int] = mapped_column(ForeignKey("standard_clauses.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    revision: Mapped[Revision] = relationship(back_populates="standard_links")
    clause = relationship("StandardClause", lazy="joined")  # always shown with the link: never a query per clause


class RevisionLink(db.Model):
    """A [[link]] in a revision's body, by the slug of the tip it names."""

    __tablename__ = "tip_revision_links"

    revision_id: Mapped[int] = mapped_column(ForeignKey("tip_revisions.id"), primary_key=True)
    target_slug: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)

    revision: Mapped[Revision] = relationship(back_populates="tip_links")


class TipEvent(db.Model):
    """One thing that happened to a tip: a decision on a revision, a review, an archiving."""

    __tablename__ = "tip_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id"), index=True)
    revision_number: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    comment: Mapped[str] = mapped_column(Text, default="")
    checklist: Mapped[list[str] | None] = mapped_column(JSON)
    confidentiality_confirmed: Mapped[bool | None] = mapped_column(Boolean)
    review_by: Mapped[date | None]
    superseded_by_slug: Mapped[str | None] = mapped_column(String(80))

    tip: Mapped[Tip] = relationship(back_populates="events")
    actor = relationship("User")

    LABELS = {
        "approved": "Approved and published",
        "sent_back": "Sent back for changes",
        "rejected": "Rejected",
        "restored": "Restored an earlier revision",
        "reviewed": "Reviewed, no change needed",
        "archived": "Archived",
    }

    @property
    def label(self) -> str:
        return self.LABELS.get(self.action, self.action)


PROBLEM_MAX = 500


class TipVote(db.Model):
    """A reader's "Was this useful?" for a tip: their latest answer."""

    __tablename__ = "tip_votes"
    __table_args__ = (UniqueConstraint("tip_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    useful: Mapped[bool] = mapped_column(Boolean)
    revision_number: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class TipProblem(db.Model):
    """A problem a reader reported with a tip, for its lead manager."""

    __tablename__ = "tip_problems"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revision_number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(PROBLEM_MAX))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")
