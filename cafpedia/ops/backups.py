"""Backing up and restoring a SQLite installation's database file, safely.

A backup is taken with SQLite's backup API, which reads one consistent state of the database
while CAFpedia keeps serving. A restore must not be a plain copy over the database: after a
crash the old database's write-ahead log (`-wal`) is still beside it, and SQLite would replay
it onto the copied file, bringing back the changes made after the backup. So a restore checks
the backup (SQLite's integrity check, a CAFpedia schema this version knows), refuses while a
process has the database open, moves the database and its leftover `-wal`, `-shm` and
`-journal` aside (renamed, never deleted), and copies the backup in with the backup API.
The commands (cafpedia.cli.backups) check the result and say what was restored.
"""

from __future__ import annotations

import errno
import fcntl
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from cafpedia.config import MIGRATIONS_DIR

SIDE_FILES = ("-wal", "-shm", "-journal")
SQLITE_HEADER = b"SQLite format 3\x00"
# Where SQLite's unix VFS keeps the lock every process with the database open holds (in WAL
# mode): the "dead man switch" byte of the -shm file.
SHM_DMS_BYTE = 128


class BackupRefused(Exception):
    """What is wrong, in a sentence that says what to do; nothing was changed."""


@dataclass
class DatabaseFacts:
    """What a database file holds, as an administrator checks a backup by."""

    path: Path
    revision: str
    size: int
    tips: int
    published: int
    accounts: int
    audit_entries: int
    newest_audit_at: datetime | None
    newest_audit_action: str | None


def _read_only(path: Path) -> sqlite3.Connection:
    """`path` opened read-only as a finished file: no `-wal` or `-shm` made or read beside it."""
    return sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1", uri=True)


def _count(conn: sqlite3.Connection, sql: str) -> int:
    try:
        return int(conn.execute(sql).fetchone()[0] or 0)
    except sqlite3.OperationalError:  # an older schema without that table
        return 0


def describe(path: Path) -> DatabaseFacts:
    """The schema revision, the counts and the newest audit entry of a SQLite database file."""
    with closing(_read_only(path)) as conn:
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        try:
            newest = conn.execute("SELECT at, action FROM audit_entries ORDER BY id DESC LIMIT 1").fetchone()
        except sqlite3.OperationalError:
            newest = None
        return DatabaseFacts(
            path=path,
            revision=revision[0] if revision else "",
            size=path.stat().st_size,
            tips=_count(conn, "SELECT count(*) FROM tips"),
            published=_count(conn, "SELECT count(*) FROM tips WHERE status = 'published'"),
            accounts=_count(conn, "SELECT count(*) FROM users"),
            audit_entries=_count(conn, "SELECT count(*) FROM audit_entries"),
            newest_audit_at=datetime.fromisoformat(newest[0]) if newest else None,
            newest_audit_action=newest[1] if newest else None,
        )


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """SQLite's integrity check: [] when the file is sound, else its first problems."""
    found = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
    return [] if found == ["ok"] else found


def known_revisions() -> tuple[set[str], str]:
    """Every schema revision this version's migrations know, and the newest."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    return {rev.revision for rev in script.walk_revisions()}, script.get_current_head()


def check_backup(path: Path) -> DatabaseFacts:
    """A file this version of CAFpedia can restore: a sound SQLite database with a schema
    revision it knows, and no journal beside it. Raises BackupRefused saying what is wrong."""
    if not path.exists():
        raise BackupRefused(f"There is no file at {path}.")
    if not path.is_file():
        raise BackupRefused(f"{path} is a folder, not a backup file.")
    with path.open("rb") as f:
        if f.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupRefused(
                f"{path} is not a SQLite database (a file from `cafpedia backup` is). On PostgreSQL, "
                "restore a pg_dump file with pg_restore."
            )
    for suffix in ("-wal", "-journal"):
        side = Path(f"{path}{suffix}")
        if side.exists() and side.stat().st_size > 0:
            raise BackupRefused(
                f"{path} has a journal beside it ({side.name}): it is a database that was in use, not a "
                "finished backup. Take backups with `cafpedia backup FILE`."
            )
    try:
        with closing(_read_only(path)) as conn:
            problems = integrity_problems(conn)
            if problems:
                raise BackupRefused(f"{path} is damaged: SQLite's integrity check found " + "; ".join(problems))
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise BackupRefused(f"{path} is damaged: SQLite cannot read it ({exc}).") from None
    if "alembic_version" not in tables or "audit_entries" not in tables:
        raise BackupRefused(f"{path} is a SQLite database, but not a CAFpedia one (it has no CAFpedia schema).")
    facts = describe(path)
    known, head = known_revisions()
    if facts.revision not in known:
        raise BackupRefused(
            f"{path} has schema revision {facts.revision or '(none)'}, which this version of CAFpedia does not "
            f"know (its newest is {head}): it was made by a newer version. Restore it with that version."
        )
    return facts


def held_by_a_process(database: Path) -> bool:
    """A process (`cafpedia serve`, `cafpedia worker`) has the database open. Each holds a
    shared lock on a byte of the `-shm` file while it does; a process killed holds none.
    Call it with no connection of this process open on the database: closing the file here
    would drop this process's own SQLite locks on it."""
    shm = Path(f"{database}-shm")
    if not shm.exists():
        return False
    try:
        with shm.open("r+b") as f:
            try:
                fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, SHM_DMS_BYTE, os.SEEK_SET)
            except OSError as exc:
                if exc.errno in (errno.EAGAIN, errno.EACCES):
                    return True
                raise
            fcntl.lockf(f, fcntl.LOCK_UN, 1, SHM_DMS_BYTE, os.SEEK_SET)
    except PermissionError:
        raise BackupRefused(
            f"{shm} cannot be opened for writing by this user, so whether CAFpedia is running cannot be "
            "checked: run the command as the user that runs CAFpedia."
        ) from None
    return False


