"""People from an HR export in CSV: `username,name,email,roles,areas`, one person a line.

With the content loader's rules: all or nothing, and every problem named with its line. A
new username makes an account without a password (invite them: `cafpedia invite
--all-without-password`); a known one has its name, email, roles and areas brought into line.
Roles and areas are separated by ";" (or "|") within their cell.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from sqlalchemy import func, select

from cafpedia.accounts import fields
from cafpedia.accounts import people as accounts_people
from cafpedia.accounts.models import User
from cafpedia.core.errors import ServiceError, ValidationError
from cafpedia.extensions import db

COLUMNS = ("username", "name", "email", "roles", "areas")
MAX_ROWS = 20_000
SEPARATOR = re.compile(r"\s*[;|]\s*")


class PeopleImportError(ServiceError):
    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s): nothing was imported")
        self.problems = problems


@dataclass
class PeopleImported:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass
class _Row:
    line: int
    username: str
    name: str
    email: str
    roles: list[str]
    areas: list[str]


def _cells(value: str | None) -> list[str]:
    return [part for part in SEPARATOR.split((value or "").strip()) if part]


def read_rows(text: str) -> tuple[list[_Row], list[str]]:
    """The rows as written, and the problems found without looking at the database."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return [], [f"line 1: the first line names the columns {', '.join(COLUMNS)}; missing: {', '.join(missing)}"]
    rows, problems, usernames, emails = [], [], {}, {}
    ended = reader.line_num
    for cells in reader:
        line, ended = ended + 1, reader.line_num  # the line a person starts on (a quoted cell may hold line breaks)
        if not cells:
            continue  # an empty line
        if len(rows) >= MAX_ROWS:
            problems.append(f"line {line}: at most {MAX_ROWS:,} people in one file")
            break
        if len(cells) > len(header):
            problems.append(
                f"line {line}: more cells than the {len(header)} columns (a comma inside a name needs quotes)"
            )
            continue
        record = dict(zip(header, cells, strict=False))
        record = {column: record.get(column) for column in COLUMNS}
        row = _Row(
            line,
            (record["username"] or "").strip().lower(),
            (record["name"] or "").strip(),
            (record["email"] or "").strip(),
            _cells(record["roles"]),
            [a.lower() for a in _cells(record["areas"])],
        )
        if row.username in usernames:
            problems.append(f"line {line}: username {row.username} is also on line {usernames[row.username]}")
        usernames.setdefault(row.username, line)
        if row.email and row.email.lower() in emails:
            problems.append(f"line {line}: email {row.email} is also on line {emails[row.email.lower()]}")
        if row.email:
            emails.setdefault(row.email.lower(), line)
        rows.append(row)
    if not rows and not problems:
        problems.append("the file has no people in it, only the line of column names")
    return rows, problems


def import_people(actor, text: str) -> PeopleImported:
    """Create or update everyone in the file, in the caller's transaction, or raise
    PeopleImportError naming every problem (then the caller rolls back: nothing is written)."""
    rows, problems = read_rows(text)
    by_email = {email.lower(): username for username, email in db_emails()}
    for row in rows:
        errors, _ = accounts_people.check_person_fields(row.name, row.email, row.roles, row.areas)
        if row.username and not accounts_people.find_user(row.username):
            problem = fields.username_problem(row.username)
            if problem:
                errors["username"] = problem
        elif not row.username:
            errors["username"] = "a username is required"
        owner = by_email.get(row.email.lower()) if row.email else None
        if owner and owner != row.username:
            errors["email"] = f"{row.email} is already the address of {owner}"
        problems += [f"line {row.line}: {name}: {message}" for name, message in errors.items()]
    if problems:
        raise PeopleImportError(problems)
    done = PeopleImported()
    for row in rows:
        user = accounts_people.find_user(row.username)
        try:
            if user is None:
                accounts_people.create_user(
                    actor,
                    username=row.username,
                    name=row.name,
                    email=row.email,
                    roles=row.roles,
                    areas=row.areas,
                    password=None,
                )
                done.created.append(row.username)
                continue
            before = fields.user_snapshot(user)
            accounts_people.update_user(actor, user, name=row.name, email=row.email, roles=row.roles, areas=row.areas)
            (done.updated if fields.user_snapshot(user) != before else done.unchanged).append(row.username)
        except ValidationError as exc:  # rules about other people: the last administrator, a lead manager still named
            problems += [f"line {row.line}: {name}: {message}" for name, message in exc.errors.items()]
    if problems:
        raise PeopleImportError(problems)
    return done


def db_emails() -> list[tuple[str, str]]:
    return list(db.session.execute(select(User.username, func.lower(User.email)).where(User.email != "")))
