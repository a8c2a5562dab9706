"""Nominations: lead managers and deputies nominate experts for their areas; the register
administrator accepts (adding or extending an entry) or declines.

A nomination's job title, skills and reason become the entry's, shown to all staff: the
confidentiality guard warns the nominator as on every form (core.case_details), and what they
confirm is recorded in the audit entry and taken as confirmed when the nomination is accepted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from cafpedia.accounts.fields import email_problem
from cafpedia.accounts.models import User
from cafpedia.areas.services import find_area
from cafpedia.core import audit, case_details, clock, events
from cafpedia.core import validation as rules
from cafpedia.core.clock import utcnow
from cafpedia.core.errors import NotAllowed, ServiceError, ValidationError
from cafpedia.core.permissions import can_manage_register as manages_register
from cafpedia.core.permissions import can_moderate
from cafpedia.core.validation import Problems
from cafpedia.experts.drafts import (
    ABOUT_MAX,
    JOB_TITLE_MAX,
    NAME_MAX,
    NOTE_MAX,
    SKILL_MAX,
    SKILLS_MAX,
    ExpertDraft,
    check_draft,
    clean_list,
    slug_for,
)
from cafpedia.experts.entries import apply_draft
from cafpedia.experts.lookups import account_and_entry, expert_for_user
from cafpedia.experts.models import (
    ACCEPTED,
    DECLINED,
    PENDING,
    REGIONS,
    Expert,
    ExpertArea,
    Nomination,
)
from cafpedia.extensions import db

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
    confirm_safe: bool = False  # the nominator confirmed what the confidentiality guard found


def nominate(actor, draft: NominationDraft) -> Nomination:
    area = find_area(draft.area)
    if area is not None and not can_moderate(actor, area):
        raise NotAllowed("You can nominate experts only for the areas you lead.")
    errors = Problems()
    if area is None:
        errors.add(
            "area",
            f"There is no area of practice called {draft.area}." if draft.area else "Choose the area of practice.",
        )
    name = rules.one_line(draft.name)
    if len(name) < 2 or len(name) > NAME_MAX:
        errors.add("name", "Enter the person's full name.")
    user, problem = _nominee(draft.username.strip(), area)
    errors.add("username", problem)
    job_title = rules.one_line(draft.job_title)
    if len(job_title) > JOB_TITLE_MAX:
        errors.add("job_title", f"Use at most {JOB_TITLE_MAX} characters.")
    if draft.region not in REGIONS:
        errors.add(
            "region", f"There is no region called “{draft.region}”." if draft.region else "Choose the person's region."
        )
    skills = clean_list(
        draft.skills, max_items=SKILLS_MAX, max_length=SKILL_MAX, label="skills", errors=errors, key="skills"
    )
    if not skills:
        errors.add("skills", "Name at least one skill they would advise on, for example special guardianship.")
    email = (draft.email or "").strip() or (user.email if user else "")
    errors.add("email", email_problem(email))
    if not email and "username" not in errors:
        errors.add(
            "email",
            "Give their email address (or their username, if their account has one), so that practitioners can reach "
            "them.",
        )
    reason = (draft.reason or "").strip()
    errors.add("reason", _reason_problem(reason))
    findings = case_details.check(
        errors, {"the job title": job_title, "the skills": ", ".join(skills), "the reason": reason}, draft.confirm_safe
    )
    if area is not None and "name" not in errors:
        twin = db.session.scalar(
            select(Nomination).where(
                Nomination.status == PENDING, Nomination.area_id == area.id, func.lower(Nomination.name) == name.lower()
            )
        )
        if twin is not None:
            errors.add("name", f"{name} is already nominated for {area.title}, awaiting the administrator.")
    if errors:
        raise ValidationError(errors)
    nomination = Nomination(
        area=area,
        nominee=user,
        name=name,
        job_title=job_title,
        region=draft.region,
        skills=skills,
        reason=reason,
        email=email,
        nominated_by=actor,
    )
    db.session.add(nomination)
    db.session.flush()
    audit.record(
        actor,
        "expert.nominate",
        "nomination",
        str(nomination.id),
        summary=f"{name} for {area.title}",
        after=case_details.audited(findings),
    )
    events.nomination_made.send(nomination, actor=actor)
    return nomination


def _nominee(username: str, area) -> tuple[User | None, str | None]:
    """(the account a nomination names, if any; the problem: none such, or already an expert in the area)."""
    user, other, problem = account_and_entry(username)
    if problem:
        return None, problem
    if other is not None and other.active and area is not None and area.slug in other.area_slugs:
        return user, f"{user.name} is already on the register for {area.title}."
    return user, None


def _reason_problem(reason: str) -> str | None:
    if not reason:
        return "Say what the person can advise on and why you nominate them."
    if len(reason) > ABOUT_MAX:
        return f"Keep it to {ABOUT_MAX:,} characters."
    return None


def pending_nominations() -> list[Nomination]:
    return list(
        db.session.scalars(select(Nomination).where(Nomination.status == PENDING).order_by(Nomination.nominated_at))
    )


def nominations_by(user) -> list[Nomination]:
    return list(
        db.session.scalars(
            select(Nomination).where(Nomination.nominated_by_id == user.id).order_by(Nomination.nominated_at.desc())
        )
    )


def decide_nomination(
    actor, nomination: Nomination, *, accept: bool, note: str = "", today: date | None = None
) -> Nomination:
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
    findings = []
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
            draft = ExpertDraft(
                name=nomination.name,
                job_title=nomination.job_title or "Family Court Adviser",
                region=nomination.region,
                areas=[nomination.area.slug],
                skills=list(nomination.skills),
                languages=["English"],
                phone="",
                email=nomination.email or (nomination.nominee.email if nomination.nominee else ""),
                availability=[],
                about=nomination.reason,
                username=nomination.nominee.username if nomination.nominee else "",
                confirm_safe=True,  # its nominator saw what the guard finds in it, and confirmed it
            )
            errors, tidy, areas, user, findings = check_draft(draft)
            if errors:
                raise ServiceError(
                    "The nomination cannot become an entry as it stands: "
                    + " ".join(errors.values())
                    + " Decline it with a note, or add the expert yourself."
                )
            expert = Expert(slug=slug_for(tidy.name), active=True, review_by=today)
            apply_draft(expert, tidy, areas, user)
            db.session.add(expert)
            nomination.expert = expert
    nomination.status = ACCEPTED if accept else DECLINED
    nomination.decided_by, nomination.decided_at, nomination.decision_note = actor, utcnow(), note or None
    db.session.flush()
    audit.record(
        actor,
        f"expert.nomination_{nomination.status}",
        "nomination",
        str(nomination.id),
        summary=f"{nomination.name} for {nomination.area.title}" + (f": {note}" if note else ""),
        after=case_details.audited(findings),
    )
    events.nomination_decided.send(nomination, actor=actor, note=note)
    return nomination
