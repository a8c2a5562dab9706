""" "As at" a date: the day a reader asks about, read strictly, and the moment it ends.

A page "as at" a day is what readers saw at the end of that day, UK time. Each domain works
out its own (composed/tip_as_at.py, digest/as_at.py, legal/as_at.py) from its append-only records.
A record carries the fingerprint of the text it shows (`fingerprint`), printed whole on one
line so that it copies as one string, with its short form (`short_form`) to read aloud.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta

from flask import render_template, request

from cafpedia.core.clock import start_of_local_day, today
from cafpedia.core.days import DayError, required_day

EARLIEST = date(1990, 1, 1)


class AsAtError(ValueError):
    """A date that cannot be looked at; the message says why."""


def parse_day(value: str | None, today: date) -> date:
    """YYYY-MM-DD, a real date, not in the future."""
    try:
        day = required_day(value)
    except DayError as exc:
        raise AsAtError(str(exc)) from None
    if day > today:
        raise AsAtError(f"{day:%d %B %Y} is in the future: CAFpedia can show how a page read on any day up to today.")
    if day < EARLIEST:
        raise AsAtError(f"CAFpedia has no record before {EARLIEST:%Y}.")
    return day


def end_of(day: date) -> datetime:
    """The end of this UK day, as naive UTC: what happened before it counts."""
    return start_of_local_day(day + timedelta(days=1))


def fingerprint(metadata: dict, text: str) -> str:
    """SHA-256 of a published text and its details, written one way (format 1): the details as
    JSON with sorted keys and no spaces, a newline, then the text."""
    written = json.dumps(metadata, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str) + "\n" + text
    return hashlib.sha256(written.encode("utf-8")).hexdigest()


def short_form(fingerprint: str) -> str:
    """A fingerprint's first 12 hex digits in groups of four ("3545 4c0e d62a"): what people
    read out to each other. Only the whole value identifies a text; this only finds it."""
    return " ".join(fingerprint[i : i + 4] for i in range(0, 12, 4))


def requested_day(template: str, **context):
    """(the day in ?as_at=, None), or (None, the page `template` saying what is wrong, 400).
    The template gets `then=None`, `problem` and `value` (what was typed)."""
    value = request.args.get("as_at", "")
    try:
        return parse_day(value, today()), None
    except AsAtError as exc:
        return None, (render_template(template, then=None, problem=str(exc), value=value[:10], **context), 400)
