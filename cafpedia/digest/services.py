"""The research digest: composing and publishing issues, correcting items, suggestions
from readers, and the research behind tips. No request or session in here; callers commit.

Every function takes the acting user and checks what it needs (`NotAllowed`); a draft
issue is, to everyone but the coordinator and administrators, an issue that does not
exist (`NotFound`), so its existence does not leak.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from cafpedia.areas.models import PracticeArea
from cafpedia.areas.services import find_area
from cafpedia.core import audit, clock, events
from cafpedia.core import validation as rules
from cafpedia.core.clock import utcnow
from cafpedia.core.errors import NotAllowed, NotFound, ServiceError, ValidationError
from cafpedia.core.permissions import can_compose_digest, can_link_research
from cafpedia.core.text import normalise_newlines
from cafpedia.core.validation import SLUG_WORDS, Problems
from cafpedia.digest.models import (
    DECLINED,
    OPEN,
    TAKEN_UP,
    DigestIssue,
    DigestItem,
    DigestItemArea,
    DigestItemVersion,
    ResearchSuggestion,
    TipResearchLink,
)
from cafpedia.extensions import db

QUARTER_RE = re.compile(r"^([0-9]{4})-Q([1-4])$")
SLUG_RE = SLUG_WORDS
TAG_RE = SLUG_WORDS
TITLE_MAX = 200
SOURCE_MAX = 500
URL_MAX = 500
TEXT_MAX = 20_000
AUTHOR_MAX = 120
AUTHORS_MAX = 20
TAG_MAX = 40
TAGS_MAX = 8
AREAS_MAX = 5
REASON_MAX = 500
TOPIC_MAX = 200
SLUG_MAX = 80
NUMBER_MAX = 100_000
IMPLICATIONS_HEADING = "## Implications for practice"
# The line that divides an item's file into summary and implications: no text may hold it.
HEADING_RE = re.compile(r"^ {0,3}#+ *Implications for practice *$", re.I | re.M)


# --- Reading -------------------------------------------------------------------------------


def _issue_query():
    return select(DigestIssue).options(
        selectinload(DigestIssue.items).selectinload(DigestItem.area_links).selectinload(DigestItemArea.area)
    )


def published_issues() -> list[DigestIssue]:
    return list(
        db.session.scalars(
            _issue_query()
            .where(DigestIssue.published_on.is_not(None))
            .order_by(DigestIssue.published_on.desc(), DigestIssue.number.desc())
        )
    )


def draft_issues(user) -> list[DigestIssue]:
    if not can_compose_digest(user):
        return []
    return list(
        db.session.scalars(_issue_query().where(DigestIssue.published_on.is_(None)).order_by(DigestIssue.number.desc()))
    )


def latest_issue() -> DigestIssue | None:
    issues = published_issues()
    return issues[0] if issues else None


def issues_by_year() -> list[tuple[int, list[DigestIssue]]]:
    years: dict[int, list[DigestIssue]] = {}
    for issue in published_issues():
        years.setdefault(issue.year, []).append(issue)
    return sorted(years.items(), reverse=True)


def find_issue(slug: str) -> DigestIssue | None:
    return db.session.scalar(_issue_query().where(DigestIssue.slug == slug))


def get_issue(user, slug: str) -> DigestIssue:
    """The issue as this user may see it: a draft only for those who compose the digest."""
    issue = find_issue(slug)
    if issue is None or (issue.is_draft and not can_compose_digest(user)):
        raise NotFound("There is no such issue of the research digest.")
    return issue


def get_item(user, issue_slug: str, item_slug: str) -> DigestItem:
    issue = get_issue(user, issue_slug)
    item = issue.item(item_slug)
    if item is None:
        raise NotFound("There is no such item in this issue of the research digest.")
    return item


def items_for_area(area: PracticeArea) -> list[DigestItem]:
    """Published items about an area of practice, newest issue first."""
    return list(
        db.session.scalars(
            select(DigestItem)
            .join(DigestItem.issue)
            .join(DigestItemArea, DigestItemArea.item_id == DigestItem.id)
            .where(DigestItemArea.area_id == area.id, DigestIssue.published_on.is_not(None))
            .order_by(DigestIssue.published_on.desc(), DigestItem.position)
        )
    )


def research_for_tip(tip) -> list[DigestItem]:
    return list(
        db.session.scalars(
            select(DigestItem)
            .join(TipResearchLink, TipResearchLink.item_id == DigestItem.id)
            .join(DigestItem.issue)
            .where(TipResearchLink.tip_id == tip.id, DigestIssue.published_on.is_not(None))
            .order_by(DigestIssue.published_on.desc(), DigestItem.position)
        )
    )


def tips_for_item(item: DigestItem) -> list:
    from cafpedia.tips.models import PUBLISHED, Tip

    return list(
        db.session.scalars(
            select(Tip)
            .join(TipResearchLink, TipResearchLink.tip_id == Tip.id)
            .where(TipResearchLink.item_id == item.id, Tip.status == PUBLISHED)
            .order_by(Tip.slug)
        )
    )


def published_items(limit: int | None = None) -> list[DigestItem]:
    query = (
        select(DigestItem)
        .join(DigestItem.issue)
        .where(DigestIssue.published_on.is_not(None))
        .order_by(DigestIssue.published_on.desc(), DigestIssue.number.desc(), DigestItem.position)
    )
    return list(db.session.scalars(query.limit(limit) if limit else query))


# --- Checking what the coordinator typed ------------------------------------------------------


@dataclass
class IssueDraft:
    number: int | None
    quarter: str
    title: str
    introduction: str = ""


@dataclass
class ItemDraft:
    title: str
    source: str
    summary: str
    implications: str
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    url: str | None = None
    areas: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, item: DigestItem) -> ItemDraft:
        return cls(
            title=item.title,
            source=item.source,
            summary=item.summary,
            implications=item.implications,
            authors=list(item.authors),
            year=item.year,
            url=item.url,
            areas=item.area_slugs,
            tags=list(item.tags),
        )


def quarter_slug(quarter: str) -> str:
    return quarter.lower()


def check_issue(draft: IssueDraft, *, issue: DigestIssue | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if draft.number is None or not 1 <= draft.number <= NUMBER_MAX:
        errors["number"] = f"Give the issue number, a whole number from 1 to {NUMBER_MAX:,}."
    else:
        other = db.session.scalar(select(DigestIssue).where(DigestIssue.number == draft.number))
        if other is not None and other is not issue:
            errors["number"] = f"Issue number {draft.number} is already {other.title}."
    quarter = (draft.quarter or "").strip().upper()
    if not QUARTER_RE.match(quarter) or not 1990 <= int(quarter[:4]) <= 2100:
        errors["quarter"] = "Give the quarter as year and quarter, for example 2007-Q1."
    else:
        other = db.session.scalar(select(DigestIssue).where(DigestIssue.quarter == quarter))
        if other is not None and other is not issue:
            errors["quarter"] = f"There is already an issue for {quarter}: {other.title}."
    title = " ".join((draft.title or "").split())
    if len(title) < 3:
        errors["title"] = "Give the issue a title, for example Research Digest, Spring 2007."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Use at most {TITLE_MAX} characters for the title (this has {len(title)})."
    if len(draft.introduction or "") > TEXT_MAX:
        errors["introduction"] = (
            f"The introduction is too long: at most {TEXT_MAX:,} characters; this has {len(draft.introduction):,}."
        )
    return errors


def check_item(draft: ItemDraft) -> tuple[dict[str, str], list[PracticeArea]]:
    problems = Problems()
    problems.add(
        "title",
        rules.title(
            rules.one_line(draft.title),
            minimum=3,
            maximum=TITLE_MAX,
            too_short="Give the item a title of at least 3 characters.",
        ),
    )
    source = rules.one_line(draft.source)
    if not source:
        problems.add("source", "Say where this research comes from: the report, journal or full citation.")
    problems.add("source", rules.at_most(source, SOURCE_MAX, what="the source"))
    if len(draft.authors) > AUTHORS_MAX:
        problems.add("authors", f"Name at most {AUTHORS_MAX} authors.")
    elif any(len(a) > AUTHOR_MAX for a in draft.authors):
        problems.add("authors", f"Each author's name is at most {AUTHOR_MAX} characters.")
    this_year = clock.today().year
    if draft.year is not None and not 1900 <= draft.year <= this_year + 1:
        problems.add("year", f"Give the year of publication, from 1900 to {this_year + 1}.")
    problems.add("url", rules.web_link(draft.url, longest=URL_MAX))
    areas, problem = rules.known(draft.areas, find_area, maximum=AREAS_MAX)
    problems.add("areas", problem)
    problems.add("tags", rules.tags(draft.tags, maximum=TAGS_MAX, longest=TAG_MAX))
    for name, what in (("summary", "the summary"), ("implications", "the implications for practice")):
        problems.add(
            name,
            rules.text_block(
                getattr(draft, name),
                longest=TEXT_MAX,
                what=what,
                heading=HEADING_RE,
                heading_text=IMPLICATIONS_HEADING[3:],
            ),
        )
    return problems, areas


def _ensure_composer(user) -> None:
    if not can_compose_digest(user):
        raise NotAllowed("Only the research coordinator and administrators compose the research digest.")


def _ensure_draft(issue: DigestIssue, what: str) -> None:
    if not issue.is_draft:
        raise NotAllowed(f"This issue is published: {what}.")


def _flush(message: str) -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise ServiceError(message) from exc


# --- Composing --------------------------------------------------------------------------------


def create_issue(user, draft: IssueDraft) -> DigestIssue:
    _ensure_composer(user)
    errors = check_issue(draft)
    if errors:
        raise ValidationError(errors)
    quarter = draft.quarter.strip().upper()
    now = utcnow()
    issue = DigestIssue(
        slug=quarter_slug(quarter),
        number=draft.number,
        quarter=quarter,
        title=" ".join(draft.title.split()),
        introduction=normalise_newlines(draft.introduction),
        editor=user,
        created_at=now,
        updated_at=now,
    )
    db.session.add(issue)
    _flush("Someone else created an issue with this number or quarter at the same moment: check the list of issues.")
    audit.record(user, "digest.create_issue", "digest_issue", issue.slug, summary=issue.title)
    return issue


def update_issue(user, issue: DigestIssue, draft: IssueDraft) -> DigestIssue:
    _ensure_composer(user)
    _ensure_draft(issue, "its number, quarter, title and introduction stay as published; correct its items instead")
    errors = check_issue(draft, issue=issue)
    if errors:
        raise ValidationError(errors)
    before = {"number": issue.number, "quarter": issue.quarter, "title": issue.title}
    quarter = draft.quarter.strip().upper()
    issue.number, issue.quarter, issue.slug = draft.number, quarter, quarter_slug(quarter)
    issue.title, issue.introduction = " ".join(draft.title.split()), normalise_newlines(draft.introduction)
    issue.updated_at = utcnow()
    _flush("Someone else gave another issue this number or quarter at the same moment.")
    audit.record(
        user,
        "digest.update_issue",
        "digest_issue",
        issue.slug,
        before=before,
        after={"number": issue.number, "quarter": issue.quarter, "title": issue.title},
    )
    return issue


def delete_draft(user, issue: DigestIssue) -> None:
    _ensure_composer(user)
    _ensure_draft(issue, "it cannot be deleted")
    audit.record(user, "digest.delete_draft", "digest_issue", issue.slug, summary=issue.title)
    db.session.delete(issue)
    db.session.flush()


def _unique_item_slug(issue: DigestIssue, title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[: SLUG_MAX - 4].rstrip("-") or "item"
    taken = {i.slug for i in issue.items} | {"edit", "delete", "publish", "items"}  # the issue's own pages
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _apply(item: DigestItem, draft: ItemDraft, areas: list[PracticeArea]) -> None:
    item.title = " ".join(draft.title.split())
    item.source = " ".join(draft.source.split())
    item.authors = [" ".join(a.split()) for a in draft.authors if a.strip()]
    item.year = draft.year
    item.url = draft.url or None
    item.tags = list(dict.fromkeys(draft.tags))
    item.summary = normalise_newlines(draft.summary).strip("\n")
    item.implications = normalise_newlines(draft.implications).strip("\n")
    existing = {link.area_id: link for link in item.area_links}
    item.area_links = [existing.get(a.id) or DigestItemArea(area=a) for a in areas]
    for position, link in enumerate(item.area_links):
        link.position = position
    item.updated_at = utcnow()


def add_item(user, issue: DigestIssue, draft: ItemDraft) -> DigestItem:
    _ensure_composer(user)
    _ensure_draft(issue, "items can no longer be added")
    errors, areas = check_item(draft)
    if errors:
        raise ValidationError(errors)
    item = DigestItem(
        issue=issue, slug=_unique_item_slug(issue, draft.title), position=len(issue.items) + 1, created_at=utcnow()
    )
    _apply(item, draft, areas)
    db.session.add(item)
    issue.updated_at = utcnow()
    _flush("Someone else changed this issue at the same moment: check it and add the item again.")
    audit.record(user, "digest.add_item", "digest_item", f"{issue.slug}/{item.slug}", summary=item.title)
    return item


def _normalised(draft: ItemDraft, areas: list[PracticeArea]) -> ItemDraft:
    """The draft as it would be stored: to tell whether anything really changed."""
    return ItemDraft(
        title=" ".join(draft.title.split()),
        source=" ".join(draft.source.split()),
        summary=normalise_newlines(draft.summary).strip("\n"),
        implications=normalise_newlines(draft.implications).strip("\n"),
        authors=[" ".join(a.split()) for a in draft.authors if a.strip()],
        year=draft.year,
        url=draft.url or None,
        areas=[a.slug for a in areas],
        tags=list(dict.fromkeys(draft.tags)),
    )


def keep_order(current: list[str], wanted: list[str]) -> list[str]:
    """The wanted slugs, those already chosen first in their order (the first area matters)."""
    return [s for s in current if s in wanted] + [s for s in wanted if s not in current]


def update_item(user, item: DigestItem, draft: ItemDraft, *, reason: str = "") -> DigestItem:
    """Change a draft's item in place; correct a published item, keeping what readers saw."""
    _ensure_composer(user)
    draft.areas = keep_order(item.area_slugs, list(dict.fromkeys(draft.areas)))
    errors, areas = check_item(draft)
    reason = " ".join((reason or "").split())
    published = not item.issue.is_draft
    if published:
        if not reason:
            errors["reason"] = "Say why you are correcting a published item: readers see it."
        elif len(reason) > REASON_MAX:
            errors["reason"] = f"Use at most {REASON_MAX} characters for the reason (this has {len(reason)})."
        elif not errors and ItemDraft.of(item) == _normalised(draft, areas):
            errors["summary"] = "Nothing has changed: change the text before saving a correction."
    if errors:
        raise ValidationError(errors)
    if published:
        db.session.add(
            DigestItemVersion(
                item=item,
                title=item.title,
                source=item.source,
                authors=list(item.authors),
                year=item.year,
                url=item.url,
                areas=item.area_slugs,
                tags=list(item.tags),
                summary=item.summary,
                implications=item.implications,
                replaced_at=utcnow(),
                replaced_by_id=user.id,
                reason=reason,
            )
        )
        item.corrected_at, item.correction_note, item.corrected_by_id = utcnow(), reason, user.id
    _apply(item, draft, areas)
    db.session.flush()
    audit.record(
        user,
        "digest.correct_item" if published else "digest.edit_item",
        "digest_item",
        f"{item.issue.slug}/{item.slug}",
        summary=reason or item.title,
    )
    if published:
        events.digest_item_corrected.send(item, actor=user, reason=reason)
    return item


