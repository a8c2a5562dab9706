"""Time: the one source of "now" and "today" in CAFpedia.

Stored as naive UTC in the database, shown in the UK's local time. Nothing else in the
code asks the system for the time (ruff's DTZ rules refuse `date.today()` and
`datetime.now()` elsewhere), so tests can pin the clock with `frozen(...)` and a test
never depends on the day it runs.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from time import monotonic
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

# When pinned: (the pinned naive-UTC instant, the monotonic reading at pinning, ticking?)
_pinned: tuple[datetime, float, bool] | None = None


def _system_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def utcnow() -> datetime:
    """Now, as the naive UTC datetime that every *_at column stores."""
    if _pinned is None:
        return _system_now()
    at, since, ticking = _pinned
    return at + timedelta(seconds=monotonic() - since) if ticking else at


def now_london() -> datetime:
    """Now, in the UK's local time (aware)."""
    return to_london(utcnow())


def today() -> date:
    """Today's date in the UK: the date a person in a CAFCASS office would write."""
    return now_london().date()


def as_utc(value: datetime) -> datetime:
    """A datetime, aware or naive UTC, as naive UTC."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def pin(at: datetime, *, ticking: bool = True) -> None:
    """Pin the clock at `at` (aware, or naive UTC). Ticking, it moves on with real
    time from there, so ordering by time still works; otherwise it stands still."""
    global _pinned
    _pinned = (as_utc(at), monotonic(), ticking)


def unpin() -> None:
    global _pinned
    _pinned = None


def advance(**delta) -> None:
    """Move a pinned clock on, e.g. advance(days=6)."""
    global _pinned
    if _pinned is None:
        raise RuntimeError("the clock is not pinned")
    at, since, ticking = _pinned
    _pinned = (at + timedelta(**delta), since, ticking)


@contextmanager
def frozen(at: datetime, *, ticking: bool = True) -> Iterator[None]:
    previous = _pinned
    pin(at, ticking=ticking)
    try:
        yield
    finally:
        globals()["_pinned"] = previous


def to_london(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC).astimezone(LONDON)


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = to_london(value)
    return f"{local.day} {local:%b %Y, %H:%M}"


def format_date(value) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[date]:
    """England's bank holidays in this year, substitute days and one-off holidays included
    (from the `holidays` package, which follows the government's announcements; imported on
    first use: a worker that counts no working days does not hold its 4 MB)."""
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def working_days_between(start: date, end: date) -> int:
    """Working days (Monday to Friday, not bank holidays in England) after `start`, up to and
    including `end`: a proposal sent on Friday has waited 1 working day on Monday, 0 over the
    weekend, and still 0 on an Easter Monday."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5 + sum(1 for offset in range(1, rest + 1) if (start + timedelta(days=offset)).weekday() < 5)
    for year in range(start.year, end.year + 1):
        count -= sum(1 for day in bank_holidays(year) if start < day <= end and day.weekday() < 5)
    return count


def local_date(value: datetime) -> date:
    """The UK date of a stored (naive UTC) datetime."""
    return to_london(value).date()


def start_of_local_day(day: date) -> datetime:
    """Midnight at the start of this UK date, as naive UTC (for "since that date" queries)."""
    return as_utc(datetime(day.year, day.month, day.day, tzinfo=LONDON))


def first_of_month(day: date, back: int = 0) -> date:
    """The first day of `day`'s month, or of the month `back` months before it."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def add_months(start: date, months: int) -> date:
    """The same day `months` later (or the month's last day, when it has fewer): for review dates."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
