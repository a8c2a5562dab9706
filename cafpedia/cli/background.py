"""The work that follows the commit: `cafpedia worker`, `send-mail` and `notify-due`."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from cafpedia.cli.installation import refuse_bad_settings


@click.command("worker")
@click.option(
    "--interval", default=1.0, show_default=True, type=click.FloatRange(0.1, 60), help="Seconds between rounds."
)
@click.option(
    "--exit-with-parent", is_flag=True, hidden=True, help="Stop when the process that started it stops (for serve)."
)
@with_appcontext
def worker_command(interval: float, exit_with_parent: bool) -> None:
    """Send mail, update the search index and send reminders, continuously (Ctrl+C stops)."""
    refuse_bad_settings("worker")
    from cafpedia import worker
    from cafpedia.core.observability import configure_logging

    configure_logging()  # what it did, as JSON lines like the server's
    worker.log.info("CAFpedia worker: mail, search and reminders every %g s (Ctrl+C stops it).", interval)
    worker.run(interval=interval, echo=worker.log.info, exit_with_parent=exit_with_parent)


@click.command("send-mail")
@with_appcontext
def send_mail_command() -> None:
    """Send the mail that is due now, once, and say what happened."""
    refuse_bad_settings("send-mail")
    from cafpedia.mail import outbox

    result = outbox.drain()
    counts = outbox.counts()
    click.echo(
        f"Mail: {result.sent} sent, {result.deferred} to retry later, {result.failed} failed."
        + (f" The server: {result.error}." if result.error else "")
        + f" Outbox now: {counts['queued']} waiting, {counts['failed']} failed."
    )
    if result.error:
        sys.exit(1)


@click.command("notify-due")
@with_appcontext
def notify_due_command() -> None:
    """Send the review reminders, escalations and daily summaries that are due, once."""
    from cafpedia.notifications.jobs import run_due

    report = run_due()
    click.echo(
        f"Review reminders: {report.reminders}; escalations: {report.escalations}; daily summaries: {report.summaries}."
    )
