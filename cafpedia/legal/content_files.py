"""A legal update's file in a content folder (legal/YYYY-MM-DD-SLUG.md): its fields, reading one
into a record with every problem named, and writing one from the database."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from cafpedia.content.markdown_files import TwoParts, markdown_text, read_markdown
from cafpedia.content.records import LoadContext, Record, as_datetime, type_name
from cafpedia.content.yamlfiles import LineDict
from cafpedia.core import clock
from cafpedia.legal import posting
from cafpedia.legal.citations import read
from cafpedia.legal.models import KINDS, PUBLISHED, WITHDRAWN, LegalUpdate

FOLDER = "legal"


FIELDS = (
    "title",
    "kind",
    "citation",
    "date",
    "in_force",
    "published_on",
    "author",
    "areas",
    "tags",
    "source_url",
    "summary",
    "status",
    "withdrawn_at",
    "withdrawn_by",
    "withdrawn_reason",
    "revision",
    "revised_at",
    "note",
    "history",
)


REVISION_FIELDS = (
    "revision",
    "title",
    "kind",
    "citation",
    "date",
    "in_force",
    "author",
    "areas",
    "tags",
    "source_url",
    "summary",
    "revised_at",
    "note",
    "body",
)


# An update's body: its briefing, then this heading, then what it means for practice.
BODY = TwoParts("What it means for practice")


FILE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class RevisionRecord:
    number: int
    kind: str
    title: str
    citations: list[str]
    made_on: dt.date
    in_force_on: dt.date | None
    author: str
    areas: list[str]
    tags: list[str]
    source_url: str | None
    summary: str
    briefing: str
    practice: str
    created_at: dt.datetime
    note: str | None

    def row(self) -> tuple:
        return (
            self.number,
            self.kind,
            self.title,
            tuple(self.citations),
            self.made_on,
            self.in_force_on,
            self.author,
            tuple(self.areas),
            tuple(self.tags),
            self.source_url,
            self.summary,
            self.briefing.strip(),
            self.practice.strip(),
            self.created_at,
            self.note,
        )


@dataclass
class UpdateRecord:
    file: str
    slug: str
    published_on: dt.date
    status: str
    withdrawn_at: dt.datetime | None
    withdrawn_by: str | None
    withdrawn_reason: str | None
    revisions: list[RevisionRecord] = field(default_factory=list)
    line: int = 1


def _first_paragraph(text: str) -> str:
    paragraph = " ".join(text.strip().split("\n\n")[0].split())
    return (
        paragraph
        if len(paragraph) <= posting.SUMMARY_MAX
        else paragraph[: posting.SUMMARY_MAX - 1].rsplit(" ", 1)[0] + "…"
    )


def _fields(rev: RevisionRecord) -> dict:
    return {
        "title": rev.title,
        "kind": rev.kind,
        "citation": rev.citations[0] if len(rev.citations) == 1 else list(rev.citations),
        "date": rev.made_on,
        **({"in_force": rev.in_force_on} if rev.in_force_on else {}),
        "author": rev.author,
        "areas": list(rev.areas),
        "tags": list(rev.tags),
        "source_url": rev.source_url,
        "summary": rev.summary,
    }


def record_text(rec: UpdateRecord) -> str:
    current = rec.revisions[-1]
    fields = _fields(current)
    # The contract's order: published_on comes after the date.
    front = {key: fields[key] for key in ("title", "kind", "citation", "date", "in_force") if key in fields} | {
        "published_on": rec.published_on
    }
    front |= {key: fields[key] for key in ("author", "areas", "tags", "source_url", "summary")}
    if rec.status == WITHDRAWN:
        front.update(
            {
                "status": WITHDRAWN,
                "withdrawn_at": rec.withdrawn_at,
                "withdrawn_by": rec.withdrawn_by,
                "withdrawn_reason": rec.withdrawn_reason,
            }
        )
    if len(rec.revisions) > 1:
        front.update({"revision": current.number, "revised_at": current.created_at, "note": current.note})
        front["history"] = [
            _fields(r)
            | {
                "revision": r.number,
                "revised_at": r.created_at,
                "note": r.note,
                "body": BODY.join(r.briefing, r.practice),
            }
            for r in rec.revisions[:-1]
        ]
    return markdown_text(front, BODY.join(current.briefing, current.practice))


def export_update(update: LegalUpdate) -> str:
    revisions = [
        RevisionRecord(
            number=r.number,
            kind=r.kind,
            title=r.title,
            citations=list(r.citations),
            made_on=r.made_on,
            in_force_on=r.in_force_on,
            author=r.author.username,
            areas=list(r.areas),
            tags=list(r.tags),
            source_url=r.source_url,
            summary=r.summary,
            briefing=r.briefing,
            practice=r.practice,
            created_at=r.created_at,
            note=r.note,
        )
        for r in update.revisions
        if r.number <= update.current_number
    ]
    withdrawn_by = update.withdrawn_by.username if update.withdrawn_by else None
    rec = UpdateRecord(
        file="",
        slug=update.slug,
        published_on=update.published_on,
        status=update.status,
        withdrawn_at=update.withdrawn_at,
        withdrawn_by=withdrawn_by,
        withdrawn_reason=update.withdrawn_reason,
        revisions=revisions,
    )
    return record_text(rec)


def read_revision(
    ctx: LoadContext,
    record: Record,
    body: str | None,
    default_number: int | None,
    default_author: str | None,
    default_at: dt.datetime | None,
) -> RevisionRecord | None:
    before = len(ctx.problems)
    data = record.data
    kind = record.text("kind", max_length=24) or ""
    if kind and kind not in KINDS:
        record.problem("kind", f"{record.label}: expected one of {', '.join(KINDS)}, found {kind}")
    raw = data.get("citation")
    texts = [raw] if isinstance(raw, str) else (list(raw) if isinstance(raw, list) else [])
    if raw is not None and not texts:
        record.problem("citation", f"{record.label}: expected a citation, or a list of them, found {type_name(raw)}")
    citations = []
    for text in texts:
        if len(str(text)) > posting.CITATION_MAX:
            record.problem(
                "citation",
                f"{record.label}: a citation is at most {posting.CITATION_MAX} characters; this one has "
                f"{len(str(text)):,}",
            )
            continue
        for citation in read(str(text)):
            citations.append(citation.text)
            if not citation.recognised:
                record.warn(
                    "citation",
                    f"{record.label}: “{citation.text[:80]}” is not a citation form "
                    "CAFpedia recognises; it is kept exactly as written",
                )
    made_on = record.date("date")
    in_force_on = record.date("in_force") if data.get("in_force") is not None else None
    number = record.whole_number("revision", low=1, high=10_000) or default_number
    if number is None:
        record.problem("revision", f"{record.label}: give the revision number")
    author = record.text("author", max_length=64) or default_author
    title = (record.text("title", max_length=posting.TITLE_MAX) or "").strip()
    if body is None:
        body = data.get("body") if isinstance(data.get("body"), str) else ""
    parts = BODY.split(body or "")
    if parts is None or not parts[0].strip() or not parts[1].strip():
        record.problem(
            "body" if "body" in data else None,
            f"{record.label}: the body is the briefing, then one line '## What it means for practice', then that",
        )
        parts = ("", "")
    summary = " ".join((record.text("summary", max_length=posting.SUMMARY_MAX) or _first_paragraph(parts[0])).split())
    source_url = record.text("source_url", max_length=posting.URL_MAX)
    at = as_datetime(data.get("revised_at")) or default_at
    if data.get("revised_at") is not None and as_datetime(data.get("revised_at")) is None:
        record.problem("revised_at", f"{record.label}: expected a date and time")
    if len(ctx.problems) != before:
        return None
    draft = posting.UpdateDraft(
        kind=kind,
        title=title,
        citations=citations,
        made_on=made_on,
        in_force_on=in_force_on,
        summary=summary,
        briefing=parts[0],
        practice=parts[1],
        areas=[],
        tags=record.text_list("tags", max_length=posting.TAG_MAX),
        source_url=source_url,
        keep_unrecognised=True,
    )  # a load warns about unrecognised citations (above), never refuses them
    errors, _, _ = posting.check_draft(draft, today=(at.date() if at else clock.today()))
    errors.pop("areas", None)  # areas are checked against the folder and the database in check()
    for name, message in errors.items():
        record.problem(
            {"made_on": "date", "in_force_on": "in_force", "citations": "citation"}.get(name, name),
            f"{record.label}: {message}",
        )
    if errors:
        return None
    return RevisionRecord(
        number=number,
        kind=kind,
        title=title,
        citations=citations,
        made_on=made_on,
        in_force_on=in_force_on,
        author=author or "",
        areas=record.text_list("areas", max_length=64),
        tags=draft.tags,
        source_url=source_url or None,
        summary=summary,
        briefing=parts[0],
        practice=parts[1],
        created_at=at or clock.utcnow(),
        note=record.text("note", max_length=posting.NOTE_MAX),
    )


def read_update_file(ctx: LoadContext, path: Path, relative: str, date_text: str) -> UpdateRecord | None:
    parsed = read_markdown(ctx, path, relative, "a legal update")
    if parsed is None:
        return None
    data, body = parsed
    slug = path.stem
    record = Record(ctx, relative, data, f"legal update {slug}")
    before = len(ctx.problems)
    record.check_fields(FIELDS, ("title", "kind", "citation", "date", "published_on", "author", "areas"))
    published_on = record.date("published_on")
    if published_on and published_on.isoformat() != date_text:
        record.problem(
            "published_on", f"{record.label}: published_on is {published_on}, but the file name starts {date_text}"
        )
    posted_at = as_datetime(published_on) if published_on else None
    top = read_revision(ctx, record, body, 1, None, posted_at)
    status = record.text("status", max_length=16) or PUBLISHED
    if status not in (PUBLISHED, WITHDRAWN):
        record.problem("status", f"{record.label}: expected published or withdrawn, found {status}")
    withdrawn_at = as_datetime(data.get("withdrawn_at")) if data.get("withdrawn_at") is not None else None
    withdrawn_by, withdrawn_reason = (
        record.text("withdrawn_by", max_length=64),
        record.text("withdrawn_reason", max_length=posting.NOTE_MAX),
    )
    if status == WITHDRAWN and not (withdrawn_at and withdrawn_by and withdrawn_reason):
        record.problem(
            "status", f"{record.label}: a withdrawn update needs withdrawn_at, withdrawn_by and withdrawn_reason"
        )
    revisions = [top] if top else []
    history = data.get("history")
    if history is not None and not isinstance(history, list):
        record.problem("history", f"{record.label}: expected a list of earlier revisions, found {type_name(history)}")
    for index, entry in enumerate(history if isinstance(history, list) else []):
        if not isinstance(entry, LineDict):
            ctx.problem(
                relative,
                history.line_of(index),
                "history",
                f"history entry {index + 1}: expected a mapping of fields",
            )
            continue
        sub = Record(ctx, relative, entry, f"{record.label}, history entry {index + 1}")
        sub.check_fields(REVISION_FIELDS, ("revision", "title", "kind", "citation", "date", "author", "body"))
        rev = read_revision(ctx, sub, None, None, None, posted_at)
        if rev:
            revisions.append(rev)
    numbers = [r.number for r in revisions]
    if len(set(numbers)) != len(numbers):
        record.problem("history", f"{record.label}: revision numbers must be unique, found {sorted(numbers)}")
    elif top and numbers and top.number != max(numbers):
        record.problem(
            "revision", f"{record.label}: the text above is the current revision, so its number is the highest"
        )
    if len(ctx.problems) != before:
        return None
    return UpdateRecord(
        file=relative,
        slug=slug,
        published_on=published_on,
        status=status,
        withdrawn_at=withdrawn_at,
        withdrawn_by=withdrawn_by,
        withdrawn_reason=withdrawn_reason,
        revisions=sorted(revisions, key=lambda r: r.number),
        line=record.line,
    )
