"""Tips: proposing, moderating, history, reviews and archiving. No request or session in here.

Every function takes the acting user; permission checks that depend on the tip's
area happen here too (`NotAllowed`), so no route can skip them.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import selectinload

from cafpedia.accounts.models import User
from cafpedia.areas.models import PracticeArea
from cafpedia.areas.services import find_area, led_by
from cafpedia.core import audit, clock, events
from cafpedia.core.clock import utcnow
from cafpedia.core.confidentiality import Finding, describe, find_case_details
from cafpedia.core.errors import NotAllowed, NotFound, ServiceError, ValidationError
from cafpedia.core.markdown import wiki_link_targets
from cafpedia.core.permissions import can_moderate, can_see_revision
from cafpedia.core.text import normalise_newlines
from cafpedia.extensions import db
from cafpedia.standards import services as standards
from cafpedia.tips.models import (
    ARCHIVED,
    CHECKLIST,
    KINDS,
    PENDING,
    PUBLISHED,
    REJECTED,
    SENT_BACK,
    Revision,
    RevisionLink,
    RevisionStandard,
    Tip,
    TipEvent,
)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 80
TITLE_MIN, TITLE_MAX = 3, 200
BODY_MAX = 100_000
TAG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TAG_MAX, TAGS_MAX = 40, 10
LEGAL_REF_MAX, LEGAL_REFS_MAX = 200, 10
STANDARDS_MAX = 12
COMMENT_MAX = 2000
CHANGE_NOTE_MAX = 500
REVIEW_MONTHS = 12
REVIEW_SOON_DAYS = 30


class Conflict(ServiceError):
    """The proposal was written from a revision that is no longer the published one."""

    def __init__(self, tip: Tip, based_on: int | None):
        self.tip, self.based_on = tip, based_on
        super().__init__(
            f"Revision {tip.current_number} of this tip was published after this proposal was "
            f"written from revision {based_on or 'none'}; nothing was overwritten."
        )


class AlreadyDecided(ServiceError):
    """Someone else decided on this proposal first."""


# --- Reading ---------------------------------------------------------------------------


def find_tip(slug: str) -> Tip | None:
    return db.session.scalar(select(Tip).where(Tip.slug == slug))


def get_tip(slug: str) -> Tip:
    tip = find_tip(slug)
    if tip is None:
        raise NotFound(f"There is no tip at {slug}.")
    return tip


def get_revision(tip: Tip, number: int) -> Revision:
    revision = tip.revision(number)
    if revision is None:
        raise NotFound(f"{tip.slug} has no revision {number}.")
    return revision


def resolve_link(area: str | None, slug: str) -> tuple[str, str] | None:
    """For [[links]]: the address and title of a tip readers can see, else None."""
    return _link_to(find_tip(slug), area)


def _link_to(tip: Tip | None, area: str | None) -> tuple[str, str] | None:
    if tip is None or tip.current_number is None or (area and tip.area.slug != area):
        return None
    return f"/tips/{tip.slug}", tip.title


def link_resolver(source: str):
    """resolve_link for one piece of Markdown: every tip it links to, read in one query
    (a page costs the same however many tips its text links to)."""
    slugs = {slug for _area, slug in wiki_link_targets(source)}
    query = select(Tip).where(Tip.slug.in_(slugs)).options(selectinload(Tip.revisions), selectinload(Tip.area))
    tips = {tip.slug: tip for tip in db.session.scalars(query)} if slugs else {}
    return lambda area, slug: _link_to(tips.get(slug), area)


def area_tips(area: PracticeArea, *, sort: str = "used") -> list[Tip]:
    """The area's published tips: most used first (then newest), or newest first."""
    tips = list(
        db.session.scalars(
            select(Tip)
            .where(Tip.area_id == area.id, Tip.status == PUBLISHED)
            .options(selectinload(Tip.revisions))
        )
    )
    if sort == "new":
        return sorted(tips, key=lambda t: (t.published_at or t.created_at), reverse=True)
    return sorted(tips, key=lambda t: (t.views, t.published_at or t.created_at), reverse=True)


