"""The moderation loop's clockwork, run by `cafpedia worker` (and `cafpedia notify-due`):
review reminders, escalation of what waits too long, and the daily summaries.

Each reminder has a key (which tip, which review date, which stage) recorded in
notification_marks in the same transaction as the notification, so every reminder is sent
once, however many workers run, and a worker that was down catches up without repeats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cafpedia.config import escalate_days_from
from cafpedia.core import clock, events
from cafpedia.extensions import db
from cafpedia.notifications import needs, services
from cafpedia.tips.models import PENDING, PUBLISHED, Revision, Tip
from cafpedia.tips.moderation import working_days_waiting

SOON_DAYS = 7
SUMMARY_HOUR = 7  # daily summaries go out from 07:00 UK time


def escalate_days() -> int:
    return escalate_days_from(current_app.config)


def review_stage(review_by, today) -> tuple[str, int] | None:
    """Where a review date stands today: 7 days before ("soon"), on the day ("due"),
    then once a week while overdue ("overdue", weeks); None if not yet within 7 days."""
    if today < review_by - timedelta(days=SOON_DAYS):
        return None
    if today < review_by:
        return "soon", 0
    weeks = (today - review_by).days // 7
    return ("due", 0) if weeks == 0 else ("overdue", weeks)


@dataclass
class JobReport:
    reminders: int = 0
    escalations: int = 0
    summaries: int = 0
    needs: int = 0  # people told what their areas' "What people need" lists hold (weekly)


def remind_reviews(today) -> int:
    tips = list(
        db.session.scalars(
            select(Tip)
            .where(
                Tip.status == PUBLISHED, Tip.review_by.is_not(None), Tip.review_by <= today + timedelta(days=SOON_DAYS)
            )
            .options(selectinload(Tip.area))
            .order_by(Tip.review_by, Tip.id)
        )
    )
    wanted = {}
    for tip in tips:
        stage = review_stage(tip.review_by, today)
        if stage:
            wanted[f"review:{tip.id}:{tip.review_by.isoformat()}:{stage[0]}:{stage[1]}"] = (tip, stage)
    done = services.marked(wanted)
    sent = 0
    for key, (tip, (stage, weeks)) in wanted.items():
        if key not in done and services.mark_once(key):
            events.review_due.send(tip, stage=stage, weeks=weeks)
            sent += 1
    return sent


def escalate(today) -> int:
    """Proposals waiting, and reviews overdue, more than N working days: deputies (level 1),
    then after 2N administrators (level 2)."""
    n = escalate_days()
    candidates = []
    for revision in db.session.scalars(
        select(Revision).where(Revision.status == PENDING).order_by(Revision.created_at, Revision.id)
    ):
        waited = working_days_waiting(revision, today)
        candidates.append((f"escalate:proposal:{revision.id}", revision, waited))
    for tip in db.session.scalars(
        select(Tip).where(Tip.status == PUBLISHED, Tip.review_by < today).order_by(Tip.review_by, Tip.id)
    ):
        waited = clock.working_days_between(tip.review_by, today)
        candidates.append((f"escalate:review:{tip.id}:{tip.review_by.isoformat()}", tip, waited))
    keys = {}
    for base, subject, waited in candidates:
        for level, limit in ((1, n), (2, 2 * n)):
            if waited > limit:
                keys[f"{base}:{level}"] = (subject, level, waited)
    done = services.marked(keys)
    sent = 0
    for key, (subject, level, waited) in keys.items():
        if key not in done and services.mark_once(key):
            events.escalated.send(subject, level=level, working_days=waited)
            sent += 1
    return sent


def summaries_due(now_local: datetime) -> bool:
    return now_local.time() >= time(SUMMARY_HOUR)


def send_summaries(now_local: datetime) -> int:
    """Once a day, from 07:00 UK time: the daily summaries."""
    if not summaries_due(now_local) or not services.mark_once(f"summary:{now_local.date().isoformat()}"):
        return 0
    return services.send_daily_summaries()


def run_due() -> JobReport:
    """Everything that is due now, each step committed on its own."""
    report = JobReport()
    today = clock.today()
    report.reminders = remind_reviews(today)
    db.session.commit()
    report.escalations = escalate(today)
    db.session.commit()
    report.needs = needs.tell_what_people_need(clock.now_london())
    db.session.commit()
    report.summaries = send_summaries(clock.now_london())
    db.session.commit()
    return report
