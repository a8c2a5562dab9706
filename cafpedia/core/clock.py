"""Time: stored as naive UTC in the database, shown in the UK's local time."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    """Now, as the naive UTC datetime that every *_at column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


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
