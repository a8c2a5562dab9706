"""The Register of Experts and the Practice Advice Line: entries, availability, the rota,
nominations, the advice log and its report. No request or session in here; callers commit.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from cafpedia.accounts.models import User, UserRole
from cafpedia.accounts.services import email_problem, find_user
from cafpedia.areas.models import PracticeArea
from cafpedia.areas.services import find_area, list_areas
from cafpedia.core import audit, clock
from cafpedia.core.clock import utcnow
from cafpedia.core.confidentiality import describe, find_case_details
from cafpedia.core.errors import NotAllowed, NotFound, ServiceError, ValidationError
from cafpedia.core.permissions import REGISTER_ADMIN, can_edit_expert, can_log_for, can_moderate, is_signed_in
from cafpedia.core.permissions import can_manage_register as manages_register
from cafpedia.core.text import has_control_characters
from cafpedia.experts import availability
from cafpedia.experts.availability import RotaPlan, SlotError, local, parse_hours, parse_slots
from cafpedia.experts.models import (
    ACCEPTED,
    DECLINED,
    PENDING,
    REGIONS,
    AdviceCall,
    Expert,
    ExpertArea,
    Nomination,
    RotaDay,
    RotaShift,
)
from cafpedia.extensions import db

NAME_MAX = 120
JOB_TITLE_MAX = 160
PHONE_MAX = 40
ABOUT_MAX = 5000
SKILL_MAX = 60
SKILLS_MAX = 12
LANGUAGE_MAX = 40
LANGUAGES_MAX = 8
SLOTS_MAX = 21
AREAS_MAX = 5
NOTE_MAX = 500
AWAY_NOTE_MAX = 200
QUESTION_MAX = 300
ADVICE_MAX = 1000
MINUTES_MAX = 240
REVIEW_MONTHS = 6
SLUG_MAX = 80
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Pages under /experts/ that an entry's address must not take.
RESERVED_SLUGS = frozenset({"new", "mine", "register", "rota", "nominate", "nominations"})
PHONE_RE = re.compile(r"^\+?[0-9 ()-]{6,40}$")


# --- Finding entries ---------------------------------------------------------------------------


def find_expert(slug: str) -> Expert | None:
    return db.session.scalar(select(Expert).where(Expert.slug == slug))


def get_expert(slug: str) -> Expert:
    expert = find_expert(slug)
    if expert is None:
        raise NotFound(f"There is no expert {slug!r} on the register.")
    return expert


def expert_for_user(user) -> Expert | None:
    return user.expert_entry if is_signed_in(user) else None


def all_experts(*, active: bool | None = True) -> list[Expert]:
    query = select(Expert).options(selectinload(Expert.area_links).selectinload(ExpertArea.area)).order_by(Expert.name)
    if active is not None:
        query = query.where(Expert.active.is_(active))
    return list(db.session.scalars(query))


def rota_days(start: date, end: date) -> dict[date, RotaDay]:
    """The days from `start` to `end` (inclusive) the administrator has set, with their shifts."""
    return {d.day: d for d in db.session.scalars(select(RotaDay).where(RotaDay.day >= start, RotaDay.day <= end).options(selectinload(RotaDay.shifts)))}


def load_rota(start: date, end: date) -> dict[date, RotaPlan]:
    """Those days as availability reads them."""
    return {day: RotaPlan(closed=d.closed, note=d.note, shifts={s.expert_id: parse_hours(f"{s.starts}-{s.ends}") for s in d.shifts})
            for day, d in rota_days(start, end).items()}


@dataclass
class Filters:
    text: str = ""
    area: str = ""
    skill: str = ""
    region: str = ""
    language: str = ""
    available_now: bool = False


@dataclass
class Entry:
    expert: Expert
    available: bool
    next_at: datetime | None
    next_text: str
    unconfirmed: bool


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _matches_text(expert: Expert, words: list[str]) -> bool:
    haystack = set(_words(" ".join([expert.name, expert.job_title, expert.region, expert.about, *expert.skills, *expert.languages,
                                    *(a.title for a in expert.areas), *expert.area_slugs])))
    return all(any(w.startswith(word) for w in haystack) for word in words)


def is_unconfirmed(expert: Expert, today: date) -> bool:
    return expert.review_by is None or expert.review_by < today


def entry_for(expert: Expert, now: datetime, rota) -> Entry:
    next_at = availability.next_available(expert, now, rota)  # now itself, when they are on the line
    available = next_at is not None and next_at <= local(now)
    until = availability.on_line_until(expert, now, rota) if available else None
    return Entry(expert=expert, available=available, next_at=next_at, next_text=availability.describe_next(next_at, now, until),
                 unconfirmed=is_unconfirmed(expert, local(now).date()))


def find_experts(filters: Filters, *, now: datetime | None = None) -> list[Entry]:
    """Active experts matching every filter: those on the line now first, then by when they are next free."""
    now = now or utcnow()
    today = local(now).date()
    rota = load_rota(today, today + timedelta(days=14))
    words = _words(filters.text)
    entries = []
    for expert in all_experts():
        if filters.area and filters.area not in expert.area_slugs:
            continue
        if filters.region and expert.region != filters.region:
            continue
        if filters.skill and filters.skill.lower() not in (s.lower() for s in expert.skills):
            continue
        if filters.language and filters.language.lower() not in (lang.lower() for lang in expert.languages):
            continue
        if words and not _matches_text(expert, words):
            continue
        entry = entry_for(expert, now, rota)
        if filters.available_now and not entry.available:
            continue
        entries.append(entry)
    far = datetime.max.replace(tzinfo=local(now).tzinfo)
    return sorted(entries, key=lambda e: (not e.available, e.next_at or far, e.expert.name.lower()))


def count_available_now(*, now: datetime | None = None) -> int:
    """How many experts are on the line this minute (today's rota only: no look ahead)."""
    now = now or utcnow()
    today = local(now).date()
    rota = load_rota(today, today)
    return sum(availability.available_now(e, now, rota) for e in all_experts())


def skill_and_language_choices() -> tuple[list[str], list[str]]:
    """The skills and the languages on the register, for the finder's lists."""
    experts = all_experts()
    return (sorted({s for e in experts for s in e.skills}, key=str.lower),
            sorted({lang for e in experts for lang in e.languages}, key=str.lower))


def due_for_review(today: date | None = None) -> list[Expert]:
    """Active entries whose review date has passed: shown as unconfirmed until the expert confirms."""
    today = today or clock.today()
    return [e for e in all_experts() if is_unconfirmed(e, today)]


# --- Adding and changing entries -----------------------------------------------------------------


@dataclass
class ExpertDraft:
    name: str
    job_title: str
    region: str
    areas: list[str]
    skills: list[str]
    languages: list[str]
    phone: str
    email: str
    availability: list[str]
    about: str = ""
    username: str = ""
    review_by: date | None = None

    @classmethod
    def of(cls, expert: Expert) -> ExpertDraft:
        return cls(name=expert.name, job_title=expert.job_title, region=expert.region, areas=expert.area_slugs, skills=list(expert.skills),
                   languages=list(expert.languages), phone=expert.phone, email=expert.email, availability=list(expert.availability),
                   about=expert.about, username=expert.user.username if expert.user else "", review_by=expert.review_by)


def _clean_list(values, *, max_items: int, max_length: int, label: str, errors: dict, key: str) -> list[str]:
    items = list(dict.fromkeys(" ".join(v.split()) for v in values if v and v.strip()))
    if len(items) > max_items:
        errors[key] = f"Give at most {max_items} {label}."
    elif any(len(v) > max_length for v in items):
        errors[key] = f"Keep each of the {label} to {max_length} characters."
    elif any(has_control_characters(v) for v in items):
        errors[key] = f"The {label} hold a character that cannot be typed."
    return items


def check_draft(draft: ExpertDraft, *, expert: Expert | None = None) -> tuple[dict[str, str], ExpertDraft, list[PracticeArea], User | None]:
    """(problems by field, the draft tidied, its areas, its account) for an entry as typed."""
    errors: dict[str, str] = {}
    name = " ".join((draft.name or "").split())
    if len(name) < 2:
        errors["name"] = "Enter the expert's full name."
    elif len(name) > NAME_MAX:
        errors["name"] = f"Use at most {NAME_MAX} characters for the name."
    job_title = " ".join((draft.job_title or "").split())
    if not job_title:
        errors["job_title"] = "Enter the expert's job title, for example Family Court Adviser (adoption)."
    elif len(job_title) > JOB_TITLE_MAX:
        errors["job_title"] = f"Use at most {JOB_TITLE_MAX} characters for the job title."
    if draft.region not in REGIONS:
        errors["region"] = (f"There is no region called “{draft.region}”: choose one of {', '.join(REGIONS)}." if draft.region
                            else "Choose the expert's region.")
    areas, unknown = [], []
    for slug in dict.fromkeys(draft.areas):
        area = find_area(slug)
        (areas.append(area) if area else unknown.append(slug))
    if unknown:
        errors["areas"] = f"There is no area of practice called {', '.join(unknown)}."
    elif not areas:
        errors["areas"] = "Choose at least one area of practice the expert advises on."
    elif len(areas) > AREAS_MAX:
        errors["areas"] = f"Choose at most {AREAS_MAX} areas of practice."
    skills = _clean_list(draft.skills, max_items=SKILLS_MAX, max_length=SKILL_MAX, label="skills", errors=errors, key="skills")
    if not skills and "skills" not in errors:
        errors["skills"] = "Name at least one skill, for example special guardianship."
    languages = _clean_list(draft.languages, max_items=LANGUAGES_MAX, max_length=LANGUAGE_MAX, label="languages", errors=errors, key="languages")
    if not languages and "languages" not in errors:
        errors["languages"] = "Name at least one language the expert gives advice in, for example English."
    phone = " ".join((draft.phone or "").split())
    email = (draft.email or "").strip()
    if phone and (not PHONE_RE.match(phone) or sum(c.isdigit() for c in phone) < 6):
        errors["phone"] = "Enter a phone number of digits and spaces, such as 0113 496 0000 or +44 113 496 0000."
    if problem := email_problem(email):
        errors["email"] = problem
    if not phone and not email and "phone" not in errors:
        errors["phone"] = "Give a phone number or an email address, so that practitioners can reach the expert."
    slots, problems = parse_slots(draft.availability)
    if problems:
        errors["availability"] = "; ".join(problems[:3]) + "."
    elif len(slots) > SLOTS_MAX:
        errors["availability"] = f"Give at most {SLOTS_MAX} slots."
    about = (draft.about or "").strip()
    if len(about) > ABOUT_MAX:
        errors["about"] = f"Keep what the expert advises on to {ABOUT_MAX:,} characters (this has {len(about):,})."
    elif has_control_characters(about):
        errors["about"] = "The text holds a character that cannot be typed."
    elif findings := find_case_details(about):
        errors["about"] = f"This looks like it holds case details ({describe(findings)}). Remove them."
    user = None
    username = (draft.username or "").strip()
    if username:
        user = find_user(username)
        if user is None:
            errors["username"] = f"There is no account with the username {username}."
        else:
            other = expert_for_user(user)
            if other is not None and (expert is None or other.id != expert.id):
                errors["username"] = f"{user.name} is already on the register, as {other.name}."
    if not errors.keys() & {"job_title", "skills"} and (findings := find_case_details(" \n".join([job_title, *skills]))):
        errors["job_title"] = f"The job title or skills look like they hold personal details ({describe(findings)}). Remove them."
    others = select(Expert) if expert is None or expert.id is None else select(Expert).where(Expert.id != expert.id)
    if "name" not in errors and draft.region in REGIONS:
        twin = db.session.scalar(others.where(func.lower(Expert.name) == name.lower(), Expert.region == draft.region).limit(1))
        if twin is not None:
            errors["name"] = f"{twin.name} ({twin.region}) is already on the register{'' if twin.active else ', retired'}: edit that entry instead."
    if email and "email" not in errors:
        other = db.session.scalar(others.where(func.lower(Expert.email) == email.lower()).limit(1))
        if other is not None:
            errors["email"] = f"{other.name} is already on the register with this email address."
    tidy = ExpertDraft(name=name, job_title=job_title, region=draft.region, areas=[a.slug for a in areas], skills=skills, languages=languages,
                       phone=phone, email=email, availability=[str(s) for s in slots], about=about, username=username, review_by=draft.review_by)
    return errors, tidy, areas, user


def slug_for(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:SLUG_MAX].strip("-") or "expert"
    slug, n = (base, 2) if base not in RESERVED_SLUGS else (f"{base}-2", 3)
    while find_expert(slug) is not None:
        slug, n = f"{base[:SLUG_MAX - 4].rstrip('-')}-{n}", n + 1
    return slug


def snapshot(expert: Expert) -> dict:
    return {"name": expert.name, "username": expert.user.username if expert.user else None, "job_title": expert.job_title,
            "region": expert.region, "areas": expert.area_slugs, "skills": list(expert.skills), "languages": list(expert.languages),
            "phone": expert.phone, "email": expert.email, "availability": list(expert.availability), "about": expert.about,
            "active": expert.active, "review_by": expert.review_by.isoformat() if expert.review_by else None}


def _apply(expert: Expert, tidy: ExpertDraft, areas, user) -> None:
    expert.name, expert.job_title, expert.region = tidy.name, tidy.job_title, tidy.region
    expert.skills, expert.languages, expert.availability = tidy.skills, tidy.languages, tidy.availability
    expert.phone, expert.email, expert.about = tidy.phone, tidy.email, tidy.about
    expert.user = user
    wanted = [a.id for a in areas]
    if [link.area_id for link in expert.area_links] != wanted:
        expert.area_links = [ExpertArea(area=a, position=n) for n, a in enumerate(areas)]
    expert.updated_at = utcnow()


def review_date_from(today: date) -> date:
    from cafpedia.tips.services import add_months

    return add_months(today, REVIEW_MONTHS)


def add_expert(actor, draft: ExpertDraft, *, slug: str | None = None, today: date | None = None) -> Expert:
    if not manages_register(actor):
        raise NotAllowed("Only the register administrator adds experts to the register.")
    today = today or clock.today()
    errors, tidy, areas, user = check_draft(draft)
    if slug is not None and (not SLUG_RE.match(slug) or len(slug) > SLUG_MAX or slug in RESERVED_SLUGS):
        errors["slug"] = "The web address name is lower-case words joined by hyphens, such as amara-okafor."
    elif slug is not None and find_expert(slug) is not None:
        errors["slug"] = f"There is already an expert at {slug}."
    if errors:
        raise ValidationError(errors)
    expert = Expert(slug=slug or slug_for(tidy.name), active=True, review_by=tidy.review_by or review_date_from(today))
    _apply(expert, tidy, areas, user)
    db.session.add(expert)
    db.session.flush()
    audit.record(actor, "expert.add", "expert", expert.slug, summary=expert.name, after=snapshot(expert))
    return expert


def edit_expert(actor, expert: Expert, draft: ExpertDraft, *, today: date | None = None) -> Expert:
    """Save an entry. An expert saving their own entry confirms it: its review date moves on."""
    if not can_edit_expert(actor, expert):
        raise NotAllowed("You can only change your own entry on the register.")
    today = today or clock.today()
    admin = manages_register(actor)
    if not admin:  # the name, the account, the areas and the review date are the administrator's (areas come by nomination)
        draft.name, draft.username, draft.review_by = expert.name, expert.user.username if expert.user else "", expert.review_by
        draft.areas = expert.area_slugs
    errors, tidy, areas, user = check_draft(draft, expert=expert)
    if errors:
        raise ValidationError(errors)
    before = snapshot(expert)
    _apply(expert, tidy, areas, user)
    if admin and tidy.review_by:
        expert.review_by = tidy.review_by
    if expert.user_id is not None and expert.user_id == actor.id:
        expert.review_by = review_date_from(today)
    db.session.flush()
    after = snapshot(expert)
    if after == before:
        raise ServiceError("Nothing was changed.")
    audit.record(actor, "expert.edit", "expert", expert.slug, summary=expert.name, before=before, after=after)
    return expert


def confirm_entry(actor, expert: Expert, *, today: date | None = None) -> Expert:
    """The expert says their entry is still right: it is confirmed for another six months."""
    if not can_edit_expert(actor, expert):
        raise NotAllowed("You can only confirm your own entry on the register.")
    today = today or clock.today()
    before = expert.review_by
    expert.review_by = review_date_from(today)
    expert.updated_at = utcnow()
    audit.record(actor, "expert.confirm", "expert", expert.slug, summary=expert.name,
                 before={"review_by": before.isoformat() if before else None}, after={"review_by": expert.review_by.isoformat()})
    return expert


def set_away(actor, expert: Expert, *, away_from: date | None, away_until: date | None, note: str = "", today: date | None = None) -> Expert:
    if not can_edit_expert(actor, expert):
        raise NotAllowed("You can only mark yourself away.")
    today = today or clock.today()
    errors = {}
    away_from = away_from or today
    note = " ".join((note or "").split())
    if away_until is None:
        errors["away_until"] = "Give the last day you are away, as day, month and year."
    elif away_until < away_from:
        errors["away_until"] = "The last day away is before the first."
    elif away_until < today:
        errors["away_until"] = "The last day away has already passed."
    elif (away_until - away_from).days > 366:
        errors["away_until"] = "Mark at most a year away; the administrator retires entries for longer absences."
    if len(note) > AWAY_NOTE_MAX:
        errors["away_note"] = f"Keep the note to {AWAY_NOTE_MAX} characters."
    elif findings := find_case_details(note):
        errors["away_note"] = f"This looks like it holds personal details ({describe(findings)}). Remove them."
    if errors:
        raise ValidationError(errors)
    expert.away_from, expert.away_until, expert.away_note = away_from, away_until, note or None
    expert.updated_at = utcnow()
    audit.record(actor, "expert.away", "expert", expert.slug, summary=f"{expert.name}: away {away_from} to {away_until}",
                 after={"away_from": away_from.isoformat(), "away_until": away_until.isoformat(), "away_note": note})
    return expert


def clear_away(actor, expert: Expert) -> Expert:
    if not can_edit_expert(actor, expert):
        raise NotAllowed("You can only change your own entry on the register.")
    if expert.away_until is None:
        raise ServiceError("This entry is not marked away.")
    before = {"away_from": str(expert.away_from), "away_until": str(expert.away_until)}
    expert.away_from = expert.away_until = expert.away_note = None
    expert.updated_at = utcnow()
    audit.record(actor, "expert.back", "expert", expert.slug, summary=f"{expert.name} is back", before=before)
    return expert


def retire(actor, expert: Expert, reason: str, *, today: date | None = None) -> Expert:
    if not manages_register(actor):
        raise NotAllowed("Only the register administrator retires experts.")
    if not expert.active:
        raise ServiceError(f"{expert.name} is already retired.")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Say why the expert leaves the register, for example \"moved to a management post\"."})
    if len(reason) > NOTE_MAX:
        raise ValidationError({"reason": f"Keep the reason to {NOTE_MAX} characters."})
    expert.active = False
    expert.retired_on = today or clock.today()
    expert.retired_reason = reason
    expert.updated_at = utcnow()
    audit.record(actor, "expert.retire", "expert", expert.slug, summary=f"{expert.name}: {reason}", after={"active": False, "reason": reason})
    return expert


