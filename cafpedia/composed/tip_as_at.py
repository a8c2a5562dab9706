"""A tip or guidance page "as at" a date: what readers saw at the end of that day (UK time),
worked out from the revisions and the append-only record of decisions, and the record of it
that can be handed to a court, a complaint or an inquiry.

Nothing here writes. The fingerprint is the SHA-256 of the revision's text and metadata as
published, so two copies of a record can be compared without trusting either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app, render_template
from sqlalchemy import select

from cafpedia.core import audit
from cafpedia.core.as_at import end_of, short_form
from cafpedia.core.as_at import fingerprint as as_at_fingerprint
from cafpedia.core.clock import utcnow
from cafpedia.core.markdown import render_markdown
from cafpedia.core.pdf import html_to_pdf
from cafpedia.core.permissions import can_moderate, can_see_revision, is_signed_in
from cafpedia.core.urls import path_for
from cafpedia.extensions import db
from cafpedia.legal.citing import tip_flags, updates_about_as_at
from cafpedia.mail.settings import parse_base_url
from cafpedia.standards.models import StandardClause
from cafpedia.tips.models import CHECKLIST, PUBLISHING, Revision, Tip, TipEvent
from cafpedia.tips.reading import resolve_link

DID_NOT_EXIST, NOT_YET_PUBLISHED, PUBLISHED, ARCHIVED = (
    "did not exist yet",
    "not yet published",
    "published",
    "archived",
)


@dataclass
class ClauseThen:
    cited: StandardClause
    in_force: StandardClause | None  # the clause with that code in force on the day (None: none yet)


@dataclass
class TipAsAt:
    tip: Tip
    day: date
    moment: datetime  # the end of that day in the UK, as naive UTC: what happened before it counts
    status: str
    revision: Revision | None = None  # the revision readers saw then
    published_by: TipEvent | None = None  # the approval (or restoration) that published it
    approval: TipEvent | None = None  # the approval behind it, with its checklist (a restoration's original one)
    last_reviewed: datetime | None = None
    review_by: date | None = None
    superseded_by: str | None = None
    archived_at: datetime | None = None
    clauses: list[ClauseThen] = field(default_factory=list)
    legal_updates: list = field(default_factory=list)
    history: list[tuple[Revision, list[TipEvent]]] = field(
        default_factory=list
    )  # revisions written by then that the person asking may see (can_see_revision), newest first
    later_events: int = 0  # decisions and reviews after that day
    sees_proposals: bool = True  # False: the person asking may not see every revision written
    first_published: datetime | None = None  # when readers could first read it (None: never yet)
    under_review: list = field(default_factory=list)  # legal updates it was under review after, that day

    @property
    def current(self) -> Revision | None:
        return self.tip.revision(self.tip.current_number)

    @property
    def current_since(self) -> datetime | None:
        """When the current revision was last published (approved or restored): readers have
        read it since then, not since it was proposed."""
        return max(
            (e.at for e in self.tip.events if e.action in PUBLISHING and e.revision_number == self.tip.current_number),
            default=None,
        )

    @property
    def is_current(self) -> bool:
        return (
            self.revision is not None
            and self.revision.number == self.tip.current_number
            and self.status == self.tip.status
        )

    @property
    def checklist(self) -> list[str]:
        return [CHECKLIST.get(item, item) for item in (self.approval.checklist or [])] if self.approval else []

    def fingerprint(self) -> str:
        """SHA-256 of the revision's text and metadata as published (format 1)."""
        return fingerprint(self.revision) if self.revision else ""

    def short_fingerprint(self) -> str:
        """Its first 12 hex digits in groups of four, to read aloud."""
        return short_form(self.fingerprint())


