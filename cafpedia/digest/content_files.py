"""A digest issue's folder in a content folder (digest/YYYY-QN/: issue.md and one file per
item): the fields, declared once (`ISSUE`, `ITEM`, a correction of an item `CORRECTION` with
the text it replaced `PREVIOUS`, a correction of an introduction `INTRODUCTION_CORRECTION`),
reading an issue and its items into records with every problem named, and writing an
issue's files from the database (or from its records, to compare the two)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

from cafpedia.accounts.content import username
from cafpedia.content.fields import Field, Schema, date, kept, text, text_list, when, whole_number
from cafpedia.content.markdown_files import TwoParts, markdown_text, read_markdown
from cafpedia.content.records import LoadContext, Record, repeats
from cafpedia.content.yamlfiles import LineDict
from cafpedia.core import validation
from cafpedia.digest import drafts

FOLDER = "digest"
ISSUE_FILE = "issue.md"
# An item's body: its summary, then this heading, then its implications.
BODY = TwoParts("Implications for practice")


def _areas(areas: list[str]) -> str | None:
    return f"at most {drafts.TAGS_MAX} tags and {drafts.AREAS_MAX} areas" if len(areas) > drafts.AREAS_MAX else None


def _quarter(quarter: str) -> str | None:
    return None if drafts.QUARTER_RE.match(quarter) else f"write the quarter as 2007-Q1, found {quarter}"


TEXT = (  # an item's text, or the text a correction of it replaced
    Field("title", text(drafts.TITLE_MAX, empty="", tidy=str.strip), required=True),
    Field("source", text(drafts.SOURCE_MAX, empty="", tidy=str.strip), required=True),
    Field("authors", text_list(drafts.AUTHOR_MAX), dump=list),
    Field("year", whole_number(1900, 2100)),
    Field("url", text(drafts.URL_MAX, lambda url: validation.web_link(url, longest=drafts.URL_MAX), labelled=True)),
    Field("areas", text_list(64, _areas, labelled=True), dump=list),
    Field(
        "tags",
        text_list(
            drafts.TAG_MAX,
            lambda tags: validation.tags(tags, maximum=drafts.TAGS_MAX, longest=drafts.TAG_MAX),
            labelled=True,
        ),
        dump=list,
    ),
)
ITEM = Schema(
    *TEXT,
    Field("order", whole_number(1, 1000, required=True), attr="position", required=True),
    Field("tips", text_list(drafts.SLUG_MAX), dump=sorted),
    Field("corrections", kept, attr="versions", omit=True),
)
PREVIOUS = Schema(*TEXT, Field("body", kept, required=True))
CORRECTION = Schema(
    Field("at", when(), attr="replaced_at", required=True),
    Field("by", text(64, empty=""), attr="replaced_by", dump=username, required=True),
    Field("reason", text(drafts.REASON_MAX, empty=""), required=True),
    Field("previous", kept, required=True),
)
INTRODUCTION_CORRECTION = Schema(
    *CORRECTION.fields[:3],
    Field(
        "previous", text(drafts.TEXT_MAX, empty="", tidy=lambda t: t.strip("\n")), attr="introduction", required=True
    ),
)
ISSUE = Schema(
    Field("title", text(drafts.TITLE_MAX, empty="", tidy=str.strip), required=True),
    Field("number", whole_number(1, drafts.NUMBER_MAX, required=True), required=True),
    Field("quarter", text(7, _quarter, empty="", tidy=lambda q: q.strip().upper(), labelled=True), required=True),
    Field("published_on", date),
    Field("published_at", when()),
    Field("editor", text(64, empty=""), dump=username, required=True),
    Field("corrections", kept, attr="introduction_versions", omit=True),
)


def issue_files(issue, items) -> dict[str, str]:
    """The files of an issue, from the database or from the records a load read: `items` are
    (item, its areas, its tips)."""
    front = ISSUE.write(
        issue,
        *(key for key in ISSUE.keys if issue.published_on is not None or key not in ("published_on", "published_at")),
        corrections=[INTRODUCTION_CORRECTION.write(v) for v in issue.introduction_versions] or None,
    )
    files = {
        ISSUE_FILE: markdown_text(front, issue.introduction.strip("\n") + "\n" if issue.introduction.strip() else "")
    }
    for item, areas, tips in items:
        corrections = [
            CORRECTION.write(v, previous=PREVIOUS.write(v, body=BODY.join(v.summary, v.implications)))
            for v in item.versions
        ]
        front = ITEM.write(item, areas=list(areas), tips=sorted(tips), corrections=corrections or None)
        files[f"{item.slug}.md"] = markdown_text(front, BODY.join(item.summary, item.implications))
    return files


def export_issue_files(issue) -> dict[str, str]:
    """The files of an issue in the database."""
    return issue_files(issue, [(i, i.area_slugs, [link.tip.slug for link in i.tip_links]) for i in issue.items])


def files_of(issue: SimpleNamespace) -> dict[str, str]:
    """The files an export would write for an issue a load read: to compare with the database."""
    return issue_files(issue, [(i, i.areas, i.tips) for i in issue.items])


def _body(record: Record, body: str, what: str) -> tuple[str, str] | None:
    """(summary, implications) of a body, each checked as the form checks them; None, with the
    problem, if the heading between them is not there once."""
    parts = BODY.split(body) if isinstance(body, str) else None
    if parts is None or not parts[0].strip() or not parts[1].strip():
        record.problem(
            what,
            f"{record.label}: the body is the summary, then one line '## Implications for practice', then the "
            "implications",
        )
        return None
    if len(parts[0]) > drafts.TEXT_MAX or len(parts[1]) > drafts.TEXT_MAX:
        record.problem(
            None,
            f"{record.label}: the summary and the implications are at most {drafts.TEXT_MAX:,} characters each",
        )
    return parts


def read_issue(ctx: LoadContext, folder: Path) -> SimpleNamespace | None:
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
    issue = ISSUE.read(record, "corrections", file=relative, slug=folder.name, line=record.line)
    if drafts.QUARTER_RE.match(issue.quarter) and drafts.quarter_slug(issue.quarter) != folder.name:
        record.problem(
            "quarter",
            f"{record.label}: the quarter {issue.quarter} belongs in the folder "
            f"{FOLDER}/{drafts.quarter_slug(issue.quarter)}/",
        )
    if issue.published_at is not None and issue.published_on is None:
        record.problem("published_at", f"{record.label}: a draft (no published_on) has no published_at")
    if len(body) > drafts.TEXT_MAX:
        record.problem(None, f"{record.label}: the introduction is at most {drafts.TEXT_MAX:,} characters")
    issue.items = read_items(ctx, folder)
    if issue.published_on is not None and not issue.items:
        record.problem("published_on", f"{record.label}: a published issue has at least one item")
    issue.introduction_versions = [
        c
        for sub in record.entries("corrections", "corrections", "correction")
        if (c := INTRODUCTION_CORRECTION.read(sub)).replaced_at and c.replaced_by and c.reason
    ]
    if issue.introduction_versions and issue.published_on is None:
        record.problem("corrections", f"{record.label}: a draft's introduction is edited, not corrected")
    if len(ctx.problems) != before:
        return None
    issue.introduction = body.strip("\n")
    issue.published_at = issue.published_at or (
        dt.datetime.combine(issue.published_on, dt.time(9, 0)) if issue.published_on else None
    )
    issue.items.sort(key=lambda i: i.position)
    return issue


def read_items(ctx: LoadContext, folder: Path) -> list[SimpleNamespace]:
    """An issue folder's items, each with an order of its own."""
    items = []
    for path in sorted(folder.iterdir()):
        relative = str(path.relative_to(ctx.root))
        if path.name != ISSUE_FILE and (not path.is_file() or path.suffix != ".md"):
            ctx.problem(relative, None, None, f"not an item: items are {FOLDER}/ISSUE/ITEM-SLUG.md")
        elif path.name != ISSUE_FILE and (item := read_item(ctx, path, relative)):
            items.append(item)
    for item, other in repeats(items, lambda i: i.position):
        ctx.problem(item.file, item.line, "order", f"order {item.position} is also {other.file}")
    return items