def move_item(user, item: DigestItem, direction: int) -> None:
    """Move an item one place up (-1) or down (+1) in its draft issue."""
    _ensure_composer(user)
    _ensure_draft(item.issue, "its items stay in the order they were published")
    items = list(item.issue.items)
    i = items.index(item)
    j = i + (1 if direction > 0 else -1)
    if 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]
        for position, each in enumerate(items, start=1):
            each.position = position
        item.issue.items = items
        item.issue.updated_at = utcnow()
        db.session.flush()


def remove_item(user, item: DigestItem) -> None:
    _ensure_composer(user)
    issue = item.issue
    _ensure_draft(issue, "its items cannot be removed; correct them instead")
    audit.record(user, "digest.remove_item", "digest_item", f"{issue.slug}/{item.slug}", summary=item.title)
    issue.items.remove(item)
    for position, each in enumerate(issue.items, start=1):
        each.position = position
    issue.updated_at = utcnow()
    db.session.flush()


def check_publishable(issue: DigestIssue) -> None:
    """Raises, saying why, if this issue cannot be published as it is."""
    if not issue.is_draft:
        raise ServiceError(f"{issue.title} was already published on {clock.format_date(issue.published_on)}.")
    if not issue.items:
        raise ValidationError({"items": "Add at least one item before publishing the issue."})


