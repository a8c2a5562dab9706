"""The Register of Experts behind the Practice Advice Line: experts, the areas they advise on,
the register administrator's rota, lead managers' nominations and the advice log.

An expert who leaves the register is retired (marked inactive, with the date and reason), never
deleted: their entry, their calls and the audit log's record of every change stay.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from cafpedia.areas.models import FiledUnderAreas
from cafpedia.core.clock import utcnow
from cafpedia.extensions import db

# CAFCASS's ten regions (002, section 2.3).
REGIONS = (
    "Eastern",
    "East Midlands",
    "London",
    "North East",
    "North West",
    "South",
    "South East",
    "South West",
    "West Midlands",
    "Yorkshire and Humberside",
)

PENDING = "pending"
ACCEPTED = "accepted"
DECLINED = "declined"


class Expert(FiledUnderAreas, db.Model):
    __tablename__ = "experts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    job_title: Mapped[str] = mapped_column(String(160))
    region: Mapped[str] = mapped_column(String(40), index=True)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    # Weekly slots in the UK's local time, written as "Mon 09:30-12:30".
    availability: Mapped[list[str]] = mapped_column(JSON, default=list)
    about: Mapped[str] = mapped_column(Text, default="")  # what they can advise on (Markdown)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    review_by: Mapped[date | None]
    away_from: Mapped[date | None]
    away_until: Mapped[date | None]  # inclusive
    away_note: Mapped[str | None] = mapped_column(String(200))
    retired_on: Mapped[date | None]
    retired_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    # The person's own entry is `user.expert_entry` (user_id is unique): the permission rules read it.
    user = relationship("User", backref=backref("expert_entry", uselist=False))
    area_links: Mapped[list[ExpertArea]] = relationship(cascade="all, delete-orphan", order_by="ExpertArea.position")


class ExpertArea(db.Model):
    __tablename__ = "expert_areas"

    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("practice_areas.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    area = relationship("PracticeArea")


class RotaDay(db.Model):
    """A day the register administrator has set: who is on the line, or that it is closed.
    On such a day the rota replaces the experts' weekly slots."""

    __tablename__ = "rota_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(200), default="")
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    shifts: Mapped[list[RotaShift]] = relationship(cascade="all, delete-orphan", order_by="RotaShift.starts")


class RotaShift(db.Model):
    __tablename__ = "rota_shifts"
    __table_args__ = (UniqueConstraint("day", "expert_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(ForeignKey("rota_days.day", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"), index=True)
    starts: Mapped[str] = mapped_column(String(5))  # "09:00", local time
    ends: Mapped[str] = mapped_column(String(5))

    expert = relationship("Expert")


class Nomination(db.Model):
    """A lead manager's suggestion of someone for the register, for the administrator to decide."""

    __tablename__ = "expert_nominations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("practice_areas.id"), index=True)
    nominee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(120))
    job_title: Mapped[str] = mapped_column(String(160), default="")
    region: Mapped[str] = mapped_column(String(40))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    email: Mapped[str] = mapped_column(String(254), default="")
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    nominated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    nominated_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(String(500))
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("experts.id"))

    area = relationship("PracticeArea")
    nominee = relationship("User", foreign_keys=[nominee_id])
    nominated_by = relationship("User", foreign_keys=[nominated_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    expert = relationship("Expert")


class AdviceCall(db.Model):
    """One call to the Practice Advice Line: knowledge, never case details."""

    __tablename__ = "advice_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("practice_areas.id"), index=True)
    called_on: Mapped[date] = mapped_column(index=True)
    question: Mapped[str] = mapped_column(String(300))
    advice: Mapped[str] = mapped_column(String(1000))
    minutes: Mapped[int] = mapped_column(Integer)
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    logged_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The tip that answers it: one linked when logging, or one proposed from this call.
    tip_id: Mapped[int | None] = mapped_column(ForeignKey("tips.id"), index=True)

    expert = relationship("Expert")
    area = relationship("PracticeArea")
    logged_by = relationship("User")
    tip = relationship("Tip")
