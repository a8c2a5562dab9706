"""The `cafpedia` command group (also `flask --app cafpedia ...`).

init, serve, load, export and create-user: a contract that other tools rely on. Each
command imports what it uses inside itself, on purpose: `cafpedia --help`, and the commands
scripts run often, start without loading every part of the application.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import inspect, select
from werkzeug.security import check_password_hash

from cafpedia.config import MIGRATIONS_DIR
from cafpedia.extensions import db


def main() -> None:
    cli = FlaskGroup(create_app=_create_app, help="CAFpedia: the practice knowledge base for CAFCASS.")
    cli.main(prog_name="cafpedia")


def _create_app() -> Flask:
    """The app, or a one-line error naming the setting that is wrong (no traceback)."""
    from cafpedia import create_app
    from cafpedia.config import ConfigError

    try:
        return create_app()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def init_app(app: Flask) -> None:
    for command in (
        init_command,
        serve_command,
        worker_command,
        send_mail_command,
        notify_due_command,
        load_command,
        export_command,
        create_user_command,
        invite_command,
        import_people_command,
        reviews_command,
        reindex_command,
        audit_group,
        record_command,
    ):
        app.cli.add_command(command)


# --- Installation -------------------------------------------------------------------------


def upgrade_database() -> None:
    """Create or upgrade the schema through the Alembic migrations."""
    from flask_migrate import upgrade

    upgrade(directory=str(MIGRATIONS_DIR))


def database_is_empty() -> bool:
    """No schema yet, or a schema that holds no content."""
    from cafpedia.accounts.models import User
    from cafpedia.areas.models import PracticeArea

    if not inspect(db.engine).has_table("alembic_version"):
        return True
    return (
        db.session.scalar(select(User.id).limit(1)) is None
        and db.session.scalar(select(PracticeArea.id).limit(1)) is None
    )


def initialise(load_demo: bool) -> None:
    upgrade_database()
    db.session.remove()
    from cafpedia.search import service as search

    if search.backend().status() in ("missing", "outdated"):
        _reindex(quiet=True)
    if not load_demo:
        click.echo("Database ready (no demo content loaded).")
        return
    if not database_is_empty():
        click.echo("Database ready; it already holds content, so the demo content was not loaded.")
        return
    content_dir = Path(current_app.config["CONTENT_DIR"])
    ctx = _load_or_exit(content_dir)
    click.echo(f"Database ready; loaded {content_dir}: {_describe(ctx)}.")
    _reindex(quiet=True)


def demo_sign_ins() -> list[tuple[str, str, str]]:
    """(username, roles, password) of active demo accounts whose demo password still works."""
    from cafpedia.accounts.models import User
    from cafpedia.content.yamlfiles import YamlProblem, read_yaml_file

    path = Path(current_app.config["CONTENT_DIR"]) / "users.yml"
    try:
        listed = read_yaml_file(path) if path.is_file() else []
    except YamlProblem:
        return []
    rows = []
    for item in listed or []:
        if not isinstance(item, dict) or not item.get("demo") or not item.get("password"):
            continue
        user = db.session.scalar(select(User).where(User.username == item.get("username")))
        if (
            user
            and user.active
            and user.demo
            and user.password_hash
            and check_password_hash(user.password_hash, str(item["password"]))
        ):
            rows.append((user.username, ", ".join(sorted(user.roles)), str(item["password"])))
    return rows


def print_demo_sign_ins() -> None:
    rows = demo_sign_ins()
    if not rows:
        return
    click.echo("\nDemo sign-ins (demo accounts: never use these in production):")
    width = max(len(r[0]) for r in rows)
    for username, roles, password in rows:
        click.echo(f"  {username.ljust(width)}  password: {password}   ({roles})")


@click.command("init")
@click.option("--no-demo", is_flag=True, help="Do not load the demo content from content/.")
@with_appcontext
def init_command(no_demo: bool) -> None:
    """Create or upgrade the database and load the demo content into an empty one."""
    initialise(load_demo=not no_demo)
    if not no_demo:
        print_demo_sign_ins()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--timeout",
    default=60,
    show_default=True,
    type=click.IntRange(5, 3600),
    help="Seconds before a stuck worker is restarted.",
)
@click.option(
    "--worker/--no-worker",
    "with_worker",
    default=True,
    show_default=True,
    help="Also run one `cafpedia worker` (mail, search, reminders) beside the web server.",
)
@with_appcontext
def serve_command(host: str, port: int, workers: int, timeout: int, with_worker: bool) -> None:
    """Run CAFpedia with gunicorn, initialising an empty database first."""
    _refuse_bad_settings("serve")
    if not inspect(db.engine).has_table("alembic_version"):
        initialise(load_demo=True)  # a brand-new database: set it up with the demo content
    else:
        upgrade_database()  # never loads demo accounts into a database set up with --no-demo
    print_demo_sign_ins()
    if db.engine.dialect.name == "postgresql" and not os.environ.get("CAFPEDIA_SECRET_KEY"):
        click.echo(
            "Note: CAFPEDIA_SECRET_KEY is not set, so this machine signs cookies with a key of its own "
            f"({current_app.instance_path}/secret_key). With several app machines, give them all the same "
            "CAFPEDIA_SECRET_KEY, or a person signed in on one is signed out on the next.",
            err=True,
        )
    db.session.remove()
    db.engine.dispose()  # workers open their own connections
    click.echo(f"\nCAFpedia is at http://{host}:{port}/  (Ctrl+C stops it)\n")
    from cafpedia.server import metrics_folder, run_gunicorn

    # Before the workers start: each process's metrics go to files that /metrics adds up.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_folder(current_app.instance_path)

    helper = (
        subprocess.Popen([sys.executable, "-m", "cafpedia.cli", "worker", "--exit-with-parent"])
        if with_worker
        else None
    )
    try:
        run_gunicorn(host=host, port=port, workers=workers, timeout=timeout, config=None)
    finally:
        if helper is not None:
            helper.terminate()
            helper.wait(timeout=30)


def _refuse_bad_settings(command: str) -> None:
    from cafpedia.worker import problems

    found = problems(current_app.config)
    if found:
        click.echo(f"cafpedia {command} will not start: " + " ".join(found), err=True)
        sys.exit(2)


# --- The work that follows the commit ----------------------------------------------------------


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
    _refuse_bad_settings("worker")
    from cafpedia import worker
    from cafpedia.core.observability import configure_logging

    configure_logging()  # what it did, as JSON lines like the server's
    worker.log.info("CAFpedia worker: mail, search and reminders every %g s (Ctrl+C stops it).", interval)
    worker.run(interval=interval, echo=worker.log.info, exit_with_parent=exit_with_parent)


@click.command("send-mail")
@with_appcontext
def send_mail_command() -> None:
    """Send the mail that is due now, once, and say what happened."""
    _refuse_bad_settings("send-mail")
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


# --- Content -------------------------------------------------------------------------------


def _describe(ctx) -> str:
    from cafpedia.content.loader import describe_counts

    return describe_counts(ctx)


def _refused(done: str, source: Path, problems) -> None:
    """An all-or-nothing command that wrote nothing: roll back, list every problem, exit 1."""
    db.session.rollback()
    click.echo(f"Nothing was {done}: {len(problems)} problem(s) in {source}:", err=True)
    for problem in problems:
        click.echo(f"  {problem}", err=True)
    sys.exit(1)


def _load_or_exit(directory: Path):
    from cafpedia.content.loader import ContentError, load_folder

    try:
        ctx = load_folder(directory, actor=None)
        db.session.commit()
    except ContentError as exc:
        _refused("loaded", directory, exc.problems)
    except BaseException:
        db.session.rollback()
        raise
    return ctx


@click.command("load")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def load_command(directory: Path) -> None:
    """Load a content folder: all or nothing, every problem reported."""
    ctx = _load_or_exit(directory)
    click.echo(f"Loaded {directory}: {_describe(ctx)}.")
    if ctx.warnings:
        click.echo(f"{len(ctx.warnings)} warning(s): loaded as written; worth a look:")
        for warning in ctx.warnings:
            click.echo(f"  {warning}")
    from cafpedia.search import service as search

    refreshed = search.drain(timeout=10.0)
    left = search.queue_length()
    click.echo(
        f"Search index: {refreshed} document(s) refreshed"
        + (f"; {left} still queued (run cafpedia reindex)." if left else ".")
    )


@click.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_command(directory: Path) -> None:
    """Write the whole knowledge base to a content folder."""
    from cafpedia.content.loader import export_folder

    written = export_folder(directory)
    click.echo(f"Exported {len(written)} file(s) to {directory}: {', '.join(written) or 'nothing to export'}.")


# --- Search -------------------------------------------------------------------------------


def _reindex(quiet: bool = False) -> int:
    from cafpedia.search import service as search
    from cafpedia.search.documents import count_documents

    total = count_documents()
    if quiet:
        count = search.rebuild()
    else:
        with click.progressbar(length=total, label="Indexing", show_pos=True) as bar:
            count = search.rebuild(progress=bar.update)
    if not quiet:
        click.echo(f"Search index rebuilt: {count} document(s).")
    return count


@click.command("reindex")
@click.option(
    "--check",
    is_flag=True,
    help="Only compare the index with the database: list what differs, exit 1 if anything does.",
)
@with_appcontext
def reindex_command(check: bool) -> None:
    """Rebuild the search index from the database (the database is the truth)."""
    if check:
        _check_index()
    else:
        _reindex()


def _check_index() -> None:
    from cafpedia.search import service as search
    from cafpedia.search.backends import SearchUnavailable

    try:
        found = search.check_index()
    except SearchUnavailable as exc:
        raise click.ClickException(f"cannot check the search index: {exc}") from exc
    for label, keys in (
        ("missing from the index", found.missing),
        ("in the index, gone from the database", found.extra),
        ("different in the index", found.differ),
    ):
        for key in keys:
            click.echo(f"{key}: {label}")
    if found.changed_meanwhile:
        click.echo(
            f"{len(found.changed_meanwhile)} document(s) changed while the check ran; they are queued, not drift: "
            + ", ".join(found.changed_meanwhile[:10])
            + (" …" if len(found.changed_meanwhile) > 10 else "")
        )
    if found.drift:
        click.echo(
            f"The search index differs from the database in {len(found.drift)} of {found.documents} document(s). "
            "`cafpedia reindex` rebuilds it.",
            err=True,
        )
        raise SystemExit(1)
    click.echo(f"The search index agrees with the database: {found.documents} document(s).")


# --- Tips --------------------------------------------------------------------------------


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


# --- Accounts ------------------------------------------------------------------------------


def _read_password() -> str:
    if sys.stdin is not None and not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.command("create-user")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, help="A role; repeat for several.")
@click.option("--area", "areas", multiple=True, help="An area of practice (slug); repeat for several.")
@click.option("--name", default=None, help="Full name (default: from the username).")
@click.option("--email", default="", help="Email address.")
@with_appcontext
def create_user_command(
    username: str, roles: tuple[str, ...], areas: tuple[str, ...], name: str | None, email: str
) -> None:
    """Create an account; the password is asked for, or read from standard input."""
    from cafpedia.accounts import people as accounts_people
    from cafpedia.core.errors import ValidationError

    name = name or " ".join(
        part.capitalize() for part in username.replace("_", ".").replace("-", ".").split(".") if part
    )
    password = _read_password()
    try:
        user = accounts_people.create_user(
            None, username=username, name=name, email=email, roles=roles, areas=areas, password=password
        )
        db.session.commit()
    except ValidationError as exc:
        db.session.rollback()
        for field, message in exc.errors.items():
            click.echo(f"Error: {field}: {message}", err=True)
        sys.exit(1)
    click.echo(f"Created {user.username} ({', '.join(sorted(user.roles))}).")


@click.command("invite")
@click.argument("username", required=False)
@click.option(
    "--all-without-password", is_flag=True, help="Invite every active person with an email address and no password."
)
@with_appcontext
def invite_command(username: str | None, all_without_password: bool) -> None:
    """Email a person (or everyone without a password) a one-time link to set their password."""
    from cafpedia.accounts import invitations
    from cafpedia.accounts.people import find_user
    from cafpedia.core.errors import ServiceError

    if bool(username) == all_without_password:
        raise click.UsageError("Give a USERNAME, or --all-without-password (not both).")
    try:
        if all_without_password:
            people = invitations.invite_all_without_password(None)
        else:
            person = find_user(username)
            if person is None:
                raise click.ClickException(f"There is no account called {username!r}.")
            invitations.invite(None, person)
            people = [person]
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.plainly()) from exc
    click.echo(
        f"Invited {len(people)} person(s): {', '.join(p.username for p in people) or 'nobody was without a password'}. "
        "The mail goes out with the next `cafpedia worker` round or `cafpedia send-mail`."
    )


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
    from cafpedia.core import as_at as dates
    from cafpedia.core.clock import format_date, today
    from cafpedia.core.pdf import PdfUnavailable
    from cafpedia.tips import as_at
    from cafpedia.tips.reading import find_tip

    tip = find_tip(slug.strip().lower())
    if tip is None:
        raise click.ClickException(f"There is no tip or guidance page at {slug!r}.")
    try:
        then = as_at.tip_as_at(tip, dates.parse_day(day, today()))
    except dates.AsAtError as exc:
        raise click.ClickException(str(exc)) from None
    if then.revision is None:
        raise click.ClickException(f"Nothing to record: on {format_date(then.day)} “{tip.title}” {then.status}.")
    try:
        pdf = as_at.record_pdf(then, None, produced_by="the command line")
    except PdfUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    out.write_bytes(pdf)
    db.session.commit()
    click.echo(
        f"Wrote {out}: “{then.revision.title}” as at {format_date(then.day)}, revision {then.revision.number}, "
        f"fingerprint {then.fingerprint()}."
    )


@click.command("import-people")
@click.argument("csv_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@with_appcontext
def import_people_command(csv_file: Path) -> None:
    """Create or update people from an HR export in CSV (username,name,email,roles,areas): all or nothing."""
    from cafpedia.accounts.people_csv import PeopleImportError, import_people

    try:
        text = csv_file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{csv_file} is not UTF-8 text (save the export as CSV UTF-8): {exc}") from exc
    try:
        done = import_people(None, text)
        db.session.commit()
    except PeopleImportError as exc:
        _refused("imported", csv_file, exc.problems)
    click.echo(
        f"Imported {csv_file}: {len(done.created)} new, {len(done.updated)} updated, {len(done.unchanged)} unchanged. "
        "New people have no password yet: `cafpedia invite --all-without-password` emails them a link."
    )


if __name__ == "__main__":
    main()
