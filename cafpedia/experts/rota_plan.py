"""The advice line's rota: the days the register administrator sets (closed, or shifts
that replace the usual availability), and the gaps a week leaves by area."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cafpedia.areas.models import PracticeArea
from cafpedia.areas.services import list_areas
from cafpedia.core import audit, clock
from cafpedia.core.clock import utcnow
from cafpedia.core.errors import NotAllowed, ValidationError
from cafpedia.core.permissions import can_manage_register as manages_register
from cafpedia.core.text import has_control_characters
from cafpedia.experts import availability
from cafpedia.experts.availability import RotaPlan, SlotError, parse_hours
from cafpedia.experts.lookups import all_experts
from cafpedia.experts.models import (
    Expert,
    RotaDay,
    RotaShift,
)
from cafpedia.extensions import db

# --- The rota -----------------------------------------------------------------------------------


def rota_days(start: date, end: date) -> dict[date, RotaDay]:
    """The days from `start` to `end` (inclusive) the administrator has set, with their shifts."""
    return {
        d.day: d
        for d in db.session.scalars(
            select(RotaDay).where(RotaDay.day >= start, RotaDay.day <= end).options(selectinload(RotaDay.shifts))
        )
    }


def load_rota(start: date, end: date) -> dict[date, RotaPlan]:
    """Those days as availability reads them."""
    return {
        day: RotaPlan(
            closed=d.closed, note=d.note, shifts={s.expert_id: parse_hours(f"{s.starts}-{s.ends}") for s in d.shifts}
        )
        for day, d in rota_days(start, end).items()
    }


REGULAR, ROTA, CLOSED = "regular", "rota", "closed"


@dataclass
class DayInput:
    day: date
    mode: str  # regular | rota | closed
    note: str = ""
    hours: dict[int, str] = field(default_factory=dict)  # expert id -> "09:00-17:00" as typed


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def coming_monday(today: date) -> date:
    """The week the people who run the line plan: this one on a Monday, otherwise the next."""
    return today if today.weekday() == 0 else monday_of(today) + timedelta(days=7)


def set_rota(actor, days: list[DayInput], *, today: date | None = None) -> list[RotaDay]:
    """Set the rota for some days: each follows the weekly slots, is closed, or has these shifts."""
    if not manages_register(actor):
        raise NotAllowed("Only the register administrator sets the rota.")
    today = today or clock.today()
    experts = {e.id: e for e in all_experts(active=None)}
    existing = rota_days(min(d.day for d in days), max(d.day for d in days)) if days else {}
    errors: dict[str, str] = {}
    parsed = {entry.day: _check_day(entry, experts, existing, today, errors) for entry in days}
    if errors:
        raise ValidationError(errors)
    saved = []
    for entry in days:
        if entry.day >= today:  # a past day is unchanged: checked above
            row = _save_day(actor, entry, existing.get(entry.day), parsed[entry.day], experts)
            if row is not None:
                saved.append(row)
    return saved


def _check_day(
    entry: DayInput, experts: dict[int, Expert], existing: dict[date, RotaDay], today: date, errors: dict[str, str]
):
    """The day's shifts as parsed, adding its problems to `errors`."""
    key = f"day-{entry.day.isoformat()}"
    label = f"{entry.day:%a} {entry.day.day} {entry.day:%b}"
    if entry.mode not in (REGULAR, ROTA, CLOSED):
        errors[key] = f"{label}: choose the usual availability, a rota, or closed."
        return {}
    if entry.day < today:
        if _rota_request(entry) != _rota_snapshot(existing.get(entry.day), by_id=False):
            errors[key] = f"{label} has passed: the rota can only be changed for today and later."
        return {}
    note = " ".join((entry.note or "").split())
    if len(note) > 200 or has_control_characters(note):
        errors[key] = f"{label}: keep the note to 200 characters."
        return {}
    shifts = _shifts(entry, label, experts, errors)
    if (
        entry.mode == ROTA
        and not shifts
        and not any(k.startswith(f"hours-{entry.day.isoformat()}") for k in errors)
        and key not in errors
    ):
        errors[key] = f"{label}: give the hours of at least one expert, or choose closed."
    if entry.mode != ROTA and shifts:
        errors[key] = (
            f"{label}: hours are given, but the day is set to "
            f"{'closed' if entry.mode == CLOSED else 'the usual availability'}; choose “rota” to use them."
        )
    return shifts


