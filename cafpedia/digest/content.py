"""digest/ in a content folder: research digest issues and their items.

    digest/ISSUE/issue.md       the issue (ISSUE is its quarter in lower case, e.g. 2007-q1);
                                no published_on means a draft; the body is the introduction
    digest/ISSUE/ITEM-SLUG.md   an item; the body is the summary, then a heading
                                "## Implications for practice" and the implications

Beyond ../shared/content-format.md, an item may carry `tips:` (the published tips that
rest on it) and `corrections:` (each correction of the published item: when, by whom,
why, and the text it replaced), so that nothing is lost in a round trip.

A load creates issues that are new and replaces drafts; a published issue that is in the
database already must match the file, since published text changes only by corrections
made in CAFpedia (which the next export carries).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from cafpedia.accounts.content import known_usernames
from cafpedia.accounts.people import by_username
from cafpedia.areas.content import known_areas
from cafpedia.areas.services import by_slug
from cafpedia.content.fields import build
from cafpedia.content.records import LoadContext, Section, repeats, write_file
from cafpedia.core import audit
from cafpedia.digest import reading
from cafpedia.digest.content_files import (
    CORRECTION,
    FOLDER,
    INTRODUCTION_CORRECTION,
    ISSUE,
    ITEM,
    PREVIOUS,
    export_issue_files,
    files_of,
    read_issue,
)
from cafpedia.digest.models import (
    DigestIntroductionVersion,
    DigestIssue,
    DigestItem,
    DigestItemArea,
    DigestItemVersion,
    TipResearchLink,
)
from cafpedia.extensions import db
from cafpedia.tips.models import ARCHIVED, PUBLISHED, Tip


class DigestSection(Section):
    name = "digest"
    needs = ("users", "areas", "tips")

    def read(self, ctx: LoadContext) -> None:
        found = ctx.records[self.name] = {}
        for path in ctx.folder(FOLDER, "issue folders"):
            if not path.is_dir():
                ctx.problem(
                    str(path.relative_to(ctx.root)),
                    None,
                    None,
                    "not an issue: the digest holds folders digest/ISSUE/ (e.g. digest/2007-q1/)",
                )
            elif issue := read_issue(ctx, path):
                found[issue.slug] = issue
        for issue, other in repeats(found.values(), lambda i: i.number):
            ctx.problem(issue.file, issue.line, "number", f"issue number {issue.number} is also {other.file}")

    def check(self, ctx: LoadContext) -> None:
        issues = ctx.records[self.name]
        users, areas, file_tips = known_usernames(ctx), known_areas(ctx), ctx.records["tips"]
        db_published = set(db.session.scalars(select(Tip.slug).where(Tip.status.in_([PUBLISHED, ARCHIVED]))))
        db_quarters = {i.quarter: i for i in db.session.scalars(select(DigestIssue))} if issues else {}
        for issue in issues.values():
            where = (issue.file, issue.line)
            ctx.unknown(*where, "editor", [issue.editor], users, f"issue {issue.slug}: unknown user {{}}")
            other = db.session.scalar(select(DigestIssue).where(DigestIssue.number == issue.number))
            if other is not None and other.slug != issue.slug and other.slug not in issues:
                ctx.problem(
                    issue.file,
                    issue.line,
                    "number",
                    f"issue {issue.slug}: number {issue.number} is already {other.title} in the database",
                )
            for correction in issue.introduction_versions:
                if correction.replaced_by not in users:
                    ctx.problem(
                        issue.file,
                        issue.line,
                        "corrections",
                        f"issue {issue.slug}: unknown user {correction.replaced_by}",
                    )
            _check_items(ctx, issue, users, areas, file_tips, db_published)
            existing = db_quarters.get(issue.quarter)
            if existing is not None and not existing.is_draft and export_issue_files(existing) != files_of(issue):
                ctx.problem(
                    issue.file,
                    issue.line,
                    None,
                    f"issue {issue.slug} is published in the database and differs from this folder; "
                    "a published issue changes only by corrections made in CAFpedia",
                )

    def apply_links(self, ctx: LoadContext) -> None:
        """Items name tips: everything is written here, after the tips."""
        issues = ctx.records[self.name]
        users, areas = by_username(), by_slug()
        tips = {t.slug: t for t in db.session.scalars(select(Tip))} if issues else {}
        to_write = []
        for rec in issues.values():  # drafts being replaced go first, so numbers can change hands
            existing = reading.find_issue(rec.slug)
            if existing is not None and (not existing.is_draft or export_issue_files(existing) == files_of(rec)):
                ctx.count("digest issues", "unchanged")
                continue
            if existing is not None:
                db.session.delete(existing)
            to_write.append((rec, existing is not None))
        db.session.flush()
        for rec, replaced in to_write:
            issue = build(
                DigestIssue, rec, ISSUE, slug=rec.slug, introduction=rec.introduction, editor=users[rec.editor]
            )
            if rec.published_at:
                issue.created_at = issue.updated_at = rec.published_at
            issue.introduction_versions = [
                build(DigestIntroductionVersion, c, INTRODUCTION_CORRECTION, replaced_by_id=users[c.replaced_by].id)
                for c in rec.introduction_versions
            ]
            if rec.introduction_versions:
                issue.updated_at = rec.introduction_versions[-1].replaced_at
            db.session.add(issue)
            for item_rec in rec.items:
                _add_item(issue, rec, item_rec, users, areas, tips)
            db.session.flush()
            audit.record(
                ctx.actor,
                "content.load_digest_issue",
                "digest_issue",
                rec.slug,
                summary=rec.title,
                actor_name="content load",
            )
            ctx.count("digest issues", "replaced" if replaced else "added")

    def export(self, root: Path) -> list[str]:
        return [
            write_file(root, f"{FOLDER}/{issue.slug}/{name}", text)
            for issue in db.session.scalars(select(DigestIssue).order_by(DigestIssue.number))
            for name, text in export_issue_files(issue).items()
        ]


def _check_items(ctx: LoadContext, issue, users, areas, file_tips, db_published) -> None:
    """Each item's areas, correctors and tips; a draft's items have neither corrections nor tips."""
    for item in issue.items:
        where, names = (item.file, item.line), item.areas + [a for c in item.versions for a in c.areas]
        ctx.unknown(*where, "areas", names, areas, f"item {item.slug}: unknown area {{}}")
        ctx.unknown(
            *where, "corrections", [c.replaced_by for c in item.versions], users, f"item {item.slug}: unknown user {{}}"
        )
        for slug in item.tips:
            rec = file_tips.get(slug)
            if not (
                (rec is not None and rec.status in (PUBLISHED, ARCHIVED)) or (rec is None and slug in db_published)
            ):
                ctx.problem(
                    item.file, item.line, "tips", f"item {item.slug}: {slug} is not a published (or archived) tip"
                )
        if issue.published_on is None and (item.versions or item.tips):
            ctx.problem(
                item.file,
                item.line,
                "corrections" if item.versions else "tips",
                f"item {item.slug}: an item of a draft issue has no corrections or linked tips yet",
            )


def _add_item(issue: DigestIssue, rec, item_rec, users: dict, areas: dict, tips: dict) -> None:
    item = build(
        DigestItem,
        item_rec,
        ITEM,
        issue=issue,
        slug=item_rec.slug,
        summary=item_rec.summary,
        implications=item_rec.implications,
    )
    item.area_links = [DigestItemArea(area=areas[a], position=n) for n, a in enumerate(dict.fromkeys(item_rec.areas))]
    item.versions = [
        build(
            DigestItemVersion,
            c,
            PREVIOUS,
            CORRECTION,
            replaced_by_id=users[c.replaced_by].id,
            summary=c.summary,
            implications=c.implications,
        )
        for c in item_rec.versions
    ]
    if item.versions:
        last = item.versions[-1]
        item.corrected_at, item.correction_note, item.corrected_by_id = (
            last.replaced_at,
            last.reason,
            last.replaced_by_id,
        )
    if rec.published_at:
        item.created_at = item.updated_at = rec.published_at
    db.session.add(item)
    db.session.flush()
    for slug in item_rec.tips:
        db.session.add(
            TipResearchLink(tip_id=tips[slug].id, item_id=item.id, linked_by_id=None, linked_at=rec.published_at)
        )