def recently_published(limit: int = 8) -> list[Tip]:
    """The newest published tips across all areas."""
    return list(db.session.scalars(
        select(Tip).where(Tip.status == PUBLISHED, Tip.published_at.is_not(None)).order_by(Tip.published_at.desc(), Tip.id.desc()).limit(limit)
        .options(selectinload(Tip.revisions))  # each title is its current revision's: one query for all of them
    ))


def archived_tips(area: PracticeArea) -> list[Tip]:
    return list(db.session.scalars(select(Tip).where(Tip.area_id == area.id, Tip.status == ARCHIVED).order_by(Tip.slug)))


def record_view(tip: Tip) -> None:
    """Count a reading (one UPDATE, so several workers never lose a count)."""
    db.session.execute(update(Tip).where(Tip.id == tip.id).values(views=Tip.views + 1))
    db.session.commit()


def tips_citing(clause) -> list[Tip]:
    """Published tips whose current revision applies this standards clause."""
    query = (
        select(Tip)
        .join(Revision, (Revision.tip_id == Tip.id) & (Revision.number == Tip.current_number))
        .join(RevisionStandard, RevisionStandard.revision_id == Revision.id)
        .where(RevisionStandard.clause_id == clause.id, Tip.status.in_([PUBLISHED, ARCHIVED]))
        .order_by(Tip.slug)
    )
    return list(db.session.scalars(query))


def tips_linking_to(tip: Tip) -> list[Tip]:
    """Published tips whose current revision has a [[link]] to this one."""
    query = (
        select(Tip)
        .join(Revision, (Revision.tip_id == Tip.id) & (Revision.number == Tip.current_number))
        .join(RevisionLink, RevisionLink.revision_id == Revision.id)
        .where(RevisionLink.target_slug == tip.slug, Tip.id != tip.id)
        .order_by(Tip.slug)
        .options(selectinload(Tip.revisions))
    )
    return list(db.session.scalars(query))


def moderated_area_ids(user) -> list[int] | None:
    """The areas a user moderates; None means all (an administrator)."""
    from cafpedia.core.permissions import ADMIN

    if ADMIN in user.roles:
        return None
    if not getattr(user, "is_active", False):
        return []
    return list(db.session.scalars(select(PracticeArea.id).where(led_by(user))))


def moderation_queue(user) -> list[Revision]:
    """Pending proposals in the areas the user moderates, oldest first."""
    area_ids = moderated_area_ids(user)
    query = select(Revision).join(Tip, Revision.tip_id == Tip.id).where(Revision.status == PENDING).order_by(Revision.created_at, Revision.id)
    if area_ids is not None:
        query = query.where(Tip.area_id.in_(area_ids or [-1]))
    return list(db.session.scalars(query))


def moderation_counts(user) -> tuple[int, int]:
    """(proposals waiting for this person's decision, tips due today or overdue) in the areas
    they moderate. Their own proposals are not counted: another moderator decides them."""
    area_ids = moderated_area_ids(user)
    if area_ids == []:
        return 0, 0
    waiting = select(func.count(Revision.id)).join(Tip, Revision.tip_id == Tip.id).where(Revision.status == PENDING, Revision.author_id != user.id)
    due = select(func.count(Tip.id)).where(Tip.status == PUBLISHED, Tip.review_by.is_not(None), Tip.review_by <= clock.today())
    if area_ids is not None:
        waiting, due = waiting.where(Tip.area_id.in_(area_ids)), due.where(Tip.area_id.in_(area_ids))
    return db.session.scalar(waiting) or 0, db.session.scalar(due) or 0


def working_days_waiting(revision: Revision, today: date | None = None) -> int:
    """How long a proposal has waited for a decision, as the queue shows it and escalation counts it."""
    return clock.working_days_between(clock.local_date(revision.created_at), today or clock.today())


def proposals_by(user) -> list[Revision]:
    """Everything a person proposed, newest first."""
    return list(db.session.scalars(select(Revision).where(Revision.author_id == user.id).order_by(Revision.created_at.desc(), Revision.id.desc())))


def pending_proposals(tip: Tip) -> list[Revision]:
    return [r for r in tip.revisions if r.status == PENDING]


