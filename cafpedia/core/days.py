"""Dates as people type them, or as a date picker sends them (YYYY-MM-DD), read strictly, with
messages that say what is wrong: nothing entered, something that is not a date, or a day that
does not exist ("31 February 2027 is not a real date"). A date picker sends nothing for a date
it cannot read (half typed, or impossible), so an empty value says "Enter a date" where one is
needed, and means "not given" where the field is optional."""

from __future__ import annotations

import calendar
import re
from datetime import date

from wtforms import DateField

DAY_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
EXAMPLE = "for example 2026-03-03"
ENTER_A_DATE = f"Enter a date, as YYYY-MM-DD ({EXAMPLE}), or pick one."


class DayError(ValueError):
    """A value that is not a date; the message says why."""


def read_day(value: str | None) -> date | None:
    """The date written as YYYY-MM-DD; None if nothing was written; DayError if it is not a date."""
    text = (value or "").strip()
    if not text:
        return None
    match = DAY_RE.match(text)
    if not match:
        raise DayError(f"“{text[:20]}” is not a date: write it as YYYY-MM-DD, {EXAMPLE}.")
    year, month, day = (int(part) for part in match.groups())
    if year < 1:
        raise DayError(f"{text} is not a real date: there is no year 0.")
    if not 1 <= month <= 12:
        raise DayError(f"{text} is not a real date: there is no month {month}; write it as YYYY-MM-DD, {EXAMPLE}.")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        month_name = calendar.month_name[month]
        raise DayError(
            f"{day} {month_name} {year} is not a real date: {month_name} {year} has {last} days."
            if day > last
            else f"{text} is not a real date: there is no day 0."
        )
    return date(year, month, day)


def required_day(value: str | None) -> date:
    """As read_day, and an empty value is a problem too."""
    day = read_day(value)
    if day is None:
        raise DayError(ENTER_A_DATE)
    return day


class DayField(DateField):
    """A date field (a date picker) whose refusals say what is wrong: not a date, or a day
    that does not exist. Empty is None: an optional field left empty, or a required one the
    service names."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = read_day(" ".join(valuelist))
        except DayError as exc:
            self.data = None
            raise ValueError(str(exc)) from None
