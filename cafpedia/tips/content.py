"""tips/AREA/SLUG.md in a content folder: tips and guidance with their full history.

The front matter and body are the tip as readers see it: its published revision, or for a
tip never published, its latest proposal. `history:` lists every other revision with its
own author, time, status, decisions and body; `events:` the reviews and the archiving.
Export writes every field the database holds, so export → load → export is identical.
Hand-written files may leave out what can be derived (revision numbers, times, decisions,
which come from approved_by and approved_on).

A revision already in the database is never changed by a load: a file that says something
else about it is an error. New revisions and events are added.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from cafpedia.accounts.models import User
from cafpedia.areas.models import PracticeArea
from cafpedia.content.records import LoadContext, accounts_by_username, areas_by_slug
from cafpedia.core import audit
from cafpedia.core.markdown import wiki_link_targets
from cafpedia.extensions import db
from cafpedia.standards import services as standards
from cafpedia.tips import reading
from cafpedia.tips.content_files import EVENT_ACTIONS, FOLDER, RevisionRecord, TipRecord, export_tip
from cafpedia.tips.content_read import read_tip_file
from cafpedia.tips.models import (
    ARCHIVED,
    PENDING,
    PUBLISHED,
    Revision,
    RevisionLink,
    RevisionStandard,
    Tip,
    TipEvent,
)


class TipsSection:
    name = "tips"

    # --- read -----------------------------------------------------------------------------

    def read(self, ctx: LoadContext) -> None:
        found: dict[str, TipRecord] = {}
        root = ctx.root / FOLDER
        ctx.records[self.name] = found
        if not root.is_dir():
            return
        for path in sorted(root.glob("*/*.md")):
            relative = str(path.relative_to(ctx.root))
            rec = read_tip_file(ctx, path, relative)
            if rec is None:
                continue
            if rec.slug in found:
                ctx.problem(relative, 1, None, f"another tip has the address {rec.slug}: {found[rec.slug].file}")
                continue
            found[rec.slug] = rec
        for path in sorted(root.glob("**/*")):
            if path.is_file() and (path.suffix != ".md" or len(path.relative_to(root).parts) != 2):
                ctx.problem(str(path.relative_to(ctx.root)), None, None, "not a tip: tips are tips/AREA/SLUG.md")

    # --- check ----------------------------------------------------------------------------

    def check(self, ctx: LoadContext) -> None:
        tips: dict[str, TipRecord] = ctx.records[self.name]
        if not tips:
            return
        file_areas = set(ctx.records.get("areas", {}))
        db_areas = set(db.session.scalars(select(PracticeArea.slug)))
        file_users = set(ctx.records.get("users", {}))
        db_users = set(db.session.scalars(select(User.username)))
        users = file_users | db_users
        clause_codes = self._clause_codes(ctx)
        db_slugs = set(db.session.scalars(select(Tip.slug)))
        for rec in tips.values():

            def problem(message: str, field_name: str | None = None, rec=rec) -> None:
                ctx.problem(rec.file, rec.line, field_name, f"tip {rec.slug}: {message}")

            if rec.area not in file_areas | db_areas:
                problem(f"unknown area {rec.area} (not in areas.yml nor in the database)", "area")
            for rev in rec.revisions:
                self._check_revision(
                    rec, rev, problem, users=users, clause_codes=clause_codes, tips=set(tips) | db_slugs
                )
            for e in rec.events:
                if e.by and e.by not in users:
                    problem(f"unknown user {e.by} in an event", "events")
            if rec.superseded_by and rec.superseded_by not in tips and rec.superseded_by not in db_slugs:
                problem(f"superseded_by names no tip: {rec.superseded_by}", "superseded_by")
            if rec.slug in db_slugs:
                self._check_against_database(rec, problem)

    @staticmethod
    def _check_revision(
        rec: TipRecord, rev: RevisionRecord, problem, *, users: set[str], clause_codes: set[str], tips: set[str]
    ) -> None:
        if rev.author not in users:
            problem(f"revision {rev.number}: unknown author {rev.author}", "author")
        if rev.edited_by and rev.edited_by not in users:
            problem(f"revision {rev.number}: unknown editor {rev.edited_by}", "edited_by")
        unknown = [c for c in rev.standards if c not in clause_codes]
        if unknown:
            problem(
                f"revision {rev.number}: no clause {', '.join(unknown)} in the current National Standards", "standards"
            )
        # A published text must link to tips that exist; a proposal may name one
        # not written yet (it is shown as missing, and cannot be approved so).
        if rev.status == PUBLISHED:
            for _, target in wiki_link_targets(rev.body):
                if target not in tips:
                    problem(f"revision {rev.number}: the link [[{target}]] names no tip", "body")
        if rec.status == ARCHIVED and rev.status == PENDING:
            problem(
                f"revision {rev.number} is pending but the tip is archived: an archived tip has no open proposals",
                "history",
            )
        for d in rev.decisions:
            if d.by and d.by not in users:
                problem(f"revision {rev.number}: unknown user {d.by} in a decision", "decisions")

    @staticmethod
    def _clause_codes(ctx: LoadContext) -> set[str]:
        versions = ctx.records.get("standards") or []
        marked = [v for v in versions if v.current]
        if marked or versions:
            chosen = marked[0] if marked else None
            if chosen is None:
                current = standards.current_version()
                in_file = {v.version: v for v in versions}
                chosen = in_file.get(current.version) if current else None
                chosen = chosen or versions[-1] if not current or current.version in in_file else None
            if chosen is not None:
                return {c.code for c in chosen.clauses}
        current = standards.current_version()
        return {c.code for c in current.clauses} if current else set()

    def _check_against_database(self, rec: TipRecord, problem) -> None:
        tip = reading.find_tip(rec.slug)
        if tip.area.slug != rec.area:
            problem(f"the database has this tip in {tip.area.slug}; a load cannot move it", "area")
        for rev in rec.revisions:
            existing = tip.revision(rev.number)
            if existing is not None and _comparable(existing, existing.author.username) != _comparable(rev, rev.author):
                problem(
                    f"revision {rev.number} differs from the one in the database; revisions are never changed",
                    "history",
                )
        newer = sorted({r.number for r in tip.revisions} - {r.number for r in rec.revisions})
        if newer:
            problem(
                f"the database has revision(s) {', '.join(map(str, newer))} that this file lacks: it is older than the "
                "database, and loading it would undo later work",
                "history",
            )
        elif (tip.current_number or 0) > (rec.current_number or 0) or (
            tip.status == ARCHIVED and rec.status != ARCHIVED
        ):
            problem(
                "the database has moved on from this file (a later revision is published, or the tip is archived)",
                "status",
            )

    # --- apply ----------------------------------------------------------------------------

    def apply(self, ctx: LoadContext) -> None:
        """Tips link to each other: they are written in apply_links, once all accounts and areas exist."""

    def apply_links(self, ctx: LoadContext) -> None:
        tips: dict[str, TipRecord] = ctx.records[self.name]
        if not tips:
            return
        users, areas = accounts_by_username(), areas_by_slug()
        version = standards.current_version()
        clauses = {c.code: c for c in version.clauses} if version else {}
        for rec in tips.values():
            tip = reading.find_tip(rec.slug)
            created = tip is None
            if created:
                tip = Tip(slug=rec.slug, area=areas[rec.area], created_at=rec.created_at)
                db.session.add(tip)
            before = _tip_state(tip) if not created else None
            added = 0
            for rev in rec.revisions:
                if tip.revision(rev.number) is not None:
                    continue
                row = Revision(
                    tip=tip,
                    number=rev.number,
                    based_on=rev.based_on,
                    revises=rev.revises,
                    restores=rev.restores,
                    title=rev.title,
                    kind=rev.kind,
                    body=rev.body,
                    tags=rev.tags,
                    legal_refs=rev.legal_refs,
                    author=users[rev.author],
                    created_at=rev.created_at,
                    status=rev.status,
                    flags=rev.flags,
                    author_confirmed_safe=rev.author_confirmed_safe,
                    change_note=rev.change_note,
                    editor=users[rev.edited_by] if rev.edited_by else None,
                    proposed_title=rev.proposed_title if rev.edited_by else None,
                    proposed_body=rev.proposed_body if rev.edited_by else None,
                )
                db.session.add(row)
                row.standard_links = [
                    RevisionStandard(clause=clauses[c], position=i) for i, c in enumerate(rev.standards)
                ]
                row.tip_links = [
                    RevisionLink(target_slug=s)
                    for s in dict.fromkeys(t for _, t in wiki_link_targets(rev.body))
                    if s != rec.slug
                ]
                for d in rev.decisions:
                    tip.events.append(
                        TipEvent(
                            revision_number=rev.number,
                            action=d.action,
                            actor=users.get(d.by) if d.by else None,
                            at=d.at,
                            comment=d.comment,
                            checklist=d.checklist,
                            confidentiality_confirmed=d.confidentiality_confirmed,
                            review_by=d.review_by,
                        )
                    )
                added += 1
            known_events = {(e.action, e.at) for e in tip.events if e.action in EVENT_ACTIONS}
            for e in rec.events:
                if (e.action, e.at) not in known_events:
                    tip.events.append(
                        TipEvent(
                            revision_number=e.revision or rec.current_number,
                            action=e.action,
                            actor=users.get(e.by) if e.by else None,
                            at=e.at,
                            comment=e.comment,
                            review_by=e.review_by,
                            superseded_by_slug=e.superseded_by,
                        )
                    )
                    added += 1
            tip.status, tip.current_number, tip.review_by = rec.status, rec.current_number, rec.review_by
            tip.published_at, tip.last_reviewed_at, tip.archived_at, tip.views = (
                rec.published_at,
                rec.last_reviewed_at,
                rec.archived_at,
                rec.views,
            )
            ctx.records.setdefault("tips_superseded", {})[rec.slug] = rec.superseded_by
            db.session.flush()
            if created:
                audit.record(
                    ctx.actor,
                    "tip.create",
                    "tip",
                    rec.slug,
                    summary=f"{len(rec.revisions)} revision(s) (cafpedia load)",
                )
                ctx.count("tips", "new")
            elif added or _tip_state(tip) != before:
                audit.record(
                    ctx.actor,
                    "tip.update",
                    "tip",
                    rec.slug,
                    summary=f"{added} revision(s) or event(s) added (cafpedia load)",
                    before=before,
                    after=_tip_state(tip),
                )
                ctx.count("tips", "updated")
            else:
                ctx.count("tips", "unchanged")
        for slug, successor in ctx.records.get("tips_superseded", {}).items():
            tip = reading.find_tip(slug)
            wanted = reading.find_tip(successor) if successor else None
            if tip.superseded_by_id != (wanted.id if wanted else None):
                tip.superseded_by = wanted

    # --- export ---------------------------------------------------------------------------

    def export(self, root: Path) -> list[str]:
        written = []
        for tip in db.session.scalars(select(Tip).order_by(Tip.slug)):
            relative = f"{FOLDER}/{tip.area.slug}/{tip.slug}.md"
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(export_tip(tip), encoding="utf-8")
            written.append(relative)
        return written


def _comparable(rev: Revision | RevisionRecord, author: str) -> tuple:
    """What a load may not change about a revision, from the database or from a file."""
    return (
        rev.number,
        rev.status,
        author,
        rev.title,
        rev.kind,
        rev.body.strip(),
        tuple(rev.tags),
        tuple(rev.standards),
        tuple(rev.legal_refs),
        rev.based_on,
        rev.revises,
        rev.restores,
        rev.change_note,
    )


def _tip_state(tip: Tip) -> dict:
    return {
        "status": tip.status,
        "current": tip.current_number,
        "review_by": tip.review_by.isoformat() if tip.review_by else None,
        "superseded_by": tip.superseded_by.slug if tip.superseded_by else None,
        "revisions": len(tip.revisions),
        "events": len(tip.events),
        "views": tip.views,
    }
