"""Writing a digest issue's folder: issue.md (with the corrections of its introduction) and one
file per item (with its corrections and the tips that rest on it), from the database, or
from the records a load read, to compare the two."""

from __future__ import annotations

from cafpedia.accounts.models import User
from cafpedia.content.markdown_files import markdown_text
from cafpedia.digest.content_files import BODY, ISSUE_FILE, IntroductionCorrection, IssueRecord, Text
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


def export_issue_files(issue: DigestIssue) -> dict[str, str]:
    users = {}

    def username(user_id):
        if user_id not in users:
            users[user_id] = db.session.get(User, user_id).username
        return users[user_id]

    files = {
        ISSUE_FILE: issue_text(
            issue.title,
            issue.number,
            issue.quarter,
            issue.published_on,
            issue.published_at,
            issue.editor.username,
            issue.introduction,
            [
                IntroductionCorrection(v.replaced_at, username(v.replaced_by_id), v.reason, v.introduction)
                for v in issue.introduction_versions
            ],
        )
    }
    for item in issue.items:
        text = Text(
            item.title,
            item.source,
            list(item.authors),
            item.year,
            item.url,
            item.area_slugs,
            list(item.tags),
            item.summary,
            item.implications,
        )
        corrections = [
            _correction_row(
                v.replaced_at,
                username(v.replaced_by_id),
                v.reason,
                Text(
                    v.title,
                    v.source,
                    list(v.authors),
                    v.year,
                    v.url,
                    list(v.areas),
                    list(v.tags),
                    v.summary,
                    v.implications,
                ),
            )
            for v in item.versions
        ]
        tips = [link.tip.slug for link in item.tip_links]
        files[f"{item.slug}.md"] = _item_text(text, item.position, tips, corrections)
    return files


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
