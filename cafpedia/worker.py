"""`cafpedia worker`: the work that follows the commit, done continuously.

Each round: send the mail that is due, bring this machine's search index up to date, and
(once a minute) send review reminders, escalations and the daily summaries, prune the
search change log, forget one-time form keys older than a day, and count the searches people
made by day, area and meaning (purging, once a day, the searches older than 90 days and the
counts older than two years: search.demand.upkeep). Several workers may
run at once (on one machine or several): each message is claimed by one of them, each
reminder is marked once. Stopping one (SIGTERM, Ctrl+C) finishes the message in hand.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

from cafpedia.config import parse_escalate_days
from cafpedia.core import audit_chain, form_keys
from cafpedia.core.connection_loss import forget_session
from cafpedia.mail import outbox
from cafpedia.mail.settings import check
from cafpedia.notifications import jobs as notification_jobs
from cafpedia.search.demand.upkeep import upkeep as search_demand_upkeep
from cafpedia.search.follower import follower

log = logging.getLogger("cafpedia.worker")
JOBS_EVERY = 60.0


def problems(config) -> list[str]:
    """Why this app's settings would not work, for `serve` and `worker` to refuse to start."""

    found = check(config)
    try:
        parse_escalate_days(config.get("ESCALATE_DAYS"))
    except ValueError as exc:
        found.append(str(exc))
    return found


def run_round(*, jobs: bool, echo=None) -> None:

    if jobs:
        report = notification_jobs.run_due()
        if echo and (report.reminders or report.escalations or report.summaries):
            echo(f"reminders {report.reminders}, escalations {report.escalations}, daily summaries {report.summaries}")
        checked = audit_chain.verify_if_due()
        if echo and checked:
            echo(f"audit chain: {checked.message}")
    result = outbox.drain()
    if echo and (result.sent or result.deferred or result.failed):
        echo(
            f"mail: {result.sent} sent, {result.deferred} to retry, {result.failed} failed"
            + (f" ({result.error})" if result.error else "")
        )
    follower().drain(timeout=2.0)  # one query when this machine's index is up to date
    if jobs:
        follower().prune()
        form_keys.purge()
        rolled, purged = search_demand_upkeep()
        if echo and purged and (purged.events or purged.salts or purged.counts):
            echo(f"search demand: {purged.events} searches, {purged.salts} salts, {purged.counts} daily counts purged")


def run(
    *, interval: float = 1.0, echo=None, stop: threading.Event | None = None, exit_with_parent: bool = False
) -> None:
    stop = stop or threading.Event()
    parent = os.getppid()

    def ask_to_stop(signum, _frame):
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, ask_to_stop)
        signal.signal(signal.SIGINT, ask_to_stop)
    last_jobs = 0.0
    while not stop.is_set():
        if exit_with_parent and os.getppid() != parent:
            break  # started by `cafpedia serve`, which has gone: do not outlive it
        due = time.monotonic() - last_jobs >= JOBS_EVERY
        try:
            run_round(jobs=due, echo=echo)
            if due:
                last_jobs = time.monotonic()
        except Exception:  # a database that is down, say: the work stays in the outboxes
            log.exception("worker round failed; trying again shortly")
        finally:
            # Never raises: on a dead connection (PostgreSQL restarting) the rollback fails too,
            # and that must not end the worker.
            forget_session()
        stop.wait(interval)
