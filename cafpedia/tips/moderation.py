"""Moderating proposals: the queue and its counts, approving (with a correction), sending
back, rejecting, restoring an earlier revision. The acting user's right is checked here
(`NotAllowed`), so no route can skip it; callers commit."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from cafpedia.areas.services import moderated_area_ids
from cafpedia.core import audit, case_details, clock, events
from cafpedia.core.clock import utcnow
from cafpedia.core.errors import NotAllowed, ValidationError
from cafpedia.core.markdown import wiki_link_targets
from cafpedia.core.permissions import can_moderate
from cafpedia.core.sql import flush_or_refuse
from cafpedia.core.text import normalise_newlines
from cafpedia.extensions import db
from cafpedia.tips.models import (
    ARCHIVED,
    CHECKLIST,
    PENDING,
    PUBLISHED,
    REJECTED,
    SENT_BACK,
    Revision,
    RevisionLink,
    Tip,
    TipEvent,
)
from cafpedia.tips.proposals import (
    COMMENT_MAX,
    SAVED_AT_THE_SAME_MOMENT,
    AlreadyDecided,
    Conflict,
    check_draft,
    draft_from,
    new_revision,
)
from cafpedia.tips.reading import find_tip, get_revision
from cafpedia.tips.reviewing import REVIEW_MONTHS, ensure_moderates


def moderation_queue(user) -> list[Revision]:
    """Pending proposals in the areas the user moderates, oldest first."""
    area_ids = moderated_area_ids(user)
    query = (
        select(Revision)
        .join(Tip, Revision.tip_id == Tip.id)
        .where(Revision.status == PENDING)
        .order_by(Revision.created_at, Revision.id)
    )
    if area_ids is not None:
        query = query.where(Tip.area_id.in_(area_ids or [-1]))
    return list(db.session.scalars(query))


def moderation_counts(user) -> tuple[int, int]:
    """(proposals waiting for this person's decision, tips due today or overdue) in the areas
    they moderate. Their own proposals are not counted: another moderator decides them."""
    area_ids = moderated_area_ids(user)
    if area_ids == []:
        return 0, 0
    waiting = (
        select(func.count(Revision.id))
        .join(Tip, Revision.tip_id == Tip.id)
        .where(Revision.status == PENDING, Revision.author_id != user.id)
    )
    due = select(func.count(Tip.id)).where(
        Tip.status == PUBLISHED, Tip.review_by.is_not(None), Tip.review_by <= clock.today()
    )
    if area_ids is not None:
        waiting, due = waiting.where(Tip.area_id.in_(area_ids)), due.where(Tip.area_id.in_(area_ids))
    return db.session.scalar(waiting) or 0, db.session.scalar(due) or 0


def working_days_waiting(revision: Revision, today: date | None = None) -> int:
    """How long a proposal has waited for a decision, as the queue shows it and escalation counts it."""
    return clock.working_days_between(clock.local_date(revision.created_at), today or clock.today())


def _ensure_can_decide(user, revision: Revision) -> None:
    if revision.author_id == getattr(user, "id", None):
        raise NotAllowed("You cannot decide on your own proposal: another moderator of the area must.")
    if not can_moderate(user, revision.tip.area):
        raise NotAllowed(f"Only the lead manager or a deputy for {revision.tip.area.title} can decide on this.")


def _claim(revision: Revision, new_status: str) -> None:
    """Move a pending revision to `new_status`, unless someone else decided first."""
    try:
        result = db.session.execute(
            update(Revision).where(Revision.id == revision.id, Revision.status == PENDING).values(status=new_status)
        )
    except OperationalError as exc:  # SQLite: another writer got there between our read and write
        raise AlreadyDecided(
            "Someone else was deciding on this proposal at the same moment. Reload the page to see the outcome."
        ) from exc
    if result.rowcount != 1:
        db.session.rollback()
        raise AlreadyDecided(
            "Another moderator has already decided on this proposal. Reload the page to see their decision."
        )


def _check_correction(
    revision: Revision, correction: tuple[str, str] | None
) -> tuple[dict[str, str], tuple[str, str] | None]:
    """(problems, the corrected (title, body)) — None when the moderator changed nothing."""
    if correction is None:
        return {}, None
    title, body = " ".join((correction[0] or "").split()), normalise_newlines(correction[1] or "")
    if (title, body) == (revision.title, revision.body):
        return {}, None
    draft = draft_from(revision)
    draft.title, draft.body, draft.confirm_safe = (
        title,
        body,
        True,
    )  # case details: checked below, as for any flagged proposal
    problems, _ = check_draft(draft)
    return {f"corrected_{name}": problems[name] for name in ("title", "body") if name in problems}, (title, body)


def _apply_correction(revision: Revision, editor, title: str, body: str) -> None:
    """The moderator's correction becomes the text published; the author's text is kept."""
    if revision.proposed_body is None:
        revision.proposed_title, revision.proposed_body = revision.title, revision.body
    revision.title, revision.body, revision.editor = title, body, editor
    draft = draft_from(revision)
    revision.flags = [f.as_dict() for f in draft.findings()]
    wanted = [slug for slug in dict.fromkeys(s for _, s in wiki_link_targets(body)) if slug != revision.tip.slug]
    kept = [link for link in revision.tip_links if link.target_slug in wanted]  # the others go (delete-orphan)
    revision.tip_links = kept + [
        RevisionLink(target_slug=slug) for slug in wanted if slug not in {link.target_slug for link in kept}
    ]


def approve(
    moderator,
    revision: Revision,
    *,
    checklist,
    confidentiality_confirmed: bool,
    review_by: date | None = None,
    comment: str = "",
    today: date | None = None,
    correction: tuple[str, str] | None = None,
    confirm_safe: bool = False,
) -> TipEvent:
    """Publish a proposal. With `correction` (title, body), the moderator's small correction
    (a typo, say) is published instead of the text as proposed, which is kept; the revision
    then records both its author and its editor. The note to the author is checked by the
    confidentiality guard (`confirm_safe`: the moderator confirmed what it found)."""
    tip = revision.tip
    _ensure_can_decide(moderator, revision)
    if revision.status != PENDING:
        raise AlreadyDecided("This proposal has already been decided.")
    if tip.status == ARCHIVED:
        raise NotAllowed("This tip is archived: its proposals cannot be published.")
    today = today or clock.today()
    errors, corrected = _check_correction(revision, correction)
    if corrected is not None and not errors:
        _apply_correction(revision, moderator, *corrected)
    missing = [label for key, label in CHECKLIST.items() if key not in set(checklist)]
    if missing:
        errors["checklist"] = (
            "Tick every item of the compliance checklist to approve. Not ticked: " + "; ".join(missing) + "."
        )
    if revision.flags and not confidentiality_confirmed:
        errors["confidentiality_confirmed"] = (
            "This proposal was flagged as possibly holding case details: confirm you have checked it is safe."
        )
    if review_by is not None and not (today < review_by <= clock.add_months(today, 36)):
        errors["review_by"] = "Choose a review date after today and within three years."
    if len(comment or "") > COMMENT_MAX:
        errors["comment"] = f"Use at most {COMMENT_MAX} characters."
    confirmed = case_details.check(errors, {"the note to the author": comment}, confirm_safe)
    if errors:
        raise ValidationError(errors)
    missing = [slug for slug in (link.target_slug for link in revision.tip_links) if find_tip(slug) is None]
    if missing:
        raise ValidationError(
            {
                "checklist": "The text links to " + ", ".join(f"[[{s}]]" for s in missing) + ", which is no tip: "
                "send it back so the author can fix the link, or publish that tip first."
            }
        )
    if revision.based_on != tip.current_number:
        raise Conflict(tip, revision.based_on)
    review_by = review_by or clock.add_months(today, REVIEW_MONTHS)
    _claim(revision, PUBLISHED)
    now = utcnow()
    moved = db.session.execute(
        update(Tip)
        .where(
            Tip.id == tip.id,
            Tip.status != ARCHIVED,
            Tip.current_number.is_(None) if revision.based_on is None else Tip.current_number == revision.based_on,
        )
        .values(
            current_number=revision.number,
            status=PUBLISHED,
            review_by=review_by,
            last_reviewed_at=now,
            published_at=func.coalesce(Tip.published_at, now),
        )
    )
    if moved.rowcount != 1:
        db.session.rollback()
        raise Conflict(tip, revision.based_on)
    event = TipEvent(
        tip=tip,
        revision_number=revision.number,
        action="approved",
        actor=moderator,
        at=now,
        comment=(comment or "").strip(),
        checklist=[k for k in CHECKLIST if k in set(checklist)],
        confidentiality_confirmed=bool(confidentiality_confirmed) if revision.flags else None,
        review_by=review_by,
    )
    db.session.add(event)
    db.session.flush()
    db.session.refresh(tip)
    audit.record(
        moderator,
        "tip.approve",
        "tip",
        tip.slug,
        summary=f"Revision {revision.number} approved and published"
        + (" with the moderator's correction" if corrected else ""),
        after={
            "revision": revision.number,
            "checklist": event.checklist,
            "confidentiality_confirmed": event.confidentiality_confirmed,
            "review_by": review_by.isoformat(),
            "comment": event.comment,
            "corrected": corrected is not None,
            **(case_details.audited(confirmed) or {}),
        },
    )
    events.tip_reviewed.send(tip, actor=moderator, note=event.comment)  # an approved new text is a review too
    events.proposal_approved.send(revision, moderator=moderator, comment=event.comment, corrected=corrected is not None)
    events.revision_published.send(tip, revision=revision, actor=moderator, first=revision.based_on is None)
    return event


def _close(moderator, revision: Revision, action: str, new_status: str, comment: str, confirm_safe: bool) -> TipEvent:
    _ensure_can_decide(moderator, revision)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "Say why, so the author knows what to do next."})
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": f"Use at most {COMMENT_MAX} characters."})
    confirmed = case_details.require({"the comment": comment}, confirm_safe)
    if revision.status != PENDING:
        raise AlreadyDecided("This proposal has already been decided.")
    _claim(revision, new_status)
    event = TipEvent(
        tip=revision.tip, revision_number=revision.number, action=action, actor=moderator, at=utcnow(), comment=comment
    )
    db.session.add(event)
    db.session.flush()
    db.session.refresh(revision)
    audit.record(
        moderator,
        f"tip.{action}",
        "tip",
        revision.tip.slug,
        summary=f"Revision {revision.number}: {comment}",
        after={"revision": revision.number, "comment": comment, **(case_details.audited(confirmed) or {})},
    )
    signal = events.proposal_sent_back if action == "sent_back" else events.proposal_rejected
    signal.send(revision, moderator=moderator, comment=comment)
    return event


def send_back(moderator, revision: Revision, comment: str, *, confirm_safe: bool = False) -> TipEvent:
    return _close(moderator, revision, "sent_back", SENT_BACK, comment, confirm_safe)


def reject(moderator, revision: Revision, reason: str, *, confirm_safe: bool = False) -> TipEvent:
    return _close(moderator, revision, "rejected", REJECTED, reason, confirm_safe)


def restore(moderator, tip: Tip, number: int) -> Revision:
    """Publish a copy of an earlier published revision as a new revision."""
    ensure_moderates(moderator, tip)
    earlier = get_revision(tip, number)
    if earlier.status != PUBLISHED:
        raise ValidationError({"revision": "Only a revision that was once published can be restored."})
    if number == tip.current_number:
        raise ValidationError({"revision": "That revision is already the published one."})
    if tip.status == ARCHIVED:
        raise NotAllowed("This tip is archived.")
    draft = draft_from(earlier)
    draft.confirm_safe = True  # it was approved once, with its checklist
    revision = new_revision(
        tip, moderator, draft, earlier.clauses, based_on=tip.current_number, restores=number, status=PUBLISHED
    )
    flush_or_refuse(SAVED_AT_THE_SAME_MOMENT)
    now = utcnow()
    moved = db.session.execute(
        update(Tip)
        .where(Tip.id == tip.id, Tip.status == PUBLISHED, Tip.current_number == revision.based_on)
        .values(
            current_number=revision.number,
            review_by=clock.add_months(clock.today(), REVIEW_MONTHS),
            last_reviewed_at=now,
        )
    )
    if moved.rowcount != 1:
        db.session.rollback()
        raise Conflict(tip, revision.based_on)
    db.session.add(
        TipEvent(
            tip=tip,
            revision_number=revision.number,
            action="restored",
            actor=moderator,
            at=now,
            comment=f"Restored revision {number}",
            review_by=clock.add_months(clock.today(), REVIEW_MONTHS),
        )
    )
    db.session.flush()
    db.session.refresh(tip)
    audit.record(
        moderator,
        "tip.restore",
        "tip",
        tip.slug,
        summary=f"Revision {number} restored as revision {revision.number}",
        after={"restored": number, "revision": revision.number},
    )
    events.revision_published.send(tip, revision=revision, actor=moderator, first=False)
    return revision
