"""Once a week, each area's moderators hear what its "What people need" list holds (by the
numbers, with a link: never a search or a question as typed), in their daily summary unless
they chose otherwise. Sent once an ISO week per area, from Monday 07:00 UK time (a worker that
was down on Monday sends it when it is back, that week)."""

from __future__ import annotations

from datetime import datetime, time

from cafpedia.areas.services import list_areas
from cafpedia.core.urls import path_for
from cafpedia.gaps import reading
from cafpedia.notifications import services

HOUR = 7


def tell_what_people_need(now_local: datetime) -> int:
    """Tell each area's lead manager and deputies; returns how many people were told."""
    if now_local.weekday() == 0 and now_local.time() < time(HOUR):
        return 0
    today = now_local.date()
    year, week, _ = today.isocalendar()
    keys = {area.id: f"gaps:{area.id}:{year}-W{week:02d}" for area in list_areas()}
    done = services.marked(keys.values())
    # Every area's list is read before anything is written: reading asks the search index, whose
    # follower writes through a connection of its own, and on SQLite a write lock held here would
    # make it wait (see search.change_log.caller_is_writing).
    due = []
    for area in list_areas():
        moderators = [u for u in (area.lead, *area.deputies) if u is not None]
        if moderators and keys[area.id] not in done:
            found = reading.gaps(area, *reading.period_since(reading.DEFAULT_PERIOD, today), today=today)
            if found.total:
                due.append((area, moderators, found))
    told = 0
    for area, moderators, found in due:
        if services.mark_once(keys[area.id]):
            told += services.tell(
                moderators,
                "gaps",
                f"What people need in {area.title}: {found.in_short()}",
                path_for("gaps.page", slug=area.slug),
            )
    return told