def reinstate(actor, expert: Expert, *, today: date | None = None) -> Expert:
    if not manages_register(actor):
        raise NotAllowed("Only the register administrator reinstates experts.")
    if expert.active:
        raise ServiceError(f"{expert.name} is already on the register.")
    expert.active = True
    expert.retired_on = expert.retired_reason = None
    expert.review_by = today or clock.today()  # unconfirmed until the expert checks the entry
    expert.updated_at = utcnow()
    audit.record(actor, "expert.reinstate", "expert", expert.slug, summary=expert.name, after={"active": True})
    return expert


def history(expert: Expert) -> list[audit.AuditEntry]:
    return list(db.session.scalars(select(audit.AuditEntry).where(audit.AuditEntry.object_type == "expert", audit.AuditEntry.object_ref == expert.slug)
                                   .order_by(audit.AuditEntry.id.desc())))


# --- The rota -----------------------------------------------------------------------------------


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
    parsed: dict[date, dict[int, tuple[int, int]]] = {}
    for entry in days:
        key = f"day-{entry.day.isoformat()}"
        label = f"{entry.day:%a} {entry.day.day} {entry.day:%b}"
        if entry.mode not in (REGULAR, ROTA, CLOSED):
            errors[key] = f"{label}: choose the usual availability, a rota, or closed."
            continue
        if entry.day < today:
            if _rota_request(entry) != _rota_snapshot(existing.get(entry.day), by_id=False):
                errors[key] = f"{label} has passed: the rota can only be changed for today and later."
            continue
        note = " ".join((entry.note or "").split())
        if len(note) > 200 or has_control_characters(note):
            errors[key] = f"{label}: keep the note to 200 characters."
            continue
        shifts = {}
        for expert_id, text in entry.hours.items():
            if not (text or "").strip():
                continue
            expert = experts.get(expert_id)
            if expert is None or not expert.active:
                errors[key] = f"{label}: only experts on the register can be on the rota."
                break
            try:
                shifts[expert_id] = parse_hours(text)
            except SlotError as exc:
                errors[f"hours-{entry.day.isoformat()}-{expert_id}"] = f"{expert.name} on {label}: {exc}."
        if entry.mode == ROTA and not shifts and not any(k.startswith(f"hours-{entry.day.isoformat()}") for k in errors) and key not in errors:
            errors[key] = f"{label}: give the hours of at least one expert, or choose closed."
        if entry.mode != ROTA and shifts:
            errors[key] = f"{label}: hours are given, but the day is set to {'closed' if entry.mode == CLOSED else 'the usual availability'}; choose “rota” to use them."
        parsed[entry.day] = shifts
    if errors:
        raise ValidationError(errors)
    saved = []
    for entry in days:
        if entry.day < today:
            continue  # unchanged: checked above
        row = existing.get(entry.day)
        before = _rota_snapshot(row)
        if entry.mode == REGULAR:
            if row is not None:
                db.session.delete(row)
        else:
            if row is None:
                row = RotaDay(day=entry.day)
                db.session.add(row)
            row.closed = entry.mode == CLOSED
            row.note = " ".join((entry.note or "").split())
            row.set_by_id, row.set_at = actor.id, utcnow()
            wanted = {eid: (availability.hhmm(s), availability.hhmm(e)) for eid, (s, e) in parsed[entry.day].items()} if entry.mode == ROTA else {}
            current = {s.expert_id: (s.starts, s.ends) for s in row.shifts}
            if current != wanted:
                row.shifts = [RotaShift(expert_id=eid, starts=s, ends=e) for eid, (s, e) in sorted(wanted.items())]
            saved.append(row)
        db.session.flush()
        after = _rota_snapshot(row if entry.mode != REGULAR else None)
        if after != before:
            audit.record(actor, "rota.set", "rota", entry.day.isoformat(), summary=_rota_summary(entry.day, after, experts), before=before, after=after)
    return saved


