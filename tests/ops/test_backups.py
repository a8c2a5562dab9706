"""`cafpedia backup` and `cafpedia restore` on SQLite: a backup taken while serving, changes
after it, the server killed (its -wal and -shm left behind), then the restore: the database
is the backup, not the crash; the old files are kept aside; every refusal changes nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import select

from cafpedia.areas.models import PracticeArea
from cafpedia.core import audit
from cafpedia.extensions import db
from tests.conftest import base_config

# A CAFpedia process holding the database open, as `cafpedia serve` does: it makes a practice
# area for each line it reads, and says so.
HOLDER = """
import json, sys
from sqlalchemy import text
from cafpedia import create_app
from cafpedia.areas import services
from cafpedia.extensions import db

app = create_app(json.loads(sys.argv[1]))
with app.app_context():
    db.session.execute(text("SELECT 1"))
    db.session.commit()  # the pool keeps the connection open
    print("serving", flush=True)
    for line in sys.stdin:
        services.create_area(None, slug=line.strip(), title=line.strip(), summary="", lead=None, deputies=[])
        db.session.commit()
        print("changed", flush=True)
"""


@pytest.fixture
def sqlite_app(app, make_area):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("backing up and restoring a SQLite file")
    make_area("before-backup", "Before backup")
    audit.record(None, "area.create", "area", "before-backup", summary="An entry for the chain.")
    db.session.commit()
    return app


def database_path(app) -> Path:
    return Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))


def let_go(app) -> None:
    """This process's connections closed, as between two commands."""
    db.session.remove()
    db.engine.dispose()


