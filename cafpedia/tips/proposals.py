"""Proposing tips: a draft's rules (title, body, tags, standards, legal references), a new
tip or an edit, a proposal sent back to its author. Callers commit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select

from cafpedia.areas.services import find_area
from cafpedia.core import case_details, events
from cafpedia.core import validation as rules
from cafpedia.core.clock import utcnow
from cafpedia.core.confidentiality import Finding, find_case_details
from cafpedia.core.errors import NotAllowed, ServiceError, ValidationError
from cafpedia.core.markdown import wiki_link_targets
from cafpedia.core.permissions import can_see_revision
from cafpedia.core.sql import flush_or_refuse
from cafpedia.core.text import normalise_newlines
from cafpedia.core.validation import SLUG_WORDS, Problems
from cafpedia.extensions import db
from cafpedia.standards import services as standards
from cafpedia.tips.models import (
    ARCHIVED,
    KINDS,
    PENDING,
    SENT_BACK,
    Revision,
    RevisionLink,
    RevisionStandard,
    Tip,
    TipEvent,
)
from cafpedia.tips.reading import find_tip

SLUG_RE = SLUG_WORDS
SLUG_MAX = 80
TITLE_MIN, TITLE_MAX = 3, 200
BODY_MAX = 100_000
TAG_RE = SLUG_WORDS
TAG_MAX, TAGS_MAX = 40, 10
LEGAL_REF_MAX, LEGAL_REFS_MAX = 200, 10
STANDARDS_MAX = 12
COMMENT_MAX = 2000
CHANGE_NOTE_MAX = 500


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


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-")


def guarded_fields(text) -> list[tuple[str, str]]:
    """The texts of a draft or a revision the confidentiality guard reads, each with how a
    sentence names it."""
    refs = "\n".join(text.legal_refs)
    return [
        ("the title", text.title),
        ("the body", text.body),
        ("the legal references", refs),
        ("the change note", text.change_note or ""),
    ]


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

    def fields(self) -> list[tuple[str, str]]:
        return guarded_fields(self)

    def findings(self) -> list[Finding]:
        """What the guard finds in the title, body, legal references and change note read as one
        text (so each finding's `start` counts in them joined by new lines: `highlighting.locate`
        says which field and line it is in)."""
        return find_case_details("\n".join(text for _, text in self.fields()))


def check_draft(draft: Draft) -> tuple[dict[str, str], list]:
    """(problems by field, the standards clauses named) for a draft."""
    problems = Problems()
    problems.add(
        "title",
        rules.title(
            (draft.title or "").strip(),
            minimum=TITLE_MIN,
            maximum=TITLE_MAX,
            too_short=f"Enter a title of at least {TITLE_MIN} characters.",
        ),
    )
    if not (draft.body or "").strip():
        problems.add("body", "Write the tip itself.")
    elif len(draft.body) > BODY_MAX:
        problems.add(
            "body",
            f"The text is too long: at most {BODY_MAX // 1000} KB ({BODY_MAX:,} characters); this has "
            f"{len(draft.body):,}.",
        )
    if draft.kind not in KINDS:
        problems.add("kind", f"Choose one of {', '.join(KINDS)}.")
    problems.add("tags", rules.tags(draft.tags, maximum=TAGS_MAX, longest=TAG_MAX))
    if len(draft.change_note or "") > CHANGE_NOTE_MAX:
        problems.add(
            "change_note", f"Keep the change note to {CHANGE_NOTE_MAX} characters (this has {len(draft.change_note)})."
        )
    if len(draft.legal_refs) > LEGAL_REFS_MAX:
        problems.add("legal_refs", f"Give at most {LEGAL_REFS_MAX} legal references.")
    elif any(len(ref) > LEGAL_REF_MAX for ref in draft.legal_refs):
        problems.add("legal_refs", f"Each legal reference is at most {LEGAL_REF_MAX} characters.")
    clauses, problem = _clauses(draft.standards)
    problems.add("standards", problem)
    case_details.check(problems, dict(draft.fields()), draft.confirm_safe)
    return problems, clauses


def _clauses(codes: list[str]) -> tuple[list, str | None]:
    """(the current National Standards' clauses a draft cites; the problem with them)."""
    if not codes:
        return [], None
    version = standards.current_version()
    clauses, unknown = [], []
    for code in dict.fromkeys(codes):
        clause = version.clause(code) if version else None
        (clauses.append(clause) if clause is not None else unknown.append(code))
    if unknown:
        name = f"the National Standards ({version.version})" if version else "the National Standards (none loaded)"
        return clauses, f"No clause {', '.join(unknown)} in {name}; use numbers such as 5.1."
    if len(clauses) > STANDARDS_MAX:
        return clauses, f"Cite at most {STANDARDS_MAX} clauses."
    return clauses, None


def new_revision(
    tip: Tip, author, draft: Draft, clauses, *, based_on, revises=None, restores=None, status=PENDING
) -> Revision:
    number = (
        (db.session.scalar(select(func.max(Revision.number)).where(Revision.tip_id == tip.id)) or 0) + 1
        if tip.id
        else 1
    )
    revision = Revision(
        tip=tip,
        number=number,
        based_on=based_on,
        revises=revises,
        restores=restores,
        title=" ".join(draft.title.split()),
        kind=draft.kind,
        body=normalise_newlines(draft.body),
        change_note=" ".join((draft.change_note or "").split()),
        tags=list(dict.fromkeys(draft.tags)),
        legal_refs=list(dict.fromkeys(draft.legal_refs)),
        author=author,
        status=status,
        created_at=utcnow(),
        flags=[f.as_dict() for f in draft.findings()],
        author_confirmed_safe=bool(draft.confirm_safe),
    )
    revision.standard_links = [RevisionStandard(clause=c, position=i) for i, c in enumerate(clauses)]
    revision.tip_links = [
        RevisionLink(target_slug=slug)
        for slug in dict.fromkeys(s for _, s in wiki_link_targets(revision.body))
        if slug != tip.slug
    ]
    db.session.add(revision)  # SQLAlchemy 2 does not cascade along the tip= backref
    return revision


SAVED_AT_THE_SAME_MOMENT = (
    "Someone else saved a change to this tip at the same moment. Nothing was lost: send it again."
)


def propose_new_tip(author, *, area_slug: str, slug: str | None, draft: Draft) -> Revision:
    errors, clauses = check_draft(draft)
    area = find_area(area_slug or "")
    if area is None:
        errors["area"] = "Choose the area of practice this belongs to."
    slug = (slug or "").strip().lower() or slugify(draft.title)
    if not slug or len(slug) > SLUG_MAX or not SLUG_RE.match(slug):
        errors["slug"] = (
            f"Use at most {SLUG_MAX} lower-case letters and digits with single hyphens, for example "
            f"seeing-children-alone."
        )
    elif find_tip(slug):
        errors["slug"] = f"The address /tips/{slug} is already taken: choose another, or propose an edit to that tip."
    if errors:
        raise ValidationError(errors)
    tip = Tip(slug=slug, area=area, status=PENDING, created_at=utcnow())
    db.session.add(tip)
    revision = new_revision(tip, author, draft, clauses, based_on=None)
    flush_or_refuse(SAVED_AT_THE_SAME_MOMENT)
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
    revision = new_revision(tip, author, draft, clauses, based_on=tip.current_number, revises=revises)
    flush_or_refuse(SAVED_AT_THE_SAME_MOMENT)
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
        title=revision.title,
        body=revision.body,
        kind=revision.kind,
        tags=list(revision.tags),
        standards=revision.standards,
        legal_refs=list(revision.legal_refs),
    )