def _rota_snapshot(row: RotaDay | None, *, by_id: bool = True) -> dict | None:
    if row is None:
        return None
    shifts = {str(s.expert_id): f"{s.starts}-{s.ends}" for s in sorted(row.shifts, key=lambda s: s.expert_id)}
    return {"closed": row.closed, "note": row.note, "shifts": shifts} if by_id else {"closed": row.closed, "shifts": shifts}


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
        days_without = [monday + timedelta(days=n) for n in range(5)
                        if not any(availability.hours_on(e, monday + timedelta(days=n), rota) for e in mine)]
        result.append(AreaGap(area=area, experts=len(mine), minutes=sum(availability.minutes_in_week(e, monday, rota) for e in mine),
                              days_without=days_without))
    return sorted(result, key=lambda g: (not g.problem, g.minutes, g.area.title))


# --- Nominations --------------------------------------------------------------------------------


@dataclass
class NominationDraft:
    area: str
    name: str
    username: str
    job_title: str
    region: str
    skills: list[str]
    reason: str
    email: str = ""


def nominate(actor, draft: NominationDraft) -> Nomination:
    area = find_area(draft.area)
    errors: dict[str, str] = {}
    if area is None:
        errors["area"] = f"There is no area of practice called {draft.area}." if draft.area else "Choose the area of practice."
    elif not can_moderate(actor, area):
        raise NotAllowed("You can nominate experts only for the areas you lead.")
    name = " ".join((draft.name or "").split())
    if len(name) < 2 or len(name) > NAME_MAX:
        errors["name"] = "Enter the person's full name."
    user = None
    if draft.username.strip():
        user = find_user(draft.username.strip())
        if user is None:
            errors["username"] = f"There is no account with the username {draft.username.strip()}."
        elif (other := expert_for_user(user)) is not None and other.active and area is not None and area.slug in other.area_slugs:
            errors["username"] = f"{user.name} is already on the register for {area.title}."
    job_title = " ".join((draft.job_title or "").split())
    if len(job_title) > JOB_TITLE_MAX:
        errors["job_title"] = f"Use at most {JOB_TITLE_MAX} characters."
    if draft.region not in REGIONS:
        errors["region"] = f"There is no region called “{draft.region}”." if draft.region else "Choose the person's region."
    skills = _clean_list(draft.skills, max_items=SKILLS_MAX, max_length=SKILL_MAX, label="skills", errors=errors, key="skills")
    if not skills and "skills" not in errors:
        errors["skills"] = "Name at least one skill they would advise on, for example special guardianship."
    email = (draft.email or "").strip() or (user.email if user else "")
    if problem := email_problem(email):
        errors["email"] = problem
    elif not email and "username" not in errors:
        errors["email"] = "Give their email address (or their username, if their account has one), so that practitioners can reach them."
    reason = (draft.reason or "").strip()
    if not reason:
        errors["reason"] = "Say what the person can advise on and why you nominate them."
    elif len(reason) > ABOUT_MAX:
        errors["reason"] = f"Keep it to {ABOUT_MAX:,} characters."
    elif findings := find_case_details(reason):
        errors["reason"] = f"This looks like it holds case details ({describe(findings)}). Remove them."
    if area is not None and "name" not in errors:
        twin = db.session.scalar(select(Nomination).where(Nomination.status == PENDING, Nomination.area_id == area.id,
                                                          func.lower(Nomination.name) == name.lower()))
        if twin is not None:
            errors["name"] = f"{name} is already nominated for {area.title}, awaiting the administrator."
    if errors:
        raise ValidationError(errors)
    nomination = Nomination(area=area, nominee=user, name=name, job_title=job_title, region=draft.region, skills=skills, reason=reason,
                            email=email, nominated_by=actor)
    db.session.add(nomination)
    db.session.flush()
    audit.record(actor, "expert.nominate", "nomination", str(nomination.id), summary=f"{name} for {area.title}")
    from cafpedia.notifications import services as notifications

    for admin in db.session.scalars(select(User).join(UserRole).where(User.active.is_(True), UserRole.role == REGISTER_ADMIN)):
        notifications.notify(admin, "nomination", f"{actor.name} nominated {name} for the register ({area.title}).", "/experts/register")
    return nomination


