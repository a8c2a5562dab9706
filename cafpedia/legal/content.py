"""legal/ in a content folder: legal updates, one file each, legal/YYYY-MM-DD-SLUG.md.

The contract's fields, plus what a round trip needs: `citation` may be a list (a judgment
with several citations); `summary` (one or two sentences; without it the briefing's first
paragraph is used); `status: withdrawn` with `withdrawn_at`, `withdrawn_by` and
`withdrawn_reason`; and `revision`, `revised_at`, `note` and `history` (every earlier
revision with its own fields and body). The body is the briefing, then a line
`## What it means for practice`, then that.

A load creates the updates that are new; one already in the database must match its file,
since updates change only by edits made in CAFpedia (which the next export carries).
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
from cafpedia.extensions import db
from cafpedia.legal import feed, posting
from cafpedia.legal.content_files import FILE_RE, FOLDER, UpdateRecord, export_update, read_update_file, record_text
from cafpedia.legal.models import LegalRevision, LegalUpdate, LegalUpdateArea


class LegalSection(Section):
    name = "legal"

    def read(self, ctx: LoadContext) -> None:
        found: dict[str, UpdateRecord] = {}
        ctx.records[self.name] = found
        for path in ctx.folder(FOLDER, "legal/YYYY-MM-DD-SLUG.md files"):
            relative = str(path.relative_to(ctx.root))
            match = FILE_RE.match(path.stem)
            if not path.is_file() or path.suffix != ".md" or not match or len(path.stem) > posting.SLUG_MAX:
                ctx.problem(
                    relative,
                    None,
                    None,
                    "not a legal update: they are legal/YYYY-MM-DD-SLUG.md, SLUG in lower-case words joined by hyphens",
                )
                continue
            record = read_update_file(ctx, path, relative, match.group(1))
            if record is not None:
                found[record.slug] = record

    def check(self, ctx: LoadContext) -> None:
        updates: dict[str, UpdateRecord] = ctx.records[self.name]
        if not updates:
            return
        users = set(ctx.records.get("users", {})) | set(db.session.scalars(select(User.username)))
        areas = set(ctx.records.get("areas", {})) | set(db.session.scalars(select(PracticeArea.slug)))
        for rec in updates.values():
            for rev in rec.revisions:
                if rev.author not in users:
                    ctx.problem(rec.file, rec.line, "author", f"legal update {rec.slug}: unknown author {rev.author}")
                for area in rev.areas:
                    if area not in areas:
                        ctx.problem(rec.file, rec.line, "areas", f"legal update {rec.slug}: unknown area {area}")
                if not rev.areas:
                    ctx.problem(
                        rec.file, rec.line, "areas", f"legal update {rec.slug}: name at least one area of practice"
                    )
            if rec.withdrawn_by and rec.withdrawn_by not in users:
                ctx.problem(
                    rec.file, rec.line, "withdrawn_by", f"legal update {rec.slug}: unknown user {rec.withdrawn_by}"
                )
            existing = feed.find_update(rec.slug)
            if existing is not None and export_update(existing) != record_text(rec):
                ctx.problem(
                    rec.file,
                    rec.line,
                    None,
                    f"legal update {rec.slug} is in the database and differs from this file; "
                    "updates change only by edits made in CAFpedia",
                )

    def apply(self, ctx: LoadContext) -> None:
        updates: dict[str, UpdateRecord] = ctx.records[self.name]
        if not updates:
            return
        users, areas = accounts_by_username(), areas_by_slug()
        for rec in updates.values():
            if feed.find_update(rec.slug) is not None:
                ctx.count("legal updates", "unchanged")
                continue
            current = rec.revisions[-1]
            posted_at = rec.revisions[0].created_at
            update = LegalUpdate(
                slug=rec.slug,
                status=rec.status,
                current_number=current.number,
                kind=current.kind,
                made_on=current.made_on,
                published_on=rec.published_on,
                published_at=posted_at,
                updated_at=rec.withdrawn_at or current.created_at,
                withdrawn_at=rec.withdrawn_at,
                withdrawn_reason=rec.withdrawn_reason,
                withdrawn_by_id=users[rec.withdrawn_by].id if rec.withdrawn_by else None,
            )
            db.session.add(update)
            for rev in rec.revisions:
                db.session.add(
                    LegalRevision(
                        update=update,
                        number=rev.number,
                        kind=rev.kind,
                        title=rev.title,
                        citations=rev.citations,
                        made_on=rev.made_on,
                        in_force_on=rev.in_force_on,
                        areas=rev.areas,
                        tags=rev.tags,
                        summary=rev.summary,
                        briefing=rev.briefing,
                        practice=rev.practice,
                        source_url=rev.source_url,
                        author_id=users[rev.author].id,
                        created_at=rev.created_at,
                        note=rev.note,
                    )
                )
            update.area_links = [
                LegalUpdateArea(area=areas[a], position=n) for n, a in enumerate(dict.fromkeys(current.areas))
            ]
            db.session.flush()
            audit.record(
                ctx.actor,
                "content.load_legal_update",
                "legal_update",
                rec.slug,
                summary=current.title,
                actor_name="content load",
            )
            ctx.count("legal updates", "new")

    def apply_links(self, ctx: LoadContext) -> None:
        """Nothing links from a legal update: tips are matched by their citations."""

    def export(self, root: Path) -> list[str]:
        written = []
        for update in db.session.scalars(select(LegalUpdate).order_by(LegalUpdate.slug)):
            relative = f"{FOLDER}/{update.slug}.md"
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(export_update(update), encoding="utf-8")
            written.append(relative)
        return written
