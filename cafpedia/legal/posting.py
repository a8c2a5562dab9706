"""Posting a legal update, editing it (a revision each time) and withdrawing it: what a lawyer
types and the rules it must meet, citations read and checked against the dates. No request
or session in here; callers commit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from cafpedia.areas.models import PracticeArea
from cafpedia.areas.services import find_area
from cafpedia.core import audit, case_details, clock, events
from cafpedia.core import validation as rules
from cafpedia.core.clock import utcnow
from cafpedia.core.confidentiality import Finding, find_case_details
from cafpedia.core.errors import NotAllowed, ServiceError, ValidationError
from cafpedia.core.permissions import can_post_legal_updates
from cafpedia.core.sql import flush_or_refuse
from cafpedia.core.text import keep_order, normalise_newlines
from cafpedia.core.validation import Problems
from cafpedia.extensions import db
from cafpedia.legal.citations import Citation, read
from cafpedia.legal.models import (
    KINDS,
    PUBLISHED,
    WITHDRAWN,
    LegalRevision,
    LegalUpdate,
    LegalUpdateArea,
)

TITLE_MAX = 200


SUMMARY_MAX = 300


TEXT_MAX = 50_000


URL_MAX = 500


NOTE_MAX = 500


TAG_MAX = 40


TAGS_MAX = 8


AREAS_MAX = 5


CITATIONS_MAX = 8


SLUG_MAX = 80


# The line that divides an update's file into briefing and practice: no text may hold it.
PRACTICE_HEADING_RE = re.compile(r"^ {0,3}#+ *What it means for practice *$", re.I | re.M)


SLUG_RE = re.compile(r"^\d{4}-\d{2}-\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")


# Kinds whose date is when something already happened: it cannot be in the future.
PAST_KINDS = {"case-law", "inspection"}


# What a kind must be cited by.
CITATION_KINDS = {"case-law": {"neutral", "report"}, "legislation": {"statute", "si"}}


CITATION_MAX = 500


@dataclass
class UpdateDraft:
    kind: str
    title: str
    citations: list[str]
    made_on: date | None
    summary: str
    briefing: str
    practice: str
    areas: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    source_url: str | None = None
    in_force_on: date | None = None
    # The editor has checked the citations CAFpedia does not recognise and keeps them as written.
    keep_unrecognised: bool = field(default=False, compare=False)
    # The editor confirmed that what the confidentiality guard found identifies no child or family.
    confirm_safe: bool = field(default=False, compare=False)

    def texts(self) -> dict[str, str]:
        """What the confidentiality guard checks (core.case_details)."""
        return {
            "the title": self.title,
            "the citations": "\n".join(self.citations),
            "the summary": self.summary,
            "the briefing": self.briefing,
            "what it means for practice": self.practice,
        }

    @classmethod
    def of(cls, revision: LegalRevision) -> UpdateDraft:
        return cls(
            kind=revision.kind,
            title=revision.title,
            citations=list(revision.citations),
            made_on=revision.made_on,
            in_force_on=revision.in_force_on,
            summary=revision.summary,
            briefing=revision.briefing,
            practice=revision.practice,
            areas=list(revision.areas),
            tags=list(revision.tags),
            source_url=revision.source_url,
        )


def check_draft(
    draft: UpdateDraft, *, today: date | None = None
) -> tuple[dict[str, str], list[Citation], list[PracticeArea]]:
    """(problems by field, the citations as parsed, the areas) for what a legal editor typed."""
    today = today or clock.today()
    problems = Problems()
    if draft.kind not in KINDS:
        problems.add("kind", f"Choose what kind of update this is: {', '.join(KINDS.values()).lower()}.")
    problems.add(
        "title",
        rules.title(
            rules.one_line(draft.title),
            minimum=3,
            maximum=TITLE_MAX,
            too_short="Give the update a title of at least 3 characters.",
        ),
    )
    citations, problem = _citations(draft, today)
    problems.add("citations", problem)
    problems.add("made_on", _made_on_problem(draft, citations, today))
    problems.add("in_force_on", _in_force_problem(draft, today))
    summary = rules.one_line(draft.summary)
    if not summary:
        problems.add("summary", "Write a short summary: one or two sentences for the feed.")
    elif len(summary) > SUMMARY_MAX:
        problems.add(
            "summary",
            f"Keep the summary to {SUMMARY_MAX} characters (this has {len(summary)}); the detail goes in the briefing.",
        )
    for name, what in (("briefing", "the briefing"), ("practice", "what it means for practice")):
        problems.add(
            name,
            rules.text_block(
                getattr(draft, name),
                longest=TEXT_MAX,
                what=what,
                heading=PRACTICE_HEADING_RE,
                heading_text="What it means for practice",
            ),
        )
    problems.add("source_url", rules.web_link(draft.source_url, longest=URL_MAX, what="The source link"))
    areas, problem = rules.known(
        draft.areas, find_area, maximum=AREAS_MAX, required="Choose at least one area of practice."
    )
    problems.add("areas", problem)
    problems.add("tags", rules.tags(draft.tags, maximum=TAGS_MAX, longest=TAG_MAX))
    return problems, citations, areas


def check_case_details(errors: dict[str, str], draft: UpdateDraft, note: str = "") -> list[Finding]:
    """The confidentiality guard (core.case_details); not in check_draft, which imports share."""
    return case_details.check(errors, {**draft.texts(), "the note": note}, draft.confirm_safe)


def _citations(draft: UpdateDraft, today: date) -> tuple[list[Citation], str | None]:
    """(the citations as read; the problem with them)."""
    too_long = next((text for text in draft.citations if len(text) > CITATION_MAX), None)
    if too_long is not None:
        return [], f"A citation is at most {CITATION_MAX} characters; one has {len(too_long):,}."
    citations = [c for text in draft.citations for c in read(text, this_year=today.year + 5)]
    unknown = [c.text for c in citations if not c.recognised]
    if unknown and not draft.keep_unrecognised:
        return citations, (
            "Not recognised: "
            + "; ".join(f"“{t[:80]}”" for t in unknown[:3])
            + ". Check each is written as the source "
            "writes it, then tick “Keep citations CAFpedia does not recognise as written”; or correct it."
        )
    if not citations:
        return citations, "Give at least one citation, for example [2002] EWCA Civ 1199 or Children Act 1989 s7."
    if len(citations) > CITATIONS_MAX:
        return citations, f"Give at most {CITATIONS_MAX} citations."
    if draft.kind in CITATION_KINDS and not any(
        c.kind in CITATION_KINDS[draft.kind] or not c.recognised for c in citations
    ):
        return citations, (
            "Cite a judgment as [2002] EWCA Civ 1199 or [2002] 2 FLR 893."
            if draft.kind == "case-law"
            else "Cite legislation by its short title and year, for example Children Act 1989 s7."
        )
    return citations, None


def _made_on_problem(draft: UpdateDraft, citations: list[Citation], today: date) -> str | None:
    if draft.made_on is None:
        return "Give the date it was made, takes effect or was published, as day, month and year."
    if draft.kind in PAST_KINDS and draft.made_on > today:
        return (
            f"A {KINDS.get(draft.kind, draft.kind).lower()} date cannot be in the future (today is "
            f"{clock.format_date(today)})."
        )
    if draft.made_on.year < 1800 or draft.made_on.year > today.year + 5:
        return "Give a date between 1800 and five years from now."
    if draft.kind == "case-law":
        wrong = [c.text for c in citations if c.kind == "neutral" and c.year != draft.made_on.year]
        if wrong:
            return f"The judgment's date is in {draft.made_on.year}, but {wrong[0]} is a {int(wrong[0][1:5])} citation."
    return None


def _in_force_problem(draft: UpdateDraft, today: date) -> str | None:
    if draft.in_force_on is None:
        return None
    if draft.kind in PAST_KINDS:
        return f"A {KINDS.get(draft.kind, draft.kind).lower()} does not come into force: leave this empty."
    if draft.made_on is not None and draft.in_force_on < draft.made_on:
        return f"It cannot come into force before it was made ({clock.format_date(draft.made_on)})."
    if not 1800 <= draft.in_force_on.year <= today.year + 10:
        return "Give a date between 1800 and ten years from now."
    return None


def ensure_editor(user) -> None:
    if not can_post_legal_updates(user):
        raise NotAllowed("Only legal editors and administrators post legal updates.")


def _slug_for(published_on: date, title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[: SLUG_MAX - 15].rstrip("-") or "update"
    stem = f"{published_on:%Y-%m-%d}-{base}"
    slug, n = stem, 2
    while db.session.scalar(select(LegalUpdate.id).where(LegalUpdate.slug == slug)) is not None:
        slug, n = f"{stem}-{n}", n + 1
    return slug


def _revision(
    update: LegalUpdate, author, draft: UpdateDraft, citations: list[Citation], areas, number: int, note: str | None
) -> LegalRevision:
    revision = LegalRevision(
        update=update,
        number=number,
        kind=draft.kind,
        title=" ".join(draft.title.split()),
        citations=[c.text for c in citations],
        made_on=draft.made_on,
        areas=[a.slug for a in areas],
        tags=list(dict.fromkeys(draft.tags)),
        summary=" ".join(draft.summary.split()),
        briefing=normalise_newlines(draft.briefing).strip("\n"),
        practice=normalise_newlines(draft.practice).strip("\n"),
        source_url=draft.source_url or None,
        in_force_on=draft.in_force_on,
        author_id=author.id,
        created_at=utcnow(),
        note=note,
    )
    db.session.add(revision)
    update.kind, update.made_on, update.updated_at = revision.kind, revision.made_on, revision.created_at
    existing = {link.area_id: link for link in update.area_links}
    update.area_links = [existing.get(a.id) or LegalUpdateArea(area=a) for a in areas]
    for position, link in enumerate(update.area_links):
        link.position = position
    return revision


def post_update(user, draft: UpdateDraft, *, today: date | None = None) -> LegalUpdate:
    ensure_editor(user)
    today = today or clock.today()
    errors, citations, areas = check_draft(draft, today=today)
    confirmed = check_case_details(errors, draft)
    if errors:
        raise ValidationError(errors)
    now = utcnow()
    update = LegalUpdate(
        slug=_slug_for(today, draft.title),
        status=PUBLISHED,
        current_number=1,
        kind=draft.kind,
        made_on=draft.made_on,
        published_on=today,
        published_at=now,
        updated_at=now,
    )
    db.session.add(update)
    _revision(update, user, draft, citations, areas, 1, None)
    flush_or_refuse("Someone else posted an update with the same title at the same moment: send it again.")
    audit.record(
        user,
        "legal.post",
        "legal_update",
        update.slug,
        summary=update.current.title,
        after=case_details.audited(confirmed),
    )
    events.legal_update_posted.send(update, actor=user)
    return update


def edit_update(
    user, update: LegalUpdate, draft: UpdateDraft, *, note: str = "", today: date | None = None
) -> LegalRevision:
    ensure_editor(user)
    if update.status == WITHDRAWN:
        raise NotAllowed("This update is withdrawn; post a new one instead.")

    draft.areas = keep_order(list(update.current.areas), list(dict.fromkeys(draft.areas)))
    errors, citations, areas = check_draft(draft, today=today)
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        errors["note"] = f"Keep the note to {NOTE_MAX} characters."
    if not errors and UpdateDraft.of(update.current) == normalised(draft, citations, areas):
        errors["briefing"] = "Nothing has changed: change something before saving a new revision."
    confirmed = check_case_details(errors, draft, note)
    if errors:
        raise ValidationError(errors)
    number = max(r.number for r in update.revisions) + 1
    revision = _revision(update, user, draft, citations, areas, number, note or None)
    update.current_number = number
    db.session.flush()
    audit.record(
        user,
        "legal.edit",
        "legal_update",
        update.slug,
        summary=note or f"revision {number}",
        after=case_details.audited(confirmed),
    )
    return revision


def normalised(draft: UpdateDraft, citations, areas) -> UpdateDraft:
    """The draft as it will be stored (and as the preview before posting shows it)."""
    return UpdateDraft(
        kind=draft.kind,
        title=" ".join(draft.title.split()),
        citations=[c.text for c in citations],
        made_on=draft.made_on,
        summary=" ".join(draft.summary.split()),
        briefing=normalise_newlines(draft.briefing).strip("\n"),
        practice=normalise_newlines(draft.practice).strip("\n"),
        areas=[a.slug for a in areas],
        tags=list(dict.fromkeys(draft.tags)),
        source_url=draft.source_url or None,
        in_force_on=draft.in_force_on,
    )


def check_withdrawal(update: LegalUpdate, reason: str, *, confirm_safe: bool = False) -> str:
    """The reason as it will be shown; raises if the update cannot be withdrawn with it (or it
    holds what the confidentiality guard finds, unconfirmed)."""
    reason = " ".join((reason or "").split())
    if update.status == WITHDRAWN:
        raise ServiceError("This update is already withdrawn.")
    if not reason:
        raise ValidationError({"reason": "Say why it is withdrawn: readers see the reason."})
    if len(reason) > NOTE_MAX:
        raise ValidationError({"reason": f"Keep the reason to {NOTE_MAX} characters."})
    case_details.require({"the reason": reason}, confirm_safe)
    return reason


def withdraw(user, update: LegalUpdate, reason: str, *, confirm_safe: bool = False) -> LegalUpdate:
    ensure_editor(user)
    reason = check_withdrawal(update, reason, confirm_safe=confirm_safe)
    update.status, update.withdrawn_at, update.withdrawn_reason, update.withdrawn_by_id = (
        WITHDRAWN,
        utcnow(),
        reason,
        user.id,
    )
    update.updated_at = update.withdrawn_at
    db.session.flush()
    audit.record(
        user,
        "legal.withdraw",
        "legal_update",
        update.slug,
        summary=reason,
        after=case_details.audited(find_case_details(reason)),  # found, so confirmed
    )
    return update