def pending_nominations() -> list[Nomination]:
    return list(db.session.scalars(select(Nomination).where(Nomination.status == PENDING).order_by(Nomination.nominated_at)))


def nominations_by(user) -> list[Nomination]:
    return list(db.session.scalars(select(Nomination).where(Nomination.nominated_by_id == user.id).order_by(Nomination.nominated_at.desc())))


def decide_nomination(actor, nomination: Nomination, *, accept: bool, note: str = "", today: date | None = None) -> Nomination:
    """Decline, or accept: the person joins the register, unconfirmed until they check their entry."""
    if not manages_register(actor):
        raise NotAllowed("Only the register administrator decides nominations.")
    if nomination.status != PENDING:
        raise ServiceError(f"This nomination was already {nomination.status}.")
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"Keep the note to {NOTE_MAX} characters."})
    if not accept and not note:
        raise ValidationError({"note": "Say why the nomination is declined: the lead manager is told."})
    today = today or clock.today()
    if accept:
        existing = expert_for_user(nomination.nominee) if nomination.nominee else None
        if existing is not None:
            if not existing.active:
                raise ServiceError(f"{existing.name} has a retired entry on the register: reinstate it instead.")
            if nomination.area.slug not in existing.area_slugs:
                existing.area_links.append(ExpertArea(area=nomination.area, position=len(existing.area_links)))
                existing.updated_at = utcnow()
            nomination.expert = existing
        else:
            # The entry is checked like one the administrator types; they add the rest (phone, slots) next.
            draft = ExpertDraft(name=nomination.name, job_title=nomination.job_title or "Family Court Adviser", region=nomination.region,
                                areas=[nomination.area.slug], skills=list(nomination.skills), languages=["English"], phone="",
                                email=nomination.email or (nomination.nominee.email if nomination.nominee else ""), availability=[],
                                about=nomination.reason, username=nomination.nominee.username if nomination.nominee else "")
            errors, tidy, areas, user = check_draft(draft)
            if errors:
                raise ServiceError("The nomination cannot become an entry as it stands: " + " ".join(errors.values())
                                   + " Decline it with a note, or add the expert yourself.")
            expert = Expert(slug=slug_for(tidy.name), active=True, review_by=today)
            _apply(expert, tidy, areas, user)
            db.session.add(expert)
            nomination.expert = expert
    nomination.status = ACCEPTED if accept else DECLINED
    nomination.decided_by, nomination.decided_at, nomination.decision_note = actor, utcnow(), note or None
    db.session.flush()
    audit.record(actor, f"expert.nomination_{nomination.status}", "nomination", str(nomination.id),
                 summary=f"{nomination.name} for {nomination.area.title}" + (f": {note}" if note else ""))
    from cafpedia.notifications import services as notifications

    notifications.notify(nomination.nominated_by, "nomination",
                         f"Your nomination of {nomination.name} for {nomination.area.title} was {nomination.status}" + (f": {note}" if note else "."),
                         f"/experts/{nomination.expert.slug}" if nomination.expert else "/experts/nominate")
    return nomination


