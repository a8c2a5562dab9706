"""The Register of Experts: finding entries, and adding, changing, confirming, marking away,
retiring and reinstating them (what an entry may hold is in `drafts`). No request or session
in here; callers commit.

Free text (an entry's job title, skills and about, an away note, why an entry is retired) goes
through the confidentiality guard like every form (core.case_details): what it finds is shown
to the writer and nothing is saved until they take it out or confirm (`confirm_safe`) it
identifies no child or family; the audit entry records what they confirmed."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from cafpedia.core import audit, case_details, clock
from cafpedia.core.clock import utcnow
from cafpedia.core.errors import NotAllowed, ServiceError, ValidationError
from cafpedia.core.permissions import can_edit_expert
from cafpedia.core.permissions import can_manage_register as manages_register
from cafpedia.experts.drafts import (
    AWAY_NOTE_MAX,
    NOTE_MAX,
    RESERVED_SLUGS,
    REVIEW_MONTHS,
    SLUG_MAX,
    SLUG_RE,
    ExpertDraft,
    check_draft,
    slug_for,
)
from cafpedia.experts.lookups import find_expert
from cafpedia.experts.models import (
    Expert,
    ExpertArea,
)
from cafpedia.extensions import db


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
    errors, tidy, areas, user, findings = check_draft(draft)
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
    audit.record(
        actor,
        "expert.add",
        "expert",
        expert.slug,
        summary=expert.name,
        after=snapshot(expert) | (case_details.audited(findings) or {}),
    )
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
    errors, tidy, areas, user, findings = check_draft(draft, expert=expert)
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
    audit.record(
        actor,
        "expert.edit",
        "expert",
        expert.slug,
        summary=expert.name,
        before=before,
        after=after | (case_details.audited(findings) or {}),
    )
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
    actor,
    expert: Expert,
    *,
    away_from: date | None,
    away_until: date | None,
    note: str = "",
    today: date | None = None,
    confirm_safe: bool = False,
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
    findings = case_details.check(errors, {"the note for callers": note}, confirm_safe)
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
        after={
            "away_from": away_from.isoformat(),
            "away_until": away_until.isoformat(),
            "away_note": note,
            **(case_details.audited(findings) or {}),
        },
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


def retire(actor, expert: Expert, reason: str, *, today: date | None = None, confirm_safe: bool = False) -> Expert:
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
    findings = case_details.require({"the reason": reason}, confirm_safe)
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
        after={"active": False, "reason": reason, **(case_details.audited(findings) or {})},
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
