"""A legal update's file in a content folder (legal/YYYY-MM-DD-SLUG.md): its fields, declared
once (`UPDATE`, the front matter; `REVISION`, an earlier revision in `history`), reading one
into a record with every problem named, and writing one from the database (or from a record
read, to compare the two)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

from cafpedia.accounts.content import username
from cafpedia.content.fields import Field, Schema, date, kept, one_line, one_of, text, text_list, when, whole_number
from cafpedia.content.markdown_files import TwoParts, markdown_text, read_markdown
from cafpedia.content.records import LoadContext, Record, as_datetime, type_name
from cafpedia.core import clock
from cafpedia.legal import posting
from cafpedia.legal.citations import read
from cafpedia.legal.models import KINDS, PUBLISHED, WITHDRAWN

FOLDER = "legal"
FILE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*$")
# An update's body: its briefing, then this heading, then what it means for practice.
BODY = TwoParts("What it means for practice")


def _citations(record: Record, key: str) -> list[str]:
    """A citation, or a list of them: each kept as written, with a warning if CAFpedia does not
    recognise its form."""
    raw = record.data.get(key)
    texts = [raw] if isinstance(raw, str) else (list(raw) if isinstance(raw, list) else [])
    if raw is not None and not texts:
        record.problem(key, f"{record.label}: expected a citation, or a list of them, found {type_name(raw)}")
    citations = []
    for value in map(str, texts):
        if len(value) > posting.CITATION_MAX:
            record.problem(
                key,
                f"{record.label}: a citation is at most {posting.CITATION_MAX} characters; this one has {len(value):,}",
            )
            continue
        for citation in read(value):
            citations.append(citation.text)
            if not citation.recognised:
                record.warn(
                    key,
                    f"{record.label}: “{citation.text[:80]}” is not a citation form "
                    "CAFpedia recognises; it is kept exactly as written",
                )
    return citations


REVISION = Schema(
    Field("title", text(posting.TITLE_MAX, empty="", tidy=str.strip), required=True),
    Field("kind", one_of(KINDS, "", labelled=True, max_length=24), required=True),
    Field("citation", _citations, attr="citations", dump=lambda c: c[0] if len(c) == 1 else list(c), required=True),
    Field("date", date, attr="made_on", required=True),
    Field("in_force", date, attr="in_force_on", omit=True),
    Field("author", text(64), dump=username, required=True),
    Field("areas", text_list(64), dump=list),
    Field("tags", text_list(posting.TAG_MAX), dump=list),
    Field("source_url", text(posting.URL_MAX)),
    Field("summary", text(posting.SUMMARY_MAX, tidy=one_line)),
    Field("revision", whole_number(1, 10_000), attr="number", required=True),
    Field("revised_at", when(), attr="created_at"),
    Field("note", text(posting.NOTE_MAX)),
    Field("body", kept, required=True),
)
UPDATE = Schema(
    *REVISION.fields[:5],
    Field("published_on", date, required=True),
    REVISION["author"],
    replace(REVISION["areas"], required=True),
    *REVISION.fields[7:10],
    Field("status", one_of((PUBLISHED, WITHDRAWN), PUBLISHED, labelled=True), omit=True),
    Field("withdrawn_at", when(), omit=True),
    Field("withdrawn_by", text(64), dump=username, omit=True),
    Field("withdrawn_reason", text(posting.NOTE_MAX), omit=True),
    replace(REVISION["revision"], required=False),
    *REVISION.fields[11:13],
    Field("history", kept, omit=True),
)
WITHDRAWAL = ("status", "withdrawn_at", "withdrawn_by", "withdrawn_reason")


def update_text(update, revisions: list) -> str:
    """The file of an update (from the database, or a record read from a file)."""
    current, earlier = revisions[-1], revisions[:-1]
    left_out = (() if update.status == WITHDRAWN else WITHDRAWAL) + (
        () if earlier else ("revision", "revised_at", "note")
    )
    row = REVISION.write(current, body=None)
    front = UPDATE.write(
        update,
        *(key for key in UPDATE.keys if key not in left_out),
        **{key: row.get(key) for key in REVISION.keys if key in UPDATE.keys},
        history=[REVISION.write(r, body=BODY.join(r.briefing, r.practice)) for r in earlier] or None,
    )
    return markdown_text(front, BODY.join(current.briefing, current.practice))


def export_update(update) -> str:
    return update_text(update, [r for r in update.revisions if r.number <= update.current_number])


def _first_paragraph(text: str) -> str:
    paragraph = " ".join(text.strip().split("\n\n")[0].split())
    return (
        paragraph
        if len(paragraph) <= posting.SUMMARY_MAX
        else paragraph[: posting.SUMMARY_MAX - 1].rsplit(" ", 1)[0] + "…"
    )


def read_revision(record: Record, body: str | None, default_at) -> SimpleNamespace | None:
    """A revision: the text above (its body given, its fields checked with the update's) or an
    entry of `history`; None, with the problems added, if it does not pass the form's checks."""
    before = len(record.ctx.problems)
    given = body is not None
    rev = REVISION.values(record, "body") if given else REVISION.read(record)
    if given and rev.number is None and "revision" not in record.data:
        rev.number = 1
    elif rev.number is None and "revision" not in record.data:
        record.problem("revision", f"{record.label}: give the revision number")
    body = body if given else (rev.body if isinstance(rev.body, str) else "")
    parts = BODY.split(body or "")
    if parts is None or not parts[0].strip() or not parts[1].strip():
        record.problem(
            "body" if "body" in record.data else None,
            f"{record.label}: the body is the briefing, then one line '## What it means for practice', then that",
        )
        parts = ("", "")
    rev.briefing, rev.practice = parts
    rev.summary = rev.summary or _first_paragraph(parts[0])
    rev.created_at = rev.created_at or default_at
    if len(record.ctx.problems) != before:
        return None
    draft = posting.UpdateDraft(
        **{key: getattr(rev, key) for key in ("kind", "title", "citations", "made_on", "in_force_on", "summary")},
        **{key: getattr(rev, key) for key in ("briefing", "practice", "tags", "source_url")},
        keep_unrecognised=True,  # a load warns about unrecognised citations (above), never refuses them
    )
    errors, _, _ = posting.check_draft(draft, today=(rev.created_at.date() if rev.created_at else clock.today()))
    errors.pop("areas", None)  # areas are checked against the folder and the database in check()
    for name, message in errors.items():
        record.problem(
            {"made_on": "date", "in_force_on": "in_force", "citations": "citation"}.get(name, name),
            f"{record.label}: {message}",
        )
    if errors:
        return None
    rev.author, rev.source_url, rev.created_at = (
        rev.author or "",
        rev.source_url or None,
        rev.created_at or clock.utcnow(),
    )
    return rev


def read_update_file(ctx: LoadContext, path: Path, relative: str, date_text: str) -> SimpleNamespace | None:
    parsed = read_markdown(ctx, path, relative, "a legal update")
    if parsed is None:
        return None
    data, body = parsed
    record = Record(ctx, relative, data, f"legal update {path.stem}")
    before = len(ctx.problems)
    update = UPDATE.read(record, *REVISION.keys, file=relative, slug=path.stem, line=record.line)
    if update.published_on and update.published_on.isoformat() != date_text:
        record.problem(
            "published_on",
            f"{record.label}: published_on is {update.published_on}, but the file name starts {date_text}",
        )
    posted_at = as_datetime(update.published_on) if update.published_on else None
    top = read_revision(record, body, posted_at)
    if update.status == WITHDRAWN and not (update.withdrawn_at and update.withdrawn_by and update.withdrawn_reason):
        record.problem(
            "status", f"{record.label}: a withdrawn update needs withdrawn_at, withdrawn_by and withdrawn_reason"
        )
    history = record.entries("history", "earlier revisions", "history entry")
    revisions = [r for r in [top, *(read_revision(entry, None, posted_at) for entry in history)] if r]
    numbers = [r.number for r in revisions]
    if len(set(numbers)) != len(numbers):
        record.problem("history", f"{record.label}: revision numbers must be unique, found {sorted(numbers)}")
    elif top and numbers and top.number != max(numbers):
        record.problem(
            "revision", f"{record.label}: the text above is the current revision, so its number is the highest"
        )
    if len(ctx.problems) != before:
        return None
    update.status = update.status or PUBLISHED
    update.revisions = sorted(revisions, key=lambda r: r.number)
    return update
