"""What changed in an area of practice between two dates: every publication, restoration,
archiving, review and decision on its tips and guidance, and the legal updates and research
digest items published for it. For a lead manager preparing for an inspection or a hearing
(`/areas/<slug>/changes`), with links to each page as at that day, and as CSV.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cafpedia.areas.models import PracticeArea
from cafpedia.core.as_at import end_of
from cafpedia.core.clock import local_date, start_of_local_day, to_london
from cafpedia.core.spreadsheet import csv_text
from cafpedia.core.urls import path_for
from cafpedia.digest.models import DigestIssue, DigestItem, DigestItemArea
from cafpedia.extensions import db
from cafpedia.legal.models import LegalUpdate, LegalUpdateArea
from cafpedia.tips.models import Tip, TipEvent

MAX_DAYS = 3660  # ten years in one list at most


@dataclass
class Change:
    at: datetime | None  # naive UTC; None: known to the day only (a digest issue published before it was timed)
    day: date
    what: str  # e.g. "Approved and published"
    kind: str  # tip | guidance | legal update | research digest item
    title: str
    revision: int | None
    by: str
    note: str
    url: str  # the page as at that day


def area_changes(area: PracticeArea, start: date, end: date) -> list[Change]:
    """Oldest first, from the start of `start` to the end of `end` (UK days): one order by
    time across every kind (a legal update or a digest item by the moment it was posted)."""
    since, until = start_of_local_day(start), end_of(end)
    changes: list[Change] = []
    events = db.session.scalars(
        select(TipEvent)
        .join(Tip)
        .where(Tip.area_id == area.id, TipEvent.at >= since, TipEvent.at < until)
        .options(selectinload(TipEvent.tip).selectinload(Tip.revisions), selectinload(TipEvent.actor))
    )
    for event in events:
        tip, day = event.tip, local_date(event.at)
        revision = tip.revision(event.revision_number)
        note = event.comment + (f" (superseded by {event.superseded_by_slug})" if event.superseded_by_slug else "")
        changes.append(
            Change(
                event.at,
                day,
                event.label,
                revision.kind if revision else "tip",
                revision.title if revision else tip.title,
                event.revision_number,
                event.actor.name if event.actor else "command line",
                note,
                path_for("tips.show", slug=tip.slug, as_at=day.isoformat()),
            )
        )
    updates = db.session.scalars(
        select(LegalUpdate)
        .join(LegalUpdateArea, LegalUpdateArea.update_id == LegalUpdate.id)
        .where(LegalUpdateArea.area_id == area.id, LegalUpdate.published_on >= start, LegalUpdate.published_on <= end)
    )
    for update in updates:
        first = update.revisions[0] if update.revisions else update.current
        changes.append(
            Change(
                update.published_at,
                update.published_on,
                "Legal update posted",
                "legal update",
                first.title,
                None,
                first.author.name,
                "; ".join(first.citations),
                f"/legal/{update.slug}?as_at={update.published_on.isoformat()}",
            )
        )
    items = db.session.scalars(
        select(DigestItem)
        .join(DigestItemArea, DigestItemArea.item_id == DigestItem.id)
        .join(DigestIssue)
        .where(DigestItemArea.area_id == area.id, DigestIssue.published_on >= start, DigestIssue.published_on <= end)
    )
    for item in items:
        issue = item.issue
        changes.append(
            Change(
                issue.published_at,
                issue.published_on,
                "Research digest item published",
                "research digest item",
                item.title,
                None,
                issue.editor.name,
                issue.title,
                f"/digest/{issue.slug}/{item.slug}?as_at={issue.published_on.isoformat()}",
            )
        )
    changes.sort(key=_when)
    return changes


def _when(change: Change) -> tuple[datetime, str]:
    """The moment of a change (naive UTC; the start of its UK day when only the day is known),
    then its title: the stored times of every kind compared as they are, never a UK day
    against a UTC time."""
    return (change.at or start_of_local_day(change.day), change.title)


CSV_COLUMNS = ["date", "time (UK)", "what", "kind", "title", "revision", "by", "note", "as at page"]


def changes_csv(changes: list[Change], base_url: str) -> str:
    return csv_text(
        CSV_COLUMNS,
        (
            (
                c.day.isoformat(),
                to_london(c.at).strftime("%H:%M") if c.at else "",
                c.what,
                c.kind,
                c.title,
                c.revision,
                c.by,
                c.note,
                base_url + c.url,
            )
            for c in changes
        ),
    )