def tip_as_at(tip: Tip, day: date, viewer) -> TipAsAt:
    """The tip as readers saw it at the end of `day`, with its history to then as `viewer` may
    see it (None: no one in particular, as the command line makes a record: what readers saw)."""
    moment = end_of(day)
    events = sorted(tip.events, key=lambda e: (e.at, e.id))
    # A reader (neither a moderator of its area nor an author of one of its revisions) is not told
    # when the tip was first written or that it had been proposed, only since when readers can read
    # it. None, the command line run by an administrator, says all.
    sees_proposals = viewer is None or (
        is_signed_in(viewer)
        and (can_moderate(viewer, tip.area) or any(r.author_id == viewer.id for r in tip.revisions))
    )
    first_published = next((e.at for e in events if e.action in PUBLISHING), None)
    created = min([tip.created_at, *(r.created_at for r in tip.revisions)])
    if created >= moment and sees_proposals:
        return TipAsAt(tip, day, moment, DID_NOT_EXIST, first_published=first_published)
    then = TipAsAt(tip, day, moment, NOT_YET_PUBLISHED, sees_proposals=sees_proposals, first_published=first_published)
    for event in events:
        if event.at >= moment:
            then.later_events += 1
            continue
        if event.action in PUBLISHING:
            then.status, then.revision, then.published_by = PUBLISHED, tip.revision(event.revision_number), event
            then.last_reviewed, then.review_by = event.at, event.review_by
            then.superseded_by = then.archived_at = None
        elif event.action == "reviewed":
            then.last_reviewed, then.review_by = event.at, event.review_by or then.review_by
        elif event.action == "archived" and then.status == PUBLISHED:
            then.status, then.superseded_by, then.archived_at = ARCHIVED, event.superseded_by_slug, event.at
    if then.revision is not None:
        then.approval = _approval_behind(tip, then.published_by)
        then.clauses = _clauses_then(then.revision, day)
        then.legal_updates = updates_about_as_at(then.revision.legal_refs, day, moment)
        then.under_review = [
            f.update
            for f in tip_flags(tip.id)
            if f.flagged_at < moment and (f.resolved_at is None or f.resolved_at >= moment)
        ]
    by_number = {}
    for event in events:
        if event.at < moment and event.revision_number is not None:
            by_number.setdefault(event.revision_number, []).append(event)
    then.history = [
        (r, by_number.get(r.number, []))
        for r in reversed(tip.revisions)
        if r.created_at < moment and can_see_revision(viewer, r, as_at=moment)
    ]
    return then


def _approval_behind(tip: Tip, published_by: TipEvent | None) -> TipEvent | None:
    """The approval whose checklist stands behind the published text: a restoration brings back
    a revision approved earlier, with that approval's checklist."""
    if published_by is None or published_by.action == "approved":
        return published_by
    restored = tip.revision(published_by.revision_number)
    original = restored.restores if restored else None
    return next((e for e in tip.events if e.revision_number == original and e.action == "approved"), published_by)


def _clauses_then(revision: Revision, day: date) -> list[ClauseThen]:
    codes = [c.code for c in revision.clauses]
    if not codes:
        return []
    candidates: dict[str, list[StandardClause]] = {}
    for clause in db.session.scalars(select(StandardClause).where(StandardClause.code.in_(codes))):
        if clause.starts_on is None or clause.starts_on <= day:
            candidates.setdefault(clause.code, []).append(clause)
    result = []
    for cited in revision.clauses:
        options = candidates.get(cited.code, [])
        in_force = max(options, key=lambda c: (c.starts_on or date.min, c.id == cited.id), default=None)
        result.append(ClauseThen(cited, in_force))
    return result


def fingerprint(revision: Revision) -> str:
    """SHA-256 over the revision's published text and what it stands on."""
    return as_at_fingerprint(
        {
            "tip": revision.tip.slug,
            "revision": revision.number,
            "title": revision.title,
            "kind": revision.kind,
            "area": revision.tip.area.slug,
            "tags": list(revision.tags),
            "standards": revision.standards,
            "legal_refs": list(revision.legal_refs),
            "author": revision.author.username,
            "written_at": revision.created_at.isoformat(timespec="seconds"),
        },
        revision.body,
    )


COMMAND_LINE, PUBLIC_READER = "the command line", "public reader (not signed in)"


def _producer(user) -> tuple[object | None, str, str]:
    """(the actor for the audit trail, its name there, who produced the record as the record
    says it). None is the command line; a reader signed out (public reading on) has no account."""
    if user is None:
        return None, COMMAND_LINE, COMMAND_LINE
    if not getattr(user, "is_authenticated", False):
        return None, PUBLIC_READER, "a reader who was not signed in (public reading)"
    return user, user.username, f"{user.name} ({user.username})"


def record_pdf(then: TipAsAt, user) -> bytes:
    """The record to hand over, as a PDF, produced for `user` (the person asking, signed in or
    not; None: the command line); producing it goes into the audit trail (the caller commits).
    PdfUnavailable when this server cannot make PDFs."""

    if then.revision is None:
        raise ValueError("there is no published text on that day to make a record of")
    actor, actor_name, produced_by = _producer(user)
    produced_at, base = utcnow(), parse_base_url(current_app.config.get("BASE_URL"))
    body = render_markdown(then.revision.body, resolve_link=resolve_link)
    html = render_template(
        "tips/record.html",
        then=then,
        tip=then.tip,
        body=body,
        produced_at=produced_at,
        produced_by=produced_by,
        page_url=base + path_for("tips.show", slug=then.tip.slug),
    )
    pdf = html_to_pdf(html, base_url=base + "/")  # links in the text lead to CAFpedia
    audit.record(
        actor,
        "record.produce",
        "tip",
        then.tip.slug,
        actor_name=actor_name,
        summary=f"Record as at {then.day.isoformat()}: revision {then.revision.number}, fingerprint "
        f"{then.fingerprint()}",
    )
    return pdf
