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
    told = 0
    for area in list_areas():
        moderators = [u for u in (area.lead, *area.deputies) if u is not None]
        if not moderators or keys[area.id] in done:
            continue
        found = reading.gaps(area, *reading.period_since(reading.DEFAULT_PERIOD, today), today=today)
        if found.total and services.mark_once(keys[area.id]):
            told += services.tell(
                moderators,
                "gaps",
                f"What people need in {area.title}: {found.in_short()}",
                path_for("gaps.page", slug=area.slug),
            )
    return told
