"""Moderation health: is work flowing through the gate, area by area?

For lead managers and administrators (`/moderation/health`): per area, what is waiting now
and for how long, how long decisions took over the last 90 days and what they were, and how
many reviews are overdue; decision times month by month; the same as CSV.

Times are in working days (Monday to Friday, as escalation counts them), from the moment a
proposal was sent (or resubmitted) to the moment it was approved, sent back or rejected.

A decision at the very moment its proposal was sent is one loaded from a file that gave only
the day it was approved (a hand-written published tip has no proposed_on, and the loader
takes the approval as the sending): it counts as a decision, but its waiting time is unknown,
so it stays out of the medians, which would otherwise read 0 month after month ("untimed").
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, case, func, null, select

from cafpedia.areas.models import PracticeArea
from cafpedia.core import clock
from cafpedia.core.spreadsheet import csv_text
from cafpedia.extensions import db
from cafpedia.tips.models import PENDING, PUBLISHED, Revision, Tip, TipEvent

DECISIONS = ("approved", "sent_back", "rejected")
WINDOW_DAYS = 90
MONTHS = 12


@dataclass
class AreaHealth:
    slug: str
    title: str
    waiting: int = 0
    oldest_days: int | None = None  # working days the oldest proposal has waited
    oldest_since: date | None = None
    decision_days: list[int] = field(default_factory=list)
    decided: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DECISIONS, 0))
    untimed: int = 0  # decisions without a known sending time (not in decision_days)
    reviews_overdue: int = 0

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.decision_days) if self.decision_days else None


@dataclass
class MonthFigures:
    month: date  # the first day of the month
    decisions: int
    median_days: float | None  # of the timed decisions
    untimed: int = 0


@dataclass
class Health:
    areas: list[AreaHealth]
    months: list[MonthFigures]
    since: date  # the start of the 90-day window
    today: date

    @property
    def total(self) -> AreaHealth:
        whole = AreaHealth(slug="", title="All areas")
        for area in self.areas:
            whole.waiting += area.waiting
            whole.decision_days += area.decision_days
            whole.untimed += area.untimed
            whole.reviews_overdue += area.reviews_overdue
            for action, n in area.decided.items():
                whole.decided[action] += n
            if area.oldest_days is not None and (whole.oldest_days is None or area.oldest_days > whole.oldest_days):
                whole.oldest_days, whole.oldest_since = area.oldest_days, area.oldest_since
        return whole

    @property
    def longest_month(self) -> float:
        return max((m.median_days or 0 for m in self.months), default=0)


def _decisions_since(start) -> list[tuple[int, str, object, object]]:
    """(area id, action, sent at, decided at) of every decision since `start`; sent at is None
    when it is unknown (the decision is recorded at the very moment of the sending)."""
    return list(
        db.session.execute(
            select(
                Tip.area_id,
                TipEvent.action,
                case((Revision.created_at < TipEvent.at, Revision.created_at), else_=null()),
                TipEvent.at,
            )
            .join(TipEvent, TipEvent.tip_id == Tip.id)
            .join(Revision, and_(Revision.tip_id == Tip.id, Revision.number == TipEvent.revision_number))
            .where(TipEvent.action.in_(DECISIONS), TipEvent.at >= start)
        )
    )


def _working_days(sent, decided) -> int:
    return clock.working_days_between(clock.local_date(sent), clock.local_date(decided))


def moderation_health() -> Health:
    today, now = clock.today(), clock.utcnow()
    areas = {
        a.id: AreaHealth(slug=a.slug, title=a.title)
        for a in db.session.scalars(select(PracticeArea).order_by(PracticeArea.title))
    }

    for area_id, count, oldest in db.session.execute(
        select(Tip.area_id, func.count(Revision.id), func.min(Revision.created_at))
        .join(Revision.tip)
        .where(Revision.status == PENDING)
        .group_by(Tip.area_id)
    ):
        area = areas[area_id]
        area.waiting, area.oldest_since = count, clock.local_date(oldest)
        area.oldest_days = _working_days(oldest, now)

    since = today - timedelta(days=WINDOW_DAYS)
    first_month = clock.first_of_month(today, MONTHS - 1)
    by_month: dict[date, list[int | None]] = {
        clock.first_of_month(today, back): [] for back in range(MONTHS - 1, -1, -1)
    }
    window_start = min(since, first_month)
    for area_id, action, sent, decided in _decisions_since(clock.start_of_local_day(window_start)):
        days, decided_on = (None if sent is None else _working_days(sent, decided)), clock.local_date(decided)
        if decided_on >= since:
            area = areas[area_id]
            area.decided[action] += 1
            if days is None:
                area.untimed += 1
            else:
                area.decision_days.append(days)
        if first_month <= decided_on <= today:
            by_month[clock.first_of_month(decided_on)].append(days)

    for area_id, count in db.session.execute(
        select(Tip.area_id, func.count(Tip.id))
        .where(Tip.status == PUBLISHED, Tip.review_by < today)
        .group_by(Tip.area_id)
    ):
        areas[area_id].reviews_overdue = count

    months = []
    for month, days in by_month.items():
        timed = [d for d in days if d is not None]
        months.append(
            MonthFigures(month, len(days), statistics.median(timed) if timed else None, len(days) - len(timed))
        )
    return Health(areas=list(areas.values()), months=months, since=since, today=today)


def health_csv(health: Health) -> str:
    return csv_text(
        [
            "area",
            "area_title",
            "waiting_now",
            "oldest_waiting_working_days",
            "oldest_waiting_since",
            f"median_working_days_to_decision_{WINDOW_DAYS}d",
            "approved",
            "sent_back",
            "rejected",
            "reviews_overdue",
            "decisions_without_a_sending_time",
        ],
        (
            (
                area.slug or "all",
                area.title,
                area.waiting,
                area.oldest_days,
                area.oldest_since.isoformat() if area.oldest_since else None,
                area.median_days,
                area.decided["approved"],
                area.decided["sent_back"],
                area.decided["rejected"],
                area.reviews_overdue,
                area.untimed,
            )
            for area in [*health.areas, health.total]
        ),
    )
