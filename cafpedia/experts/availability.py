"""When an expert can take calls: weekly slots such as "Mon 09:30-12:30", in the UK's local time,
and the register administrator's rota, which replaces the slots on any day it sets.

Pure functions over plain values, so "available now" can be tested at any moment of the week.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from cafpedia.core.clock import LONDON

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY_WORDS = (
    {name.lower(): n for n, name in enumerate(DAY_NAMES)}
    | {d.lower(): n for n, d in enumerate(DAYS)}
    | {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}
)
SLOT_RE = re.compile(r"^\s*([A-Za-z]+)\.?\s+(\S+?)\s*(?:-|–|to)\s*(\S+)\s*$")
HOURS_RE = re.compile(r"^\s*(\S+?)\s*(?:-|–|to)\s*(\S+)\s*$")
TIME_RE = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?(am|pm)?$")
AM_PM_SPACE = re.compile(r"(\d)\s+([ap]\.?m\.?)", re.I)  # "9 am" is read as "9am"
EXAMPLE = "Mon 09:30-12:30"


class SlotError(ValueError):
    """A slot or hours that cannot be read; the message says what is wrong."""


@dataclass(frozen=True, order=True)
class Slot:
    day: int  # 0 = Monday
    starts: int  # minutes after midnight
    ends: int

    def __str__(self) -> str:
        return f"{DAYS[self.day]} {hhmm(self.starts)}-{hhmm(self.ends)}"


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _read_time(text: str, *, end: bool = False) -> tuple[int, bool]:
    """Minutes after midnight, and whether the time may be the afternoon's: a bare hour written
    without a leading zero or am/pm (the 5 in "9-5"). Written as people write them: 09:30, 9.30,
    9, 9am, 12.30pm, noon."""
    word = text.strip().lower().replace(".m.", "m").replace(" ", "")
    if word in ("noon", "midday"):
        return 12 * 60, False
    match = TIME_RE.match(word)
    if not match:
        raise SlotError(f"{text!r} is not a time: write it as 09:30, 9.30 or 9.30am")
    hours, minutes, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if minutes > 59:
        raise SlotError(f"{text} is not a time of day: minutes go up to 59")
    if half:
        if not 1 <= hours <= 12:
            raise SlotError(f"{text} is not a time of day: with am or pm, the hour is 1 to 12")
        hours = hours % 12 + (12 if half == "pm" else 0)
        if end and hours == 0 and minutes == 0:
            hours = 24  # "to 12am": midnight at the end of the day
        return hours * 60 + minutes, False
    if hours > 24 or (hours == 24 and (minutes or not end)):
        raise SlotError(
            f"{text} is not a time of day: use 00:00 to 23:59" + (" (or 24:00 for midnight at the end)" if end else "")
        )
    return hours * 60 + minutes, hours < 12 and not match.group(1).startswith("0")


def parse_hours(text: str) -> tuple[int, int]:
    """("09:30-12:30") -> (570, 750); so do "9.30-12.30", "9.30am to 12.30pm" and "9.30–12.30".
    A bare end hour earlier than the start is the afternoon's: "9-5" is 09:00-17:00."""
    match = HOURS_RE.match(AM_PM_SPACE.sub(r"\1\2", text or ""))
    if not match:
        raise SlotError(
            f"{(text or '').strip()!r} is not a time range: write it as 09:30-12:30, 9.30-12.30 or 9.30am-12.30pm"
        )
    starts, _ = _read_time(match.group(1))
    ends, afternoon = _read_time(match.group(2), end=True)
    if ends <= starts and afternoon and ends + 12 * 60 > starts:
        ends += 12 * 60
    if ends <= starts:
        raise SlotError(f"{text.strip()} ends before it starts: the end time must be later than the start")
    return starts, ends


@lru_cache(maxsize=4096)  # the same few slot texts are read for every expert, every day looked at
def parse_slot(text: str) -> Slot:
    match = SLOT_RE.match(AM_PM_SPACE.sub(r"\1\2", text or ""))
    if not match:
        raise SlotError(f"“{(text or '').strip()}” is not a slot: write a day and a time range, such as {EXAMPLE}")
    day = _DAY_WORDS.get(match.group(1).lower())
    if day is None:
        raise SlotError(
            f"“{text.strip()}”: {match.group(1)} is not a day of the week (Mon, Tue, Wed, Thu, Fri, Sat or Sun)"
        )
    try:
        starts, ends = parse_hours(f"{match.group(2)}-{match.group(3)}")
    except SlotError as exc:
        raise SlotError(f"“{text.strip()}”: {exc}") from None
    return Slot(day, starts, ends)


