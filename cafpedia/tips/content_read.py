"""Reading a tip's file (tips/AREA/SLUG.md) into a record: the front matter's fields, the
earlier revisions in `history`, the decisions and the events, every problem named with
its file, line and field. Hand-written files may leave out what can be derived (revision
numbers, times, decisions, which come from approved_by and approved_on)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cafpedia.content.markdown_files import read_markdown
from cafpedia.content.records import LoadContext, Record, as_datetime, type_name
from cafpedia.content.yamlfiles import LineDict
from cafpedia.core.confidentiality import find_case_details
from cafpedia.core.text import has_control_characters
from cafpedia.tips import proposals
from cafpedia.tips.content_files import (
    DECISION_ACTIONS,
    DECISION_FIELDS,
    EVENT_ACTIONS,
    EVENT_FIELDS,
    REVISION_FIELDS,
    TIP_STATUSES,
    TOP_FIELDS,
    DecisionRecord,
    RevisionRecord,
    TipRecord,
)
from cafpedia.tips.models import (
    ARCHIVED,
    CHECKLIST,
    KINDS,
    PENDING,
    PUBLISHED,
    REVISION_STATUSES,
)


def read_tip_file(ctx: LoadContext, path: Path, relative: str) -> TipRecord | None:
    slug, area_folder = path.stem, path.parent.name
    if len(slug) > proposals.SLUG_MAX or not proposals.SLUG_RE.match(slug):
        ctx.problem(
            relative,
            None,
            None,
            f"the file name '{slug}' is not a tip address: lower-case words joined by hyphens, at most "
            f"{proposals.SLUG_MAX} characters",
        )
        return None
    parsed = read_markdown(ctx, path, relative, "a tip", plain_body=False)
    if parsed is None:
        return None
    data, body = parsed
    record = Record(ctx, relative, data, f"tip {slug}")
    record.check_fields(TOP_FIELDS, ("title", "area", "status"))
    area = record.text("area", max_length=64)
    if area and area != area_folder:
        record.problem("area", f"the area is {area} but the file is in the folder {area_folder}")
    status = record.text("status", max_length=16)
    if status and status not in TIP_STATUSES:
        record.problem("status", f"expected one of {', '.join(TIP_STATUSES)}, found {status}")
    top_status = (
        PUBLISHED if status in (PUBLISHED, ARCHIVED) else (record.text("revision_status", max_length=16) or PENDING)
    )
    top = _read_revision(record, top_status, body=body.strip("\n") + "\n" if body.strip() else "", default_number=1)
    if top is None:
        return None
    if status in (PUBLISHED, ARCHIVED) and not top.decisions:
        top.decisions.extend(_approval(record))
    revisions = [top, *_read_history(record, slug)]
    numbers = [r.number for r in revisions]
    if len(set(numbers)) != len(numbers):
        record.problem(
            "history",
            f"revision numbers must be unique, found {sorted(numbers)} (give the revision: of the version above)",
        )
    events = _read_events(record)
    review_by = record.date("review_by")
    views = record.data.get("views", 0)
    if not isinstance(views, int) or isinstance(views, bool) or views < 0:
        record.problem("views", "expected a whole number")
        views = 0
    created = as_datetime(record.data.get("created_at")) or min(r.created_at for r in revisions)
    published = [d.at for r in revisions for d in r.decisions if d.action == "approved"]
    if ctx.problems and any(p.file == relative for p in ctx.problems):
        return None
    return TipRecord(
        file=relative,
        slug=slug,
        area=area or area_folder,
        status=status or PENDING,
        line=record.line,
        revisions=sorted(revisions, key=lambda r: r.number),
        current_number=top.number if status in (PUBLISHED, ARCHIVED) else None,
        review_by=review_by,
        superseded_by=record.text("superseded_by", max_length=proposals.SLUG_MAX),
        events=events,
        created_at=created,
        published_at=as_datetime(record.data.get("first_published_at")) or (min(published) if published else None),
        last_reviewed_at=as_datetime(record.data.get("last_reviewed_at"))
        or (max(published) if published and status != PENDING else None),
        archived_at=as_datetime(record.data.get("archived_at")),
        views=views,
    )


def _approval(record: Record) -> list[DecisionRecord]:
    """A published tip written by hand: its approval, from approved_by and approved_on."""
    approved_by = record.text("approved_by", max_length=64)
    approved_on = as_datetime(record.data.get("approved_on"))
    if not approved_by:
        record.problem("approved_by", "a published tip needs approved_by: the lead manager who approved it")
    elif approved_on is None:
        record.problem("approved_on", "a published tip needs approved_on: the date it was approved (YYYY-MM-DD)")
    else:
        return [
            DecisionRecord(
                "approved", approved_by, approved_on, checklist=list(CHECKLIST), review_by=record.date("review_by")
            )
        ]
    return []


def _read_history(record: Record, slug: str) -> list[RevisionRecord]:
    """The earlier revisions, from `history`."""
    history = record.data.get("history")
    if history is None:
        return []
    if not isinstance(history, list):
        record.problem("history", f"expected a list of earlier revisions, found {type_name(history)}")
        return []
    revisions = []
    for index, item in enumerate(history):
        if not isinstance(item, LineDict):
            record.ctx.problem(
                record.file, history.line_of(index), "history", f"entry {index + 1}: expected a mapping of fields"
            )
            continue
        entry = Record(record.ctx, record.file, item, f"tip {slug}, history entry {index + 1}")
        entry.check_fields(REVISION_FIELDS, ("revision", "status", "author", "title", "body"))
        status_value = entry.text("status", max_length=16)
        if status_value and status_value not in REVISION_STATUSES:
            entry.problem("status", f"expected one of {', '.join(REVISION_STATUSES)}")
        rev = _read_revision(entry, status_value or PENDING, body=None, default_number=None)
        if rev is not None:
            revisions.append(rev)
    return revisions


def _read_revision(
    record: Record, status: str, *, body: str | None, default_number: int | None
) -> RevisionRecord | None:
    number = record.data.get("revision", default_number)
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        record.problem("revision", "expected a revision number: a whole number from 1")
        return None
    title = record.text("title", max_length=proposals.TITLE_MAX) or ""
    if len(title.strip()) < proposals.TITLE_MIN:
        record.problem("title", f"a title of {proposals.TITLE_MIN} to {proposals.TITLE_MAX} characters is required")
    kind = record.text("kind", max_length=16) or "tip"
    if kind not in KINDS:
        record.problem("kind", f"expected one of {', '.join(KINDS)}")
    body = _body(record, body)
    tags = record.text_list("tags", max_length=proposals.TAG_MAX)
    bad = [t for t in tags if not proposals.TAG_RE.match(t)]
    if bad:
        record.problem("tags", f"tags are lower-case words joined by hyphens: check {', '.join(bad)}")
    codes = record.text_list("standards", max_length=16)
    refs = record.text_list("legal_refs", max_length=proposals.LEGAL_REF_MAX)
    author = record.text("author", max_length=64)
    if not author:
        record.problem("author", "the author's username is required")
    created = as_datetime(record.data.get("proposed_on"))
    if created is None:
        if record.data.get("proposed_on") is not None:
            record.problem("proposed_on", "expected a date (YYYY-MM-DD) or a date and time")
        created = as_datetime(record.data.get("approved_on")) or dt.datetime(2000, 1, 1)
    change_note = " ".join((record.text("change_note", max_length=proposals.CHANGE_NOTE_MAX) or "").split())
    flags = _flags(record, f"{title}\n{body}\n" + "\n".join(refs) + f"\n{change_note}")
    rev = RevisionRecord(
        number=number,
        status=status,
        author=author or "",
        created_at=created,
        title=title.strip(),
        kind=kind,
        body=body,
        tags=tags,
        standards=codes,
        legal_refs=refs,
        based_on=_revision_number(record, "based_on"),
        revises=_revision_number(record, "revises"),
        restores=_revision_number(record, "restores"),
        flags=[dict(f) for f in flags],
        author_confirmed_safe=record.flag("author_confirmed_safe", False),
        change_note=change_note,
        edited_by=record.text("edited_by", max_length=64),
        proposed_title=record.text("proposed_title", max_length=proposals.TITLE_MAX),
        proposed_body=record.text("proposed_body", max_length=proposals.BODY_MAX),
    )
    if rev.edited_by and rev.proposed_body is None:
        record.problem(
            "proposed_body",
            "edited_by names the moderator who corrected the text: give the text as proposed in proposed_body",
        )
    decisions = record.data.get("decisions")
    if decisions is not None:
        if not isinstance(decisions, list):
            record.problem("decisions", "expected a list of decisions")
        else:
            for index, item in enumerate(decisions):
                decision = _read_decision(record, item, index, DECISION_ACTIONS, DECISION_FIELDS)
                if decision:
                    rev.decisions.append(decision)
    return rev


def _body(record: Record, body: str | None) -> str:
    """The revision's text: the file's body for the top revision, else its `body` field."""
    if body is None:
        body = record.text("body", max_length=proposals.BODY_MAX) or ""
    elif len(body) > proposals.BODY_MAX:
        record.problem(None, f"the body is too long: at most {proposals.BODY_MAX:,} characters, found {len(body):,}")
    elif has_control_characters(body):
        record.problem(None, "the body holds a control character")
    if not body.strip():
        record.problem("body", "the tip's text is empty")
    return body


def _flags(record: Record, text: str) -> list:
    """The confidentiality guard's flags as the file gives them; for hand-written content,
    what the guard finds, as it would in a proposal."""
    if "flags" not in record.data:
        return [f.as_dict() for f in find_case_details(text)]
    flags = record.data.get("flags") or []
    if not isinstance(flags, list) or not all(isinstance(f, dict) and set(f) <= {"kind", "text"} for f in flags):
        record.problem("flags", "expected a list of {kind, text}")
        return []
    return flags


def _revision_number(record: Record, key: str) -> int | None:
    value = record.data.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        record.problem(key, "expected a revision number")
        return None
    return value


def _read_decision(record: Record, item, index: int, actions, fields_allowed) -> DecisionRecord | None:
    if not isinstance(item, LineDict):
        record.problem(None, f"decision {index + 1}: expected a mapping of fields")
        return None
    entry = Record(
        record.ctx,
        record.file,
        item,
        f"{record.label}, {'decision' if actions == DECISION_ACTIONS else 'event'} {index + 1}",
    )
    entry.check_fields(fields_allowed, ("action", "at"))
    action = entry.text("action", max_length=20)
    if action and action not in actions:
        entry.problem("action", f"expected one of {', '.join(actions)}")
        return None
    at = as_datetime(item.get("at"))
    if at is None:
        entry.problem("at", "expected a date and time")
        return None
    checklist = item.get("checklist")
    if checklist is not None and (not isinstance(checklist, list) or not set(checklist) <= set(CHECKLIST)):
        entry.problem("checklist", f"expected a list of {', '.join(CHECKLIST)}")
        checklist = None
    confirmed = item.get("confidentiality_confirmed")
    if confirmed is not None and not isinstance(confirmed, bool):
        entry.problem("confidentiality_confirmed", "expected true or false")
    return DecisionRecord(
        action=action or "",
        by=entry.text("by", max_length=64),
        at=at,
        comment=entry.text("comment", max_length=proposals.COMMENT_MAX) or "",
        checklist=list(checklist) if checklist is not None else None,
        confidentiality_confirmed=confirmed if isinstance(confirmed, bool) else None,
        review_by=entry.date("review_by"),
        superseded_by=entry.text("superseded_by", max_length=proposals.SLUG_MAX) if "superseded_by" in item else None,
        revision=_revision_number(entry, "revision"),
    )


def _read_events(record: Record) -> list[DecisionRecord]:
    events = record.data.get("events")
    if events is None:
        return []
    if not isinstance(events, list):
        record.problem("events", "expected a list of reviews and archivings")
        return []
    return [e for i, item in enumerate(events) if (e := _read_decision(record, item, i, EVENT_ACTIONS, EVENT_FIELDS))]