def due_for_review(user=None, *, within_days: int = REVIEW_SOON_DAYS, today: date | None = None) -> list[Tip]:
    """Published tips whose review date is past or within `within_days`, soonest first.

    With a user, only the areas they moderate; without, every area (the command line).
    """
    today = today or clock.today()
    query = (
        select(Tip)
        .where(Tip.status == PUBLISHED, Tip.review_by.is_not(None), Tip.review_by <= today + timedelta(days=within_days))
        .order_by(Tip.review_by, Tip.slug)
    )
    if user is not None:
        area_ids = moderated_area_ids(user)
        if area_ids is not None:
            query = query.where(Tip.area_id.in_(area_ids or [-1]))
    return list(db.session.scalars(query))


def is_overdue(tip: Tip, today: date | None = None) -> bool:
    return tip.status == PUBLISHED and tip.review_by is not None and tip.review_by < (today or clock.today())


def add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


# --- Drafts ------------------------------------------------------------------------------


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-")


def split_list(text: str | None) -> list[str]:
    """Items separated by commas or new lines."""
    return [item.strip() for item in re.split(r"[,\n]", text or "") if item.strip()]


def normalise_tag(tag: str) -> str:
    return re.sub(r"[\s_]+", "-", tag.strip().lower())


@dataclass
class Draft:
    """What a proposal says, as plain values."""

    title: str
    body: str
    kind: str = "tip"
    tags: list[str] = field(default_factory=list)
    standards: list[str] = field(default_factory=list)
    legal_refs: list[str] = field(default_factory=list)
    confirm_safe: bool = False
    change_note: str = ""  # for the moderator: what changed and why

    def findings(self) -> list[Finding]:
        return find_case_details(f"{self.title}\n{self.body}\n" + "\n".join(self.legal_refs))


def check_draft(draft: Draft) -> tuple[dict[str, str], list]:
    """(problems by field, the standards clauses named) for a draft."""
    errors: dict[str, str] = {}
    title = (draft.title or "").strip()
    if len(title) < TITLE_MIN:
        errors["title"] = f"Enter a title of at least {TITLE_MIN} characters."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Use at most {TITLE_MAX} characters for the title (this has {len(title)})."
    if not (draft.body or "").strip():
        errors["body"] = "Write the tip itself."
    elif len(draft.body) > BODY_MAX:
        errors["body"] = f"The text is too long: at most {BODY_MAX // 1000} KB ({BODY_MAX:,} characters); this has {len(draft.body):,}."
    if draft.kind not in KINDS:
        errors["kind"] = f"Choose one of {', '.join(KINDS)}."
    bad_tags = [t for t in draft.tags if not TAG_RE.match(t) or len(t) > TAG_MAX]
    if bad_tags:
        errors["tags"] = f"Tags are short lower-case words joined by hyphens (at most {TAG_MAX} characters): check {', '.join(bad_tags[:3])}."
    elif len(draft.tags) > TAGS_MAX:
        errors["tags"] = f"Use at most {TAGS_MAX} tags."
    if len(draft.change_note or "") > CHANGE_NOTE_MAX:
        errors["change_note"] = f"Keep the change note to {CHANGE_NOTE_MAX} characters (this has {len(draft.change_note)})."
    if len(draft.legal_refs) > LEGAL_REFS_MAX:
        errors["legal_refs"] = f"Give at most {LEGAL_REFS_MAX} legal references."
    elif any(len(ref) > LEGAL_REF_MAX for ref in draft.legal_refs):
        errors["legal_refs"] = f"Each legal reference is at most {LEGAL_REF_MAX} characters."
    clauses = []
    if draft.standards:
        version = standards.current_version()
        unknown = []
        for code in dict.fromkeys(draft.standards):
            clause = version.clause(code) if version else None
            if clause is None:
                unknown.append(code)
            else:
                clauses.append(clause)
        if unknown:
            name = f"the National Standards ({version.version})" if version else "the National Standards (none loaded)"
            errors["standards"] = f"No clause {', '.join(unknown)} in {name}; use numbers such as 5.1."
        elif len(clauses) > STANDARDS_MAX:
            errors["standards"] = f"Cite at most {STANDARDS_MAX} clauses."
    findings = draft.findings()
    if findings and not draft.confirm_safe:
        errors["confirm_safe"] = (
            "This looks as if it may hold case details (" + describe(findings) + "). Remove them, "
            "or tick the box to confirm the text identifies no child or family."
        )
    return errors, clauses


