"""Reviews: when a published tip is due for review, marking it reviewed, archiving it."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from cafpedia.areas.services import moderated_area_ids
from cafpedia.core import audit, case_details, clock, events
from cafpedia.core.clock import utcnow
from cafpedia.core.errors import NotAllowed, ValidationError
from cafpedia.core.permissions import can_moderate
from cafpedia.extensions import db
from cafpedia.tips.models import (
    ARCHIVED,
    PENDING,
    PUBLISHED,
    REJECTED,
    Revision,
    Tip,
    TipEvent,
)
from cafpedia.tips.proposals import COMMENT_MAX, AlreadyDecided
from cafpedia.tips.reading import find_tip, pending_proposals

REVIEW_MONTHS = 12
REVIEW_SOON_DAYS = 30


def due_for_review(user=None, *, within_days: int = REVIEW_SOON_DAYS, today: date | None = None) -> list[Tip]:
    """Published tips whose review date is past or within `within_days`, soonest first.

    With a user, only the areas they moderate; without, every area (the command line).
    """
    today = today or clock.today()
    query = (
        select(Tip)
        .where(
            Tip.status == PUBLISHED, Tip.review_by.is_not(None), Tip.review_by <= today + timedelta(days=within_days)
        )
        .order_by(Tip.review_by, Tip.slug)
    )
    if user is not None:
        area_ids = moderated_area_ids(user)
        if area_ids is not None:
            query = query.where(Tip.area_id.in_(area_ids or [-1]))
    return list(db.session.scalars(query))


def is_overdue(tip: Tip, today: date | None = None) -> bool:
    return tip.status == PUBLISHED and tip.review_by is not None and tip.review_by < (today or clock.today())


def ensure_moderates(user, tip: Tip) -> None:
    if not can_moderate(user, tip.area):
        raise NotAllowed(f"Only the lead manager or a deputy for {tip.area.title} can do this.")


def review_reasons(tip: Tip) -> list[str]:
    """Why this tip is under review beyond its date (a legal update sent it back, ...)."""
    return [reason for _, reasons in events.review_reasons.send(tip) for reason in (reasons or [])]


def mark_reviewed(
    moderator,
    tip: Tip,
    *,
    review_by: date | None = None,
    note: str = "",
    today: date | None = None,
    confirm_safe: bool = False,
) -> TipEvent:
    """Record that a tip was checked and still holds; its content does not change. The note is
    checked by the confidentiality guard (`confirm_safe`: the moderator confirmed what it found)."""
    ensure_moderates(moderator, tip)
    if tip.status != PUBLISHED:
        raise NotAllowed("Only a published tip can be marked reviewed.")
    today = today or clock.today()
    if review_by is not None and not (today < review_by <= clock.add_months(today, 36)):
        raise ValidationError({"review_by": "Choose a next review date after today and within three years."})
    if len(note or "") > COMMENT_MAX:
        raise ValidationError({"note": f"Use at most {COMMENT_MAX} characters."})
    reasons = review_reasons(tip)
    if reasons and not (note or "").strip():
        raise ValidationError(
            {
                "note": f"Say what you checked. Marking this reviewed answers {' and '.join(reasons)}, and your note "
                f"is kept in its history."
            }
        )
    confirmed = case_details.require({"the note": note}, confirm_safe)
    before = tip.review_by
    review_by = review_by or clock.add_months(today, REVIEW_MONTHS)
    now = utcnow()
    tip.review_by, tip.last_reviewed_at = review_by, now
    event = TipEvent(
        tip=tip,
        revision_number=tip.current_number,
        action="reviewed",
        actor=moderator,
        at=now,
        comment=(note or "").strip(),
        review_by=review_by,
    )
    db.session.add(event)
    db.session.flush()
    events.tip_reviewed.send(
        tip, actor=moderator, note=event.comment
    )  # the legal updates that sent it for review are dealt with
    audit.record(
        moderator,
        "tip.review",
        "tip",
        tip.slug,
        summary="Marked reviewed; content unchanged",
        before={"review_by": before.isoformat() if before else None},
        after={"review_by": review_by.isoformat(), **(case_details.audited(confirmed) or {})},
    )
    return event


def archive(
    moderator, tip: Tip, *, superseded_by: str | None = None, note: str = "", confirm_safe: bool = False
) -> TipEvent:
    ensure_moderates(moderator, tip)
    if tip.status != PUBLISHED:
        raise NotAllowed("Only a published tip can be archived.")
    successor = None
    if superseded_by:
        successor = find_tip(superseded_by.strip().lower())
        if successor is None or successor.status != PUBLISHED:
            raise ValidationError({"superseded_by": f"There is no published tip at {superseded_by}."})
        if successor.id == tip.id:
            raise ValidationError({"superseded_by": "A tip cannot supersede itself."})
    if len(note or "") > COMMENT_MAX:
        raise ValidationError({"note": f"Use at most {COMMENT_MAX} characters."})
    confirmed = case_details.require({"the reason": note}, confirm_safe)
    now = utcnow()
    # Compare-and-set: if a proposal was approved meanwhile, the moderator is told, not overruled.
    moved = db.session.execute(
        update(Tip)
        .where(Tip.id == tip.id, Tip.status == PUBLISHED, Tip.current_number == tip.current_number)
        .values(status=ARCHIVED, archived_at=now, superseded_by_id=successor.id if successor else None)
    )
    if moved.rowcount != 1:
        db.session.rollback()
        raise AlreadyDecided("The tip changed while you were archiving it. Reload the page and check it again.")
    event = TipEvent(
        tip=tip,
        revision_number=tip.current_number,
        action="archived",
        actor=moderator,
        at=now,
        comment=(note or "").strip(),
        superseded_by_slug=successor.slug if successor else None,
    )
    db.session.add(event)
    for proposal in pending_proposals(tip):
        # Proposals on an archived tip cannot be published: close them with the reason,
        # each only if no moderator decided on it meanwhile.
        closed = db.session.execute(
            update(Revision).where(Revision.id == proposal.id, Revision.status == PENDING).values(status=REJECTED)
        )
        if closed.rowcount == 1:
            db.session.add(
                TipEvent(
                    tip=tip,
                    revision_number=proposal.number,
                    action="rejected",
                    actor=moderator,
                    at=now,
                    comment="The tip was archived.",
                )
            )
    db.session.flush()
    db.session.refresh(tip)
    audit.record(
        moderator,
        "tip.archive",
        "tip",
        tip.slug,
        summary="Archived" + (f", superseded by {successor.slug}" if successor else ""),
        after={
            "superseded_by": successor.slug if successor else None,
            "note": event.comment,
            **(case_details.audited(confirmed) or {}),
        },
    )
    events.tip_archived.send(tip, actor=moderator, note=event.comment)
    return event
