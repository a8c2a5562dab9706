"""Turning the raw searches into the counts the gaps pages read, and forgetting them.

`roll_up(days)` recomputes `search_demand_days` for those days from `search_events`: one row a
(day, area, meaning), for searches given an area (one without is shown on no area's page).
`purge(today)` deletes the raw searches and their salts older than KEEP_DAYS (90) and the
counts older than two years. The worker runs `upkeep` in its jobs round: it rolls up today and
yesterday each time, and purges once a day (in each worker process; the deletes are idempotent).
`cafpedia purge-searches` purges by hand.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from cafpedia.core import clock
from cafpedia.extensions import db
from cafpedia.search.demand.models import SearchDemandDay, SearchEvent, SearchSalt
from cafpedia.search.demand.salts import KEEP_DAYS, oldest_kept

log = logging.getLogger(__name__)
KEEP_COUNTS_YEARS = 2
_purged_on: date | None = None  # the day this process last purged


def oldest_count_kept(today: date) -> date:
    """The oldest day whose counts are kept: the same date two years back (28 February for 29)."""
    year = today.year - KEEP_COUNTS_YEARS
    return today.replace(year=year, day=28) if (today.month, today.day) == (2, 29) else today.replace(year=year)


def roll_up(days: list[date]) -> int:
    """Recompute (and commit) the counts of these days: the rows written. Two workers rolling up
    the same day at once: the second one's insert clashes, and what the first wrote stands."""
    if not days:
        return 0
    as_int = lambda flag: func.sum(case((flag, 1), else_=0))  # noqa: E731
    grouped = (
        select(
            SearchEvent.searched_on,
            SearchEvent.area_id,
            SearchEvent.meaning_key,
            func.max(SearchEvent.text),
            func.count(),
            as_int(SearchEvent.new_person),
            as_int(SearchEvent.found == 0),
            as_int(SearchEvent.opened),
        )
        .where(SearchEvent.searched_on.in_(days), SearchEvent.area_id.is_not(None))
        .group_by(SearchEvent.searched_on, SearchEvent.area_id, SearchEvent.meaning_key)
    )
    columns = ["day", "area_id", "meaning_key", "example", "searches", "people", "found_nothing", "opened"]
    try:
        db.session.execute(delete(SearchDemandDay).where(SearchDemandDay.day.in_(days)))
        db.session.execute(insert(SearchDemandDay).from_select([getattr(SearchDemandDay, c) for c in columns], grouped))
        # counted after (psycopg reports no rowcount for an INSERT ... SELECT)
        written = db.session.scalar(select(func.count()).where(SearchDemandDay.day.in_(days)))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        log.info("search demand: the counts of %d day(s) were being rolled up elsewhere", len(days))
        return 0
    return written or 0


@dataclass
class Purged:
    events: int = 0
    salts: int = 0
    counts: int = 0


def purge(today: date, *, dry_run: bool = False) -> Purged:
    """Delete (and commit) the raw searches and salts older than KEEP_DAYS, and the counts older
    than two years; with `dry_run`, only count them."""
    targets = (
        ("events", SearchEvent, SearchEvent.searched_on < oldest_kept(today)),
        ("salts", SearchSalt, SearchSalt.day < oldest_kept(today)),
        ("counts", SearchDemandDay, SearchDemandDay.day < oldest_count_kept(today)),
    )
    found = Purged()
    for name, model, older in targets:
        if dry_run:
            count = db.session.scalar(select(func.count()).select_from(model).where(older))
        else:
            count = db.session.execute(delete(model).where(older)).rowcount
        setattr(found, name, count or 0)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return found


def upkeep(app=None) -> tuple[int, Purged | None]:
    """The worker's round: record what this process noted, roll up today and yesterday, and
    purge once a day. (rows rolled up, what was purged or None)."""
    global _purged_on
    from cafpedia.search.demand.recording import flush

    flush(app)
    today = clock.today()
    rolled = roll_up([today - timedelta(days=1), today])
    purged = None
    if _purged_on != today:
        purged = purge(today)
        _purged_on = today
    return rolled, purged


__all__ = ["KEEP_DAYS", "Purged", "purge", "roll_up", "upkeep"]