def publish(user, issue: DigestIssue, *, today: date | None = None) -> int:
    """Publish a draft issue and tell every reader. Returns how many were notified."""
    _ensure_composer(user)
    check_publishable(issue)
    issue.published_on = today or clock.today()
    issue.published_at = utcnow()
    for item in issue.items:  # search follows the items: they change visibility now
        item.updated_at = issue.published_at
    db.session.flush()
    audit.record(
        user, "digest.publish", "digest_issue", issue.slug, summary=f"{issue.title} ({len(issue.items)} items)"
    )
    told = events.digest_published.send(issue, actor=user)
    return sum(value for _, value in told if isinstance(value, int))


# --- Suggestions from readers -------------------------------------------------------------------


def suggest(user, topic: str, details: str = "") -> ResearchSuggestion:
    errors = {}
    topic = " ".join((topic or "").split())
    if len(topic) < 5:
        errors["topic"] = "Say what the research question or topic is, in at least 5 characters."
    elif len(topic) > TOPIC_MAX:
        errors["topic"] = (
            f"Keep the topic to {TOPIC_MAX} characters (this has {len(topic)}); put the rest in the details."
        )
    if len(details or "") > TEXT_MAX:
        errors["details"] = f"The details are too long: at most {TEXT_MAX:,} characters."
    if errors:
        raise ValidationError(errors)
    suggestion = ResearchSuggestion(
        suggester_id=user.id, topic=topic, details=normalise_newlines(details).strip(), created_at=utcnow(), status=OPEN
    )
    db.session.add(suggestion)
    db.session.flush()
    return suggestion