def read_item(ctx: LoadContext, path: Path, relative: str) -> SimpleNamespace | None:
    slug = path.stem
    if (
        len(slug) > drafts.SLUG_MAX
        or not drafts.SLUG_RE.match(slug)
        or slug in ("edit", "delete", "publish", "items", "issue")
    ):
        ctx.problem(
            relative, None, None, f"the file name '{slug}' is not an item address: lower-case words joined by hyphens"
        )
        return None
    parsed = read_markdown(ctx, path, relative, "an item")
    if parsed is None:
        return None
    data, body = parsed
    record = Record(ctx, relative, data, f"item {slug}")
    before = len(ctx.problems)
    item = ITEM.read(record, "corrections", file=relative, slug=slug, line=record.line, versions=[])
    item.summary, item.implications = _body(record, body, None) or ("", "")
    for sub in record.entries("corrections", "corrections", "correction"):
        correction = CORRECTION.read(sub)
        if not isinstance(correction.previous, LineDict):
            if correction.previous is not None:
                sub.problem("previous", f"{sub.label}: expected the earlier text as a mapping of fields")
            continue
        previous = Record(ctx, relative, correction.previous, f"{sub.label}, previous text")
        text = PREVIOUS.read(previous)
        parts = _body(previous, text.body, "body")
        if parts and correction.replaced_at:
            vars(text).update(vars(correction), summary=parts[0], implications=parts[1])
            item.versions.append(text)
    if len(ctx.problems) != before:
        return None
    return item
