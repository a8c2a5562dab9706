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

from cafpedia.accounts.content import known_usernames
from cafpedia.accounts.people import by_username
from cafpedia.areas.content import known_areas
from cafpedia.areas.services import by_slug
from cafpedia.content.fields import build
from cafpedia.content.records import LoadContext, Section, write_file
from cafpedia.core import audit, clock
from cafpedia.core.markdown import wiki_link_targets
from cafpedia.extensions import db
from cafpedia.standards import services as standards
from cafpedia.tips import reading
from cafpedia.tips.content_files import DECISION, EVENT, EVENT_ACTIONS, FOLDER, REVISION, TIP, export_tip
from cafpedia.tips.content_read import read_tip_file
from cafpedia.tips.models import ARCHIVED, PENDING, PUBLISHED, Revision, RevisionLink, RevisionStandard, Tip, TipEvent


class TipsSection(Section):
    name = "tips"
    needs = ("users", "areas", "standards")

    def read(self, ctx: LoadContext) -> None:
        found = ctx.records[self.name] = {}
        root = ctx.root / FOLDER
        for path in sorted(root.glob("*/*.md")):
            rec = read_tip_file(ctx, path, str(path.relative_to(ctx.root)))
            if rec is not None and rec.slug in found:
                ctx.problem(rec.file, 1, None, f"another tip has the address {rec.slug}: {found[rec.slug].file}")
            elif rec is not None:
                found[rec.slug] = rec
        for path in sorted(root.glob("**/*")):
            if path.is_file() and (path.suffix != ".md" or len(path.relative_to(root).parts) != 2):
                ctx.problem(str(path.relative_to(ctx.root)), None, None, "not a tip: tips are tips/AREA/SLUG.md")

    def check(self, ctx: LoadContext) -> None:
        tips = ctx.records[self.name]
        if not tips:
            return
        areas, users, clause_codes = known_areas(ctx), known_usernames(ctx), _clause_codes(ctx)
        db_slugs = set(db.session.scalars(select(Tip.slug)))
        for rec in tips.values():

            def problem(message: str, field_name: str | None = None, rec=rec) -> None:
                ctx.problem(rec.file, rec.line, field_name, f"tip {rec.slug}: {message}")

            where = (rec.file, rec.line)
            ctx.unknown(
                *where,
                "area",
                [rec.area],
                areas,
                f"tip {rec.slug}: unknown area {{}} (not in areas.yml nor in the database)",
            )
            for rev in rec.revisions:
                _check_revision(
                    ctx, rec, rev, problem, users=users, clause_codes=clause_codes, tips=set(tips) | db_slugs
                )
            ctx.unknown(
                *where, "events", [e.actor for e in rec.events], users, f"tip {rec.slug}: unknown user {{}} in an event"
            )
            if rec.superseded_by and rec.superseded_by not in tips and rec.superseded_by not in db_slugs:
                problem(f"superseded_by names no tip: {rec.superseded_by}", "superseded_by")
            if rec.slug in db_slugs:
                _check_against_database(rec, problem)

    def apply_links(self, ctx: LoadContext) -> None:
        """Tips link to each other: they are written here, once all accounts and areas exist."""
        tips = ctx.records[self.name]
        users, areas = by_username(), by_slug()
        version = standards.current_version()
        clauses = {c.code: c for c in version.clauses} if version else {}
        for rec in tips.values():
            tip = reading.find_tip(rec.slug)
            before = _tip_state(tip) if tip else None
            tip = tip or Tip(slug=rec.slug, area=areas[rec.area])
            db.session.add(tip)
            revisions = [rev for rev in rec.revisions if tip.revision(rev.number) is None]
            for rev in revisions:
                _add_revision(tip, rec, rev, users, clauses)
            known_events = {(e.action, e.at) for e in tip.events if e.action in EVENT_ACTIONS}
            events = [e for e in rec.events if (e.action, e.at) not in known_events]
            tip.events.extend(_event(EVENT, e, users, e.revision_number or rec.current_number) for e in events)
            added = len(revisions) + len(events)
            TIP.assign(tip, rec)
            tip.current_number = rec.current_number
            if before is None and tip.current_number is not None:
                # Who read it before it was loaded is not known: "nobody opens it" counts from today.
                tip.last_viewed_on = clock.today()
            db.session.flush()
            if before is None:
                audit.record(
                    ctx.actor,
                    "tip.create",
                    "tip",
                    rec.slug,
                    summary=f"{len(rec.revisions)} revision(s) (cafpedia load)",
                )
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
            ctx.count(
                "tips", "new" if before is None else "updated" if added or _tip_state(tip) != before else "unchanged"
            )
        for rec in tips.values():
            tip = reading.find_tip(rec.slug)
            wanted = reading.find_tip(rec.superseded_by) if rec.superseded_by else None
            if tip.superseded_by_id != (wanted.id if wanted else None):
                tip.superseded_by = wanted

    def export(self, root: Path) -> list[str]:
        return [
            write_file(root, f"{FOLDER}/{tip.area.slug}/{tip.slug}.md", export_tip(tip))
            for tip in db.session.scalars(select(Tip).order_by(Tip.slug))
        ]


