"""Readings counted: each tip's `views`, and the UK day it was last read (`last_viewed_on`).

A write for every page view would make every reader a writer: on SQLite each waits its turn for
the database's one write lock (the busy handler sleeps between tries), on PostgreSQL each
commits and flushes the log, and the tip page served at a few per cent of what the machine can.
So each process adds its readings up in memory and writes them together: at most every
FLUSH_EVERY seconds (in the request that finds them due, in one statement) and when the process
exits. The first reading of a tip on a UK day in each process is written at once, with the day, so "nobody has
opened it in a year" never misses one. A process killed outright (SIGKILL, a power cut) loses
at most FLUSH_EVERY seconds of counts; never a day.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections import Counter
from datetime import date

from flask import Flask, current_app
from sqlalchemy import bindparam, update

from cafpedia.core import clock
from cafpedia.core.content_version import NOT_CONTENT_OPTION
from cafpedia.extensions import db
from cafpedia.tips.models import Tip

log = logging.getLogger(__name__)

EXTENSION = "cafpedia_readings"
FLUSH_EVERY = 5.0  # seconds
QUIET = {NOT_CONTENT_OPTION: True}  # a count changes nothing a kept page shows


class Readings:
    """One app's readings not yet written, in this process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: Counter[int] = Counter()
        self.days: dict[int, date] = {}  # each tip's last day of reading this process wrote
        self.flushed_at = time.monotonic()

    def take(self) -> dict[int, int]:
        with self.lock:
            taken, self.pending = dict(self.pending), Counter()
            self.flushed_at = time.monotonic()
        return taken

    def due(self) -> bool:
        return bool(self.pending) and time.monotonic() - self.flushed_at >= FLUSH_EVERY


def _readings() -> Readings:
    app = current_app._get_current_object()
    found = app.extensions.get(EXTENSION)
    if found is None:
        found = app.extensions[EXTENSION] = Readings()
        ref = weakref.ref(app)
        atexit.register(lambda: _flush_at_exit(ref))
    return found


def count_reading(tip_id: int, last_viewed_on: date | None = None) -> bool:
    """Count one reading of the tip (the caller commits). The day's first in this process is
    written at once, with the day; the others are added up and written with the rest when due.
    `last_viewed_on` is the day the caller last saw recorded (it may be older than the
    database's: a page kept since yesterday), so at worst the day is written once more.
    True when it wrote something (for the caller to commit)."""
    readings = _readings()
    today = clock.today()
    if readings.days.get(tip_id, last_viewed_on) != today:
        db.session.execute(
            update(Tip)
            .where(Tip.id == tip_id)
            .values(views=Tip.views + 1, last_viewed_on=today)
            .execution_options(**QUIET)
        )
        readings.days[tip_id] = today
        wrote = True
    else:
        with readings.lock:
            readings.pending[tip_id] += 1
        wrote = False
    if readings.due():
        wrote = bool(write_pending()) or wrote
    return wrote


def write_pending() -> int:
    """Write every reading this process has added up (the caller commits); how many tips."""
    counts = _readings().take()
    if counts:
        table = Tip.__table__
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("tip"))
            .values(views=table.c.views + bindparam("n"))
            .execution_options(**QUIET),
            [{"tip": tip_id, "n": n} for tip_id, n in counts.items()],
        )
    return len(counts)


def _flush_at_exit(ref) -> None:
    app: Flask | None = ref()
    if app is None or not app.extensions.get(EXTENSION) or not app.extensions[EXTENSION].pending:
        return
    try:
        with app.app_context():
            write_pending()
            db.session.commit()
    except Exception as exc:  # a database gone before the process: those counts are lost, and said so
        log.warning("readings counted since the last write were not written at exit: %s", type(exc).__name__)
