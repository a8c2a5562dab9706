"""Availability: reading slots, and who is on the line at a given moment in UK time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from cafpedia.experts.availability import (
    RotaPlan,
    SlotError,
    available_now,
    describe_next,
    next_available,
    parse_hours,
    parse_slot,
    parse_slots,
)


def expert(*slots, id=1, active=True, away_from=None, away_until=None):
    return SimpleNamespace(id=id, availability=list(slots), active=active, away_from=away_from, away_until=away_until)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Mon 09:30-12:30", "Mon 09:30-12:30"),
        ("monday 9:30 - 12:30", "Mon 09:30-12:30"),
        ("Thurs 13.30–16.30", "Thu 13:30-16:30"),
        ("Sun 18:00 to 24:00", "Sun 18:00-24:00"),
        # Hours as people write them:
        ("Mon 9am-12.30pm", "Mon 09:00-12:30"),
        ("Tue 9-12.30", "Tue 09:00-12:30"),
        ("Wed 9 am - 1 pm", "Wed 09:00-13:00"),
        ("Thu 9-5", "Thu 09:00-17:00"),
        ("Fri noon to 2pm", "Fri 12:00-14:00"),
        ("Sat 9.30 a.m. – 12.30 p.m.", "Sat 09:30-12:30"),
        ("Mon 1pm-5pm", "Mon 13:00-17:00"),
        ("Mon 9-1", "Mon 09:00-13:00"),
    ],
)
def test_slots_are_read_and_written_one_way(text, expected):
    assert str(parse_slot(text)) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("Mon 25:00-26:00", "25:00 is not a time of day"),
        ("Mon 12:30-09:30", "ends before it starts"),
        ("Mon 09:00-09:00", "ends before it starts"),
        ("Funday 09:00-10:00", "Funday is not a day of the week"),
        ("Mon 9ish-5", "is not a time"),
        ("Mon 13pm-2pm", "with am or pm, the hour is 1 to 12"),
        ("Mon 10:00-09:00", "ends before it starts"),  # written with a leading zero: 24-hour, taken as written
        ("09:00-12:00", "is not a slot"),
        ("Tue 09:60-10:00", "not a time of day"),
        ("Wed 24:00-24:30", "not a time of day"),
    ],
)
def test_malformed_slots_say_what_is_wrong(text, message):
    with pytest.raises(SlotError, match=message):
        parse_slot(text)


def test_overlapping_slots_are_refused_and_the_rest_sorted():
    slots, problems = parse_slots(["Thu 13:00-16:00", "Mon 09:00-12:00", "Mon 11:00-13:00", "", "Mon 25:00-26:00"])
    assert [str(s) for s in slots] == ["Mon 09:00-12:00", "Thu 13:00-16:00"]
    assert len(problems) == 2 and "overlaps" in problems[0] and "25:00" in problems[1]
    with pytest.raises(SlotError):
        parse_hours("17:00-09:00")


MONDAY_MORNING = expert("Mon 09:30-12:30", "Tue 17:00-20:00", "Sat 09:00-12:00")


@pytest.mark.parametrize(
    "moment, on_the_line",
    [
        (utc(2026, 11, 23, 10, 0), True),  # a Monday morning in winter: 10:00 UK time
        (utc(2026, 11, 23, 12, 30), False),  # the slot's end is not in it
        (utc(2026, 11, 23, 9, 29), False),
        (utc(2026, 11, 24, 18, 15), True),  # a weekday evening slot
        (utc(2026, 11, 24, 20, 0), False),
        (utc(2026, 11, 28, 11, 59), True),  # Saturday morning
        (utc(2026, 11, 29, 10, 0), False),  # Sunday: no slot
        (utc(2026, 7, 6, 8, 45), True),  # summer: 08:45 UTC is 09:45 in London
        (utc(2026, 12, 7, 9, 15), False),  # winter: 09:15 UTC is 09:15 in London
    ],
)
def test_available_now_in_uk_time(moment, on_the_line):
    assert available_now(MONDAY_MORNING, moment, {}) is on_the_line


def test_the_rota_replaces_the_slots_on_the_days_it_sets():
    monday = date(2026, 12, 28)  # a bank holiday Monday
    at_ten = utc(2026, 12, 28, 10, 0)
    assert available_now(MONDAY_MORNING, at_ten, {}) is True
    assert available_now(MONDAY_MORNING, at_ten, {monday: RotaPlan(closed=True, note="Bank holiday")}) is False
    # A rota day puts someone on the line outside their slots, and nobody else.
    rota = {monday: RotaPlan(shifts={2: (8 * 60, 11 * 60)})}
    assert available_now(expert("Tue 09:00-10:00", id=2), at_ten, rota) is True
    assert available_now(MONDAY_MORNING, at_ten, rota) is False


def test_away_and_retired_experts_are_never_available():
    at_ten = utc(2026, 11, 23, 10, 0)
    assert (
        available_now(
            expert("Mon 09:30-12:30", away_from=date(2026, 11, 20), away_until=date(2026, 11, 23)), at_ten, {}
        )
        is False
    )
    assert (
        available_now(
            expert("Mon 09:30-12:30", away_from=date(2026, 11, 24), away_until=date(2026, 11, 30)), at_ten, {}
        )
        is True
    )
    assert available_now(expert("Mon 09:30-12:30", active=False), at_ten, {}) is False


def test_next_available_and_how_it_reads():
    now = utc(2026, 11, 23, 13, 0)  # Monday 13:00, after the morning slot
    moment = next_available(MONDAY_MORNING, now, {})
    assert (moment.date(), moment.hour, moment.minute) == (date(2026, 11, 24), 17, 0)
    assert describe_next(moment, now) == "Tomorrow from 17:00"
    assert (
        describe_next(next_available(MONDAY_MORNING, utc(2026, 11, 23, 8, 0), {}), utc(2026, 11, 23, 8, 0))
        == "Today from 09:30"
    )
    assert (
        describe_next(next_available(MONDAY_MORNING, utc(2026, 11, 23, 10, 0), {}), utc(2026, 11, 23, 10, 0))
        == "Available now"
    )
    later = next_available(MONDAY_MORNING, utc(2026, 11, 24, 21, 0), {})
    assert describe_next(later, utc(2026, 11, 24, 21, 0)) == "Sat 28 Nov from 09:00"
    assert next_available(expert(), now, {}) is None
    assert describe_next(None, now) == "Not on the line in the next two weeks"


def test_on_the_line_until_joins_back_to_back_slots():
    from cafpedia.experts.availability import on_line_until

    at_ten = utc(2026, 11, 23, 10, 0)  # Monday 10:00 in London
    until = on_line_until(MONDAY_MORNING, at_ten, {})
    assert (until.hour, until.minute) == (12, 30)
    assert describe_next(next_available(MONDAY_MORNING, at_ten, {}), at_ten, until) == "On the line until 12:30"
    joined = on_line_until(expert("Mon 09:00-12:00", "Mon 12:00-15:00", "Mon 16:00-17:00"), at_ten, {})
    assert (joined.hour, joined.minute) == (15, 0)
    late = on_line_until(expert("Mon 09:00-24:00"), at_ten, {})
    assert describe_next(at_ten, at_ten, late) == "On the line until midnight"
    assert on_line_until(MONDAY_MORNING, utc(2026, 11, 23, 13, 0), {}) is None


def test_the_spring_clock_change_skips_a_slot_in_the_missing_hour():
    # On Sunday 29 March 2026 the clocks go from 01:00 to 02:00: a 01:00-02:00 slot never happens.
    night = expert("Sun 01:00-02:00", "Sun 02:00-04:00")
    moment = next_available(night, utc(2026, 3, 28, 20, 0), {})
    assert (moment.date(), moment.hour, moment.minute, moment.utcoffset().seconds) == (date(2026, 3, 29), 2, 0, 3600)
    assert next_available(expert("Sun 01:00-02:00"), utc(2026, 3, 28, 20, 0), {}).date() == date(2026, 4, 5)