def _new_revision(tip: Tip, author, draft: Draft, clauses, *, based_on, revises=None, restores=None, status=PENDING) -> Revision:
    number = (db.session.scalar(select(func.max(Revision.number)).where(Revision.tip_id == tip.id)) or 0) + 1 if tip.id else 1
    revision = Revision(
        tip=tip, number=number, based_on=based_on, revises=revises, restores=restores,
        title=" ".join(draft.title.split()), kind=draft.kind, body=normalise_newlines(draft.body),
        change_note=" ".join((draft.change_note or "").split()),
        tags=list(dict.fromkeys(draft.tags)), legal_refs=list(dict.fromkeys(draft.legal_refs)),
        author=author, status=status, created_at=utcnow(),
        flags=[f.as_dict() for f in draft.findings()], author_confirmed_safe=bool(draft.confirm_safe),
    )
    revision.standard_links = [RevisionStandard(clause=c, position=i) for i, c in enumerate(clauses)]
    revision.tip_links = [RevisionLink(target_slug=slug) for slug in dict.fromkeys(s for _, s in wiki_link_targets(revision.body)) if slug != tip.slug]
    db.session.add(revision)  # SQLAlchemy 2 does not cascade along the tip= backref
    return revision


def _flush_or_retry_message() -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise ServiceError("Someone else saved a change to this tip at the same moment. Nothing was lost: send it again.") from exc


def propose_new_tip(author, *, area_slug: str, slug: str | None, draft: Draft) -> Revision:
    errors, clauses = check_draft(draft)
    area = find_area(area_slug or "")
    if area is None:
        errors["area"] = "Choose the area of practice this belongs to."
    slug = (slug or "").strip().lower() or slugify(draft.title)
    if not slug or len(slug) > SLUG_MAX or not SLUG_RE.match(slug):
        errors["slug"] = f"Use at most {SLUG_MAX} lower-case letters and digits with single hyphens, for example seeing-children-alone."
    elif find_tip(slug):
        errors["slug"] = f"The address /tips/{slug} is already taken: choose another, or propose an edit to that tip."
    if errors:
        raise ValidationError(errors)
    tip = Tip(slug=slug, area=area, status=PENDING, created_at=utcnow())
    db.session.add(tip)
    revision = _new_revision(tip, author, draft, clauses, based_on=None)
    _flush_or_retry_message()
    events.proposal_submitted.send(revision)
    return revision


def propose_edit(author, tip: Tip, *, based_on: int | None, draft: Draft, revises: int | None = None) -> Revision:
    """A new pending revision of a tip. Raises Conflict if it was written from an old revision."""
    if tip.status == ARCHIVED:
        raise NotAllowed("This tip is archived; propose a new tip instead.")
    errors, clauses = check_draft(draft)
    if not (draft.change_note or "").strip():
        errors["change_note"] = "Say what you changed and why, so the lead manager can decide quickly."
    if revises is not None:
        earlier = tip.revision(revises)
        if earlier is None or earlier.author_id != author.id or earlier.status != SENT_BACK:
            errors["revises"] = "Only the author can revise a proposal that was sent back."
    if errors:
        raise ValidationError(errors)
    if based_on != tip.current_number:
        raise Conflict(tip, based_on)
    revision = _new_revision(tip, author, draft, clauses, based_on=tip.current_number, revises=revises)
    _flush_or_retry_message()
    events.proposal_submitted.send(revision)
    return revision


def sent_back_comment(user, tip: Tip, number: int | None) -> tuple[Revision, TipEvent | None] | None:
    """A sent-back revision and the decision that sent it back, if this user may see them
    (its author, or the area's moderators): what a resubmission answers."""
    earlier = tip.revision(number) if number else None
    if earlier is None or earlier.status != SENT_BACK or not can_see_revision(user, earlier):
        return None
    return earlier, next((e for e in reversed(earlier.decisions) if e.action == "sent_back"), None)


