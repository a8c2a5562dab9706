"""Records and reviews: `cafpedia record` (a tip as at a day, as a PDF), `audit verify` (the
audit log's chain) and `reviews` (tips due for review)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from cafpedia.extensions import db


@click.command("reviews")
@click.option(
    "--days",
    default=30,
    show_default=True,
    type=click.IntRange(0, 3650),
    help="Also list tips due within this many days.",
)
@with_appcontext
def reviews_command(days: int) -> None:
    """Print the tips due or overdue for review, by area and lead manager."""
    from itertools import groupby

    from cafpedia.core import clock
    from cafpedia.tips.reviewing import due_for_review

    today = clock.today()
    tips = sorted(
        due_for_review(None, within_days=days, today=today), key=lambda t: (t.area.position, t.area.title, t.review_by)
    )
    if not tips:
        click.echo(f"No tip is overdue or due for review in the next {days} days.")
        return
    overdue = sum(t.review_by < today for t in tips)
    click.echo(f"{len(tips)} tip(s) due for review within {days} days, {overdue} overdue (today is {today:%d %B %Y}).")
    for area, items in groupby(tips, key=lambda t: t.area):
        lead = area.lead.name if area.lead else "no lead manager named"
        click.echo(f"\n{area.title} (lead manager: {lead})")
        for tip in items:
            state = "OVERDUE" if tip.review_by < today else "due"
            click.echo(f"  {tip.review_by:%Y-%m-%d}  {state:7}  {tip.title}  (/tips/{tip.slug})")


@click.group("audit")
def audit_group() -> None:
    """The audit log's hash chain."""


@audit_group.command("verify")
@with_appcontext
def audit_verify_command() -> None:
    """Check every audit entry against the hash chain; name the first that does not match."""
    from cafpedia.core import audit_chain
    from cafpedia.core.clock import format_datetime

    report = audit_chain.verify()
    row = audit_chain.record_verification(report)
    db.session.commit()
    if not report.intact:
        raise click.ClickException(f"The audit chain is broken: {report.message} (checked {format_datetime(row.at)})")
    click.echo(f"The audit chain is intact: {report.message} (checked {format_datetime(row.at)})")


@click.command("record")
@click.argument("slug")
@click.option(
    "--as-at",
    "day",
    required=True,
    help="The day, YYYY-MM-DD: the page as readers saw it at the end of that day (UK time).",
)
@click.option(
    "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The PDF file to write."
)
@with_appcontext
def record_command(slug: str, day: str, out: Path) -> None:
    """Write the record of a tip or guidance page as at a day, as a PDF: text, approval,
    checklist, standards, fingerprint."""
    from cafpedia.composed import tip_as_at as as_at
    from cafpedia.core import as_at as dates
    from cafpedia.core.clock import format_date, today
    from cafpedia.core.pdf import PdfUnavailable
    from cafpedia.tips.reading import find_tip

    tip = find_tip(slug.strip().lower())
    if tip is None:
        raise click.ClickException(f"There is no tip or guidance page at {slug!r}.")
    try:
        then = as_at.tip_as_at(tip, dates.parse_day(day, today()), None)  # the record of what readers saw
    except dates.AsAtError as exc:
        raise click.ClickException(str(exc)) from None
    if then.revision is None:
        raise click.ClickException(f"Nothing to record: on {format_date(then.day)} “{tip.title}” {then.status}.")
    try:
        pdf = as_at.record_pdf(then, None)
    except PdfUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    out.write_bytes(pdf)
    db.session.commit()
    click.echo(
        f"Wrote {out}: “{then.revision.title}” as at {format_date(then.day)}, revision {then.revision.number}, "
        f"fingerprint {then.fingerprint()} (read out as {then.short_fingerprint()})."
    )
