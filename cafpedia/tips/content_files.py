"""A tip's file in a content folder (tips/AREA/SLUG.md): its fields, the records a load reads
it into (tips.content_read), and writing one from the database with every field it holds,
so that export → load → export is identical."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cafpedia.content.markdown_files import markdown_text
from cafpedia.tips.models import (
    ARCHIVED,
    PENDING,
    PUBLISHED,
    Revision,
    Tip,
    TipEvent,
)

FOLDER = "tips"


TIP_STATUSES = (PUBLISHED, PENDING, ARCHIVED)


REVISION_FIELDS = (
    "revision",
    "status",
    "author",
    "proposed_on",
    "based_on",
    "revises",
    "restores",
    "title",
    "kind",
    "tags",
    "standards",
    "legal_refs",
    "body",
    "flags",
    "author_confirmed_safe",
    "decisions",
    "change_note",
    "edited_by",
    "proposed_title",
    "proposed_body",
)


TOP_FIELDS = (
    "title",
    "kind",
    "area",
    "tags",
    "standards",
    "legal_refs",
    "review_by",
    "status",
    "author",
    "approved_by",
    "approved_on",
    "superseded_by",
    "proposed_on",
    "revision",
    "revision_status",
    "based_on",
    "revises",
    "restores",
    "flags",
    "author_confirmed_safe",
    "decisions",
    "history",
    "events",
    "created_at",
    "first_published_at",
    "last_reviewed_at",
    "archived_at",
    "views",
    "change_note",
    "edited_by",
    "proposed_title",
    "proposed_body",
)


DECISION_ACTIONS = ("approved", "sent_back", "rejected", "restored")


EVENT_ACTIONS = ("reviewed", "archived")


DECISION_FIELDS = ("action", "by", "at", "comment", "checklist", "confidentiality_confirmed", "review_by")


EVENT_FIELDS = ("action", "by", "at", "comment", "review_by", "superseded_by", "revision")


@dataclass
class DecisionRecord:
    action: str
    by: str | None
    at: dt.datetime
    comment: str = ""
    checklist: list[str] | None = None
    confidentiality_confirmed: bool | None = None
    review_by: dt.date | None = None
    superseded_by: str | None = None
    revision: int | None = None


@dataclass
class RevisionRecord:
    number: int
    status: str
    author: str
    created_at: dt.datetime
    title: str
    kind: str
    body: str
    tags: list[str]
    standards: list[str]
    legal_refs: list[str]
    based_on: int | None = None
    revises: int | None = None
    restores: int | None = None
    flags: list[dict] = field(default_factory=list)
    author_confirmed_safe: bool = False
    decisions: list[DecisionRecord] = field(default_factory=list)
    change_note: str = ""
    # A moderator's correction before approving: who made it, and the text as proposed.
    edited_by: str | None = None
    proposed_title: str | None = None
    proposed_body: str | None = None


@dataclass
class TipRecord:
    file: str
    slug: str
    area: str
    status: str
    line: int
    revisions: list[RevisionRecord]
    current_number: int | None
    review_by: dt.date | None
    superseded_by: str | None
    events: list[DecisionRecord]
    created_at: dt.datetime
    published_at: dt.datetime | None
    last_reviewed_at: dt.datetime | None
    archived_at: dt.datetime | None
    views: int


def _decision_row(event: TipEvent) -> dict:
    row = {"action": event.action, "by": event.actor.username if event.actor else None, "at": event.at}
    if event.comment:
        row["comment"] = event.comment
    if event.checklist is not None:
        row["checklist"] = list(event.checklist)
    if event.confidentiality_confirmed is not None:
        row["confidentiality_confirmed"] = event.confidentiality_confirmed
    if event.review_by is not None:
        row["review_by"] = event.review_by
    if event.superseded_by_slug:
        row["superseded_by"] = event.superseded_by_slug
    return row


def _revision_fields(rev: Revision) -> dict:
    row = {
        "revision": rev.number,
        "status": rev.status,
        "author": rev.author.username,
        "proposed_on": rev.created_at,
        "title": rev.title,
        "kind": rev.kind,
        "tags": list(rev.tags),
        "standards": rev.standards,
        "legal_refs": list(rev.legal_refs),
    }
    for key in ("based_on", "revises", "restores"):
        if getattr(rev, key) is not None:
            row[key] = getattr(rev, key)
    if rev.flags:
        row["flags"] = [dict(f) for f in rev.flags]
    if rev.author_confirmed_safe:
        row["author_confirmed_safe"] = True
    if rev.change_note:
        row["change_note"] = rev.change_note
    if rev.corrected:
        row.update(edited_by=rev.editor.username, proposed_title=rev.proposed_title, proposed_body=rev.proposed_body)
    decisions = [_decision_row(e) for e in rev.decisions if e.action in DECISION_ACTIONS]
    if decisions:
        row["decisions"] = decisions
    return row


def export_tip(tip: Tip) -> str:
    top = tip.current
    front = {
        "title": top.title,
        "kind": top.kind,
        "area": tip.area.slug,
        "tags": list(top.tags),
        "standards": top.standards,
        "legal_refs": list(top.legal_refs),
        "review_by": tip.review_by,
        "status": tip.status,
        "author": top.author.username,
    }
    approval = next((e for e in reversed(top.decisions) if e.action in ("approved", "restored")), None)
    if tip.current_number is not None and approval is not None:
        front["approved_by"] = approval.actor.username if approval.actor else None
        front["approved_on"] = approval.at.date()
    front["superseded_by"] = tip.superseded_by.slug if tip.superseded_by else None
    rest = _revision_fields(top)
    if tip.current_number is None and top.status != PENDING:
        front["revision_status"] = top.status
    for key in (
        "revision",
        "proposed_on",
        "based_on",
        "revises",
        "restores",
        "flags",
        "author_confirmed_safe",
        "change_note",
        "edited_by",
        "proposed_title",
        "proposed_body",
        "decisions",
    ):
        if key in rest:
            front[key] = rest[key]
    front.update(
        {
            "created_at": tip.created_at,
            "first_published_at": tip.published_at,
            "last_reviewed_at": tip.last_reviewed_at,
            "archived_at": tip.archived_at,
            "views": tip.views,
        }
    )
    history = []
    for rev in tip.revisions:
        if rev.number != top.number:
            row = _revision_fields(rev)
            row["body"] = rev.body
            history.append(row)
    if history:
        front["history"] = history
    events = [
        _decision_row(e) | ({"revision": e.revision_number} if e.revision_number is not None else {})
        for e in tip.events
        if e.action in EVENT_ACTIONS
    ]
    if events:
        front["events"] = events
    body = top.body if top.body.endswith("\n") else top.body + "\n"
    return markdown_text(front, body)