def draft_from(revision: Revision) -> Draft:
    return Draft(
        title=revision.title, body=revision.body, kind=revision.kind, tags=list(revision.tags),
        standards=revision.standards, legal_refs=list(revision.legal_refs),
    )


# --- Moderating ---------------------------------------------------------------------------


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
        raise AlreadyDecided("Someone else was deciding on this proposal at the same moment. Reload the page to see the outcome.") from exc
    if result.rowcount != 1:
        db.session.rollback()
        raise AlreadyDecided("Another moderator has already decided on this proposal. Reload the page to see their decision.")


def _check_correction(revision: Revision, correction: tuple[str, str] | None) -> tuple[dict[str, str], tuple[str, str] | None]:
    """(problems, the corrected (title, body)) — None when the moderator changed nothing."""
    if correction is None:
        return {}, None
    title, body = " ".join((correction[0] or "").split()), normalise_newlines(correction[1] or "")
    if (title, body) == (revision.title, revision.body):
        return {}, None
    draft = draft_from(revision)
    draft.title, draft.body, draft.confirm_safe = title, body, True  # case details: checked below, as for any flagged proposal
    problems, _ = check_draft(draft)
    return {f"corrected_{name}": problems[name] for name in ("title", "body") if name in problems}, (title, body)


def _apply_correction(revision: Revision, editor, title: str, body: str) -> None:
    """The moderator's correction becomes the text published; the author's text is kept."""
    if revision.proposed_body is None:
        revision.proposed_title, revision.proposed_body = revision.title, revision.body
    revision.title, revision.body, revision.editor = title, body, editor
    draft = draft_from(revision)
    revision.flags = [f.as_dict() for f in draft.findings()]
    for link in list(revision.tip_links):
        db.session.delete(link)
    db.session.flush()
    revision.tip_links = [RevisionLink(target_slug=slug) for slug in dict.fromkeys(s for _, s in wiki_link_targets(body)) if slug != revision.tip.slug]


def approve(moderator, revision: Revision, *, checklist, confidentiality_confirmed: bool, review_by: date | None = None, comment: str = "",
            today: date | None = None, correction: tuple[str, str] | None = None) -> TipEvent:
    """Publish a proposal. With `correction` (title, body), the moderator's small correction
    (a typo, say) is published instead of the text as proposed, which is kept; the revision
    then records both its author and its editor."""
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
        errors["checklist"] = "Tick every item of the compliance checklist to approve. Not ticked: " + "; ".join(missing) + "."
    if revision.flags and not confidentiality_confirmed:
        errors["confidentiality_confirmed"] = "This proposal was flagged as possibly holding case details: confirm you have checked it is safe."
    if review_by is not None and not (today < review_by <= add_months(today, 36)):
        errors["review_by"] = "Choose a review date after today and within three years."
    if len(comment or "") > COMMENT_MAX:
        errors["comment"] = f"Use at most {COMMENT_MAX} characters."
    if errors:
        raise ValidationError(errors)
    missing = [slug for slug in (link.target_slug for link in revision.tip_links) if find_tip(slug) is None]
    if missing:
        raise ValidationError({"checklist": "The text links to " + ", ".join(f"[[{s}]]" for s in missing) + ", which is no tip: "
                               "send it back so the author can fix the link, or publish that tip first."})
    if revision.based_on != tip.current_number:
        raise Conflict(tip, revision.based_on)
    review_by = review_by or add_months(today, REVIEW_MONTHS)
    _claim(revision, PUBLISHED)
    now = utcnow()
    moved = db.session.execute(
        update(Tip)
        .where(Tip.id == tip.id, Tip.status != ARCHIVED,
               Tip.current_number.is_(None) if revision.based_on is None else Tip.current_number == revision.based_on)
        .values(current_number=revision.number, status=PUBLISHED, review_by=review_by, last_reviewed_at=now,
                published_at=func.coalesce(Tip.published_at, now))
    )
    if moved.rowcount != 1:
        db.session.rollback()
        raise Conflict(tip, revision.based_on)
    event = TipEvent(tip=tip, revision_number=revision.number, action="approved", actor=moderator, at=now,
                     comment=(comment or "").strip(), checklist=[k for k in CHECKLIST if k in set(checklist)],
                     confidentiality_confirmed=bool(confidentiality_confirmed) if revision.flags else None,
                     review_by=review_by)
    db.session.add(event)
    db.session.flush()
    db.session.refresh(tip)
    audit.record(moderator, "tip.approve", "tip", tip.slug,
                 summary=f"Revision {revision.number} approved and published" + (" with the moderator's correction" if corrected else ""),
                 after={"revision": revision.number, "checklist": event.checklist, "confidentiality_confirmed": event.confidentiality_confirmed,
                        "review_by": review_by.isoformat(), "comment": event.comment, "corrected": corrected is not None})
    events.tip_reviewed.send(tip, actor=moderator, note=event.comment)  # an approved new text is a review too
    events.proposal_approved.send(revision, moderator=moderator, comment=event.comment, corrected=corrected is not None)
    events.revision_published.send(tip, revision=revision, actor=moderator, first=revision.based_on is None)
    return event