class Holder:
    def __init__(self, app, tmp_path: Path):
        config = base_config(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"])
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout.readline().strip() == "serving"

    def add_area(self, slug: str) -> None:
        self.process.stdin.write(slug + "\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "changed"

    def kill(self) -> None:  # kill -9: no chance to close anything
        self.process.kill()
        self.process.wait()
        self.process.stdin.close()
        self.process.stdout.close()


@pytest.fixture
def holder(sqlite_app, tmp_path):
    let_go(sqlite_app)
    found = Holder(sqlite_app, tmp_path)
    yield found
    if found.process.poll() is None:
        found.kill()


def area_slugs() -> set[str]:
    db.session.remove()
    return set(db.session.scalars(select(PracticeArea.slug)))


def slugs_in(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {row[0] for row in conn.execute("SELECT slug FROM practice_areas")}


def test_restore_after_a_crash_gives_the_backup_not_the_crash(sqlite_app, holder, runner, tmp_path):
    database = database_path(sqlite_app)
    backup = tmp_path / "cafpedia-backup.sqlite3"
    made = runner.invoke(args=["backup", str(backup)])  # while the "server" holds the database
    assert made.exit_code == 0, made.output
    assert f"Backed up {database} to {backup}" in made.output and "2 audit entries" in made.output
    holder.add_area("after-backup")
    holder.kill()
    wal = Path(f"{database}-wal")
    assert wal.exists() and wal.stat().st_size > 0 and Path(f"{database}-shm").exists()

    # The README's old way: the backup copied over the database, the crash's -wal beside it.
    # SQLite replays that log onto the copy, and the change made after the backup is back.
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    shutil.copy(backup, scratch / "cafpedia.sqlite3")
    shutil.copy(wal, scratch / "cafpedia.sqlite3-wal")
    shutil.copy(f"{database}-shm", scratch / "cafpedia.sqlite3-shm")
    assert "after-backup" in slugs_in(scratch / "cafpedia.sqlite3")

    restored = runner.invoke(args=["restore", str(backup)])
    assert restored.exit_code == 0, restored.output
    out = restored.output
    assert f"Restored {database} from {backup}." in out
    assert "SQLite's integrity check: ok." in out and "The audit chain is intact" in out
    assert "2 audit entries" in out and "“area.create”" in out
    assert "Search index rebuilt" in out
    stamp = "20261123T1000"  # the pinned clock
    aside = sorted(database.parent.glob(f"{database.name}.replaced-{stamp}*"))
    assert [p.name[len(database.name) :].split("Z", 1)[1] for p in aside] == ["", "-shm", "-wal"]
    for path in aside:
        assert str(path) in out
    assert area_slugs() == {"before-backup"}  # the backup, not the crash
    # Nothing is lost: the old database with its log still holds the change.
    let_go(sqlite_app)
    assert "after-backup" in slugs_in(aside[0])


def snapshot(database: Path) -> dict[str, str]:
    """The database's files and their contents, to show that nothing changed."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(database.parent.iterdir())
        if path.name.startswith(database.name)
    }


@pytest.fixture
def untouched(sqlite_app):
    """The database's files before, checked unchanged after the test."""
    database = database_path(sqlite_app)
    let_go(sqlite_app)
    before = snapshot(database)
    yield database
    let_go(sqlite_app)
    assert snapshot(database) == before
    assert area_slugs() == {"before-backup"}


def a_backup(runner, tmp_path: Path, name: str = "backup.sqlite3") -> Path:
    path = tmp_path / name
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    return path


def refused(runner, path: Path, *args: str) -> str:
    result = runner.invoke(args=["restore", str(path), *args])
    assert result.exit_code == 1, result.output
    assert "Nothing was changed" in result.output
    return result.output


def test_restore_refuses_what_is_not_a_cafpedia_backup(sqlite_app, untouched, runner, tmp_path):
    assert f"There is no file at {tmp_path / 'missing.sqlite3'}." in refused(runner, tmp_path / "missing.sqlite3")
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database at all\n" * 100)
    assert "is not a SQLite database" in refused(runner, notes)

    other = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
    assert "is a SQLite database, but not a CAFpedia one" in refused(runner, other)

    future = a_backup(runner, tmp_path, "future.sqlite3")
    with closing(sqlite3.connect(future)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
        conn.commit()
    assert "schema revision 0099_from_the_future, which this version of CAFpedia does not know" in refused(
        runner, future
    )

    damaged = a_backup(runner, tmp_path, "damaged.sqlite3")
    data = bytearray(damaged.read_bytes())
    page = 4096
    for start in range(page * 2, len(data) - page, page * 3):  # garbage over every third page
        data[start + 8 : start + 200] = b"\xff" * 192
    damaged.write_bytes(bytes(data))
    assert f"{damaged} is damaged" in refused(runner, damaged)

    in_use = a_backup(runner, tmp_path, "in-use.sqlite3")
    Path(f"{in_use}-wal").write_bytes(b"x" * 100)
    assert "has a journal beside it (in-use.sqlite3-wal)" in refused(runner, in_use)


def test_restore_refuses_while_cafpedia_holds_the_database(sqlite_app, runner, tmp_path):
    backup = a_backup(runner, tmp_path)
    database = database_path(sqlite_app)
    let_go(sqlite_app)
    running = Holder(sqlite_app, tmp_path)
    try:
        before = snapshot(database)
        output = refused(runner, backup)
        assert "is open in a running CAFpedia" in output and "stop them, then restore" in output
        assert snapshot(database) == before
    finally:
        running.kill()


def test_a_backup_whose_audit_chain_is_broken_is_put_back_unless_accepted(sqlite_app, runner, tmp_path):
    database = database_path(sqlite_app)
    tampered = a_backup(runner, tmp_path)
    with closing(sqlite3.connect(tampered)) as conn:
        conn.execute("UPDATE audit_entries SET summary = 'Rewritten afterwards.'")
        conn.commit()
    let_go(sqlite_app)
    before = snapshot(database)
    output = refused(runner, tampered)
    assert "The backup's audit chain is broken" in output and "--accept-broken-audit-chain" in output
    assert "the database is back as it was" in output
    let_go(sqlite_app)
    assert snapshot(database) == before
    accepted = runner.invoke(args=["restore", str(tampered), "--accept-broken-audit-chain"])
    assert accepted.exit_code == 0, accepted.output
    assert "The audit chain is BROKEN" in accepted.output


def test_backup_never_overwrites(sqlite_app, runner, tmp_path):
    existing = tmp_path / "existing.sqlite3"
    existing.write_text("keep me")
    result = runner.invoke(args=["backup", str(existing)])
    assert result.exit_code == 1 and "already exists: a backup never overwrites a file" in result.output
    assert existing.read_text() == "keep me"


def test_on_postgresql_the_commands_name_pg_dump_and_pg_restore(app, runner, tmp_path):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL's own tools")
    backup = runner.invoke(args=["backup", str(tmp_path / "b.dump")])
    assert backup.exit_code == 1 and "pg_dump --format=custom" in backup.output
    restore = runner.invoke(args=["restore", str(tmp_path / "b.dump")])
    assert restore.exit_code == 1 and "pg_restore --clean --if-exists" in restore.output
    assert not (tmp_path / "b.dump").exists()


def test_a_backup_from_the_version_before_is_upgraded_as_it_is_restored(sqlite_app, runner, tmp_path):
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade

    from cafpedia import create_app
    from cafpedia.cli.installation import init_migrations
    from cafpedia.config import MIGRATIONS_DIR
    from cafpedia.ops import backups

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head = script.get_current_head()
    previous = script.get_revision(head).down_revision
    older = tmp_path / "older" / "cafpedia.sqlite3"
    older_app = create_app(base_config(tmp_path / "older", f"sqlite:///{older}"))
    with older_app.app_context():
        init_migrations(older_app)
        upgrade(directory=str(MIGRATIONS_DIR), revision=previous)
        db.engine.dispose()
    backup = tmp_path / "older-backup.sqlite3"
    assert backups.back_up(older, backup).revision == previous
    let_go(sqlite_app)
    result = runner.invoke(args=["restore", str(backup)])
    assert result.exit_code == 0, result.output
    assert f"Its schema (revision {previous}) was upgraded to this version's ({head})." in result.output
    assert backups.describe(database_path(sqlite_app)).revision == head
