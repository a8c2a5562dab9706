"""The Register of Experts: what an entry may hold, and adding, changing, confirming,
marking away, retiring and reinstating entries. No request or session in here; callers commit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from cafpedia.accounts.fields import email_problem
from cafpedia.accounts.models import User
from cafpedia.accounts.people import find_user
from cafpedia.areas.models import PracticeArea
from cafpedia.areas.services import find_area
from cafpedia.core import audit, clock
from cafpedia.core import validation as rules
from cafpedia.core.clock import utcnow
from cafpedia.core.confidentiality import describe, find_case_details
from cafpedia.core.errors import NotAllowed, NotFound, ServiceError, ValidationError
from cafpedia.core.permissions import can_edit_expert, is_signed_in
from cafpedia.core.permissions import can_manage_register as manages_register
from cafpedia.core.text import has_control_characters
from cafpedia.core.validation import SLUG_WORDS, Problems
from cafpedia.experts.availability import parse_slots
from cafpedia.experts.models import (
    REGIONS,
    Expert,
    ExpertArea,
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
SLUG_RE = SLUG_WORDS
# Pages under /experts/ that an entry's address must not take.
RESERVED_SLUGS = frozenset({"new", "mine", "register", "rota", "nominate", "nominations"})
PHONE_RE = re.compile(r"^\+?[0-9 ()-]{6,40}$")


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
        return cls(
            name=expert.name,
            job_title=expert.job_title,
            region=expert.region,
            areas=expert.area_slugs,
            skills=list(expert.skills),
            languages=list(expert.languages),
            phone=expert.phone,
            email=expert.email,
            availability=list(expert.availability),
            about=expert.about,
            username=expert.user.username if expert.user else "",
            review_by=expert.review_by,
        )


def clean_list(values, *, max_items: int, max_length: int, label: str, errors: dict, key: str) -> list[str]:
    items = list(dict.fromkeys(" ".join(v.split()) for v in values if v and v.strip()))
    if len(items) > max_items:
        errors[key] = f"Give at most {max_items} {label}."
    elif any(len(v) > max_length for v in items):
        errors[key] = f"Keep each of the {label} to {max_length} characters."
    elif any(has_control_characters(v) for v in items):
        errors[key] = f"The {label} hold a character that cannot be typed."
    return items


def check_draft(
    draft: ExpertDraft, *, expert: Expert | None = None
) -> tuple[dict[str, str], ExpertDraft, list[PracticeArea], User | None]:
    """(problems by field, the draft tidied, its areas, its account) for an entry as typed."""
    problems = Problems()
    name, job_title = rules.one_line(draft.name), rules.one_line(draft.job_title)
    problems.add(
        "name",
        rules.title(name, minimum=2, maximum=NAME_MAX, too_short="Enter the expert's full name.", what="the name"),
    )
    if not job_title:
        problems.add("job_title", "Enter the expert's job title, for example Family Court Adviser (adoption).")
    problems.add("job_title", rules.at_most(job_title, JOB_TITLE_MAX, what="the job title"))
    if draft.region not in REGIONS:
        problems.add(
            "region",
            f"There is no region called “{draft.region}”: choose one of {', '.join(REGIONS)}."
            if draft.region
            else "Choose the expert's region.",
        )
    areas, problem = rules.known(
        draft.areas,
        find_area,
        maximum=AREAS_MAX,
        required="Choose at least one area of practice the expert advises on.",
    )
    problems.add("areas", problem)
    skills = clean_list(
        draft.skills, max_items=SKILLS_MAX, max_length=SKILL_MAX, label="skills", errors=problems, key="skills"
    )
    if not skills:
        problems.add("skills", "Name at least one skill, for example special guardianship.")
    languages = clean_list(
        draft.languages,
        max_items=LANGUAGES_MAX,
        max_length=LANGUAGE_MAX,
        label="languages",
        errors=problems,
        key="languages",
    )
    if not languages:
        problems.add("languages", "Name at least one language the expert gives advice in, for example English.")
    phone, email = rules.one_line(draft.phone), (draft.email or "").strip()
    problems.add("phone", _phone_problem(phone))
    problems.add("email", email_problem(email))
    if not phone and not email:
        problems.add("phone", "Give a phone number or an email address, so that practitioners can reach the expert.")
    slots, slot_problems = parse_slots(draft.availability)
    problems.add(
        "availability",
        "; ".join(slot_problems[:3]) + "."
        if slot_problems
        else f"Give at most {SLOTS_MAX} slots."
        if len(slots) > SLOTS_MAX
        else None,
    )
    about = (draft.about or "").strip()
    problems.add("about", rules.plain_text(about, longest=ABOUT_MAX, what="what the expert advises on"))
    if findings := find_case_details(about):
        problems.add("about", f"This looks like it holds case details ({describe(findings)}). Remove them.")
    username = (draft.username or "").strip()
    user, problem = _account(username, expert)
    problems.add("username", problem)
    if not problems.keys() & {"job_title", "skills"} and (
        findings := find_case_details(" \n".join([job_title, *skills]))
    ):
        problems.add(
            "job_title",
            f"The job title or skills look like they hold personal details ({describe(findings)}). Remove them.",
        )
    _check_twins(problems, expert, name=name, region=draft.region, email=email)
    tidy = ExpertDraft(
        name=name,
        job_title=job_title,
        region=draft.region,
        areas=[a.slug for a in areas],
        skills=skills,
        languages=languages,
        phone=phone,
        email=email,
        availability=[str(s) for s in slots],
        about=about,
        username=username,
        review_by=draft.review_by,
    )
    return problems, tidy, areas, user


def _phone_problem(phone: str) -> str | None:
    if phone and (not PHONE_RE.match(phone) or sum(c.isdigit() for c in phone) < 6):
        return "Enter a phone number of digits and spaces, such as 0113 496 0000 or +44 113 496 0000."
    return None


def _account(username: str, expert: Expert | None) -> tuple[User | None, str | None]:
    """(the account an entry names; the problem with it: none such, or on the register already)."""
    if not username:
        return None, None
    user = find_user(username)
    if user is None:
        return None, f"There is no account with the username {username}."
    other = expert_for_user(user)
    if other is not None and (expert is None or other.id != expert.id):
        return user, f"{user.name} is already on the register, as {other.name}."
    return user, None


def _check_twins(problems: Problems, expert: Expert | None, *, name: str, region: str, email: str) -> None:
    """Another entry with the same name in the same region, or the same email address."""
    others = select(Expert) if expert is None or expert.id is None else select(Expert).where(Expert.id != expert.id)
    if "name" not in problems and region in REGIONS:
        twin = db.session.scalar(
            others.where(func.lower(Expert.name) == name.lower(), Expert.region == region).limit(1)
        )
        if twin is not None:
            problems.add(
                "name",
                f"{twin.name} ({twin.region}) is already on the register{'' if twin.active else ', retired'}: edit "
                f"that entry instead.",
            )
    if email and "email" not in problems:
        other = db.session.scalar(others.where(func.lower(Expert.email) == email.lower()).limit(1))
        if other is not None:
            problems.add("email", f"{other.name} is already on the register with this email address.")


def slug_for(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:SLUG_MAX].strip("-") or "expert"
    slug, n = (base, 2) if base not in RESERVED_SLUGS else (f"{base}-2", 3)
    while find_expert(slug) is not None:
        slug, n = f"{base[: SLUG_MAX - 4].rstrip('-')}-{n}", n + 1
    return slug


def snapshot(expert: Expert) -> dict:
    return {
        "name": expert.name,
        "username": expert.user.username if expert.user else None,
        "job_title": expert.job_title,
        "region": expert.region,
        "areas": expert.area_slugs,
        "skills": list(expert.skills),
        "languages": list(expert.languages),
        "phone": expert.phone,
        "email": expert.email,
        "availability": list(expert.availability),
        "about": expert.about,
        "active": expert.active,
        "review_by": expert.review_by.isoformat() if expert.review_by else None,
    }


def apply_draft(expert: Expert, tidy: ExpertDraft, areas, user) -> None:
    expert.name, expert.job_title, expert.region = tidy.name, tidy.job_title, tidy.region
    expert.skills, expert.languages, expert.availability = tidy.skills, tidy.languages, tidy.availability
    expert.phone, expert.email, expert.about = tidy.phone, tidy.email, tidy.about
    expert.user = user
    wanted = [a.id for a in areas]
    if [link.area_id for link in expert.area_links] != wanted:
        expert.area_links = [ExpertArea(area=a, position=n) for n, a in enumerate(areas)]
    expert.updated_at = utcnow()


def review_date_from(today: date) -> date:

    return clock.add_months(today, REVIEW_MONTHS)


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
    apply_draft(expert, tidy, areas, user)
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
    if (
        not admin
    ):  # the name, the account, the areas and the review date are the administrator's (areas come by nomination)
        draft.name, draft.username, draft.review_by = (
            expert.name,
            expert.user.username if expert.user else "",
            expert.review_by,
        )
        draft.areas = expert.area_slugs
    errors, tidy, areas, user = check_draft(draft, expert=expert)
    if errors:
        raise ValidationError(errors)
    before = snapshot(expert)
    apply_draft(expert, tidy, areas, user)
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
    audit.record(
        actor,
        "expert.confirm",
        "expert",
        expert.slug,
        summary=expert.name,
        before={"review_by": before.isoformat() if before else None},
        after={"review_by": expert.review_by.isoformat()},
    )
    return expert


def set_away(
    actor, expert: Expert, *, away_from: date | None, away_until: date | None, note: str = "", today: date | None = None
) -> Expert:
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
    audit.record(
        actor,
        "expert.away",
        "expert",
        expert.slug,
        summary=f"{expert.name}: away {away_from} to {away_until}",
        after={"away_from": away_from.isoformat(), "away_until": away_until.isoformat(), "away_note": note},
    )
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
        raise ValidationError(
            {"reason": 'Say why the expert leaves the register, for example "moved to a management post".'}
        )
    if len(reason) > NOTE_MAX:
        raise ValidationError({"reason": f"Keep the reason to {NOTE_MAX} characters."})
    expert.active = False
    expert.retired_on = today or clock.today()
    expert.retired_reason = reason
    expert.updated_at = utcnow()
    audit.record(
        actor,
        "expert.retire",
        "expert",
        expert.slug,
        summary=f"{expert.name}: {reason}",
        after={"active": False, "reason": reason},
    )
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
    return list(
        db.session.scalars(
            select(audit.AuditEntry)
            .where(audit.AuditEntry.object_type == "expert", audit.AuditEntry.object_ref == expert.slug)
            .order_by(audit.AuditEntry.id.desc())
        )
    )