# --- The advice log ------------------------------------------------------------------------------


@dataclass
class CallDraft:
    called_on: date | None
    area: str
    question: str
    advice: str
    minutes: int | None
    tip: str = ""  # a tip that answers it, by slug


def log_call(actor, expert: Expert, draft: CallDraft, *, today: date | None = None) -> AdviceCall:
    """Record a call. Nothing that could identify a child or family is kept: such a call is refused."""
    if not can_log_for(actor, expert):
        raise NotAllowed("You can log only your own calls to the advice line.")
    today = today or clock.today()
    errors: dict[str, str] = {}
    if draft.called_on is None:
        errors["called_on"] = "Give the date of the call, as day, month and year."
    elif draft.called_on > today:
        errors["called_on"] = "The date of the call is in the future."
    elif draft.called_on < today - timedelta(days=366):
        errors["called_on"] = "Log calls within a year of taking them."
    area = find_area(draft.area) if draft.area else None
    if area is None:
        errors["area"] = f"There is no area of practice called {draft.area}." if draft.area else "Choose the area of practice the question was about."
    question = " ".join((draft.question or "").split())
    advice = " ".join((draft.advice or "").split())
    for key, text, limit, what in (("question", question, QUESTION_MAX, "the question"), ("advice", advice, ADVICE_MAX, "the advice")):
        if len(text) < 10:
            errors[key] = f"Write {what} in a sentence."
        elif len(text) > limit:
            errors[key] = f"Keep {what} to {limit} characters: a sentence or two (this has {len(text)})."
        elif has_control_characters(text):
            errors[key] = "The text holds a character that cannot be typed."
        elif findings := find_case_details(text):
            errors[key] = (f"This looks like it holds case details ({describe(findings)}). The advice log keeps the knowledge, "
                           "never who the case is about: take them out and describe the situation in general terms.")
    if draft.minutes is None or not 1 <= draft.minutes <= MINUTES_MAX:
        errors["minutes"] = f"Give the minutes the call took, from 1 to {MINUTES_MAX}."
    tip = None
    if draft.tip.strip():
        from cafpedia.tips.services import find_tip

        tip = find_tip(draft.tip.strip().rsplit("/", 1)[-1])
        if tip is None or tip.current_number is None:
            errors["tip"] = f"There is no published tip {draft.tip.strip()}: give the last part of its web address, such as seeing-children-at-the-first-hearing."
    if errors:
        raise ValidationError(errors)
    call = AdviceCall(expert=expert, area=area, called_on=draft.called_on, question=question, advice=advice, minutes=draft.minutes,
                      logged_by_id=actor.id, logged_at=utcnow().replace(microsecond=0), tip=tip)
    db.session.add(call)
    db.session.flush()
    audit.record(actor, "advice.log", "advice_call", str(call.id), summary=f"{expert.name}, {area.title}: {question[:80]}")
    return call


