"""users.yml in a content folder: the accounts, never with secrets on export."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from cafpedia.accounts import fields, people
from cafpedia.accounts.models import User
from cafpedia.areas.models import PracticeArea
from cafpedia.areas.services import areas_led_by
from cafpedia.content.records import LoadContext, areas_by_slug, records_of
from cafpedia.content.yamlfiles import write_yaml_file
from cafpedia.core import audit
from cafpedia.core.permissions import ADMIN, LEAD_MANAGER, ROLES
from cafpedia.extensions import db

FILE = "users.yml"
FIELDS = ("username", "name", "email", "roles", "areas", "password", "demo", "active")


@dataclass
class UserRecord:
    username: str
    name: str
    email: str
    roles: list[str]
    areas: list[str]
    password: str | None
    demo: bool
    active: bool
    line: int


class UsersSection:
    name = "users"

    def read(self, ctx: LoadContext) -> None:
        found: dict[str, UserRecord] = {}
        for record in records_of(ctx, FILE, ctx.read(FILE), "accounts"):
            username = record.text("username", max_length=64)
            if username:
                record.label = f"user {username}"
            record.check_fields(FIELDS, ("username", "name", "roles"))
            if username:
                problem = fields.username_problem(username)
                if problem:
                    record.problem("username", problem)
                    username = None
                elif username in found:
                    record.problem("username", f"{username} is already listed on line {found[username].line}")
                    username = None
            name = record.text("name", max_length=fields.NAME_MAX)
            if name and (problem := fields.name_problem(name)):
                record.problem("name", problem)
            email = record.text("email", max_length=fields.EMAIL_MAX)
            if email and (problem := fields.email_problem(email)):
                record.problem("email", problem)
            roles = record.text_list("roles", max_length=40)
            if "roles" in record.data:
                unknown = [r for r in roles if r not in ROLES]
                if unknown:
                    record.problem("roles", f"unknown role {', '.join(unknown)}; expected one of {', '.join(ROLES)}")
                elif not roles:
                    record.problem("roles", "give at least one role")
            areas = record.text_list("areas", max_length=64)
            demo = record.flag("demo", False)
            active = record.flag("active", True)
            password = record.text("password", max_length=fields.PASSWORD_MAX)
            if password is not None and demo and (problem := fields.password_problem(password)):
                record.problem("password", problem)
            if password is not None and not demo:
                record.problem(
                    "password",
                    "a password is allowed only for demo accounts (demo: true); "
                    "real accounts are loaded without secrets and get one from an administrator",
                )
            if username:
                found[username] = UserRecord(
                    username,
                    (name or "").strip(),
                    (email or "").strip(),
                    roles,
                    areas,
                    password or None,
                    demo,
                    active,
                    record.line,
                )
        ctx.records[self.name] = found

    def check(self, ctx: LoadContext) -> None:
        file_area_records = ctx.records.get("areas", {})
        file_areas = set(file_area_records)
        db_areas = set(db.session.scalars(select(PracticeArea.slug)))
        for rec in ctx.records[self.name].values():
            unknown = [a for a in rec.areas if a not in file_areas | db_areas]
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
        admins_before = {u.username for u in db.session.scalars(select(User)) if ADMIN in u.roles and u.active}
        admins_after = set(admins_before)
        for rec in ctx.records[self.name].values():
            admins_after.discard(rec.username)
            if ADMIN in rec.roles and rec.active:
                admins_after.add(rec.username)
        if admins_before and not admins_after:
            ctx.problem(FILE, None, "roles", "this would leave no active administrator; keep at least one")

    def apply(self, ctx: LoadContext) -> None:
        """Create or update the accounts; their areas follow in apply_links."""
        before: dict[str, dict | None] = {}
        for rec in ctx.records[self.name].values():
            user = people.find_user(rec.username)
            if user is None:
                user = User(
                    username=rec.username,
                    name=rec.name,
                    email=rec.email,
                    password_hash=fields.hash_password(rec.password) if rec.password else None,
                    demo=rec.demo,
                    active=rec.active,
                )
                db.session.add(user)
                before[rec.username] = None
            else:
                before[rec.username] = _snapshot(user)
                if user.active != rec.active:
                    user.session_version += 1  # deactivation ends open sessions
                user.name, user.email, user.demo, user.active = rec.name, rec.email, rec.demo, rec.active
            user.set_roles(rec.roles)
        ctx.records["users_before"] = before

    def apply_links(self, ctx: LoadContext) -> None:
        areas = areas_by_slug()
        for rec in ctx.records[self.name].values():
            user = people.find_user(rec.username)
            if {a.slug for a in user.areas} != set(rec.areas):
                user.areas = sorted((areas[slug] for slug in rec.areas), key=lambda a: (a.position, a.slug))
            before = ctx.records["users_before"][rec.username]
            after = _snapshot(user)
            if before is None:
                audit.record(ctx.actor, "user.create", "user", rec.username, after=after, summary="cafpedia load")
                ctx.count("users", "new")
            elif after != before:
                audit.record(
                    ctx.actor, "user.update", "user", rec.username, before=before, after=after, summary="cafpedia load"
                )
                ctx.count("users", "updated")
            else:
                ctx.count("users", "unchanged")

    def export(self, root: Path) -> list[str]:
        users = db.session.scalars(select(User).order_by(User.username))
        rows = []
        for user in users:
            rows.append(
                {
                    "username": user.username,
                    "name": user.name,
                    "email": user.email,
                    "roles": [r for r in ROLES if r in user.roles],
                    "areas": [a.slug for a in user.areas],
                    "demo": bool(user.demo),
                    "active": bool(user.active),
                }
            )
        write_yaml_file(root / FILE, rows)
        return [FILE]


def _snapshot(user: User) -> dict:
    return fields.user_snapshot(user) | {"demo": bool(user.demo)}