def _close(moderator, revision: Revision, action: str, new_status: str, comment: str) -> TipEvent:
    _ensure_can_decide(moderator, revision)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "Say why, so the author knows what to do next."})
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": f"Use at most {COMMENT_MAX} characters."})
    if revision.status != PENDING:
        raise AlreadyDecided("This proposal has already been decided.")
    _claim(revision, new_status)
    event = TipEvent(tip=revision.tip, revision_number=revision.number, action=action, actor=moderator, at=utcnow(), comment=comment)
    db.session.add(event)
    db.session.flush()
    db.session.refresh(revision)
    audit.record(moderator, f"tip.{action}", "tip", revision.tip.slug, summary=f"Revision {revision.number}: {comment}",
                 after={"revision": revision.number, "comment": comment})
    signal = events.proposal_sent_back if action == "sent_back" else events.proposal_rejected
    signal.send(revision, moderator=moderator, comment=comment)
    return event


def send_back(moderator, revision: Revision, comment: str) -> TipEvent:
    return _close(moderator, revision, "sent_back", SENT_BACK, comment)


def reject(moderator, revision: Revision, reason: str) -> TipEvent:
    return _close(moderator, revision, "rejected", REJECTED, reason)


def _ensure_moderates(user, tip: Tip) -> None:
    if not can_moderate(user, tip.area):
        raise NotAllowed(f"Only the lead manager or a deputy for {tip.area.title} can do this.")


def restore(moderator, tip: Tip, number: int) -> Revision:
    """Publish a copy of an earlier published revision as a new revision."""
    _ensure_moderates(moderator, tip)
    earlier = get_revision(tip, number)
    if earlier.status != PUBLISHED:
        raise ValidationError({"revision": "Only a revision that was once published can be restored."})
    if number == tip.current_number:
        raise ValidationError({"revision": "That revision is already the published one."})
    if tip.status == ARCHIVED:
        raise NotAllowed("This tip is archived.")
    draft = draft_from(earlier)
    draft.confirm_safe = True  # it was approved once, with its checklist
    revision = _new_revision(tip, moderator, draft, earlier.clauses, based_on=tip.current_number, restores=number, status=PUBLISHED)
    _flush_or_retry_message()
    now = utcnow()
    moved = db.session.execute(
        update(Tip).where(Tip.id == tip.id, Tip.status == PUBLISHED, Tip.current_number == revision.based_on)
        .values(current_number=revision.number, review_by=add_months(clock.today(), REVIEW_MONTHS), last_reviewed_at=now)
    )
    if moved.rowcount != 1:
        db.session.rollback()
        raise Conflict(tip, revision.based_on)
    db.session.add(TipEvent(tip=tip, revision_number=revision.number, action="restored", actor=moderator, at=now,
                            comment=f"Restored revision {number}", review_by=add_months(clock.today(), REVIEW_MONTHS)))
    db.session.flush()
    db.session.refresh(tip)
    audit.record(moderator, "tip.restore", "tip", tip.slug, summary=f"Revision {number} restored as revision {revision.number}",
                 after={"restored": number, "revision": revision.number})
    events.revision_published.send(tip, revision=revision, actor=moderator, first=False)
    return revision


