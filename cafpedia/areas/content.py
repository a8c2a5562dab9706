"""areas.yml in a content folder: practice areas with their lead managers and deputies.

Areas stand below accounts: the section is given the way to find accounts by username
(accounts.people.by_username, in create_app's list of sections), and never imports them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from cafpedia.areas import services
from cafpedia.areas.models import PracticeArea
from cafpedia.content.fields import Field, Schema, text, text_list
from cafpedia.content.records import LoadContext, Section, audited, records_of, write_file
from cafpedia.content.yamlfiles import dump_yaml
from cafpedia.core.permissions import LEAD_MANAGER
from cafpedia.extensions import db

FILE = "areas.yml"
AREA = Schema(
    Field("slug", text(services.SLUG_MAX + 100, services.slug_problem), required=True),
    Field("title", text(services.TITLE_MAX, empty="", tidy=str.strip), required=True),
    Field("summary", text(services.SUMMARY_MAX, empty="", tidy=str.strip)),
    Field("lead", text(64), dump=lambda lead: lead.username if lead else None),
    Field(
        "deputies",
        text_list(64, lambda names: "a deputy is listed twice" if len(set(names)) != len(names) else None),
        dump=lambda deputies: [d.username for d in deputies],
    ),
    label="area {}",
)


class AreasSection(Section):
    name = "areas"
    needs = ("users",)

    def __init__(self, people: Callable[[], dict]):
        self.people = people  # every account, by username (asked once a check, once an apply)

    def read(self, ctx: LoadContext) -> None:
        found = ctx.records[self.name] = {}
        for index, record in enumerate(records_of(ctx, FILE, ctx.read(FILE), "practice areas")):
            rec = AREA.read(record, position=index + 1, line=record.line)
            if rec.lead and rec.lead in rec.deputies:
                record.problem("deputies", f"{rec.lead} is the lead manager and cannot also be a deputy")
            if rec.slug in found:
                record.problem("slug", f"{rec.slug} is already listed on line {found[rec.slug].line}")
            elif rec.slug and not services.slug_problem(rec.slug):
                found[rec.slug] = rec

    def check(self, ctx: LoadContext) -> None:
        file_users, accounts = ctx.records["users"], self.people()
        for rec in ctx.records[self.name].values():
            for field, usernames in (("lead", [rec.lead] if rec.lead else []), ("deputies", rec.deputies)):
                for username in usernames:
                    if problem := _moderator_problem(file_users.get(username) or accounts.get(username), username):
                        ctx.problem(FILE, rec.line, field, f"area {rec.slug}: {problem}")

    def apply(self, ctx: LoadContext) -> None:
        accounts = self.people()
        for rec in ctx.records[self.name].values():
            _apply_area(ctx, rec, accounts)

    def export(self, root: Path) -> list[str]:
        return [write_file(root, FILE, dump_yaml([AREA.write(area) for area in services.list_areas()]))]


def known_areas(ctx: LoadContext) -> set[str]:
    """The areas a folder may name: its areas.yml's and the database's."""
    return set(ctx.records["areas"]) | set(db.session.scalars(select(PracticeArea.slug)))


def _moderator_problem(user, username: str) -> str | None:
    """What stops this person (from users.yml or the database) moderating an area."""
    if user is None:
        return f"unknown user {username} (not in users.yml nor in the database)"
    if LEAD_MANAGER not in user.roles:
        return f"{username} does not hold the lead_manager role"
    return f"{username}'s account is deactivated" if not user.active else None


def _apply_area(ctx: LoadContext, rec, people: dict) -> None:
    rec.lead = people.get(rec.lead) if rec.lead else None
    rec.deputies = sorted((people[name] for name in rec.deputies), key=lambda u: u.username)
    area = services.find_area(rec.slug)
    before = services.area_snapshot(area) if area else None
    area = area or PracticeArea()
    db.session.add(area)
    AREA.assign(area, rec, "slug", "title", "summary")
    area.position = rec.position
    if area.lead_id != (rec.lead.id if rec.lead else None):
        area.lead = rec.lead
    if [d.username for d in area.deputies] != [d.username for d in rec.deputies]:
        area.deputies = rec.deputies
    db.session.flush()
    audited(ctx, "areas", "area", rec.slug, before, services.area_snapshot(area))