def parse_slots(texts) -> tuple[list[Slot], list[str]]:
    """The slots, in week order, and a message for each that is malformed or overlaps another."""
    slots, problems = [], []
    for text in texts:
        if not (text or "").strip():
            continue
        try:
            slot = parse_slot(text)
        except SlotError as exc:
            problems.append(str(exc))
            continue
        clash = next((s for s in slots if s.day == slot.day and s.starts < slot.ends and slot.starts < s.ends), None)
        if clash:
            problems.append(f"“{slot}” overlaps “{clash}”: join them into one slot")
            continue
        slots.append(slot)
    return sorted(slots), problems


def slots_of(expert) -> list[Slot]:
    """An expert's stored slots (always valid: they were checked when saved)."""
    return sorted(parse_slot(text) for text in expert.availability or [])


# --- The rota -----------------------------------------------------------------------------


@dataclass
class RotaPlan:
    """One day the administrator has set: closed, or these hours for these experts."""

    closed: bool = False
    note: str = ""
    shifts: dict[int, tuple[int, int]] = field(default_factory=dict)  # expert id -> (starts, ends)


Rota = dict  # date -> RotaPlan


def is_away(expert, day: date) -> bool:
    if expert.away_until is None or day > expert.away_until:
        return False
    return expert.away_from is None or day >= expert.away_from


def hours_on(expert, day: date, rota: Rota) -> list[tuple[int, int]]:
    """The hours (minutes after midnight) an expert takes calls on a day."""
    if not expert.active or is_away(expert, day):
        return []
    plan = rota.get(day)
    if plan is not None:
        if plan.closed or expert.id not in plan.shifts:
            return []
        return [plan.shifts[expert.id]]
    return [(s.starts, s.ends) for s in slots_of(expert) if s.day == day.weekday()]


def local(now: datetime) -> datetime:
    """An aware datetime (or naive UTC) as the UK's local time."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(LONDON)


def available_now(expert, now: datetime, rota: Rota) -> bool:
    here = local(now)
    minute = here.hour * 60 + here.minute
    return any(starts <= minute < ends for starts, ends in hours_on(expert, here.date(), rota))


def next_available(expert, now: datetime, rota: Rota, *, days: int = 14) -> datetime | None:
    """When the expert is next on the line (now, if they are), in local time; None if not in `days` days."""
    here = local(now)
    minute = here.hour * 60 + here.minute
    for offset in range(days + 1):
        day = here.date() + timedelta(days=offset)
        for starts, ends in sorted(hours_on(expert, day, rota)):
            if offset == 0 and ends <= minute:
                continue
            if offset == 0 and starts <= minute:
                return here.replace(second=0, microsecond=0)
            # A time the spring clock change skips (01:30 on its Sunday) becomes the next one that exists.
            moment = (
                datetime(day.year, day.month, day.day, starts // 60, starts % 60, tzinfo=LONDON)
                .astimezone(UTC)
                .astimezone(LONDON)
            )
            if moment.date() != day or moment.hour * 60 + moment.minute >= ends:
                continue
            return moment
    return None


def on_line_until(expert, now: datetime, rota: Rota) -> datetime | None:
    """When the stretch on the line the expert is in now ends (back-to-back slots join), in
    local time; None if they are not on the line now."""
    here = local(now)
    minute = here.hour * 60 + here.minute
    until = None
    for starts, ends in sorted(hours_on(expert, here.date(), rota)):
        if until is None and starts <= minute < ends:
            until = ends
        elif until is not None and starts <= until:
            until = max(until, ends)
    if until is None:
        return None
    if until >= 24 * 60:
        return datetime(here.year, here.month, here.day, tzinfo=LONDON) + timedelta(days=1)
    return here.replace(hour=until // 60, minute=until % 60, second=0, microsecond=0)


def minutes_in_week(expert, monday: date, rota: Rota) -> int:
    return sum(
        ends - starts for offset in range(7) for starts, ends in hours_on(expert, monday + timedelta(days=offset), rota)
    )


def describe_next(moment: datetime | None, now: datetime, until: datetime | None = None) -> str:
    """ "On the line until 12:30", "Today from 13:30", "Tomorrow from 09:30", "Thu 27 Nov from 09:30"."""
    if moment is None:
        return "Not on the line in the next two weeks"
    here = local(now)
    if moment <= here:
        if until is None:
            return "Available now"
        return "On the line until midnight" if until.date() > here.date() else f"On the line until {until:%H:%M}"
    when = moment.date()
    if when == here.date():
        return f"Today from {moment:%H:%M}"
    if when == here.date() + timedelta(days=1):
        return f"Tomorrow from {moment:%H:%M}"
    return f"{DAYS[when.weekday()]} {when.day} {when:%b} from {moment:%H:%M}"
