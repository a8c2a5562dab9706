"""The Register of Experts' files in a content folder: an expert's entry (experts/SLUG.md), the
rota (experts/rota.yml) and the advice log (experts/advice-log.yml). Their fields, declared
once (`EXPERT`, `ROTA_DAY` with its `SHIFT`s, `CALL`), reading each into records with every
problem named, and writing each from the database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

from cafpedia.accounts.content import username
from cafpedia.content.fields import Field, Schema, date, flag, kept, one_line, text, text_list, when, whole_number
from cafpedia.content.markdown_files import markdown_text, read_markdown
from cafpedia.content.records import LoadContext, Record, records_of
from cafpedia.core import clock
from cafpedia.core.confidentiality import describe, find_case_details
from cafpedia.experts import drafts, lookups
from cafpedia.experts.availability import SlotError, hhmm, parse_hours
from cafpedia.experts.models import AdviceCall, Expert, RotaDay

SECTION = "experts"  # the section's name, under which the load keeps what it read
FOLDER = "experts"
ROTA_FILE = "rota.yml"
LOG_FILE = "advice-log.yml"


def _areas_problem(areas: list[str]) -> str | None:
    if not areas:
        return "name at least one area of practice"
    return f"at most {drafts.AREAS_MAX} areas" if len(areas) > drafts.AREAS_MAX else None


EXPERT = Schema(
    Field("name", text(drafts.NAME_MAX, empty=""), required=True),
    Field("username", text(64, empty=""), attr="user", dump=username, omit=True),
    Field("job_title", text(drafts.JOB_TITLE_MAX, empty=""), required=True),
    Field("region", text(40, empty=""), required=True),
    Field("areas", text_list(64, _areas_problem, labelled=True), required=True),
    Field("skills", text_list(drafts.SKILL_MAX), dump=list, required=True),
    Field("languages", text_list(drafts.LANGUAGE_MAX), dump=list, required=True),
    Field("phone", text(drafts.PHONE_MAX, empty=""), dump=lambda phone: phone or None),
    Field("email", text(254, empty=""), dump=lambda email: email or None),
    Field("availability", text_list(40), dump=list, required=True),
    Field("active", flag(True)),
    Field("review_by", date),
    Field("away_from", date, omit=True),
    Field("away_until", date, omit=True),
    Field("away_note", text(drafts.AWAY_NOTE_MAX), omit=True),
    Field("retired_on", date, omit=True),
    Field("retired_reason", text(drafts.NOTE_MAX), omit=True),
    Field("case_details_confirmed", flag(False), omit=True),
)
SHIFT = Schema(Field("expert", text(drafts.SLUG_MAX), required=True), Field("hours", text(20), required=True))
ROTA_DAY = Schema(
    Field("date", date, attr="day", required=True),
    Field("closed", flag(False), dump=lambda closed: closed or None, omit=True),
    Field("note", text(200, empty="", tidy=one_line), omit=True),
    Field("shifts", kept, omit=True),
)
CALL = Schema(
    Field("date", date, attr="called_on", required=True),
    Field("expert", text(drafts.SLUG_MAX), dump=lambda expert: expert.slug, required=True),
    Field("area", text(64, empty=""), dump=lambda area: area.slug, required=True),
    Field("question", text(drafts.QUESTION_MAX, empty="", tidy=one_line), required=True),
    Field("advice", text(drafts.ADVICE_MAX, empty="", tidy=one_line), required=True),
    Field("minutes", whole_number(1, drafts.MINUTES_MAX), required=True),
    Field("logged_by", text(64), dump=username, omit=True),
    Field("logged_at", when("expected a date and time, such as 2026-10-02 14:30:00")),
    Field("tip", text(200), dump=lambda tip: f"{tip.area.slug}/{tip.slug}" if tip else None, omit=True),
    Field("case_details_confirmed", flag(False), omit=True),
)


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


def guarded(entry) -> dict:
    """An entry's free text the confidentiality guard checks, by the field that holds it (None: the body)."""
    texts = {"job_title": entry.job_title, "skills": ", ".join(entry.skills), None: entry.about}
    return texts | {"away_note": entry.away_note or "", "retired_reason": entry.retired_reason or ""}


def export_expert(expert: Expert) -> str:
    confirmed = any(find_case_details(text) for text in guarded(expert).values()) or None
    front = EXPERT.write(
        expert,
        areas=expert.area_slugs,
        away_from=expert.away_from if expert.away_until else None,
        away_note=expert.away_note if expert.away_until else None,
        retired_on=None if expert.active else expert.retired_on,
        retired_reason=None if expert.active else expert.retired_reason,
        case_details_confirmed=confirmed,  # what the guard finds, its writer confirmed: the app keeps nothing else
    )
    body = expert.about.strip()
    return markdown_text(front, body + "\n" if body else "")


def rota_entry(day: RotaDay) -> dict:
    shifts = sorted(day.shifts, key=lambda s: (s.starts, s.expert.slug))
    return ROTA_DAY.write(
        day, shifts=None if day.closed else [{"expert": s.expert.slug, "hours": f"{s.starts}-{s.ends}"} for s in shifts]
    )


def call_entry(call: AdviceCall) -> dict:
    confirmed = bool(find_case_details(call.question) or find_case_details(call.advice)) or None
    return CALL.write(call, case_details_confirmed=confirmed)  # what the guard finds, its writer confirmed


def call_row(call) -> tuple:
    """What a load may not change about a logged call, from the database or from a file."""
    return (
        call.called_on,
        getattr(call.area, "slug", call.area),
        call.question,
        call.advice,
        call.minutes,
        getattr(call.logged_by, "username", call.logged_by),
        call.tip.slug if isinstance(call, AdviceCall) and call.tip else (call.tip or "").rsplit("/", 1)[-1] or None,
    )


