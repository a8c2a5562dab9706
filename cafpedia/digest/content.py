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

from cafpedia.accounts.models import User
from cafpedia.accounts.people import by_username as accounts_by_username
from cafpedia.areas.models import PracticeArea
from cafpedia.areas.services import by_slug as areas_by_slug
from cafpedia.content.records import LoadContext, Section
from cafpedia.core import audit
from cafpedia.digest import reading
from cafpedia.digest.content_export import export_issue_files, files_of
from cafpedia.digest.content_files import FOLDER, IssueRecord, read_issue
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

    # --- read -----------------------------------------------------------------------------

    def read(self, ctx: LoadContext) -> None:
        found: dict[str, IssueRecord] = {}
        ctx.records[self.name] = found
        for path in ctx.folder(FOLDER, "issue folders"):
            relative = str(path.relative_to(ctx.root))
            if not path.is_dir():
                ctx.problem(
                    relative, None, None, "not an issue: the digest holds folders digest/ISSUE/ (e.g. digest/2007-q1/)"
                )
                continue
            issue = read_issue(ctx, path)
            if issue is not None:
                found[issue.slug] = issue
        numbers: dict[int, str] = {}
        for issue in found.values():
            if issue.number in numbers:
                ctx.problem(
                    issue.file, issue.line, "number", f"issue number {issue.number} is also {numbers[issue.number]}"
                )
            numbers.setdefault(issue.number, issue.file)

    # --- check ----------------------------------------------------------------------------

    def check(self, ctx: LoadContext) -> None:
        issues: dict[str, IssueRecord] = ctx.records[self.name]
        if not issues:
            return
        users = set(ctx.records.get("users", {})) | set(db.session.scalars(select(User.username)))
        areas = set(ctx.records.get("areas", {})) | set(db.session.scalars(select(PracticeArea.slug)))
        file_tips = ctx.records.get("tips", {})

        db_published = set(db.session.scalars(select(Tip.slug).where(Tip.status.in_([PUBLISHED, ARCHIVED]))))
        db_quarters = {i.quarter: i for i in db.session.scalars(select(DigestIssue))}
        for issue in issues.values():
            if issue.editor not in users:
                ctx.problem(issue.file, issue.line, "editor", f"issue {issue.slug}: unknown user {issue.editor}")
            other = db.session.scalar(select(DigestIssue).where(DigestIssue.number == issue.number))
            if other is not None and other.slug != issue.slug and other.slug not in issues:
                ctx.problem(
                    issue.file,
                    issue.line,
                    "number",
                    f"issue {issue.slug}: number {issue.number} is already {other.title} in the database",
                )
            for correction in issue.corrections:
                if correction.by not in users:
                    ctx.problem(
                        issue.file, issue.line, "corrections", f"issue {issue.slug}: unknown user {correction.by}"
                    )
            self._check_items(ctx, issue, users, areas, file_tips, db_published)
            existing = db_quarters.get(issue.quarter)
            if existing is not None and not existing.is_draft and export_issue_files(existing) != files_of(issue):
                ctx.problem(
                    issue.file,
                    issue.line,
                    None,
                    f"issue {issue.slug} is published in the database and differs from this folder; "
                    "a published issue changes only by corrections made in CAFpedia",
                )

    @staticmethod
    def _check_items(ctx: LoadContext, issue: IssueRecord, users, areas, file_tips, db_published) -> None:
        """Each item's areas, correctors and tips; a draft's items have neither corrections nor tips."""
        for item in issue.items:
            for area in item.text.areas + [a for c in item.corrections for a in c.previous.areas]:
                if area not in areas:
                    ctx.problem(item.file, item.line, "areas", f"item {item.slug}: unknown area {area}")
            for correction in item.corrections:
                if correction.by not in users:
                    ctx.problem(item.file, item.line, "corrections", f"item {item.slug}: unknown user {correction.by}")
            for slug in item.tips:
                rec = file_tips.get(slug)
                if not (
                    (rec is not None and rec.status in (PUBLISHED, ARCHIVED)) or (rec is None and slug in db_published)
                ):
                    ctx.problem(
                        item.file,
                        item.line,
                        "tips",
                        f"item {item.slug}: {slug} is not a published (or archived) tip",
                    )
            if issue.published_on is None and (item.corrections or item.tips):
                ctx.problem(
                    item.file,
                    item.line,
                    "corrections" if item.corrections else "tips",
                    f"item {item.slug}: an item of a draft issue has no corrections or linked tips yet",
                )

    # --- apply ----------------------------------------------------------------------------

    def apply(self, ctx: LoadContext) -> None:
        """Items name tips: everything is written in apply_links, after the tips."""

    def apply_links(self, ctx: LoadContext) -> None:
        issues: dict[str, IssueRecord] = ctx.records[self.name]
        if not issues:
            return
        users, areas = accounts_by_username(), areas_by_slug()

        tips = {t.slug: t for t in db.session.scalars(select(Tip))}
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
            issue = DigestIssue(
                slug=rec.slug,
                number=rec.number,
                quarter=rec.quarter,
                title=rec.title,
                introduction=rec.introduction,
                editor=users[rec.editor],
                published_on=rec.published_on,
                published_at=rec.published_at,
            )
            if rec.published_at:
                issue.created_at = issue.updated_at = rec.published_at
            issue.introduction_versions = [
                DigestIntroductionVersion(
                    introduction=c.previous, replaced_at=c.on, replaced_by_id=users[c.by].id, reason=c.reason
                )
                for c in rec.corrections
            ]
            if rec.corrections:
                issue.updated_at = rec.corrections[-1].on
            db.session.add(issue)
            for item_rec in rec.items:
                text = item_rec.text
                item = DigestItem(
                    issue=issue,
                    slug=item_rec.slug,
                    position=item_rec.order,
                    title=text.title,
                    source=text.source,
                    authors=text.authors,
                    year=text.year,
                    url=text.url,
                    tags=text.tags,
                    summary=text.summary,
                    implications=text.implications,
                )
                item.area_links = [
                    DigestItemArea(area=areas[a], position=n) for n, a in enumerate(dict.fromkeys(text.areas))
                ]
                for c in item_rec.corrections:
                    p = c.previous
                    item.versions.append(
                        DigestItemVersion(
                            title=p.title,
                            source=p.source,
                            authors=p.authors,
                            year=p.year,
                            url=p.url,
                            areas=p.areas,
                            tags=p.tags,
                            summary=p.summary,
                            implications=p.implications,
                            replaced_at=c.on,
                            replaced_by_id=users[c.by].id,
                            reason=c.reason,
                        )
                    )
                if item_rec.corrections:
                    last = item_rec.corrections[-1]
                    item.corrected_at, item.correction_note, item.corrected_by_id = (
                        last.on,
                        last.reason,
                        users[last.by].id,
                    )
                if rec.published_at:
                    item.created_at = item.updated_at = rec.published_at
                db.session.add(item)
                db.session.flush()
                for slug in item_rec.tips:
                    db.session.add(
                        TipResearchLink(
                            tip_id=tips[slug].id, item_id=item.id, linked_by_id=None, linked_at=rec.published_at
                        )
                    )
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

    # --- export ---------------------------------------------------------------------------

    def export(self, root: Path) -> list[str]:
        written = []
        for issue in db.session.scalars(select(DigestIssue).order_by(DigestIssue.number)):
            for name, text in export_issue_files(issue).items():
                relative = f"{FOLDER}/{issue.slug}/{name}"
                path = root / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                written.append(relative)
        return written