def suggestions_by(user) -> list[ResearchSuggestion]:
    return list(
        db.session.scalars(
            select(ResearchSuggestion)
            .where(ResearchSuggestion.suggester_id == user.id)
            .order_by(ResearchSuggestion.created_at.desc())
        )
    )


def all_suggestions(user) -> list[ResearchSuggestion]:
    _ensure_composer(user)
    return list(
        db.session.scalars(
            select(ResearchSuggestion)
            .options(selectinload(ResearchSuggestion.suggester))
            .order_by((ResearchSuggestion.status != OPEN), ResearchSuggestion.created_at.desc())
        )
    )


def get_suggestion(suggestion_id: int) -> ResearchSuggestion:
    suggestion = db.session.get(ResearchSuggestion, suggestion_id)
    if suggestion is None:
        raise NotFound("There is no such suggestion.")
    return suggestion


def decide_suggestion(user, suggestion: ResearchSuggestion, status: str, reply: str) -> ResearchSuggestion:
    _ensure_composer(user)
    if suggestion.status != OPEN:
        raise ServiceError("This suggestion has already been answered; the reply stands as sent.")
    errors = {}
    if status not in (TAKEN_UP, DECLINED):
        errors["status"] = "Choose whether the suggestion is taken up or declined."
    reply = normalise_newlines(reply).strip()
    if not reply:
        errors["reply"] = "Write a reply: the person who suggested it will read it."
    elif len(reply) > TEXT_MAX:
        errors["reply"] = f"The reply is too long: at most {TEXT_MAX:,} characters."
    if errors:
        raise ValidationError(errors)
    suggestion.status, suggestion.reply, suggestion.decided_by_id, suggestion.decided_at = (
        status,
        reply,
        user.id,
        utcnow(),
    )
    db.session.flush()
    audit.record(
        user, f"digest.suggestion_{status}", "research_suggestion", str(suggestion.id), summary=suggestion.topic
    )
    return suggestion