def find_call(call_id: int) -> AdviceCall | None:
    return db.session.get(AdviceCall, call_id)


def recent_calls(*, expert: Expert | None = None, limit: int = 50) -> list[AdviceCall]:
    query = select(AdviceCall).options(selectinload(AdviceCall.area), selectinload(AdviceCall.expert), selectinload(AdviceCall.tip))
    if expert is not None:
        query = query.where(AdviceCall.expert_id == expert.id)
    return list(db.session.scalars(query.order_by(AdviceCall.called_on.desc(), AdviceCall.id.desc()).limit(limit)))


def link_tip(call: AdviceCall, tip) -> None:
    """A tip proposed from this call: once it is published, the question counts as answered."""
    if call.tip_id is None:
        call.tip = tip


# Question words that say nothing about what was asked (Whoosh's list already drops "can", "when", "is"...).
QUESTION_WORDS = frozenset("""about anyon could did do doe how i me must my our should so their them there thei what where which who why would""".split())
SAME_QUESTION = 0.6  # share of stemmed words two questions have in common to count as one


def question_words(question: str) -> frozenset[str]:
    """The stemmed words that carry a question's meaning, in any order."""
    from cafpedia.search.backends.whoosh_index import tokens

    return frozenset(t for t in tokens(question.replace("'s ", " ")) if t not in QUESTION_WORDS)


