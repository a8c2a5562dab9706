"""A tip page's readings are counted without making every reader a writer: the first reading of
a tip on a UK day is written at once, with the day; the others are added up in the process and
written together when due, and when the process exits."""

from __future__ import annotations

import weakref
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from cafpedia.extensions import db
from cafpedia.tips import readings
from cafpedia.tips.models import Tip


def stored(slug: str) -> tuple[int, date | None]:
    db.session.expire_all()
    return tuple(db.session.execute(select(Tip.views, Tip.last_viewed_on).where(Tip.slug == slug)).one())


@pytest.fixture
def tip(publish, app):
    found = publish()
    app.extensions.pop(readings.EXTENSION, None)
    return found


def test_the_first_reading_of_a_day_is_written_at_once_and_the_others_together(tip, as_user, clock, monkeypatch):
    reader = as_user("pat.fca")
    today = clock.today()
    assert reader.get(f"/tips/{tip.slug}").status_code == 200
    assert stored(tip.slug) == (1, today)  # at once, with the day
    reader.get(f"/tips/{tip.slug}")
    reader.get(f"/tips/{tip.slug}")
    assert stored(tip.slug) == (1, today)  # added up, not yet due
    monkeypatch.setattr(readings, "FLUSH_EVERY", 0.0)
    reader.get(f"/tips/{tip.slug}")  # due: this request writes the three
    assert stored(tip.slug) == (4, today)
    monkeypatch.setattr(readings, "FLUSH_EVERY", 3600.0)
    clock.advance(days=1)
    reader = as_user("pat.fca")  # signed in again: a day ends the session
    assert reader.get(f"/tips/{tip.slug}").status_code == 200
    assert stored(tip.slug) == (5, today + timedelta(days=1))  # a new day: at once again


def test_what_is_added_up_is_written_when_the_process_exits(tip, as_user, app):
    reader = as_user("pat.fca")
    for _ in range(3):
        reader.get(f"/tips/{tip.slug}")
    assert stored(tip.slug)[0] == 1
    readings._flush_at_exit(weakref.ref(app))  # what atexit runs
    assert stored(tip.slug)[0] == 3
    readings._flush_at_exit(weakref.ref(app))  # nothing left: nothing written twice
    assert stored(tip.slug)[0] == 3


def test_a_page_that_is_not_published_or_a_background_refresh_counts_nothing(tip, as_user, monkeypatch):
    monkeypatch.setattr(readings, "FLUSH_EVERY", 0.0)
    reader = as_user("pat.fca")
    reader.get(f"/tips/{tip.slug}", headers={"X-Cafpedia-Background": "refresh"})
    assert stored(tip.slug)[0] == 0
