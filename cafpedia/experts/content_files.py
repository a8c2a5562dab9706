"""The register's files in a content folder (experts/SLUG.md, rota.yml, advice-log.yml): their
fields, reading them into records with every problem named, and writing them from the
database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from cafpedia.content.markdown_files import markdown_text, read_markdown
from cafpedia.content.records import LoadContext, Record, as_datetime, records_of
from cafpedia.content.yamlfiles import LineDict
from cafpedia.core import clock
from cafpedia.core.confidentiality import describe, find_case_details
from cafpedia.experts import drafts, lookups
from cafpedia.experts.availability import SlotError, hhmm, parse_hours
from cafpedia.experts.models import AdviceCall, Expert, RotaDay

SECTION = "experts"  # the section's name, under which the load keeps what it read
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
    "case_details_confirmed",
)


ROTA_FIELDS = ("date", "closed", "note", "shifts")


CALL_FIELDS = (
    "date",
    "expert",
    "area",
    "question",
    "advice",
    "minutes",
    "logged_by",
    "logged_at",
    "tip",
    "case_details_confirmed",
)


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


def expert_label(path: str) -> str:
    return f"expert {Path(path).stem}"


def load_state(expert: Expert) -> dict:
    """What a load may change beyond the entry itself: away dates and retirement, when set."""
    extra = {}
    if expert.away_until:
        extra["away"] = f"{expert.away_from} to {expert.away_until}" + (
            f" ({expert.away_note})" if expert.away_note else ""
        )
    if expert.retired_on:
        extra["retired"] = f"{expert.retired_on}: {expert.retired_reason}"
    return extra


def guarded(job_title: str, skills: list[str], about: str, away_note: str | None, reason: str | None) -> dict:
    """An entry's free text the confidentiality guard checks, by the field that holds it (None: the body)."""
    texts = {"job_title": job_title, "skills": ", ".join(skills), None: about}
    return texts | {"away_note": away_note or "", "retired_reason": reason or ""}


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
    texts = guarded(expert.job_title, expert.skills, expert.about, front.get("away_note"), front.get("retired_reason"))
    if any(find_case_details(text) for text in texts.values()):
        front["case_details_confirmed"] = True  # what the guard finds, its writer confirmed: the app keeps nothing else
    body = expert.about.strip()
    return markdown_text(front, body + "\n" if body else "")


def rota_entry(day: RotaDay) -> dict:
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


def call_entry(call: AdviceCall) -> dict:
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
    if find_case_details(call.question) or find_case_details(call.advice):
        entry["case_details_confirmed"] = True  # what the guard finds, its writer confirmed: the log keeps nothing else
    return entry


def call_row(call: AdviceCall) -> tuple:
    return (
        call.called_on,
        call.area.slug,
        call.question,
        call.advice,
        call.minutes,
        call.logged_by.username if call.logged_by else None,
        call.tip.slug if call.tip else None,
    )


def record_row(call: CallRecord) -> tuple:
    return (
        call.called_on,
        call.area,
        call.question,
        call.advice,
        call.minutes,
        call.logged_by,
        call.tip.rsplit("/", 1)[-1] if call.tip else None,
    )


def read_expert(ctx: LoadContext, path: Path, relative: str) -> ExpertRecord | None:
    parsed = read_markdown(ctx, path, relative, "an expert's entry")
    if parsed is None:
        return None
    data, body = parsed
    slug = path.stem
    record = Record(ctx, relative, data, expert_label(relative))
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
    if not record.flag("case_details_confirmed", False):
        for key, text in guarded(draft.job_title, draft.skills, draft.about, away_note, retired_reason).items():
            if findings := find_case_details(text):
                record.problem(
                    key,
                    f"{record.label}: {key or 'the body'} looks as if it may hold case details ({describe(findings)}); "
                    "if it identifies no child or family, say so with case_details_confirmed: true",
                )
    if away_from and not away_until:
        record.problem("away_until", f"{record.label}: away_from needs away_until, the last day away")
    elif away_from and away_until and away_until < away_from:
        record.problem("away_until", f"{record.label}: away_until is before away_from")
    if not active and not (retired_on and retired_reason):
        record.problem("active", f"{record.label}: a retired entry (active: false) needs retired_on and retired_reason")
    if active and (retired_on or retired_reason):
        record.problem(
            "retired_on", f"{record.label}: retired_on and retired_reason are only for an entry with active: false"
        )
    if len(ctx.problems) != before:
        return None
    errors, tidy, _, _, _ = drafts.check_draft(  # the guard was applied above, with the file's confirmation
        drafts.ExpertDraft(**{**draft.__dict__, "areas": [], "username": "", "confirm_safe": True}),
        expert=lookups.find_expert(slug),
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


def read_rota(ctx: LoadContext) -> None:
    relative = f"{FOLDER}/{ROTA_FILE}"
    days: list[RotaRecord] = ctx.records[SECTION]["rota"]
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


def read_calls(ctx: LoadContext) -> None:
    relative = f"{FOLDER}/{LOG_FILE}"
    calls: list[CallRecord] = ctx.records[SECTION]["calls"]
    keys = set()
    for index, record in enumerate(records_of(ctx, relative, ctx.read(relative), "calls")):
        record.label = f"call {index + 1}"
        before = len(ctx.problems)
        record.check_fields(CALL_FIELDS, ("date", "expert", "area", "question", "advice", "minutes"))
        called_on = record.date("date")
        minutes = record.whole_number("minutes", low=1, high=drafts.MINUTES_MAX)
        texts = {}
        confirmed = record.flag("case_details_confirmed", False)
        for key, limit in (("question", drafts.QUESTION_MAX), ("advice", drafts.ADVICE_MAX)):
            text = " ".join((record.text(key, max_length=limit) or "").split())
            if text and len(text) < 10:
                record.problem(key, f"{record.label}: write the {key} in a sentence (at least 10 characters)")
            elif text and not confirmed and (findings := find_case_details(text)):
                record.problem(
                    key,
                    f"{record.label}: this looks like it holds case details ({describe(findings)}); the advice log "
                    f"never keeps them (if it identifies no child or family, say so with case_details_confirmed: true)",
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
