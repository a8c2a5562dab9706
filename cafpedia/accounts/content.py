"""users.yml in a content folder: the accounts, never with secrets on export."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from cafpedia.accounts import fields, people
from cafpedia.accounts.models import User
from cafpedia.areas.content import known_areas
from cafpedia.areas.services import areas_led_by, by_slug
from cafpedia.content.fields import Field, Schema, flag, text, text_list
from cafpedia.content.records import LoadContext, Section, audited, records_of, write_file
from cafpedia.content.yamlfiles import dump_yaml
from cafpedia.core.permissions import ADMIN, LEAD_MANAGER, ROLES
from cafpedia.extensions import db

FILE = "users.yml"


def _roles_problem(roles: list[str]) -> str | None:
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        return f"unknown role {', '.join(unknown)}; expected one of {', '.join(ROLES)}"
    return None if roles else "give at least one role"


USER = Schema(
    Field("username", text(64, fields.username_problem), required=True),
    Field("name", text(fields.NAME_MAX, fields.name_problem, empty="", tidy=str.strip), required=True),
    Field("email", text(fields.EMAIL_MAX, fields.email_problem, empty="", tidy=str.strip)),
    Field("roles", text_list(40, _roles_problem), dump=lambda roles: [r for r in ROLES if r in roles], required=True),
    Field("areas", text_list(64), dump=lambda areas: [a.slug for a in areas]),
    Field("demo", flag(False), dump=bool),
    Field("active", flag(True), dump=bool),
    allowed=("password",),  # demo accounts only; never exported
    label="user {}",
)


class UsersSection(Section):
    name = "users"
    needs = ("areas",)

    def read(self, ctx: LoadContext) -> None:
        found = ctx.records[self.name] = {}
        for record in records_of(ctx, FILE, ctx.read(FILE), "accounts"):
            rec = USER.read(record, line=record.line, password=None)
            if rec.username and rec.username in found:
                record.problem("username", f"{rec.username} is already listed on line {found[rec.username].line}")
            rec.password = text(fields.PASSWORD_MAX, empty=None)(record, "password")
            if rec.password is not None and rec.demo and (problem := fields.password_problem(rec.password)):
                record.problem("password", problem)
            if rec.password is not None and not rec.demo:
                record.problem(
                    "password",
                    "a password is allowed only for demo accounts (demo: true); "
                    "real accounts are loaded without secrets and get one from an administrator",
                )
            if rec.username and not fields.username_problem(rec.username):
                found.setdefault(rec.username, rec)

    def check(self, ctx: LoadContext) -> None:
        file_areas, known = set(ctx.records["areas"]), known_areas(ctx)
        for rec in ctx.records[self.name].values():
            unknown = [a for a in rec.areas if a not in known]
            if unknown:
                ctx.problem(
                    FILE,
                    rec.line,
                    "areas",
                    f"user {rec.username}: unknown area {', '.join(unknown)} (not in areas.yml nor in the database)",
                )
            if LEAD_MANAGER not in rec.roles or not rec.active:
                # Areas in the database (and not redefined by this folder) that they moderate.
                user = people.find_user(rec.username)
                kept = [a.title for a in (areas_led_by(user) if user else []) if a.slug not in file_areas]
                if kept:
                    ctx.problem(
                        FILE,
                        rec.line,
                        "roles",
                        f"user {rec.username} is lead manager or deputy of {', '.join(kept)}; "
                        "keep the lead_manager role and the account active, or name someone else there in areas.yml",
                    )
        in_file = ctx.records[self.name]
        admins = {u.username: u for u in db.session.scalars(select(User)) if ADMIN in u.roles and u.active}
        if admins and not any(ADMIN in u.roles and u.active for u in ({**admins, **in_file}).values()):
            ctx.problem(FILE, None, "roles", "this would leave no active administrator; keep at least one")

    def apply(self, ctx: LoadContext) -> None:
        """Create or update the accounts; their areas follow in apply_links."""
        ctx.records["users_before"] = before = {}
        for rec in ctx.records[self.name].values():
            user = people.find_user(rec.username)
            before[rec.username] = _snapshot(user) if user else None
            if user is None:
                user = User(password_hash=fields.hash_password(rec.password) if rec.password else None)
                db.session.add(user)
            elif user.active != rec.active:
                user.session_version += 1  # deactivation ends open sessions
            USER.assign(user, rec)
            user.set_roles(rec.roles)

    def apply_links(self, ctx: LoadContext) -> None:
        areas = by_slug()
        for rec in ctx.records[self.name].values():
            user = people.find_user(rec.username)
            if {a.slug for a in user.areas} != set(rec.areas):
                user.areas = sorted((areas[slug] for slug in rec.areas), key=lambda a: (a.position, a.slug))
            audited(ctx, "users", "user", rec.username, ctx.records["users_before"][rec.username], _snapshot(user))

    def export(self, root: Path) -> list[str]:
        rows = [USER.write(u) for u in db.session.scalars(select(User).order_by(User.username))]
        return [write_file(root, FILE, dump_yaml(rows))]


def username(user) -> str | None:
    """An account as a file names it (a record read from a file names it already)."""
    return getattr(user, "username", user)


def known_usernames(ctx: LoadContext) -> set[str]:
    """The accounts a folder may name: its users.yml's and the database's."""
    return set(ctx.records["users"]) | set(db.session.scalars(select(User.username)))


def _snapshot(user: User) -> dict:
    return fields.user_snapshot(user) | {"demo": bool(user.demo)}