def _shifts(
    entry: DayInput, label: str, experts: dict[int, Expert], errors: dict[str, str]
) -> dict[int, tuple[int, int]]:
    shifts = {}
    for expert_id, text in entry.hours.items():
        if not (text or "").strip():
            continue
        expert = experts.get(expert_id)
        if expert is None or not expert.active:
            errors[f"day-{entry.day.isoformat()}"] = f"{label}: only experts on the register can be on the rota."
            break
        try:
            shifts[expert_id] = parse_hours(text)
        except SlotError as exc:
            errors[f"hours-{entry.day.isoformat()}-{expert_id}"] = f"{expert.name} on {label}: {exc}."
    return shifts


def _save_day(
    actor, entry: DayInput, row: RotaDay | None, shifts: dict[int, tuple[int, int]], experts: dict[int, Expert]
) -> RotaDay | None:
    """The day as set (None when it follows the usual availability), its change audited."""
    before = _rota_snapshot(row)
    if entry.mode == REGULAR:
        if row is not None:
            db.session.delete(row)
        row = None
    else:
        if row is None:
            row = RotaDay(day=entry.day)
            db.session.add(row)
        row.closed = entry.mode == CLOSED
        row.note = " ".join((entry.note or "").split())
        row.set_by_id, row.set_at = actor.id, utcnow()
        wanted = (
            {eid: (availability.hhmm(s), availability.hhmm(e)) for eid, (s, e) in shifts.items()}
            if entry.mode == ROTA
            else {}
        )
        if {s.expert_id: (s.starts, s.ends) for s in row.shifts} != wanted:
            row.shifts = [RotaShift(expert_id=eid, starts=s, ends=e) for eid, (s, e) in sorted(wanted.items())]
    db.session.flush()
    after = _rota_snapshot(row)
    if after != before:
        audit.record(
            actor,
            "rota.set",
            "rota",
            entry.day.isoformat(),
            summary=_rota_summary(entry.day, after, experts),
            before=before,
            after=after,
        )
    return row


def _rota_snapshot(row: RotaDay | None, *, by_id: bool = True) -> dict | None:
    if row is None:
        return None
    shifts = {str(s.expert_id): f"{s.starts}-{s.ends}" for s in sorted(row.shifts, key=lambda s: s.expert_id)}
    return (
        {"closed": row.closed, "note": row.note, "shifts": shifts}
        if by_id
        else {"closed": row.closed, "shifts": shifts}
    )


def _rota_request(entry: DayInput) -> dict | None:
    """A day as the form asks for it, in the form of _rota_snapshot(by_id=False), to tell whether it changes."""
    if entry.mode == REGULAR:
        return None
    shifts = {}
    for expert_id, text in sorted(entry.hours.items()):
        try:
            starts, ends = parse_hours(text) if (text or "").strip() else (None, None)
        except SlotError:
            return {"invalid": True}
        if starts is not None:
            shifts[str(expert_id)] = f"{availability.hhmm(starts)}-{availability.hhmm(ends)}"
    return {"closed": entry.mode == CLOSED, "shifts": {} if entry.mode == CLOSED else shifts}


def _rota_summary(day: date, after: dict | None, experts: dict[int, Expert]) -> str:
    if after is None:
        return f"{day}: usual availability"
    if after["closed"]:
        return f"{day}: line closed" + (f" ({after['note']})" if after["note"] else "")
    return f"{day}: " + ", ".join(f"{experts[int(k)].name} {v}" for k, v in after["shifts"].items())


# --- Gaps ---------------------------------------------------------------------------------------


@dataclass
class AreaGap:
    area: PracticeArea
    experts: int  # active experts for the area
    minutes: int  # minutes of cover in the week
    days_without: list[date]

    @property
    def problem(self) -> str:
        if not self.experts:
            return "No expert on the register"
        if not self.minutes:
            return "Nobody available this week"
        if self.days_without:
            return "Nobody on " + ", ".join(d.strftime("%A") for d in self.days_without)
        return ""


def gaps(monday: date) -> list[AreaGap]:
    """Every area's cover in the week starting `monday`, areas with a gap first."""
    rota = load_rota(monday, monday + timedelta(days=6))
    experts = all_experts()
    result = []
    for area in list_areas():
        mine = [e for e in experts if area.slug in e.area_slugs]
        days_without = [
            monday + timedelta(days=n)
            for n in range(5)
            if not any(availability.hours_on(e, monday + timedelta(days=n), rota) for e in mine)
        ]
        result.append(
            AreaGap(
                area=area,
                experts=len(mine),
                minutes=sum(availability.minutes_in_week(e, monday, rota) for e in mine),
                days_without=days_without,
            )
        )
    return sorted(result, key=lambda g: (not g.problem, g.minutes, g.area.title))
