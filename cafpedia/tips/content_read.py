"""Reading a tip's file (tips/AREA/SLUG.md) into a record, driven by its fields' declaration
(tips.content_files): the front matter, the earlier revisions in `history`, the decisions
and the events, every problem named with its file, line and field. Hand-written files may
leave out what can be derived (revision numbers, times, decisions, which come from
approved_by and approved_on)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

from cafpedia.content.fields import Schema
from cafpedia.content.markdown_files import read_markdown
from cafpedia.content.records import LoadContext, Record, as_datetime
from cafpedia.core.confidentiality import find_case_details
from cafpedia.core.text import has_control_characters
from cafpedia.tips import proposals
from cafpedia.tips.content_files import DECISION, EVENT, REVISION, TIP
from cafpedia.tips.models import ARCHIVED, CHECKLIST, PENDING, PUBLISHED


def read_tip_file(ctx: LoadContext, path: Path, relative: str) -> SimpleNamespace | None:
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
    tip = TIP.read(record, *(k for k in REVISION.keys if k != "status"), file=relative, slug=slug, line=record.line)
    if tip.area and tip.area != area_folder:
        record.problem("area", f"the area is {tip.area} but the file is in the folder {area_folder}")
    published = tip.status in (PUBLISHED, ARCHIVED)
    top_status = PUBLISHED if published else (tip.revision_status or PENDING)
    top = _read_revision(record, top_status, body.strip("\n") + "\n" if body.strip() else "", default_number=1)
    if top is None:
        return None
    if published and not top.decisions:
        top.decisions.extend(_approval(record, tip))
    history = record.entries("history", "earlier revisions", "history entry")
    revisions = [top, *(rev for entry in history if (rev := _read_revision(entry, None, None, None)))]
    numbers = [r.number for r in revisions]
    if len(set(numbers)) != len(numbers):
        record.problem(
            "history",
            f"revision numbers must be unique, found {sorted(numbers)} (give the revision: of the version above)",
        )
    events = [
        e for entry in record.entries("events", "reviews and archivings", "event") if (e := _decision(entry, EVENT))
    ]
    approvals = [d.at for r in revisions for d in r.decisions if d.action == "approved"]
    if any(p.file == relative for p in ctx.problems):
        return None
    vars(tip).update(
        area=tip.area or area_folder,
        status=tip.status or PENDING,
        revisions=sorted(revisions, key=lambda r: r.number),
        current_number=top.number if published else None,
        events=events,
        created_at=as_datetime(tip.created_at) or min(r.created_at for r in revisions),
        published_at=as_datetime(tip.published_at) or (min(approvals) if approvals else None),
        last_reviewed_at=as_datetime(tip.last_reviewed_at)
        or (max(approvals) if approvals and tip.status != PENDING else None),
        archived_at=as_datetime(tip.archived_at),
        views=tip.views or 0,
    )
    return tip


def _approval(record: Record, tip: SimpleNamespace) -> list[SimpleNamespace]:
    """A published tip written by hand: its approval, from approved_by and approved_on."""
    approved_on = as_datetime(tip.approved_on)
    if not tip.approved_by:
        record.problem("approved_by", "a published tip needs approved_by: the lead manager who approved it")
    elif approved_on is None:
        record.problem("approved_on", "a published tip needs approved_on: the date it was approved (YYYY-MM-DD)")
    else:
        return [
            SimpleNamespace(
                action="approved",
                actor=tip.approved_by,
                at=approved_on,
                comment="",
                checklist=list(CHECKLIST),
                confidentiality_confirmed=None,
                review_by=tip.review_by,
            )
        ]
    return []


def _read_revision(record: Record, status: str | None, body: str | None, default_number: int | None):
    """A revision: the top one (its status and body given, its fields checked with the tip's)
    or an earlier one, from an entry of `history`."""
    given = body is not None
    rev = REVISION.values(record, "status", "body", status=status, body=body) if given else REVISION.read(record)
    if "revision" not in record.data:
        rev.number = default_number
    if rev.number is None:
        if "revision" not in record.data:
            record.problem("revision", "expected a revision number: a whole number from 1")
        return None
    _check_body(record, rev.body, given=given)
    rev.created_at = rev.created_at or as_datetime(record.data.get("approved_on")) or dt.datetime(2000, 1, 1)
    if rev.flags is None:  # hand-written: what the guard finds, as it would in a proposal
        text = f"{rev.title}\n{rev.body}\n" + "\n".join(rev.legal_refs) + f"\n{rev.change_note}"
        rev.flags = [f.as_dict() for f in find_case_details(text)]
    if rev.editor and rev.proposed_body is None:
        record.problem(
            "proposed_body",
            "edited_by names the moderator who corrected the text: give the text as proposed in proposed_body",
        )
    rev.author = rev.author or ""
    if not rev.editor:
        rev.proposed_title = rev.proposed_body = None
    rev.decisions = [
        d for entry in record.entries("decisions", "decisions", "decision") if (d := _decision(entry, DECISION))
    ]
    return rev


def _check_body(record: Record, body: str, *, given: bool) -> None:
    if given and len(body) > proposals.BODY_MAX:
        record.problem(None, f"the body is too long: at most {proposals.BODY_MAX:,} characters, found {len(body):,}")
    elif given and has_control_characters(body):
        record.problem(None, "the body holds a control character")
    elif not body.strip():
        record.problem("body", "the tip's text is empty")


def _decision(record: Record, schema: Schema) -> SimpleNamespace | None:
    decision = schema.read(record)
    return decision if decision.action and decision.at else None
