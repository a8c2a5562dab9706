"""A tip's file in a content folder (tips/AREA/SLUG.md): its fields, declared once (the front
matter `TIP`, an earlier revision in `history` `REVISION`, a moderation decision `DECISION`,
a review or archiving in `events` `EVENT`), and writing one from the database with every
field it holds, so that export → load → export is identical. tips.content_read reads one."""

from __future__ import annotations

from cafpedia.accounts.content import username
from cafpedia.content.fields import (
    Field,
    Schema,
    date,
    flag,
    kept,
    one_line,
    one_of,
    text,
    text_list,
    when,
    whole_number,
)
from cafpedia.content.markdown_files import markdown_text
from cafpedia.content.records import Record
from cafpedia.core import validation
from cafpedia.tips import proposals
from cafpedia.tips.models import ARCHIVED, CHECKLIST, KINDS, PENDING, PUBLISHED, REVISION_STATUSES, Tip

FOLDER = "tips"
TIP_STATUSES = (PUBLISHED, PENDING, ARCHIVED)
DECISION_ACTIONS = ("approved", "sent_back", "rejected", "restored")
EVENT_ACTIONS = ("reviewed", "archived")


def _checklist(record: Record, key: str) -> list[str] | None:
    value = record.data.get(key)
    if value is not None and (not isinstance(value, list) or not set(value) <= set(CHECKLIST)):
        record.problem(key, f"expected a list of {', '.join(CHECKLIST)}")
        return None
    return None if value is None else list(value)


def _flags(record: Record, key: str) -> list | None:
    """The confidentiality guard's flags as the file gives them (None: not given)."""
    if key not in record.data:
        return None
    flags = record.data.get(key) or []
    if not isinstance(flags, list) or not all(isinstance(f, dict) and set(f) <= {"kind", "text"} for f in flags):
        record.problem(key, "expected a list of {kind, text}")
        return []
    return [dict(f) for f in flags]


TITLE = f"a title of {proposals.TITLE_MIN} to {proposals.TITLE_MAX} characters is required"
NUMBER = whole_number(1, 1_000_000)  # a revision's number (or the one it is based on, revises or restores)


def _tags(tags: list[str]) -> str | None:
    return validation.tags(tags, maximum=proposals.TAGS_MAX, longest=proposals.TAG_MAX)


DECISION = Schema(
    Field("action", one_of(DECISION_ACTIONS, labelled=True, max_length=20), required=True),
    Field("by", text(64), attr="actor", dump=username),
    Field("at", when(), required=True),
    Field("comment", text(proposals.COMMENT_MAX, empty=""), omit=True),
    Field("checklist", _checklist, omit=True),
    Field("confidentiality_confirmed", flag(None), omit=True),
    Field("review_by", date, omit=True),
)
EVENT = Schema(
    Field("action", one_of(EVENT_ACTIONS, labelled=True, max_length=20), required=True),
    DECISION["by"],
    DECISION["at"],
    DECISION["comment"],
    DECISION["review_by"],
    Field("superseded_by", text(proposals.SLUG_MAX), attr="superseded_by_slug", omit=True),
    Field("revision", NUMBER, attr="revision_number", omit=True),
)
REVISION = Schema(
    Field("revision", NUMBER, attr="number"),
    Field("status", one_of(REVISION_STATUSES, PENDING, labelled=True), required=True),
    Field("author", text(64), dump=username, required=True),
    Field("proposed_on", when("expected a date (YYYY-MM-DD) or a date and time"), attr="created_at"),
    Field(
        "title",
        text(
            proposals.TITLE_MAX,
            lambda t: validation.title(
                t.strip(), minimum=proposals.TITLE_MIN, maximum=proposals.TITLE_MAX, too_short=TITLE
            ),
            empty="",
            tidy=str.strip,
        ),
        required=True,
    ),
    Field("kind", one_of(KINDS, "tip", labelled=True)),
    Field("tags", text_list(proposals.TAG_MAX, _tags), dump=list),
    Field("standards", text_list(16)),
    Field("legal_refs", text_list(proposals.LEGAL_REF_MAX), dump=list),
    Field("based_on", NUMBER, omit=True),
    Field("revises", NUMBER, omit=True),
    Field("restores", NUMBER, omit=True),
    Field("flags", _flags, omit=True, dump=lambda flags: [dict(f) for f in flags] or None),
    Field("author_confirmed_safe", flag(False), omit=True, dump=lambda safe: True if safe else None),
    Field("change_note", text(proposals.CHANGE_NOTE_MAX, empty="", tidy=one_line), omit=True),
    Field("edited_by", text(64), attr="editor", omit=True, dump=username),
    Field("proposed_title", text(proposals.TITLE_MAX), omit=True),
    Field("proposed_body", text(proposals.BODY_MAX), omit=True),
    Field("decisions", kept, omit=True),
    Field("body", text(proposals.BODY_MAX, empty=""), required=True),
)
TIP = Schema(
    *(REVISION[key] for key in ("title", "kind")),
    Field("area", text(64), required=True),
    *(REVISION[key] for key in ("tags", "standards", "legal_refs")),
    Field("review_by", date),
    Field("status", one_of(TIP_STATUSES, labelled=True), required=True),
    REVISION["author"],
    Field("approved_by", text(64), omit=True),
    Field("approved_on", kept, omit=True),
    Field("superseded_by", text(proposals.SLUG_MAX)),
    Field("revision_status", text(16), omit=True),
    *(REVISION[key] for key in ("revision", "proposed_on", "based_on", "revises", "restores", "flags")),
    *(REVISION[key] for key in ("author_confirmed_safe", "change_note", "edited_by", "proposed_title")),
    *(REVISION[key] for key in ("proposed_body", "decisions")),
    Field("created_at", kept, fixed=True),
    Field("first_published_at", kept, attr="published_at"),
    Field("last_reviewed_at", kept),
    Field("archived_at", kept),
    Field("views", whole_number(0, 2_000_000_000)),
    Field("history", kept, omit=True),
    Field("events", kept, omit=True),
)


def write_revision(revision) -> dict:
    decisions = [DECISION.write(e) for e in revision.decisions if e.action in DECISION_ACTIONS]
    return REVISION.write(revision, decisions=decisions or None)


def export_tip(tip: Tip) -> str:
    top = tip.current
    approval = next((e for e in reversed(top.decisions) if e.action in ("approved", "restored")), None)
    approved = tip.current_number is not None and approval is not None
    revision = write_revision(top)
    front = TIP.write(
        tip,
        **{key: revision.get(key) for key in REVISION.keys if key in TIP.keys and key != "status"},
        approved_by=username(approval.actor) if approved else None,
        approved_on=approval.at.date() if approved else None,
        superseded_by=tip.superseded_by.slug if tip.superseded_by else None,
        revision_status=top.status if tip.current_number is None and top.status != PENDING else None,
        area=tip.area.slug,
        history=[write_revision(r) for r in tip.revisions if r.number != top.number] or None,
        events=[EVENT.write(e) for e in tip.events if e.action in EVENT_ACTIONS] or None,
    )
    body = top.body if top.body.endswith("\n") else top.body + "\n"
    return markdown_text(front, body)
