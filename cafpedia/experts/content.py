"""experts/ in a content folder: the Register of Experts, the rota and the advice log.

- `experts/SLUG.md`: one expert, the contract's fields (name, username, job_title, region, areas,
  skills, languages, phone, email, availability, active, review_by), plus what a round trip
  needs: `away_from`, `away_until`, `away_note`, and for a retired entry (`active: false`)
  `retired_on` and `retired_reason`. The body is what they can advise on.
- `experts/rota.yml`: the days the register administrator set, each
  `{date, closed: true, note}` or `{date, note, shifts: [{expert: SLUG, hours: "09:00-17:00"}]}`.
- `experts/advice-log.yml`: calls, each `{date, expert: SLUG, area, question, advice, minutes,
  logged_by, logged_at, tip, case_details_confirmed}` (`logged_by`, `tip` and
  `case_details_confirmed` optional). An expert and the time a call was logged name it.
  `case_details_confirmed: true` says its writer confirmed that what the confidentiality guard
  finds in it identifies no child or family (the app takes such a call only so); without it, a
  call the guard finds something in is not loaded.

A load adds what is new; an expert already on the register is brought into line with their
file, and a rota day is set as the file says. A call already logged must match its entry:
calls are never changed. Nothing that looks like case details is loaded, but for a call its
writer confirmed (above).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cafpedia.accounts.models import User
from cafpedia.accounts.people import by_username as accounts_by_username
from cafpedia.areas.models import PracticeArea
from cafpedia.areas.services import by_slug as areas_by_slug
from cafpedia.content.records import LoadContext, Section
from cafpedia.content.yamlfiles import write_yaml_file
from cafpedia.core import audit
from cafpedia.core.clock import utcnow
from cafpedia.experts import drafts, entries, lookups, rota_plan
from cafpedia.experts.content_files import (
    FOLDER,
    LOG_FILE,
    ROTA_FILE,
    SECTION,
    ExpertRecord,
    call_entry,
    call_row,
    expert_label,
    export_expert,
    load_state,
    read_calls,
    read_expert,
    read_rota,
    record_row,
    rota_entry,
)
from cafpedia.experts.models import AdviceCall, Expert, ExpertArea, RotaDay, RotaShift
from cafpedia.extensions import db
from cafpedia.tips.reading import find_tip


class ExpertsSection(Section):
    name = SECTION

    # --- read ---------------------------------------------------------------------------------

    def read(self, ctx: LoadContext) -> None:
        experts: dict[str, ExpertRecord] = {}
        ctx.records[self.name] = {"experts": experts, "rota": [], "calls": []}
        for path in ctx.folder(FOLDER, "experts/SLUG.md files"):
            relative = str(path.relative_to(ctx.root))
            if path.name in (ROTA_FILE, LOG_FILE):
                continue
            if (
                not path.is_file()
                or path.suffix != ".md"
                or not drafts.SLUG_RE.match(path.stem)
                or len(path.stem) > drafts.SLUG_MAX
                or path.stem in drafts.RESERVED_SLUGS
            ):
                ctx.problem(
                    relative,
                    None,
                    None,
                    f"not an expert: entries are experts/SLUG.md, SLUG in lower-case words joined by hyphens "
                    f"(not {', '.join(sorted(drafts.RESERVED_SLUGS))}); the rota is experts/{ROTA_FILE}, the advice "
                    f"log experts/{LOG_FILE}",
                )
                continue
            record = read_expert(ctx, path, relative)
            if record is not None:
                experts[record.slug] = record
        read_rota(ctx)
        read_calls(ctx)

    # --- check --------------------------------------------------------------------------------

    def check(self, ctx: LoadContext) -> None:
        found = ctx.records[self.name]
        experts: dict[str, ExpertRecord] = found["experts"]
        users = set(ctx.records.get("users", {})) | set(db.session.scalars(select(User.username)))
        areas = set(ctx.records.get("areas", {})) | set(db.session.scalars(select(PracticeArea.slug)))
        known = set(experts) | set(db.session.scalars(select(Expert.slug)))
        self._check_entries(ctx, experts, users, areas)
        self._check_rota(ctx, found["rota"], experts, known)
        self._check_calls(ctx, found["calls"], known, users, areas)

    @staticmethod
    def _check_entries(ctx: LoadContext, experts: dict[str, ExpertRecord], users: set[str], areas: set[str]) -> None:
        """Each entry's areas and account, and no two entries for one person, account or email address."""
        owners: dict[str, str] = {}
        emails: dict[str, str] = {}
        people: dict[tuple[str, str], str] = {}
        for rec in experts.values():
            label = expert_label(rec.file)
            person = (rec.draft.name.lower(), rec.draft.region)
            if person in people:
                ctx.problem(
                    rec.file,
                    rec.line,
                    "name",
                    f"{label}: {rec.draft.name} ({rec.draft.region}) is also the expert {people[person]}",
                )
            people[person] = rec.slug
            for area in rec.draft.areas:
                if area not in areas:
                    ctx.problem(rec.file, rec.line, "areas", f"{label}: unknown area {area}")
            if not rec.draft.areas:
                ctx.problem(rec.file, rec.line, "areas", f"{label}: name at least one area of practice")
            elif len(rec.draft.areas) > drafts.AREAS_MAX:
                ctx.problem(rec.file, rec.line, "areas", f"{label}: at most {drafts.AREAS_MAX} areas")
            if rec.draft.username:
                if rec.draft.username not in users:
                    ctx.problem(rec.file, rec.line, "username", f"{label}: unknown user {rec.draft.username}")
                elif rec.draft.username in owners:
                    ctx.problem(
                        rec.file,
                        rec.line,
                        "username",
                        f"{label}: {rec.draft.username} is also the expert {owners[rec.draft.username]}",
                    )
                else:
                    owners[rec.draft.username] = rec.slug
                    holder = db.session.scalar(
                        select(Expert.slug)
                        .join(User, Expert.user_id == User.id)
                        .where(User.username == rec.draft.username)
                    )
                    if holder and holder != rec.slug and holder not in experts:
                        ctx.problem(
                            rec.file,
                            rec.line,
                            "username",
                            f"{label}: {rec.draft.username} is already the expert {holder}",
                        )
            if rec.draft.email:
                key = rec.draft.email.lower()
                if key in emails:
                    ctx.problem(
                        rec.file,
                        rec.line,
                        "email",
                        f"{label}: the expert {emails[key]} has the same email address",
                    )
                emails[key] = rec.slug

    @staticmethod
    def _check_rota(ctx: LoadContext, days, experts: dict[str, ExpertRecord], known: set[str]) -> None:
        """A rota's shifts name experts on the register."""
        retired = {slug for slug, rec in experts.items() if not rec.active} | {
            slug
            for slug in db.session.scalars(select(Expert.slug).where(Expert.active.is_(False)))
            if slug not in experts
        }
        for day in days:
            for slug, _, _ in day.shifts:
                if slug not in known:
                    ctx.problem(
                        f"{FOLDER}/{ROTA_FILE}", day.line, "shifts", f"rota day {day.day}: unknown expert {slug}"
                    )
                elif slug in retired:
                    ctx.problem(
                        f"{FOLDER}/{ROTA_FILE}",
                        day.line,
                        "shifts",
                        f"rota day {day.day}: {slug} is retired from the register",
                    )

    @staticmethod
    def _check_calls(ctx: LoadContext, calls, known: set[str], users: set[str], areas: set[str]) -> None:
        """A logged call's expert, area, account and tip exist, and a call already logged is unchanged."""
        tips = ctx.records.get("tips", {})
        logged = _logged_calls() if calls else {}
        for call in calls:
            where = (f"{FOLDER}/{LOG_FILE}", call.line)
            if call.expert not in known:
                ctx.problem(*where, "expert", f"call of {call.called_on}: unknown expert {call.expert}")
            if call.area not in areas:
                ctx.problem(*where, "area", f"call of {call.called_on}: unknown area {call.area}")
            if call.logged_by and call.logged_by not in users:
                ctx.problem(*where, "logged_by", f"call of {call.called_on}: unknown user {call.logged_by}")
            if call.tip:
                area, _, slug = call.tip.rpartition("/")
                tip = None if slug in tips else find_tip(slug)
                tip_area = tips[slug].area if slug in tips else (tip.area.slug if tip else None)
                if tip_area is None:
                    ctx.problem(*where, "tip", f"call of {call.called_on}: unknown tip {call.tip}")
                elif area and area != tip_area:
                    ctx.problem(*where, "tip", f"call of {call.called_on}: the tip {slug} is in {tip_area}, not {area}")
            existing = logged.get((call.expert, call.logged_at))
            if existing is not None and call_row(existing) != record_row(call):
                ctx.problem(
                    *where,
                    None,
                    f"call of {call.called_on} by {call.expert} is in the advice log and differs from this entry; "
                    f"logged calls never change",
                )

    # --- apply --------------------------------------------------------------------------------

    def apply(self, ctx: LoadContext) -> None:
        found = ctx.records[self.name]
        if not (found["experts"] or found["rota"] or found["calls"]):
            return
        users, areas = accounts_by_username(), areas_by_slug()
        # An account moving from one entry to another is let go first: each account has one entry.
        moving = {users[r.draft.username].id for r in found["experts"].values() if r.draft.username}
        for expert in db.session.scalars(select(Expert).where(Expert.user_id.in_(moving))):
            record = found["experts"].get(expert.slug)
            if record is None or record.draft.username != expert.user.username:
                expert.user = None
        db.session.flush()
        for rec in found["experts"].values():
            expert = lookups.find_expert(rec.slug)
            before = entries.snapshot(expert) | load_state(expert) if expert is not None else None
            if expert is None:
                expert = Expert(slug=rec.slug)
                db.session.add(expert)
            wanted_areas = [areas[a] for a in rec.draft.areas]
            expert.name, expert.job_title, expert.region = rec.draft.name, rec.draft.job_title, rec.draft.region
            expert.skills, expert.languages, expert.availability = (
                rec.draft.skills,
                rec.draft.languages,
                rec.draft.availability,
            )
            expert.phone, expert.email, expert.about, expert.review_by = (
                rec.draft.phone,
                rec.draft.email,
                rec.draft.about,
                rec.draft.review_by,
            )
            expert.user = users[rec.draft.username] if rec.draft.username else None
            if [link.area_id for link in expert.area_links] != [a.id for a in wanted_areas]:
                expert.area_links = [ExpertArea(area=a, position=n) for n, a in enumerate(wanted_areas)]
            expert.active, expert.retired_on, expert.retired_reason = rec.active, rec.retired_on, rec.retired_reason
            expert.away_from, expert.away_until, expert.away_note = rec.away_from, rec.away_until, rec.away_note
            db.session.flush()
            after = entries.snapshot(expert) | load_state(expert)
            if before == after:
                ctx.count("experts", "unchanged")
                continue
            expert.updated_at = utcnow()
            audit.record(
                ctx.actor,
                "content.load_expert",
                "expert",
                rec.slug,
                summary=rec.draft.name,
                before=before,
                after=after,
                actor_name="content load",
            )
            ctx.count("experts", "new" if before is None else "updated")
        db.session.flush()
        slugs = {e.slug: e for e in db.session.scalars(select(Expert))}
        existing_days = rota_plan.rota_days(
            min((d.day for d in found["rota"]), default=dt.date.min),
            max((d.day for d in found["rota"]), default=dt.date.min),
        )
        for day in found["rota"]:
            row = existing_days.get(day.day)
            wanted = {
                "closed": day.closed,
                "note": day.note,
                "shifts": sorted((slugs[s].id, a, b) for s, a, b in day.shifts),
            }
            if (
                row is not None
                and {
                    "closed": row.closed,
                    "note": row.note,
                    "shifts": sorted((s.expert_id, s.starts, s.ends) for s in row.shifts),
                }
                == wanted
            ):
                ctx.count("rota days", "unchanged")
                continue
            if row is None:
                row = RotaDay(day=day.day)
                db.session.add(row)
            row.closed, row.note = day.closed, day.note
            row.shifts = [RotaShift(expert_id=eid, starts=a, ends=b) for eid, a, b in wanted["shifts"]]
            ctx.count("rota days", "set")

    def apply_links(self, ctx: LoadContext) -> None:
        """The advice log, written once the tips its calls link to exist (tips are written in apply_links too)."""
        calls = ctx.records[self.name]["calls"]
        if not calls:
            return
        users, areas = accounts_by_username(), areas_by_slug()
        slugs = {e.slug: e for e in db.session.scalars(select(Expert))}
        logged = _logged_calls()
        for call in calls:
            if (call.expert, call.logged_at) in logged:
                ctx.count("advice calls", "unchanged")
                continue
            tip = find_tip(call.tip.rsplit("/", 1)[-1]) if call.tip else None
            db.session.add(
                AdviceCall(
                    expert=slugs[call.expert],
                    area=areas[call.area],
                    called_on=call.called_on,
                    question=call.question,
                    advice=call.advice,
                    minutes=call.minutes,
                    logged_by=users[call.logged_by] if call.logged_by else None,
                    logged_at=call.logged_at,
                    tip=tip,
                )
            )
            ctx.count("advice calls", "new")

    # --- export -------------------------------------------------------------------------------

    def export(self, root: Path) -> list[str]:
        written = []
        for expert in lookups.all_experts(active=None):
            relative = f"{FOLDER}/{expert.slug}.md"
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(export_expert(expert), encoding="utf-8")
            written.append(relative)
        days = list(db.session.scalars(select(RotaDay).order_by(RotaDay.day)))
        if days:
            write_yaml_file(root / FOLDER / ROTA_FILE, [rota_entry(d) for d in days])
            written.append(f"{FOLDER}/{ROTA_FILE}")
        calls = list(
            db.session.scalars(select(AdviceCall).order_by(AdviceCall.called_on, AdviceCall.logged_at, AdviceCall.id))
        )
        if calls:
            write_yaml_file(root / FOLDER / LOG_FILE, [call_entry(c) for c in calls])
            written.append(f"{FOLDER}/{LOG_FILE}")
        return written


def _logged_calls() -> dict[tuple[str, dt.datetime], AdviceCall]:
    """Every call in the advice log, by what names it in a file: its expert and when it was logged (one query)."""
    calls = db.session.scalars(
        select(AdviceCall).options(
            selectinload(AdviceCall.expert),
            selectinload(AdviceCall.area),
            selectinload(AdviceCall.logged_by),
            selectinload(AdviceCall.tip),
        )
    )
    return {(c.expert.slug, c.logged_at): c for c in calls}
