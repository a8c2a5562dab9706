"""How long search demand is kept: raw searches and salts 90 days, counts two years."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cafpedia.extensions import db
from cafpedia.search.demand.models import SearchDemandDay, SearchEvent, SearchSalt
from cafpedia.search.demand.recording import flush, note_search
from cafpedia.search.demand.upkeep import oldest_count_kept, purge, roll_up, upkeep
from cafpedia.worker import run_round


@pytest.fixture
def reader(app, demo_content, make_user):
    return make_user("pat.reader", areas=["private-law"])


def counts() -> tuple[int, int, int]:
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(m)) for m in (SearchEvent, SearchSalt, SearchDemandDay)
    )


def searched_on_days(app, reader, clock, ages: list[int]) -> date:
    start = clock.now()
    today = clock.today()
    for age in ages:
        clock.set(start - timedelta(days=age))
        note_search(reader, "contact", {}, 1, {"private-law": 1})
        flush(app)
        roll_up([clock.today()])
    clock.set(start)
    return today


def test_searches_and_salts_go_after_90_days_the_counts_stay(app, reader, clock):
    today = searched_on_days(app, reader, clock, [91, 90, 0])
    assert counts() == (3, 3, 3)
    assert purge(today, dry_run=True).__dict__ == {"events": 1, "salts": 1, "counts": 0}
    assert counts() == (3, 3, 3)
    assert purge(today).__dict__ == {"events": 1, "salts": 1, "counts": 0}
    assert counts() == (2, 2, 3)
    days = sorted(db.session.scalars(select(SearchEvent.searched_on)))
    assert days == [today - timedelta(days=90), today]


def test_counts_go_after_two_years(app, reader, clock):
    today = clock.today()
    for day in (oldest_count_kept(today) - timedelta(days=1), oldest_count_kept(today)):
        db.session.add(
            SearchDemandDay(day=day, area_id=1, meaning_key="contact", example="contact", searches=1, people=1,
                            found_nothing=0, opened=0)
        )  # fmt: skip
    db.session.commit()
    assert purge(today).counts == 1
    assert counts()[2] == 1
    assert oldest_count_kept(date(2028, 2, 29)) == date(2026, 2, 28)


def test_the_command_counts_then_purges(app, reader, clock, runner):
    searched_on_days(app, reader, clock, [120, 95, 1])
    dry = runner.invoke(args=["purge-searches", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Searches: 2 would be deleted." in dry.output and "Daily salts: 2 would be deleted." in dry.output
    assert counts() == (3, 3, 3)
    done = runner.invoke(args=["purge-searches"])
    assert "Searches: 2 deleted." in done.output and "Counts by day, area and meaning: 0 deleted." in done.output
    assert counts() == (1, 1, 3)


def test_the_worker_rolls_up_today_and_yesterday_and_purges_once_a_day(app, reader, clock, monkeypatch):
    from cafpedia.search.demand import upkeep as module

    monkeypatch.setattr(module, "_purged_on", None)
    searched_on_days(app, reader, clock, [100])
    note_search(reader, "contact", {}, 0, {})
    run_round(jobs=True)  # flushes what this process noted, rolls up, purges
    assert counts() == (1, 1, 2)
    assert upkeep()[1] is None  # purged once today already
    row = db.session.scalar(select(SearchDemandDay).where(SearchDemandDay.day == clock.today()))
    assert (row.searches, row.people, row.found_nothing) == (1, 1, 1)
