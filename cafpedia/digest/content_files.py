"""A digest issue's folder in a content folder (digest/YYYY-QN/: issue.md and one file per
item): the fields, reading an issue and its items into records with every problem named,
and writing an issue's files from the database (or from its records, to compare)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from cafpedia.content.markdown_files import TwoParts, read_markdown
from cafpedia.content.records import LoadContext, Record, as_datetime, type_name
from cafpedia.content.yamlfiles import LineDict
from cafpedia.core.text import is_web_link
from cafpedia.digest import drafts as digest_drafts

FOLDER = "digest"


ISSUE_FILE = "issue.md"


ISSUE_FIELDS = ("title", "number", "quarter", "published_on", "published_at", "editor", "corrections")


# A correction of a published issue's introduction: the text it replaced is `previous`.
INTRODUCTION_CORRECTION_FIELDS = ("at", "by", "reason", "previous")


ITEM_FIELDS = ("title", "source", "authors", "year", "url", "areas", "tags", "order", "tips", "corrections")


PREVIOUS_FIELDS = ("title", "source", "authors", "year", "url", "areas", "tags", "body")


CORRECTION_FIELDS = ("at", "by", "reason", "previous")


# An item's body: its summary, then this heading, then its implications.
BODY = TwoParts("Implications for practice")


@dataclass
class Text:
    title: str
    source: str
    authors: list[str]
    year: int | None
    url: str | None
    areas: list[str]
    tags: list[str]
    summary: str
    implications: str

    def row(self) -> tuple:
        return (
            self.title,
            self.source,
            tuple(self.authors),
            self.year,
            self.url,
            tuple(self.areas),
            tuple(self.tags),
            self.summary.strip(),
            self.implications.strip(),
        )


@dataclass
class CorrectionRecord:
    on: dt.datetime
    by: str
    reason: str
    previous: Text


@dataclass
class IntroductionCorrection:
    on: dt.datetime
    by: str
    reason: str
    previous: str


@dataclass
class ItemRecord:
    file: str
    slug: str
    order: int
    text: Text
    tips: list[str]
    corrections: list[CorrectionRecord]
    line: int


@dataclass
class IssueRecord:
    file: str
    slug: str
    number: int
    quarter: str
    title: str
    introduction: str
    editor: str
    published_on: dt.date | None
    published_at: dt.datetime | None
    items: list[ItemRecord] = field(default_factory=list)
    line: int = 1
    corrections: list[IntroductionCorrection] = field(default_factory=list)  # of the introduction


def _read_text(record: Record, summary: str, implications: str) -> Text | None:
    before = len(record.ctx.problems)
    text = Text(
        title=(record.text("title", max_length=digest_drafts.TITLE_MAX) or "").strip(),
        source=(record.text("source", max_length=digest_drafts.SOURCE_MAX) or "").strip(),
        authors=record.text_list("authors", max_length=digest_drafts.AUTHOR_MAX),
        year=record.whole_number("year", low=1900, high=2100),
        url=record.text("url", max_length=digest_drafts.URL_MAX),
        areas=record.text_list("areas", max_length=64),
        tags=record.text_list("tags", max_length=digest_drafts.TAG_MAX),
        summary=summary,
        implications=implications,
    )
    if len(text.tags) > digest_drafts.TAGS_MAX or len(text.areas) > digest_drafts.AREAS_MAX:
        record.problem(
            "tags" if len(text.tags) > digest_drafts.TAGS_MAX else "areas",
            f"{record.label}: at most {digest_drafts.TAGS_MAX} tags and {digest_drafts.AREAS_MAX} areas",
        )
    if text.url and not is_web_link(text.url):
        record.problem("url", f"{record.label}: the link must be a web address starting http:// or https://")
    for tag in text.tags:
        if not digest_drafts.TAG_RE.match(tag):
            record.problem("tags", f"{record.label}: tags are lower-case words joined by hyphens, found {tag!r}")
    if len(text.summary) > digest_drafts.TEXT_MAX or len(text.implications) > digest_drafts.TEXT_MAX:
        record.problem(
            None,
            f"{record.label}: the summary and the implications are at most {digest_drafts.TEXT_MAX:,} characters each",
        )
    return text if len(record.ctx.problems) == before else None


def read_issue(ctx: LoadContext, folder: Path) -> IssueRecord | None:
    relative = f"{FOLDER}/{folder.name}/{ISSUE_FILE}"
    if not (folder / ISSUE_FILE).is_file():
        ctx.problem(f"{FOLDER}/{folder.name}", None, None, f"an issue folder needs its {ISSUE_FILE}")
        return None
    parsed = read_markdown(ctx, folder / ISSUE_FILE, relative, "an issue")
    if parsed is None:
        return None
    data, body = parsed
    record = Record(ctx, relative, data, f"issue {folder.name}")
    before = len(ctx.problems)
    record.check_fields(ISSUE_FIELDS, ("title", "number", "quarter", "editor"))
    quarter = (record.text("quarter", max_length=7) or "").strip().upper()
    if quarter and not digest_drafts.QUARTER_RE.match(quarter):
        record.problem("quarter", f"{record.label}: write the quarter as 2007-Q1, found {quarter}")
    elif quarter and digest_drafts.quarter_slug(quarter) != folder.name:
        record.problem(
            "quarter",
            f"{record.label}: the quarter {quarter} belongs in the folder "
            f"{FOLDER}/{digest_drafts.quarter_slug(quarter)}/",
        )
    number = record.whole_number("number", low=1, high=digest_drafts.NUMBER_MAX, required=True)
    title = (record.text("title", max_length=digest_drafts.TITLE_MAX) or "").strip()
    editor = record.text("editor", max_length=64) or ""
    published_on = record.date("published_on")
    published_at = as_datetime(record.data.get("published_at")) if record.data.get("published_at") is not None else None
    if record.data.get("published_at") is not None and published_at is None:
        record.problem("published_at", f"{record.label}: expected a date and time")
    if published_at is not None and published_on is None:
        record.problem("published_at", f"{record.label}: a draft (no published_on) has no published_at")
    if len(body) > digest_drafts.TEXT_MAX:
        record.problem(None, f"{record.label}: the introduction is at most {digest_drafts.TEXT_MAX:,} characters")
    items = read_items(ctx, folder)
    if published_on is not None and not items:
        record.problem("published_on", f"{record.label}: a published issue has at least one item")
    corrections = _read_introduction_corrections(record)
    if corrections and published_on is None:
        record.problem("corrections", f"{record.label}: a draft's introduction is edited, not corrected")
    if len(ctx.problems) != before:
        return None
    return IssueRecord(
        file=relative,
        slug=folder.name,
        number=number,
        quarter=quarter,
        title=title,
        introduction=body.strip("\n"),
        editor=editor,
        published_on=published_on,
        published_at=published_at or (dt.datetime.combine(published_on, dt.time(9, 0)) if published_on else None),
        items=sorted(items, key=lambda i: i.order),
        line=record.line,
        corrections=corrections,
    )


def _read_introduction_corrections(record: Record) -> list[IntroductionCorrection]:
    """`corrections` of an issue: each correction of its published introduction, oldest first."""
    raw = record.data.get("corrections")
    if raw is None:
        return []
    if not isinstance(raw, list):
        record.problem("corrections", f"{record.label}: expected a list of corrections, found {type_name(raw)}")
        return []
    corrections = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, LineDict):
            record.ctx.problem(
                record.file, raw.line_of(index), "corrections", f"correction {index + 1}: expected a mapping of fields"
            )
            continue
        sub = Record(record.ctx, record.file, entry, f"{record.label}, correction {index + 1}")
        sub.check_fields(INTRODUCTION_CORRECTION_FIELDS, ("at", "by", "reason", "previous"))
        on = as_datetime(entry.get("at"))
        if entry.get("at") is not None and on is None:
            sub.problem("at", f"{sub.label}: expected a date and time")
        by = sub.text("by", max_length=64)
        reason = sub.text("reason", max_length=digest_drafts.REASON_MAX)
        previous = sub.text("previous", max_length=digest_drafts.TEXT_MAX)
        if on and by and reason and previous is not None:
            corrections.append(IntroductionCorrection(on, by, reason, previous.strip("\n")))
    return corrections


def read_items(ctx: LoadContext, folder: Path) -> list[ItemRecord]:
    """An issue folder's items, each with an order of its own."""
    items = []
    for path in sorted(folder.iterdir()):
        if path.name == ISSUE_FILE:
            continue
        item_relative = str(path.relative_to(ctx.root))
        if not path.is_file() or path.suffix != ".md":
            ctx.problem(item_relative, None, None, f"not an item: items are {FOLDER}/ISSUE/ITEM-SLUG.md")
            continue
        item = read_item(ctx, path, item_relative)
        if item is not None:
            items.append(item)
    orders: dict[int, str] = {}
    for item in items:
        if item.order in orders:
            ctx.problem(item.file, item.line, "order", f"order {item.order} is also {orders[item.order]}")
        orders.setdefault(item.order, item.file)
    return items