def same_question(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= SAME_QUESTION


@dataclass
class QuestionGroup:
    question: str  # as most recently asked
    count: int
    area: PracticeArea
    last_call: AdviceCall


@dataclass
class Report:
    months: list[date]  # first day of each month, oldest first
    areas: list[PracticeArea]
    counts: dict[tuple[int, date], int]  # (area id, month) -> calls
    minutes: dict[int, int]  # area id -> minutes
    unanswered: list[QuestionGroup]

    def area_total(self, area) -> int:
        return sum(n for (area_id, _), n in self.counts.items() if area_id == area.id)

    def month_total(self, month: date) -> int:
        return sum(n for (_, m), n in self.counts.items() if m == month)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def rota_rows(days: list[date]) -> list[tuple]:
    """The week as it stands, for a spreadsheet: each day's mode and note, and each expert's
    hours on the line that day (the rota's where it sets the day, otherwise their usual slots)."""
    rota = load_rota(days[0], days[-1])
    experts = all_experts()
    rows = []
    for day in days:
        plan = rota.get(day)
        mode = "closed" if plan and plan.closed else ("rota" if plan else "usual slots")
        on_line = [(e, availability.hours_on(e, day, rota)) for e in experts]
        on_line = [(e, hours) for e, hours in on_line if hours]
        if not on_line:
            rows.append((day.isoformat(), day.strftime("%A"), mode, plan.note if plan else "", "", "", ""))
        for expert, hours in on_line:
            rows.append((day.isoformat(), day.strftime("%A"), mode, plan.note if plan else "", expert.name,
                         ", ".join(f"{availability.hhmm(s)}-{availability.hhmm(t)}" for s, t in hours), "; ".join(expert.area_slugs)))
    return rows


def report(*, months: int = 6, today: date | None = None, top: int = 10) -> Report:
    """Calls by area and month over the last `months` months, and the most asked questions no published tip answers."""
    today = today or clock.today()
    month_list = [clock.first_of_month(today, back) for back in range(months - 1, -1, -1)]
    calls = list(db.session.scalars(select(AdviceCall).where(AdviceCall.called_on >= month_list[0])
                                    .options(selectinload(AdviceCall.area), selectinload(AdviceCall.tip)).order_by(AdviceCall.called_on, AdviceCall.id)))
    counts: Counter = Counter()
    minutes: Counter = Counter()
    for call in calls:
        counts[(call.area_id, clock.first_of_month(call.called_on))] += 1
        minutes[call.area_id] += call.minutes
    areas = [a for a in list_areas() if any(k[0] == a.id for k in counts)]
    groups: list[tuple[frozenset[str], list[AdviceCall]]] = []
    for call in calls:  # each call joins the first group whose question it shares most words with
        words = question_words(call.question)
        group = next((g for key, g in groups if same_question(key, words)), None)
        if group is None:
            groups.append((words, [call]))
        else:
            group.append(call)
    unanswered = []
    for _, group in groups:
        if any(c.tip is not None and c.tip.current_number is not None and c.tip.status == "published" for c in group):
            continue
        last = group[-1]
        most_asked_in = Counter(c.area_id for c in group).most_common(1)[0][0]
        area = next(c.area for c in reversed(group) if c.area_id == most_asked_in)
        unanswered.append(QuestionGroup(question=last.question, count=len(group), area=area, last_call=last))
    unanswered.sort(key=lambda g: (-g.count, -g.last_call.called_on.toordinal(), g.question))
    return Report(months=month_list, areas=areas, counts=dict(counts), minutes=dict(minutes), unanswered=unanswered[:top])
