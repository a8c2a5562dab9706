"""Installing and serving: `cafpedia init` (the database to the newest migration, the demo
content, the sign-ins to try) and `cafpedia serve` (gunicorn, with the worker beside it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect, select
from werkzeug.security import check_password_hash

from cafpedia.cli.content import describe_load, load_or_exit
from cafpedia.cli.search import reindex_all
from cafpedia.config import MIGRATIONS_DIR
from cafpedia.extensions import db


def init_migrations(app: Flask) -> None:
    """Flask-Migrate on the app (its `cafpedia db` commands, and upgrade_database), for the
    command line only: a web worker never imports Alembic and Mako (about 20 MB resident)."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate

        Migrate(render_as_batch=True, compare_type=True).init_app(app, db, directory=str(MIGRATIONS_DIR))


def upgrade_database() -> None:
    """Create or upgrade the schema through the Alembic migrations."""
    from flask_migrate import upgrade

    init_migrations(current_app)
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
    from cafpedia.search.follower import follower

    if follower().backend.status() in ("missing", "outdated"):
        reindex_all(quiet=True)
    if not load_demo:
        click.echo("Database ready (no demo content loaded).")
        return
    if not database_is_empty():
        click.echo("Database ready; it already holds content, so the demo content was not loaded.")
        return
    content_dir = Path(current_app.config["CONTENT_DIR"])
    ctx = load_or_exit(content_dir)
    click.echo(f"Database ready; loaded {content_dir}: {describe_load(ctx)}.")
    reindex_all(quiet=True)


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
    refuse_bad_settings("serve")
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
        subprocess.Popen([sys.executable, "-m", "cafpedia", "worker", "--exit-with-parent"]) if with_worker else None
    )
    try:
        run_gunicorn(host=host, port=port, workers=workers, timeout=timeout, config=None)
    finally:
        if helper is not None:
            helper.terminate()
            helper.wait(timeout=30)


def refuse_bad_settings(command: str) -> None:
    from cafpedia.worker import problems

    found = problems(current_app.config)
    if found:
        click.echo(f"cafpedia {command} will not start: " + " ".join(found), err=True)
        sys.exit(2)