def read_item(ctx: LoadContext, path: Path, relative: str) -> ItemRecord | None:
    slug = path.stem
    if (
        len(slug) > digest_drafts.SLUG_MAX
        or not digest_drafts.SLUG_RE.match(slug)
        or slug in ("edit", "delete", "publish", "items", "issue")
    ):
        ctx.problem(
            relative,
            None,
            None,
            f"the file name '{slug}' is not an item address: lower-case words joined by hyphens",
        )
        return None
    parsed = read_markdown(ctx, path, relative, "an item")
    if parsed is None:
        return None
    data, body = parsed
    record = Record(ctx, relative, data, f"item {slug}")
    before = len(ctx.problems)
    record.check_fields(ITEM_FIELDS, ("title", "source", "order"))
    parts = BODY.split(body)
    if parts is None or not parts[0].strip() or not parts[1].strip():
        ctx.problem(
            relative,
            None,
            None,
            f"item {slug}: the body is the summary, then one line '## Implications for practice', then the "
            f"implications",
        )
        parts = ("", "")
    text = _read_text(record, *parts)
    order = record.whole_number("order", low=1, high=1000, required=True)
    tips = record.text_list("tips", max_length=digest_drafts.SLUG_MAX)
    corrections = []
    raw = record.data.get("corrections")
    if raw is not None and not isinstance(raw, list):
        record.problem("corrections", f"{record.label}: expected a list of corrections, found {type_name(raw)}")
    for index, entry in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(entry, LineDict):
            ctx.problem(
                relative, raw.line_of(index), "corrections", f"correction {index + 1}: expected a mapping of fields"
            )
            continue
        sub = Record(ctx, relative, entry, f"item {slug}, correction {index + 1}")
        sub.check_fields(CORRECTION_FIELDS, ("at", "by", "reason", "previous"))
        on = as_datetime(entry.get("at"))
        if entry.get("at") is not None and on is None:
            sub.problem("at", f"{sub.label}: expected a date and time")
        by = sub.text("by", max_length=64) or ""
        reason = sub.text("reason", max_length=digest_drafts.REASON_MAX) or ""
        previous = entry.get("previous")
        if not isinstance(previous, LineDict):
            if previous is not None:
                sub.problem("previous", f"{sub.label}: expected the earlier text as a mapping of fields")
            continue
        prev = Record(ctx, relative, previous, f"{sub.label}, previous text")
        prev.check_fields(PREVIOUS_FIELDS, ("title", "source", "body"))
        prev_parts = BODY.split(previous.get("body") or "") if isinstance(previous.get("body"), str) else None
        if prev_parts is None:
            prev.problem(
                "body",
                f"{prev.label}: the body is the summary, '## Implications for practice', then the implications",
            )
            continue
        prev_text = _read_text(prev, *prev_parts)
        if on and prev_text:
            corrections.append(CorrectionRecord(on, by, reason, prev_text))
    if len(ctx.problems) != before or text is None:
        return None
    return ItemRecord(
        file=relative, slug=slug, order=order, text=text, tips=tips, corrections=corrections, line=record.line
    )
