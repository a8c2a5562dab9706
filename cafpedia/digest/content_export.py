"""Writing a digest issue's folder: issue.md (with the corrections of its introduction) and one
file per item (with its corrections and the tips that rest on it), from the database, or
from the records a load read, to compare the two."""

from __future__ import annotations

from cafpedia.accounts.models import User
from cafpedia.content.markdown_files import markdown_text
from cafpedia.digest.content_files import (
    BODY,
    ISSUE_FILE,
    CorrectionRecord,
    IntroductionCorrection,
    IssueRecord,
    ItemRecord,
    Text,
)
from cafpedia.digest.models import DigestIssue
from cafpedia.extensions import db


def issue_text(
    title, number, quarter, published_on, published_at, editor, introduction, corrections: list[IntroductionCorrection]
) -> str:
    front = {"title": title, "number": number, "quarter": quarter}
    if published_on is not None:
        front["published_on"] = published_on
        front["published_at"] = published_at
    front["editor"] = editor
    if corrections:
        front["corrections"] = [
            {"at": c.on, "by": c.by, "reason": c.reason, "previous": c.previous} for c in corrections
        ]
    return markdown_text(front, introduction.strip("\n") + "\n" if introduction.strip() else "")


def _text_fields(text: Text) -> dict:
    return {
        "title": text.title,
        "source": text.source,
        "authors": list(text.authors),
        "year": text.year,
        "url": text.url,
        "areas": list(text.areas),
        "tags": list(text.tags),
    }


def _correction_row(on, by, reason, previous: Text) -> dict:
    return {
        "at": on,
        "by": by,
        "reason": reason,
        "previous": _text_fields(previous) | {"body": BODY.join(previous.summary, previous.implications)},
    }


def _item_text(text: Text, order: int, tips: list[str], corrections: list[dict]) -> str:
    front = _text_fields(text) | {"order": order, "tips": sorted(tips)}
    if corrections:
        front["corrections"] = corrections
    return markdown_text(front, BODY.join(text.summary, text.implications))


def _text(row, areas: list[str]) -> Text:
    """An item's text, or the text a correction replaced (`row`), as the files hold it."""
    return Text(
        row.title,
        row.source,
        list(row.authors),
        row.year,
        row.url,
        list(areas),
        list(row.tags),
        row.summary,
        row.implications,
    )


def export_issue_files(issue: DigestIssue) -> dict[str, str]:
    """The files of an issue in the database: its record, written as a loaded one is."""
    usernames: dict[int, str] = {}

    def username(user_id: int) -> str:
        if user_id not in usernames:
            usernames[user_id] = db.session.get(User, user_id).username
        return usernames[user_id]

    items = [
        ItemRecord(
            file="",
            slug=item.slug,
            order=item.position,
            text=_text(item, item.area_slugs),
            tips=[link.tip.slug for link in item.tip_links],
            corrections=[
                CorrectionRecord(v.replaced_at, username(v.replaced_by_id), v.reason, _text(v, v.areas))
                for v in item.versions
            ],
            line=0,
        )
        for item in issue.items
    ]
    return files_of(
        IssueRecord(
            file="",
            slug=issue.slug,
            number=issue.number,
            quarter=issue.quarter,
            title=issue.title,
            introduction=issue.introduction,
            editor=issue.editor.username,
            published_on=issue.published_on,
            published_at=issue.published_at,
            items=items,
            corrections=[
                IntroductionCorrection(v.replaced_at, username(v.replaced_by_id), v.reason, v.introduction)
                for v in issue.introduction_versions
            ],
        )
    )


def files_of(issue: IssueRecord) -> dict[str, str]:
    """The files an export would write for this record: to compare with the database."""
    return {
        ISSUE_FILE: issue_text(
            issue.title,
            issue.number,
            issue.quarter,
            issue.published_on,
            issue.published_at,
            issue.editor,
            issue.introduction,
            issue.corrections,
        ),
        **{
            f"{i.slug}.md": _item_text(
                i.text, i.order, i.tips, [_correction_row(c.on, c.by, c.reason, c.previous) for c in i.corrections]
            )
            for i in issue.items
        },
    }