def read_expert(ctx: LoadContext, path: Path, relative: str) -> SimpleNamespace | None:
    parsed = read_markdown(ctx, path, relative, "an expert's entry")
    if parsed is None:
        return None
    data, body = parsed
    record = Record(ctx, relative, data, f"expert {path.stem}")
    before = len(ctx.problems)
    rec = EXPERT.read(record, file=relative, slug=path.stem, line=record.line, about=body.strip())
    if not rec.case_details_confirmed:
        for key, text in guarded(rec).items():
            if findings := find_case_details(text):
                record.problem(
                    key,
                    f"{record.label}: {key or 'the body'} looks as if it may hold case details ({describe(findings)}); "
                    "if it identifies no child or family, say so with case_details_confirmed: true",
                )
    if rec.away_from and not rec.away_until:
        record.problem("away_until", f"{record.label}: away_from needs away_until, the last day away")
    elif rec.away_from and rec.away_until and rec.away_until < rec.away_from:
        record.problem("away_until", f"{record.label}: away_until is before away_from")
    if not rec.active and not (rec.retired_on and rec.retired_reason):
        record.problem("active", f"{record.label}: a retired entry (active: false) needs retired_on and retired_reason")
    if rec.active and (rec.retired_on or rec.retired_reason):
        record.problem(
            "retired_on", f"{record.label}: retired_on and retired_reason are only for an entry with active: false"
        )
    if len(ctx.problems) != before:
        return None
    draft = drafts.ExpertDraft(
        **{key: getattr(rec, key) for key in ("name", "job_title", "region", "skills", "languages", "phone")},
        **{key: getattr(rec, key) for key in ("email", "availability", "about", "review_by")},
        areas=[],
        confirm_safe=True,  # the guard was applied above, with the file's confirmation
    )
    errors, tidy, _, _, _ = drafts.check_draft(draft, expert=lookups.find_expert(rec.slug))
    errors.pop("areas", None)  # areas and accounts are checked against the folder and the database in check()
    for name, message in errors.items():
        record.problem(name if name in EXPERT.keys else None, f"{record.label}: {message}")
    if errors:
        return None
    vars(rec).update(vars(tidy), areas=list(dict.fromkeys(rec.areas)), user=rec.user, away_note=rec.away_note or None)
    rec.away_from = rec.away_from if rec.away_until else None
    return rec


def read_rota(ctx: LoadContext) -> list[SimpleNamespace]:
    relative, days = f"{FOLDER}/{ROTA_FILE}", []
    for index, record in enumerate(records_of(ctx, relative, ctx.read(relative), "rota days")):
        record.label = f"rota day {index + 1}"
        before = len(ctx.problems)
        day = ROTA_DAY.read(record, line=record.line, shifts=[])
        for sub in record.entries("shifts", "{expert, hours}", "shift"):
            shift = SHIFT.read(sub)
            try:
                starts, ends = parse_hours(shift.hours) if shift.expert and shift.hours else (None, None)
            except SlotError as exc:
                sub.problem("hours", f"{sub.label}: {exc}")
                continue
            if any(s[0] == shift.expert for s in day.shifts):
                sub.problem("expert", f"{sub.label}: {shift.expert} is on this day twice")
            elif starts is not None:
                day.shifts.append((shift.expert, hhmm(starts), hhmm(ends)))
        if day.closed and day.shifts:
            record.problem("closed", f"{record.label}: a closed day has no shifts")
        elif not day.closed and not day.shifts and "shifts" in record.data:
            record.problem("shifts", f"{record.label}: give at least one shift, or closed: true")
        elif not day.closed and "shifts" not in record.data:
            record.problem("shifts", f"{record.label}: give the shifts, or closed: true")
        if day.day is not None and any(d.day == day.day for d in days):
            record.problem("date", f"{record.label}: {day.day} is in the rota twice")
        if len(ctx.problems) == before and day.day is not None:
            days.append(day)
    return days


def read_calls(ctx: LoadContext) -> list[SimpleNamespace]:
    relative, calls = f"{FOLDER}/{LOG_FILE}", []
    for index, record in enumerate(records_of(ctx, relative, ctx.read(relative), "calls")):
        record.label = f"call {index + 1}"
        before = len(ctx.problems)
        call = CALL.read(record, line=record.line)
        for key in ("question", "advice"):
            text = getattr(call, key)
            if text and len(text) < 10:
                record.problem(key, f"{record.label}: write the {key} in a sentence (at least 10 characters)")
            elif text and not call.case_details_confirmed and (findings := find_case_details(text)):
                record.problem(
                    key,
                    f"{record.label}: this looks like it holds case details ({describe(findings)}); the advice log "
                    f"never keeps them (if it identifies no child or family, say so with case_details_confirmed: true)",
                )
        if call.called_on and call.called_on > clock.today():
            record.problem("date", f"{record.label}: the date of the call, {call.called_on}, is in the future")
        # Without logged_at, a call is taken as logged at noon on its day (a second apart, in file order, so each
        # is named).
        if "logged_at" not in record.data and call.called_on:
            call.logged_at = dt.datetime.combine(call.called_on, dt.time(12)) + dt.timedelta(seconds=index)
        if any((c.expert, c.logged_at) == (call.expert, call.logged_at) for c in calls):
            record.problem("logged_at", f"{record.label}: {call.expert} has two calls logged at {call.logged_at}")
        if len(ctx.problems) == before and call.called_on and call.minutes and call.expert:
            calls.append(call)
    return calls
