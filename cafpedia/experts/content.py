"""experts/ in a content folder: the Register of Experts, the rota and the advice log.

- `experts/SLUG.md`: one expert, the contract's fields (name, username, job_title, region, areas,
  skills, languages, phone, email, availability, active, review_by), plus what a round trip
  needs: `away_from`, `away_until`, `away_note`, and for a retired entry (`active: false`)
  `retired_on` and `retired_reason`. The body is what they can advise on.
- `experts/rota.yml`: the days the register administrator set, each
  `{date, closed: true, note}` or `{date, note, shifts: [{expert: SLUG, hours: "09:00-17:00"}]}`.
- `experts/advice-log.yml`: calls, each `{date, expert: SLUG, area, question, advice, minutes,
  logged_by, logged_at, tip}` (`logged_by` and `tip` optional). An expert and the time a call
  was logged name it.

A load adds what is new; an expert already on the register is brought into line with their
file, and a rota day is set as the file says. A call already logged must match its entry:
calls are never changed. Nothing that looks like case details is loaded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cafpedia.accounts.models import User
from cafpedia.areas.models import PracticeArea
from cafpedia.content.markdown_files import markdown_text, read_markdown
from cafpedia.content.records import LoadContext, Record, accounts_by_username, areas_by_slug, as_datetime, records_of
from cafpedia.content.yamlfiles import LineDict, write_yaml_file
from cafpedia.core import audit, clock
from cafpedia.core.clock import utcnow
from cafpedia.core.confidentiality import describe, find_case_details
from cafpedia.experts import drafts, entries, lookups, rota_plan
from cafpedia.experts.availability import SlotError, hhmm, parse_hours
from cafpedia.experts.models import AdviceCall, Expert, ExpertArea, RotaDay, RotaShift
from cafpedia.extensions import db
from cafpedia.tips.reading import find_tip

FOLDER = "experts"
ROTA_FILE = "rota.yml"
LOG_FILE = "advice-log.yml"
FIELDS = (
    "name",
    "username",
    "job_title",
    "region",
    "areas",
    "skills",
    "languages",
    "phone",
    "email",
    "availability",
    "active",
    "review_by",
    "away_from",
    "away_until",
    "away_note",
    "retired_on",
    "retired_reason",
)
ROTA_FIELDS = ("date", "closed", "note", "shifts")
CALL_FIELDS = ("date", "expert", "area", "question", "advice", "minutes", "logged_by", "logged_at", "tip")


@dataclass
class ExpertRecord:
    file: str
    slug: str
    line: int
    draft: drafts.ExpertDraft
    active: bool
    away_from: dt.date | None
    away_until: dt.date | None
    away_note: str | None
    retired_on: dt.date | None
    retired_reason: str | None


@dataclass
class RotaRecord:
    day: dt.date
    closed: bool
    note: str
    shifts: list[tuple[str, str, str]] = field(default_factory=list)  # (expert slug, starts, ends)
    line: int = 1


@dataclass
class CallRecord:
    line: int
    called_on: dt.date
    expert: str
    area: str
    question: str
    advice: str
    minutes: int
    logged_by: str | None
    logged_at: dt.datetime
    tip: str | None


def _label(path: str) -> str:
    return f"expert {Path(path).stem}"


class ExpertsSection:
    name = "experts"

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
            record = self._read_expert(ctx, path, relative)
            if record is not None:
                experts[record.slug] = record
        self._read_rota(ctx)
        self._read_calls(ctx)

    def _read_expert(self, ctx: LoadContext, path: Path, relative: str) -> ExpertRecord | None:
        parsed = read_markdown(ctx, path, relative, "an expert's entry")
        if parsed is None:
            return None
        data, body = parsed
        slug = path.stem
        record = Record(ctx, relative, data, _label(relative))
        before = len(ctx.problems)
        record.check_fields(FIELDS, ("name", "job_title", "region", "areas", "skills", "languages", "availability"))
        draft = drafts.ExpertDraft(
            name=record.text("name", max_length=drafts.NAME_MAX) or "",
            username=record.text("username", max_length=64) or "",
            job_title=record.text("job_title", max_length=drafts.JOB_TITLE_MAX) or "",
            region=record.text("region", max_length=40) or "",
            areas=record.text_list("areas", max_length=64),
            skills=record.text_list("skills", max_length=drafts.SKILL_MAX),
            languages=record.text_list("languages", max_length=drafts.LANGUAGE_MAX),
            phone=record.text("phone", max_length=drafts.PHONE_MAX) or "",
            email=record.text("email", max_length=254) or "",
            availability=record.text_list("availability", max_length=40),
            about=body.strip(),
            review_by=record.date("review_by"),
        )
        active = record.flag("active", True)
        away_from, away_until = record.date("away_from"), record.date("away_until")
        away_note = record.text("away_note", max_length=drafts.AWAY_NOTE_MAX)
        retired_on, retired_reason = (
            record.date("retired_on"),
            record.text("retired_reason", max_length=drafts.NOTE_MAX),
        )
        if away_note and (findings := find_case_details(away_note)):
            record.problem(
                "away_note", f"{record.label}: this looks like it holds personal details ({describe(findings)})"
            )
        if away_from and not away_until:
            record.problem("away_until", f"{record.label}: away_from needs away_until, the last day away")
        elif away_from and away_until and away_until < away_from:
            record.problem("away_until", f"{record.label}: away_until is before away_from")
        if not active and not (retired_on and retired_reason):
            record.problem(
                "active", f"{record.label}: a retired entry (active: false) needs retired_on and retired_reason"
            )
        if active and (retired_on or retired_reason):
            record.problem(
                "retired_on", f"{record.label}: retired_on and retired_reason are only for an entry with active: false"
            )
        if len(ctx.problems) != before:
            return None
        errors, tidy, _, _ = drafts.check_draft(
            drafts.ExpertDraft(**{**draft.__dict__, "areas": [], "username": ""}), expert=lookups.find_expert(slug)
        )
        errors.pop("areas", None)  # areas and accounts are checked against the folder and the database in check()
        for name, message in errors.items():
            record.problem(name if name in FIELDS else None, f"{record.label}: {message}")
        if errors:
            return None
        tidy.areas, tidy.username = list(dict.fromkeys(draft.areas)), draft.username
        return ExpertRecord(
            file=relative,
            slug=slug,
            line=record.line,
            draft=tidy,
            active=active,
            away_from=away_from if away_until else None,
            away_until=away_until,
            away_note=away_note or None,
            retired_on=retired_on,
            retired_reason=retired_reason,
        )

    def _read_rota(self, ctx: LoadContext) -> None:
        relative = f"{FOLDER}/{ROTA_FILE}"
        days: list[RotaRecord] = ctx.records[self.name]["rota"]
        seen: set[dt.date] = set()
        for index, record in enumerate(records_of(ctx, relative, ctx.read(relative), "rota days")):
            record.label = f"rota day {index + 1}"
            before = len(ctx.problems)
            record.check_fields(ROTA_FIELDS, ("date",))
            day = record.date("date")
            closed = record.flag("closed", False)
            note = record.text("note", max_length=200) or ""
            shifts = []
            raw = record.data.get("shifts")
            if raw is not None and not isinstance(raw, list):
                record.problem("shifts", f"{record.label}: expected a list of {{expert, hours}}")
            for n, item in enumerate(raw if isinstance(raw, list) else []):
                if not isinstance(item, LineDict):
                    record.problem("shifts", f"{record.label}, shift {n + 1}: expected a mapping {{expert, hours}}")
                    continue
                sub = Record(ctx, relative, item, f"{record.label}, shift {n + 1}")
                sub.check_fields(("expert", "hours"), ("expert", "hours"))
                slug, hours = sub.text("expert", max_length=drafts.SLUG_MAX), sub.text("hours", max_length=20)
                if slug and hours:
                    try:
                        starts, ends = parse_hours(hours)
                    except SlotError as exc:
                        sub.problem("hours", f"{sub.label}: {exc}")
                        continue
                    if any(s[0] == slug for s in shifts):
                        sub.problem("expert", f"{sub.label}: {slug} is on this day twice")
                        continue
                    shifts.append((slug, hhmm(starts), hhmm(ends)))
            if closed and shifts:
                record.problem("closed", f"{record.label}: a closed day has no shifts")
            elif not closed and not shifts and raw is not None:
                record.problem("shifts", f"{record.label}: give at least one shift, or closed: true")
            elif not closed and raw is None:
                record.problem("shifts", f"{record.label}: give the shifts, or closed: true")
            if day in seen:
                record.problem("date", f"{record.label}: {day} is in the rota twice")
            if day is not None:
                seen.add(day)
            if len(ctx.problems) == before and day is not None:
                days.append(
                    RotaRecord(day=day, closed=closed, note=" ".join(note.split()), shifts=shifts, line=record.line)
                )

    def _read_calls(self, ctx: LoadContext) -> None:
        relative = f"{FOLDER}/{LOG_FILE}"
        calls: list[CallRecord] = ctx.records[self.name]["calls"]
        keys = set()
        for index, record in enumerate(records_of(ctx, relative, ctx.read(relative), "calls")):
            record.label = f"call {index + 1}"
            before = len(ctx.problems)
            record.check_fields(CALL_FIELDS, ("date", "expert", "area", "question", "advice", "minutes"))
            called_on = record.date("date")
            minutes = record.whole_number("minutes", low=1, high=drafts.MINUTES_MAX)
            texts = {}
            for key, limit in (("question", drafts.QUESTION_MAX), ("advice", drafts.ADVICE_MAX)):
                text = " ".join((record.text(key, max_length=limit) or "").split())
                if text and len(text) < 10:
                    record.problem(key, f"{record.label}: write the {key} in a sentence (at least 10 characters)")
                elif text and (findings := find_case_details(text)):
                    record.problem(
                        key,
                        f"{record.label}: this looks like it holds case details ({describe(findings)}); the advice log "
                        f"never keeps them",
                    )
                texts[key] = text
            if called_on and called_on > clock.today():
                record.problem("date", f"{record.label}: the date of the call, {called_on}, is in the future")
            raw_at = record.data.get("logged_at")
            # Without logged_at, a call is taken as logged at noon on its day (a second apart, in file order, so each
            # is named).
            logged_at = (
                as_datetime(raw_at)
                if raw_at is not None
                else (dt.datetime.combine(called_on, dt.time(12)) + dt.timedelta(seconds=index) if called_on else None)
            )
            if raw_at is not None and logged_at is None:
                record.problem("logged_at", f"{record.label}: expected a date and time, such as 2026-10-02 14:30:00")
            expert = record.text("expert", max_length=drafts.SLUG_MAX)
            if (expert, logged_at) in keys:
                record.problem("logged_at", f"{record.label}: {expert} has two calls logged at {logged_at}")
            keys.add((expert, logged_at))
            if len(ctx.problems) == before and called_on and minutes and expert:
                calls.append(
                    CallRecord(
                        line=record.line,
                        called_on=called_on,
                        expert=expert,
                        area=record.text("area", max_length=64) or "",
                        question=texts["question"],
                        advice=texts["advice"],
                        minutes=minutes,
                        logged_by=record.text("logged_by", max_length=64),
                        logged_at=logged_at,
                        tip=record.text("tip", max_length=200),
                    )
                )

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
            person = (rec.draft.name.lower(), rec.draft.region)
            if person in people:
                ctx.problem(
                    rec.file,
                    rec.line,
                    "name",
                    f"{_label(rec.file)}: {rec.draft.name} ({rec.draft.region}) is also the expert {people[person]}",
                )
            people[person] = rec.slug
            for area in rec.draft.areas:
                if area not in areas:
                    ctx.problem(rec.file, rec.line, "areas", f"{_label(rec.file)}: unknown area {area}")
            if not rec.draft.areas:
                ctx.problem(rec.file, rec.line, "areas", f"{_label(rec.file)}: name at least one area of practice")
            elif len(rec.draft.areas) > drafts.AREAS_MAX:
                ctx.problem(rec.file, rec.line, "areas", f"{_label(rec.file)}: at most {drafts.AREAS_MAX} areas")
            if rec.draft.username:
                if rec.draft.username not in users:
                    ctx.problem(
                        rec.file, rec.line, "username", f"{_label(rec.file)}: unknown user {rec.draft.username}"
                    )
                elif rec.draft.username in owners:
                    ctx.problem(
                        rec.file,
                        rec.line,
                        "username",
                        f"{_label(rec.file)}: {rec.draft.username} is also the expert {owners[rec.draft.username]}",
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
                            f"{_label(rec.file)}: {rec.draft.username} is already the expert {holder}",
                        )
            if rec.draft.email:
                key = rec.draft.email.lower()
                if key in emails:
                    ctx.problem(
                        rec.file,
                        rec.line,
                        "email",
                        f"{_label(rec.file)}: the expert {emails[key]} has the same email address",
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
            if existing is not None and _call_row(existing) != _record_row(call):
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
            before = entries.snapshot(expert) | _extra(expert) if expert is not None else None
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
            after = entries.snapshot(expert) | _extra(expert)
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
            write_yaml_file(root / FOLDER / ROTA_FILE, [_rota_entry(d) for d in days])
            written.append(f"{FOLDER}/{ROTA_FILE}")
        calls = list(
            db.session.scalars(select(AdviceCall).order_by(AdviceCall.called_on, AdviceCall.logged_at, AdviceCall.id))
        )
        if calls:
            write_yaml_file(root / FOLDER / LOG_FILE, [_call_entry(c) for c in calls])
            written.append(f"{FOLDER}/{LOG_FILE}")
        return written


def _extra(expert: Expert) -> dict:
    """What a load may change beyond the entry itself: away dates and retirement, when set."""
    extra = {}
    if expert.away_until:
        extra["away"] = f"{expert.away_from} to {expert.away_until}" + (
            f" ({expert.away_note})" if expert.away_note else ""
        )
    if expert.retired_on:
        extra["retired"] = f"{expert.retired_on}: {expert.retired_reason}"
    return extra


def export_expert(expert: Expert) -> str:
    front = {"name": expert.name}
    if expert.user:
        front["username"] = expert.user.username
    front |= {
        "job_title": expert.job_title,
        "region": expert.region,
        "areas": expert.area_slugs,
        "skills": list(expert.skills),
        "languages": list(expert.languages),
        "phone": expert.phone or None,
        "email": expert.email or None,
        "availability": list(expert.availability),
        "active": expert.active,
        "review_by": expert.review_by,
    }
    if expert.away_until:
        front |= {"away_from": expert.away_from, "away_until": expert.away_until}
        if expert.away_note:
            front["away_note"] = expert.away_note
    if not expert.active:
        front |= {"retired_on": expert.retired_on, "retired_reason": expert.retired_reason}
    body = expert.about.strip()
    return markdown_text(front, body + "\n" if body else "")


def _rota_entry(day: RotaDay) -> dict:
    entry: dict = {"date": day.day}
    if day.closed:
        entry["closed"] = True
    if day.note:
        entry["note"] = day.note
    if not day.closed:
        entry["shifts"] = [
            {"expert": s.expert.slug, "hours": f"{s.starts}-{s.ends}"}
            for s in sorted(day.shifts, key=lambda s: (s.starts, s.expert.slug))
        ]
    return entry


def _call_entry(call: AdviceCall) -> dict:
    entry = {
        "date": call.called_on,
        "expert": call.expert.slug,
        "area": call.area.slug,
        "question": call.question,
        "advice": call.advice,
        "minutes": call.minutes,
    }
    if call.logged_by:
        entry["logged_by"] = call.logged_by.username
    entry["logged_at"] = call.logged_at
    if call.tip:
        entry["tip"] = f"{call.tip.area.slug}/{call.tip.slug}"
    return entry


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


def _call_row(call: AdviceCall) -> tuple:
    return (
        call.called_on,
        call.area.slug,
        call.question,
        call.advice,
        call.minutes,
        call.logged_by.username if call.logged_by else None,
        call.tip.slug if call.tip else None,
    )


def _record_row(call: CallRecord) -> tuple:
    return (
        call.called_on,
        call.area,
        call.question,
        call.advice,
        call.minutes,
        call.logged_by,
        call.tip.rsplit("/", 1)[-1] if call.tip else None,
    )
