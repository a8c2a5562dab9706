"""What an entry in the Register of Experts may hold: the fields as typed (`ExpertDraft`), the
rules each must meet (with the same person entered twice refused), and an entry's address.

The confidentiality guard warns about its free text (`guarded`: the job title, the skills and
what the expert advises on) the way it does on every form (core.case_details): nothing is saved
until the writer takes out what it found or confirms (`confirm_safe`) it identifies no child or
family."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from cafpedia.accounts.fields import email_problem
from cafpedia.accounts.models import User
from cafpedia.areas.models import PracticeArea
from cafpedia.areas.services import find_area
from cafpedia.core import case_details
from cafpedia.core import validation as rules
from cafpedia.core.confidentiality import Finding
from cafpedia.core.text import has_control_characters
from cafpedia.core.validation import SLUG_WORDS, Problems
from cafpedia.experts.availability import parse_slots
from cafpedia.experts.lookups import account_and_entry, find_expert
from cafpedia.experts.models import (
    REGIONS,
    Expert,
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
    confirm_safe: bool = field(default=False, compare=False)  # the writer confirmed what the guard found

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


def guarded(job_title: str, skills: list[str], about: str) -> dict[str, str]:
    """An entry's texts the confidentiality guard checks, by what the writer is told they are."""
    return {"the job title": job_title, "the skills": ", ".join(skills), "what the expert advises on": about}


def check_draft(
    draft: ExpertDraft, *, expert: Expert | None = None
) -> tuple[dict[str, str], ExpertDraft, list[PracticeArea], User | None, list[Finding]]:
    """(problems by field, the draft tidied, its areas, its account, what the confidentiality
    guard found) for an entry as typed. What the guard finds is a problem (at `confirm_safe`)
    unless the draft's writer confirmed it; a service records it with `case_details.audited`."""
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
    username = (draft.username or "").strip()
    user, problem = _account(username, expert)
    problems.add("username", problem)
    findings = case_details.check(problems, guarded(job_title, skills, about), draft.confirm_safe)
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
        confirm_safe=draft.confirm_safe,
    )
    return problems, tidy, areas, user, findings


def _phone_problem(phone: str) -> str | None:
    if phone and (not PHONE_RE.match(phone) or sum(c.isdigit() for c in phone) < 6):
        return "Enter a phone number of digits and spaces, such as 0113 496 0000 or +44 113 496 0000."
    return None


def _account(username: str, expert: Expert | None) -> tuple[User | None, str | None]:
    """(the account an entry names; the problem with it: none such, or on the register already)."""
    user, other, problem = account_and_entry(username)
    if problem:
        return None, problem
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
