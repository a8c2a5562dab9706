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

from cafpedia.accounts.content import known_usernames
from cafpedia.accounts.people import by_username
from cafpedia.areas.content import known_areas
from cafpedia.areas.services import by_slug
from cafpedia.content.fields import build
from cafpedia.content.records import LoadContext, Section, write_file
from cafpedia.core import audit
from cafpedia.extensions import db
from cafpedia.legal import feed, posting
from cafpedia.legal.content_files import FILE_RE, FOLDER, REVISION, UPDATE, export_update, read_update_file, update_text
from cafpedia.legal.models import LegalRevision, LegalUpdate, LegalUpdateArea


class LegalSection(Section):
    name = "legal"
    needs = ("users", "areas")

    def read(self, ctx: LoadContext) -> None:
        found = ctx.records[self.name] = {}
        for path in ctx.folder(FOLDER, "legal/YYYY-MM-DD-SLUG.md files"):
            match = FILE_RE.match(path.stem)
            if not path.is_file() or path.suffix != ".md" or not match or len(path.stem) > posting.SLUG_MAX:
                ctx.problem(
                    str(path.relative_to(ctx.root)),
                    None,
                    None,
                    "not a legal update: they are legal/YYYY-MM-DD-SLUG.md, SLUG in lower-case words joined by hyphens",
                )
            elif record := read_update_file(ctx, path, str(path.relative_to(ctx.root)), match.group(1)):
                found[record.slug] = record

    def check(self, ctx: LoadContext) -> None:
        users, areas = known_usernames(ctx), known_areas(ctx)
        for rec in ctx.records[self.name].values():
            where, label = (rec.file, rec.line), f"legal update {rec.slug}"
            for rev in rec.revisions:
                ctx.unknown(*where, "author", [rev.author], users, f"{label}: unknown author {{}}")
                ctx.unknown(*where, "areas", rev.areas, areas, f"{label}: unknown area {{}}")
                if not rev.areas:
                    ctx.problem(*where, "areas", f"{label}: name at least one area of practice")
            ctx.unknown(*where, "withdrawn_by", [rec.withdrawn_by], users, f"{label}: unknown user {{}}")
            existing = feed.find_update(rec.slug)
            if existing is not None and export_update(existing) != update_text(rec, rec.revisions):
                ctx.problem(
                    *where,
                    None,
                    f"{label} is in the database and differs from this file; "
                    "updates change only by edits made in CAFpedia",
                )

    def apply(self, ctx: LoadContext) -> None:
        users, areas = by_username(), by_slug()
        for rec in ctx.records[self.name].values():
            if feed.find_update(rec.slug) is not None:
                ctx.count("legal updates", "unchanged")
                continue
            current = rec.revisions[-1]
            update = build(
                LegalUpdate,
                rec,
                UPDATE,
                slug=rec.slug,
                current_number=current.number,
                kind=current.kind,
                made_on=current.made_on,
                published_at=rec.revisions[0].created_at,
                updated_at=rec.withdrawn_at or current.created_at,
                withdrawn_by=users.get(rec.withdrawn_by),
            )
            db.session.add(update)
            update.revisions = [
                build(
                    LegalRevision, rev, REVISION, author=users[rev.author], briefing=rev.briefing, practice=rev.practice
                )
                for rev in rec.revisions
            ]
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

    def export(self, root: Path) -> list[str]:
        return [
            write_file(root, f"{FOLDER}/{update.slug}.md", export_update(update))
            for update in db.session.scalars(select(LegalUpdate).order_by(LegalUpdate.slug))
        ]
