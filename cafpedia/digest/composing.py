"""Composing and publishing the research digest: issues, their items (added, corrected with a
reason once published, moved, removed), publishing, and linking research to the tips it
supports. Every function takes the acting user and checks what it needs (`NotAllowed`); no
request or session in here; callers commit."""

from __future__ import annotations

import re
from datetime import date

from cafpedia.areas.models import PracticeArea
from cafpedia.core import audit, case_details, clock, events
from cafpedia.core.clock import utcnow
from cafpedia.core.errors import NotAllowed, NotFound, ServiceError, ValidationError
from cafpedia.core.permissions import can_link_research
from cafpedia.core.sql import flush_or_refuse
from cafpedia.core.text import keep_order, normalise_newlines
from cafpedia.digest.drafts import (
    SLUG_MAX,
    IssueDraft,
    ItemDraft,
    check_issue,
    check_item,
    correction_reason_problem,
    ensure_composer,
    ensure_draft,
    introduction_problem,
    quarter_slug,
)
from cafpedia.digest.models import (
    DigestIntroductionVersion,
    DigestIssue,
    DigestItem,
    DigestItemArea,
    DigestItemVersion,
    TipResearchLink,
)
from cafpedia.extensions import db


def create_issue(user, draft: IssueDraft) -> DigestIssue:
    ensure_composer(user)
    errors = check_issue(draft)
    confirmed = case_details.check(errors, draft.texts(), draft.confirm_safe)
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
    flush_or_refuse(
        "Someone else created an issue with this number or quarter at the same moment: check the list of issues."
    )
    audit.record(
        user,
        "digest.create_issue",
        "digest_issue",
        issue.slug,
        summary=issue.title,
        after=case_details.audited(confirmed),
    )
    return issue


def update_issue(user, issue: DigestIssue, draft: IssueDraft) -> DigestIssue:
    ensure_composer(user)
    ensure_draft(issue, "its number, quarter, title and introduction stay as published; correct its items instead")
    errors = check_issue(draft, issue=issue)
    confirmed = case_details.check(errors, draft.texts(), draft.confirm_safe)
    if errors:
        raise ValidationError(errors)
    before = {"number": issue.number, "quarter": issue.quarter, "title": issue.title}
    quarter = draft.quarter.strip().upper()
    issue.number, issue.quarter, issue.slug = draft.number, quarter, quarter_slug(quarter)
    issue.title, issue.introduction = " ".join(draft.title.split()), normalise_newlines(draft.introduction)
    issue.updated_at = utcnow()
    flush_or_refuse("Someone else gave another issue this number or quarter at the same moment.")
    audit.record(
        user,
        "digest.update_issue",
        "digest_issue",
        issue.slug,
        before=before,
        after={
            "number": issue.number,
            "quarter": issue.quarter,
            "title": issue.title,
            **(case_details.audited(confirmed) or {}),
        },
    )
    return issue


def correct_introduction(
    user, issue: DigestIssue, introduction: str, reason: str, *, confirm_safe: bool = False
) -> DigestIssue:
    """Correct a published issue's introduction, keeping what readers saw and why it changed
    (a draft's introduction is simply edited: update_issue)."""
    ensure_composer(user)
    if issue.is_draft:
        raise NotAllowed("This issue is a draft: edit its introduction with the issue's other details.")
    introduction = normalise_newlines(introduction).strip("\n")
    reason = " ".join((reason or "").split())
    errors = {}
    if problem := introduction_problem(introduction):
        errors["introduction"] = problem
    elif introduction == issue.introduction.strip("\n"):
        errors["introduction"] = "Nothing has changed: change the introduction before saving a correction."
    if problem := correction_reason_problem(reason, "the introduction of a published issue"):
        errors["reason"] = problem
    confirmed = case_details.check(errors, {"the introduction": introduction, "the reason": reason}, confirm_safe)
    if errors:
        raise ValidationError(errors)
    issue.introduction_versions.append(
        DigestIntroductionVersion(
            introduction=issue.introduction, replaced_at=utcnow(), replaced_by_id=user.id, reason=reason
        )
    )
    issue.introduction, issue.updated_at = introduction, utcnow()
    db.session.flush()
    audit.record(
        user,
        "digest.correct_introduction",
        "digest_issue",
        issue.slug,
        summary=reason,
        after=case_details.audited(confirmed),
    )
    return issue


def delete_draft(user, issue: DigestIssue) -> None:
    ensure_composer(user)
    ensure_draft(issue, "it cannot be deleted")
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
    ensure_composer(user)
    ensure_draft(issue, "items can no longer be added")
    errors, areas = check_item(draft)
    confirmed = case_details.check(errors, draft.texts(), draft.confirm_safe)
    if errors:
        raise ValidationError(errors)
    item = DigestItem(
        issue=issue, slug=_unique_item_slug(issue, draft.title), position=len(issue.items) + 1, created_at=utcnow()
    )
    _apply(item, draft, areas)
    db.session.add(item)
    issue.updated_at = utcnow()
    flush_or_refuse("Someone else changed this issue at the same moment: check it and add the item again.")
    audit.record(
        user,
        "digest.add_item",
        "digest_item",
        f"{issue.slug}/{item.slug}",
        summary=item.title,
        after=case_details.audited(confirmed),
    )
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


def update_item(user, item: DigestItem, draft: ItemDraft, *, reason: str = "") -> DigestItem:
    """Change a draft's item in place; correct a published item, keeping what readers saw."""
    ensure_composer(user)
    draft.areas = keep_order(item.area_slugs, list(dict.fromkeys(draft.areas)))
    errors, areas = check_item(draft)
    reason = " ".join((reason or "").split())
    published = not item.issue.is_draft
    if published:
        if problem := correction_reason_problem(reason, "a published item"):
            errors["reason"] = problem
        elif not errors and ItemDraft.of(item) == _normalised(draft, areas):
            errors["summary"] = "Nothing has changed: change the text before saving a correction."
    confirmed = case_details.check(errors, {**draft.texts(), "the reason": reason}, draft.confirm_safe)
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
        after=case_details.audited(confirmed),
    )
    if published:
        events.digest_item_corrected.send(item, actor=user, reason=reason)
    return item


def move_item(user, item: DigestItem, direction: int) -> None:
    """Move an item one place up (-1) or down (+1) in its draft issue."""
    ensure_composer(user)
    ensure_draft(item.issue, "its items stay in the order they were published")
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
    ensure_composer(user)
    issue = item.issue
    ensure_draft(issue, "its items cannot be removed; correct them instead")
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
    ensure_composer(user)
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
