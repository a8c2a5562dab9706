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

from cafpedia.accounts.content import known_usernames
from cafpedia.accounts.models import User
from cafpedia.accounts.people import by_username
from cafpedia.areas.content import known_areas
from cafpedia.areas.services import by_slug
from cafpedia.content.fields import build
from cafpedia.content.records import LoadContext, Section, repeats, write_file
from cafpedia.content.yamlfiles import dump_yaml
from cafpedia.core import audit
from cafpedia.core.clock import utcnow
from cafpedia.experts import drafts, entries, lookups, rota_plan
from cafpedia.experts.content_files import (
    CALL,
    EXPERT,
    FOLDER,
    LOG_FILE,
    ROTA_DAY,
    ROTA_FILE,
    SECTION,
    call_entry,
    call_row,
    export_expert,
    load_state,
    read_calls,
    read_expert,
    read_rota,
    rota_entry,
)
from cafpedia.experts.models import AdviceCall, Expert, ExpertArea, RotaDay, RotaShift
from cafpedia.extensions import db
from cafpedia.tips.reading import find_tip


class ExpertsSection(Section):
    name = SECTION
    needs = ("users", "areas", "tips")

    # --- read ---------------------------------------------------------------------------------

    def read(self, ctx: LoadContext) -> None:
        experts = {}
        for path in ctx.folder(FOLDER, "experts/SLUG.md files"):
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
                    str(path.relative_to(ctx.root)),
                    None,
                    None,
                    f"not an expert: entries are experts/SLUG.md, SLUG in lower-case words joined by hyphens "
                    f"(not {', '.join(sorted(drafts.RESERVED_SLUGS))}); the rota is experts/{ROTA_FILE}, the advice "
                    f"log experts/{LOG_FILE}",
                )
            elif record := read_expert(ctx, path, str(path.relative_to(ctx.root))):
                experts[record.slug] = record
        ctx.records[self.name] = {"experts": experts, "rota": read_rota(ctx), "calls": read_calls(ctx)}

    # --- check --------------------------------------------------------------------------------

    def check(self, ctx: LoadContext) -> None:
        found = ctx.records[self.name]
        experts = found["experts"]
        users, areas = known_usernames(ctx), known_areas(ctx)
        known = set(experts) | set(db.session.scalars(select(Expert.slug)))
        self._check_entries(ctx, experts, users, areas)
        self._check_rota(ctx, found["rota"], experts, known)
        self._check_calls(ctx, found["calls"], known, users, areas)

    @staticmethod
    def _check_entries(ctx: LoadContext, experts: dict, users: set[str], areas: set[str]) -> None:
        """Each entry's areas and account, and no two entries for one person, account or email address."""
        for rec in experts.values():
            where, label = (rec.file, rec.line), f"expert {rec.slug}"
            ctx.unknown(*where, "areas", rec.areas, areas, f"{label}: unknown area {{}}")
            ctx.unknown(*where, "username", [rec.user], users, f"{label}: unknown user {{}}")
            holder = rec.user and db.session.scalar(
                select(Expert.slug).join(User, Expert.user_id == User.id).where(User.username == rec.user)
            )
            if holder and holder != rec.slug and holder not in experts:
                ctx.problem(*where, "username", f"{label}: {rec.user} is already the expert {holder}")
        for field, key, message in (
            ("name", lambda r: (r.name.lower(), r.region), "{r.name} ({r.region}) is also the expert {other.slug}"),
            ("username", lambda r: r.user or None, "{r.user} is also the expert {other.slug}"),
            ("email", lambda r: r.email.lower() or None, "the expert {other.slug} has the same email address"),
        ):
            for r, other in repeats(experts.values(), key):
                ctx.problem(r.file, r.line, field, f"expert {r.slug}: " + message.format(r=r, other=other))

    @staticmethod
    def _check_rota(ctx: LoadContext, days, experts: dict, known: set[str]) -> None:
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
        tips = ctx.records["tips"]
        logged = _logged_calls() if calls else {}
        for call in calls:
            where = (f"{FOLDER}/{LOG_FILE}", call.line)
            ctx.unknown(*where, "expert", [call.expert], known, f"call of {call.called_on}: unknown expert {{}}")
            ctx.unknown(*where, "area", [call.area], areas, f"call of {call.called_on}: unknown area {{}}")
            ctx.unknown(*where, "logged_by", [call.logged_by], users, f"call of {call.called_on}: unknown user {{}}")
            if call.tip:
                area, _, slug = call.tip.rpartition("/")
                tip = None if slug in tips else find_tip(slug)
                tip_area = tips[slug].area if slug in tips else (tip.area.slug if tip else None)
                if tip_area is None:
                    ctx.problem(*where, "tip", f"call of {call.called_on}: unknown tip {call.tip}")
                elif area and area != tip_area:
                    ctx.problem(*where, "tip", f"call of {call.called_on}: the tip {slug} is in {tip_area}, not {area}")
            existing = logged.get((call.expert, call.logged_at))
            if existing is not None and call_row(existing) != call_row(call):
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
        users, areas = by_username(), by_slug()
        # An account moving from one entry to another is let go first: each account has one entry.
        moving = {users[r.user].id for r in found["experts"].values() if r.user}
        for expert in db.session.scalars(select(Expert).where(Expert.user_id.in_(moving))):
            record = found["experts"].get(expert.slug)
            if record is None or record.user != expert.user.username:
                expert.user = None
        db.session.flush()
        for rec in found["experts"].values():
            expert = lookups.find_expert(rec.slug)
            before = entries.snapshot(expert) | load_state(expert) if expert is not None else None
            expert = expert or Expert(slug=rec.slug)
            db.session.add(expert)
            wanted_areas = [areas[a] for a in rec.areas]
            EXPERT.assign(expert, rec)
            expert.about, expert.user = rec.about, users[rec.user] if rec.user else None
            if [link.area_id for link in expert.area_links] != [a.id for a in wanted_areas]:
                expert.area_links = [ExpertArea(area=a, position=n) for n, a in enumerate(wanted_areas)]
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
                summary=rec.name,
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
            wanted = (day.closed, day.note, sorted((slugs[s].id, a, b) for s, a, b in day.shifts))
            if (
                row is not None
                and (row.closed, row.note, sorted((s.expert_id, s.starts, s.ends) for s in row.shifts)) == wanted
            ):
                ctx.count("rota days", "unchanged")
                continue
            row = row or RotaDay()
            ROTA_DAY.assign(row, day)
            db.session.add(row)
            row.shifts = [RotaShift(expert_id=eid, starts=a, ends=b) for eid, a, b in wanted[2]]
            ctx.count("rota days", "set")

    def apply_links(self, ctx: LoadContext) -> None:
        """The advice log, written once the tips its calls link to exist (tips are written in apply_links too)."""
        calls = ctx.records[self.name]["calls"]
        if not calls:
            return
        users, areas = by_username(), by_slug()
        slugs = {e.slug: e for e in db.session.scalars(select(Expert))}
        logged = _logged_calls()
        for call in calls:
            if (call.expert, call.logged_at) in logged:
                ctx.count("advice calls", "unchanged")
                continue
            db.session.add(
                build(
                    AdviceCall,
                    call,
                    CALL,
                    expert=slugs[call.expert],
                    area=areas[call.area],
                    logged_by=users.get(call.logged_by),
                    tip=find_tip(call.tip.rsplit("/", 1)[-1]) if call.tip else None,
                )
            )
            ctx.count("advice calls", "new")

    # --- export -------------------------------------------------------------------------------

    def export(self, root: Path) -> list[str]:
        written = [
            write_file(root, f"{FOLDER}/{expert.slug}.md", export_expert(expert))
            for expert in lookups.all_experts(active=None)
        ]
        for name, rows in (
            (ROTA_FILE, [rota_entry(d) for d in db.session.scalars(select(RotaDay).order_by(RotaDay.day))]),
            (LOG_FILE, [call_entry(c) for c in db.session.scalars(select(AdviceCall).order_by(*CALL_ORDER))]),
        ):
            if rows:
                written.append(write_file(root, f"{FOLDER}/{name}", dump_yaml(rows)))
        return written


CALL_ORDER = (AdviceCall.called_on, AdviceCall.logged_at, AdviceCall.id)


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
