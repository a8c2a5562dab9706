"""Backups of the database itself: `cafpedia backup FILE` (SQLite's backup API, safe while
serving) and `cafpedia restore FILE` (refuses while CAFpedia runs; moves the database and its
leftover journals aside rather than letting SQLite replay them onto the backup; checks and
describes what it restored). On PostgreSQL both say what to use instead: pg_dump, pg_restore."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from cafpedia.extensions import db


def _sqlite_database(command: str) -> Path:
    """The SQLite file this installation uses, or a sentence naming the PostgreSQL tools."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        name = url.database or "cafpedia"
        if command == "backup":
            raise click.ClickException(
                f"This installation's database is PostgreSQL: back it up with pg_dump (safe while serving): "
                f"pg_dump --format=custom -d {name} -f cafpedia.dump"
            )
        raise click.ClickException(
            f"This installation's database is PostgreSQL: stop CAFpedia, restore with pg_restore "
            f"(pg_restore --clean --if-exists -d {name} cafpedia.dump), then run `cafpedia audit verify` and "
            "`cafpedia reindex`."
        )
    if not url.database or url.database == ":memory:":
        raise click.ClickException("This installation's SQLite database is in memory: there is no file to copy.")
    return Path(url.database).resolve()


def _described(facts) -> str:
    from cafpedia.core.clock import format_datetime

    newest = (
        f"its newest audit entry is “{facts.newest_audit_action}” at {format_datetime(facts.newest_audit_at)}"
        if facts.newest_audit_at
        else "it has no audit entry yet"
    )
    return (
        f"{facts.tips} tip(s) ({facts.published} published), {facts.accounts} account(s) and "
        f"{facts.audit_entries} audit entr{'y' if facts.audit_entries == 1 else 'ies'}; {newest}"
    )


@click.command("backup")
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(backup_file: Path) -> None:
    """Copy the SQLite database into FILE, a new file (safe while CAFpedia serves)."""
    from cafpedia.ops import backups

    database = _sqlite_database("backup")
    try:
        facts = backups.back_up(database, backup_file)
    except backups.BackupRefused as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"The backup could not be written: {exc}.") from None
    click.echo(f"Backed up {database} to {backup_file} ({facts.size:,} bytes, schema revision {facts.revision}).")
    click.echo(f"It holds {_described(facts)}.")
    click.echo(
        f"Restore it with `cafpedia restore {backup_file}`. Keep the instance folder's secret_key (or your "
        "CAFPEDIA_SECRET_KEY) with it, or everyone is signed out after a restore."
    )


@click.command("restore")
@click.argument("backup_file", type=click.Path(path_type=Path))
@click.option(
    "--accept-broken-audit-chain",
    is_flag=True,
    help="Restore even if the backup's audit chain does not verify (it is reported).",
)
@with_appcontext
def restore_command(backup_file: Path, accept_broken_audit_chain: bool) -> None:
    """Replace the SQLite database with FILE, a backup: with CAFpedia stopped, the database and
    its leftover journals are moved aside (not deleted); the result is checked and described."""
    from cafpedia.core.clock import utcnow
    from cafpedia.ops import backups

    database = _sqlite_database("restore")
    db.session.remove()
    db.engine.dispose()  # no connection of this process on the database it replaces
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    try:
        facts = backups.check_backup(backup_file)
        moved = backups.restore(backup_file, database, stamp)
    except backups.BackupRefused as exc:
        raise click.ClickException(f"{exc} Nothing was changed.") from None
    except OSError as exc:  # a folder it may not write in, a full disk
        raise click.ClickException(f"The backup could not be copied in: {exc}. Nothing was changed.") from None
    try:
        checked = _check_restored(facts.revision, accept_broken_audit_chain)
    except BaseException as exc:
        db.session.remove()
        db.engine.dispose()
        backups.put_back(database, moved)
        if isinstance(exc, backups.BackupRefused):
            raise click.ClickException(f"{exc} Nothing was changed: the database is back as it was.") from None
        raise
    db.session.remove()
    db.engine.dispose()
    restored = backups.describe(database)
    click.echo(f"Restored {database} from {backup_file}.")
    click.echo(f"It holds {_described(restored)}.")
    for line in checked:
        click.echo(line)
    if moved:
        click.echo("The files it replaced were moved aside, not deleted (changes made after the backup are there):")
        for old, new in moved:
            click.echo(f"  {old.name} -> {new}")
    _rebuild_search_index()
    click.echo("Start CAFpedia again: `cafpedia serve`.")


def _check_restored(revision: str, accept_broken_audit_chain: bool) -> list[str]:
    """Upgrade the restored database to this version's schema, check it, verify its audit chain."""
    from sqlalchemy import text

    from cafpedia.cli.installation import upgrade_database
    from cafpedia.core import audit_chain
    from cafpedia.ops.backups import BackupRefused, known_revisions

    lines = []
    _known, head = known_revisions()
    if revision != head:
        upgrade_database()
        db.session.remove()
        lines.append(f"Its schema (revision {revision}) was upgraded to this version's ({head}).")
    problems = [row[0] for row in db.session.execute(text("PRAGMA integrity_check(5)"))]
    if problems != ["ok"]:
        raise BackupRefused("The restored database failed SQLite's integrity check: " + "; ".join(problems) + ".")
    lines.append("SQLite's integrity check: ok.")
    report = audit_chain.verify()
    if not report.intact and not accept_broken_audit_chain:
        raise BackupRefused(
            f"The backup's audit chain is broken: {report.message}. To restore it all the same, run the "
            "command again with --accept-broken-audit-chain."
        )
    audit_chain.record_verification(report)
    db.session.commit()
    lines.append(f"The audit chain is {'intact' if report.intact else 'BROKEN'}: {report.message}")
    return lines


def _rebuild_search_index() -> None:
    """The index still holds what the replaced database held: rebuild it from the restored one."""
    from cafpedia.cli.search import reindex_all

    try:
        count = reindex_all(quiet=True)
    except Exception as exc:  # the restore stands; the index can be rebuilt later
        click.echo(f"The search index could not be rebuilt ({exc}): run `cafpedia reindex`.", err=True)
    else:
        click.echo(f"Search index rebuilt from the restored database: {count} document(s).")
