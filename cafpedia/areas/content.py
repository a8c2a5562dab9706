"""areas.yml in a content folder: practice areas with their lead managers and deputies."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from cafpedia.accounts.models import User
from cafpedia.areas import services
from cafpedia.areas.models import PracticeArea
from cafpedia.content.records import LoadContext, records_of
from cafpedia.content.yamlfiles import write_yaml_file
from cafpedia.core import audit
from cafpedia.core.permissions import LEAD_MANAGER
from cafpedia.extensions import db

FILE = "areas.yml"
FIELDS = ("slug", "title", "summary", "lead", "deputies")


@dataclass
class AreaRecord:
    slug: str
    title: str
    summary: str
    lead: str | None
    deputies: list[str]
    position: int
    line: int


class AreasSection:
    name = "areas"

    def read(self, ctx: LoadContext) -> None:
        found: dict[str, AreaRecord] = {}
        for index, record in enumerate(records_of(ctx, FILE, ctx.read(FILE), "practice areas")):
            slug = record.text("slug", max_length=services.SLUG_MAX + 100)
            if slug:
                record.label = f"area {slug}"
            record.check_fields(FIELDS, ("slug", "title"))
            if slug:
                if problem := services.slug_problem(slug):
                    record.problem("slug", problem)
                    slug = None
                elif slug in found:
                    record.problem("slug", f"{slug} is already listed on line {found[slug].line}")
                    slug = None
            title = record.text("title", max_length=services.TITLE_MAX)
            summary = record.text("summary", max_length=services.SUMMARY_MAX) or ""
            lead = record.text("lead", max_length=64)
            deputies = record.text_list("deputies", max_length=64)
            if lead and lead in deputies:
                record.problem("deputies", f"{lead} is the lead manager and cannot also be a deputy")
            if len(set(deputies)) != len(deputies):
                record.problem("deputies", "a deputy is listed twice")
            if slug:
                found[slug] = AreaRecord(
                    slug, (title or "").strip(), summary.strip(), lead or None, deputies, index + 1, record.line
                )
        ctx.records[self.name] = found

    def check(self, ctx: LoadContext) -> None:
        file_users = ctx.records.get("users", {})
        for rec in ctx.records[self.name].values():
            for field, usernames in (("lead", [rec.lead] if rec.lead else []), ("deputies", rec.deputies)):
                for username in usernames:
                    problem = self._moderator_problem(file_users, username)
                    if problem:
                        ctx.problem(FILE, rec.line, field, f"area {rec.slug}: {problem}")

    @staticmethod
    def _moderator_problem(file_users: dict, username: str) -> str | None:
        if username in file_users:
            rec = file_users[username]
            roles, active = rec.roles, rec.active
        else:
            user = db.session.scalar(select(User).where(User.username == username))
            if user is None:
                return f"unknown user {username} (not in users.yml nor in the database)"
            roles, active = user.roles, user.active
        if LEAD_MANAGER not in roles:
            return f"{username} does not hold the lead_manager role"
        if not active:
            return f"{username}'s account is deactivated"
        return None

    def apply(self, ctx: LoadContext) -> None:
        for rec in ctx.records[self.name].values():
            _apply_area(ctx, rec)

    def apply_links(self, ctx: LoadContext) -> None:
        """Areas have no links to apply after the others."""

    def export(self, root: Path) -> list[str]:
        rows = [
            {
                "slug": area.slug,
                "title": area.title,
                "summary": area.summary,
                "lead": area.lead.username if area.lead else None,
                "deputies": [d.username for d in area.deputies],
            }
            for area in services.list_areas()
        ]
        write_yaml_file(root / FILE, rows)
        return [FILE]


def _apply_area(ctx: LoadContext, rec: AreaRecord) -> None:
    people = {
        u.username: u for u in db.session.scalars(select(User).where(User.username.in_([rec.lead, *rec.deputies])))
    }
    lead = people.get(rec.lead) if rec.lead else None
    deputies = sorted((people[name] for name in rec.deputies), key=lambda u: u.username)
    area = services.find_area(rec.slug)
    if area is None:
        area = PracticeArea(
            slug=rec.slug,
            title=rec.title,
            summary=rec.summary,
            position=rec.position,
            lead=lead,
            deputies=deputies,
        )
        db.session.add(area)
        db.session.flush()
        audit.record(
            ctx.actor, "area.create", "area", rec.slug, after=services.area_snapshot(area), summary="cafpedia load"
        )
        ctx.count("areas", "new")
        return
    before = services.area_snapshot(area)
    area.title, area.summary, area.position = rec.title, rec.summary, rec.position
    if area.lead_id != (lead.id if lead else None):
        area.lead = lead
    if [d.username for d in area.deputies] != [d.username for d in deputies]:
        area.deputies = deputies
    after = services.area_snapshot(area)
    if after != before:
        audit.record(ctx.actor, "area.update", "area", rec.slug, before=before, after=after, summary="cafpedia load")
        ctx.count("areas", "updated")
    else:
        ctx.count("areas", "unchanged")