def copy_database(source: sqlite3.Connection, target: Path) -> None:
    """Copy `source` into the new file `target` with SQLite's backup API, all in one step (one
    consistent state), through a temporary name: `target` appears only when complete and sound."""
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    for leftover in (partial, *(Path(f"{partial}{s}") for s in SIDE_FILES)):
        leftover.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(partial)) as copy:
            source.backup(copy)
            problems = integrity_problems(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # a single file; CAFpedia turns WAL on again
        if problems:
            raise BackupRefused(f"The copy failed SQLite's integrity check: {'; '.join(problems)}")
        os.replace(partial, target)
    finally:
        for leftover in (partial, *(Path(f"{partial}{s}") for s in SIDE_FILES)):
            leftover.unlink(missing_ok=True)


def back_up(database: Path, target: Path) -> DatabaseFacts:
    """A backup of the live database (safe while CAFpedia serves) into `target`, a new file."""
    if target.exists():
        raise BackupRefused(f"{target} already exists: a backup never overwrites a file. Choose a new name.")
    if not target.parent.is_dir():
        raise BackupRefused(f"There is no folder {target.parent} to write the backup into.")
    if not database.exists():
        raise BackupRefused(f"There is no database at {database} to back up.")
    with closing(sqlite3.connect(database, timeout=30)) as live:
        copy_database(live, target)
    return describe(target)


def move_aside(database: Path, stamp: str) -> list[tuple[Path, Path]]:
    """Rename the database and its leftover journals to `<name>.replaced-<stamp>` (keeping each
    suffix, so the old files still open together). Returns (old, new) pairs."""
    moves = [
        (Path(f"{database}{suffix}"), database.with_name(f"{database.name}.replaced-{stamp}{suffix}"))
        for suffix in ("", *SIDE_FILES)
        if Path(f"{database}{suffix}").exists()
    ]
    for _old, new in moves:
        if new.exists():
            raise BackupRefused(f"{new} already exists: wait a second and restore again.")
    for old, new in moves:
        os.replace(old, new)
    return moves


def put_back(database: Path, moved: list[tuple[Path, Path]]) -> None:
    """Undo a restore: the restored file goes, the files moved aside return to their names."""
    for suffix in ("", *SIDE_FILES):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    for old, new in moved:
        os.replace(new, old)


def restore(backup: Path, database: Path, stamp: str) -> list[tuple[Path, Path]]:
    """Put `backup` (checked with check_backup) in place of `database`, whose files are moved
    aside, not deleted. Returns what was moved where. Refuses while a process holds the database."""
    if held_by_a_process(database):
        raise BackupRefused(
            f"{database} is open in a running CAFpedia (`cafpedia serve` or `cafpedia worker`): stop them, "
            "then restore."
        )
    database.parent.mkdir(parents=True, exist_ok=True)
    incoming = database.with_name(f".{database.name}.restoring-{stamp}")
    try:
        with closing(_read_only(backup)) as source:
            copy_database(source, incoming)
        moved = move_aside(database, stamp)
        try:
            os.replace(incoming, database)
        except BaseException:
            put_back(database, moved)
            raise
    finally:
        incoming.unlink(missing_ok=True)
    return moved