def open_suggestion_count() -> int:
    return db.session.scalar(select(func.count(ResearchSuggestion.id)).where(ResearchSuggestion.status == OPEN)) or 0


# --- The research behind a tip ---------------------------------------------------------------------


def link_tip(user, tip, item: DigestItem) -> None:
    if not can_link_research(user, tip):
        raise NotAllowed(
            "Only the lead manager or a deputy of this tip's area links it to research, and only once it is published."
        )
    if item.issue.is_draft:
        raise NotFound("There is no such published digest item.")
    exists = db.session.get(TipResearchLink, (tip.id, item.id))
    if exists is None:
        db.session.add(TipResearchLink(tip_id=tip.id, item_id=item.id, linked_by_id=user.id, linked_at=utcnow()))
        db.session.flush()
        audit.record(user, "digest.link_tip", "tip", tip.slug, summary=f"{item.issue.slug}/{item.slug}")


def unlink_tip(user, tip, item: DigestItem) -> None:
    if not can_link_research(user, tip):
        raise NotAllowed("Only the lead manager or a deputy of this tip's area changes the research it rests on.")
    link = db.session.get(TipResearchLink, (tip.id, item.id))
    if link is not None:
        db.session.delete(link)
        db.session.flush()
        audit.record(user, "digest.unlink_tip", "tip", tip.slug, summary=f"{item.issue.slug}/{item.slug}")


def find_item_by_ref(ref: str) -> DigestItem | None:
    """A published item named as ISSUE/ITEM, e.g. 2007-q1/what-children-say."""
    issue_slug, _, item_slug = (ref or "").partition("/")
    issue = find_issue(issue_slug)
    if issue is None or issue.is_draft:
        return None
    return issue.item(item_slug)