def _check_revision(ctx, rec, rev, problem, *, users: set[str], clause_codes: set[str], tips: set[str]) -> None:
    where, prefix = (rec.file, rec.line), f"tip {rec.slug}: revision {rev.number}:"
    ctx.unknown(*where, "author", [rev.author], users, f"{prefix} unknown author {{}}")
    ctx.unknown(*where, "edited_by", [rev.editor], users, f"{prefix} unknown editor {{}}")
    ctx.unknown(
        *where, "decisions", [d.actor for d in rev.decisions], users, f"{prefix} unknown user {{}} in a decision"
    )
    unknown = [c for c in rev.standards if c not in clause_codes]
    if unknown:
        problem(f"revision {rev.number}: no clause {', '.join(unknown)} in the current National Standards", "standards")
    # A published text must link to tips that exist; a proposal may name one
    # not written yet (it is shown as missing, and cannot be approved so).
    for _, target in wiki_link_targets(rev.body) if rev.status == PUBLISHED else []:
        if target not in tips:
            problem(f"revision {rev.number}: the link [[{target}]] names no tip", "body")
    if rec.status == ARCHIVED and rev.status == PENDING:
        problem(
            f"revision {rev.number} is pending but the tip is archived: an archived tip has no open proposals",
            "history",
        )


def _clause_codes(ctx: LoadContext) -> set[str]:
    """The clauses a tip may cite: of the version the folder marks current, else of the
    database's current version (as the folder has it), else of the folder's last version."""
    versions, current = ctx.records["standards"], standards.current_version()
    in_file = {v.version: v for v in versions}
    chosen = next((v for v in versions if v.current), None) or in_file.get(current.version if current else None)
    chosen = chosen or (versions[-1] if versions and not current else current)
    return {c.code for c in chosen.clauses} if chosen else set()


def _check_against_database(rec, problem) -> None:
    tip = reading.find_tip(rec.slug)
    if tip.area.slug != rec.area:
        problem(f"the database has this tip in {tip.area.slug}; a load cannot move it", "area")
    for rev in rec.revisions:
        existing = tip.revision(rev.number)
        if existing is not None and _comparable(existing, existing.author.username) != _comparable(rev, rev.author):
            problem(
                f"revision {rev.number} differs from the one in the database; revisions are never changed", "history"
            )
    newer = sorted({r.number for r in tip.revisions} - {r.number for r in rec.revisions})
    if newer:
        problem(
            f"the database has revision(s) {', '.join(map(str, newer))} that this file lacks: it is older than the "
            "database, and loading it would undo later work",
            "history",
        )
    elif (tip.current_number or 0) > (rec.current_number or 0) or (tip.status == ARCHIVED and rec.status != ARCHIVED):
        problem(
            "the database has moved on from this file (a later revision is published, or the tip is archived)",
            "status",
        )


def _add_revision(tip: Tip, rec, rev, users: dict, clauses: dict) -> None:
    row = build(Revision, rev, REVISION, tip=tip, author=users[rev.author], editor=users.get(rev.editor))
    db.session.add(row)
    row.standard_links = [RevisionStandard(clause=clauses[c], position=i) for i, c in enumerate(rev.standards)]
    row.tip_links = [
        RevisionLink(target_slug=s) for s in dict.fromkeys(t for _, t in wiki_link_targets(rev.body)) if s != rec.slug
    ]
    for d in rev.decisions:
        tip.events.append(_event(DECISION, d, users, rev.number))


def _event(schema, record, users: dict, revision_number: int | None) -> TipEvent:
    return build(TipEvent, record, schema, actor=users.get(record.actor), revision_number=revision_number)


# A revision's fields a file may give otherwise than the database has them without a load
# calling it a different revision: when it was proposed (to the second or the day), and what
# the guard and a moderator's correction add to it.
MAY_DIFFER = ("proposed_on", "flags", "author_confirmed_safe", "proposed_title", "proposed_body")


# The fields compared: every one the declaration (REVISION) maps to a column of Revision, but
# MAY_DIFFER. A field added to the declaration is compared with no more work.
COMPARED = tuple(f.name for f in REVISION.fields if f.name in Revision.__table__.columns and f.key not in MAY_DIFFER)


def _comparable(rev, author: str) -> tuple:
    """What a load may not change about a revision, from the database or from a file: the
    COMPARED fields (text without its outer spaces, lists as tuples), its author and the
    clauses it cites."""
    values = (getattr(rev, name) for name in COMPARED)
    return (
        *(v.strip() if isinstance(v, str) else tuple(v) if isinstance(v, list) else v for v in values),
        author,
        tuple(rev.standards),
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