def review_reasons(tip: Tip) -> list[str]:
    """Why this tip is under review beyond its date (a legal update sent it back, ...)."""
    return [reason for _, reasons in events.review_reasons.send(tip) for reason in (reasons or [])]


def mark_reviewed(moderator, tip: Tip, *, review_by: date | None = None, note: str = "", today: date | None = None) -> TipEvent:
    """Record that a tip was checked and still holds; its content does not change."""
    _ensure_moderates(moderator, tip)
    if tip.status != PUBLISHED:
        raise NotAllowed("Only a published tip can be marked reviewed.")
    today = today or clock.today()
    if review_by is not None and not (today < review_by <= add_months(today, 36)):
        raise ValidationError({"review_by": "Choose a next review date after today and within three years."})
    if len(note or "") > COMMENT_MAX:
        raise ValidationError({"note": f"Use at most {COMMENT_MAX} characters."})
    reasons = review_reasons(tip)
    if reasons and not (note or "").strip():
        raise ValidationError({"note": f"Say what you checked. Marking this reviewed answers {' and '.join(reasons)}, and your note is kept in its history."})
    before = tip.review_by
    review_by = review_by or add_months(today, REVIEW_MONTHS)
    now = utcnow()
    tip.review_by, tip.last_reviewed_at = review_by, now
    event = TipEvent(tip=tip, revision_number=tip.current_number, action="reviewed", actor=moderator, at=now,
                     comment=(note or "").strip(), review_by=review_by)
    db.session.add(event)
    db.session.flush()
    events.tip_reviewed.send(tip, actor=moderator, note=event.comment)  # the legal updates that sent it for review are dealt with
    audit.record(moderator, "tip.review", "tip", tip.slug, summary="Marked reviewed; content unchanged",
                 before={"review_by": before.isoformat() if before else None}, after={"review_by": review_by.isoformat()})
    return event


def archive(moderator, tip: Tip, *, superseded_by: str | None = None, note: str = "") -> TipEvent:
    _ensure_moderates(moderator, tip)
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
    now = utcnow()
    # Compare-and-set: if a proposal was approved meanwhile, the moderator is told, not overruled.
    moved = db.session.execute(
        update(Tip).where(Tip.id == tip.id, Tip.status == PUBLISHED, Tip.current_number == tip.current_number)
        .values(status=ARCHIVED, archived_at=now, superseded_by_id=successor.id if successor else None)
    )
    if moved.rowcount != 1:
        db.session.rollback()
        raise AlreadyDecided("The tip changed while you were archiving it. Reload the page and check it again.")
    event = TipEvent(tip=tip, revision_number=tip.current_number, action="archived", actor=moderator, at=now,
                     comment=(note or "").strip(), superseded_by_slug=successor.slug if successor else None)
    db.session.add(event)
    for proposal in pending_proposals(tip):
        # Proposals on an archived tip cannot be published: close them with the reason,
        # each only if no moderator decided on it meanwhile.
        closed = db.session.execute(
            update(Revision).where(Revision.id == proposal.id, Revision.status == PENDING).values(status=REJECTED)
        )
        if closed.rowcount == 1:
            db.session.add(TipEvent(tip=tip, revision_number=proposal.number, action="rejected", actor=moderator, at=now,
                                    comment="The tip was archived."))
    db.session.flush()
    db.session.refresh(tip)
    audit.record(moderator, "tip.archive", "tip", tip.slug, summary="Archived" + (f", superseded by {successor.slug}" if successor else ""),
                 after={"superseded_by": successor.slug if successor else None, "note": event.comment})
    events.tip_archived.send(tip, actor=moderator, note=event.comment)
    return event


def authors_by_id(ids) -> dict[int, User]:
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(ids))))}
