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

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from cafpedia.accounts.models import User
from cafpedia.areas.models import PracticeArea
from cafpedia.content.markdown_files import markdown_text, read_markdown
from cafpedia.content.records import LoadContext, Record, accounts_by_username, areas_by_slug, as_datetime, type_name
from cafpedia.content.yamlfiles import LineDict
from cafpedia.core import audit
from cafpedia.core.confidentiality import find_case_details
from cafpedia.core.markdown import wiki_link_targets
from cafpedia.core.text import has_control_characters
from cafpedia.extensions import db
from cafpedia.standards import services as standards
from cafpedia.tips import proposals, reading
from cafpedia.tips.models import (
    ARCHIVED,
    CHECKLIST,
    KINDS,
    PENDING,
    PUBLISHED,
    REVISION_STATUSES,
    Revision,
    RevisionLink,
    RevisionStandard,
    Tip,
    TipEvent,
)

FOLDER = "tips"
TIP_STATUSES = (PUBLISHED, PENDING, ARCHIVED)
REVISION_FIELDS = (
    "revision",
    "status",
    "author",
    "proposed_on",
    "based_on",
    "revises",
    "restores",
    "title",
    "kind",
    "tags",
    "standards",
    "legal_refs",
    "body",
    "flags",
    "author_confirmed_safe",
    "decisions",
    "change_note",
    "edited_by",
    "proposed_title",
    "proposed_body",
)
TOP_FIELDS = (
    "title",
    "kind",
    "area",
    "tags",
    "standards",
    "legal_refs",
    "review_by",
    "status",
    "author",
    "approved_by",
    "approved_on",
    "superseded_by",
    "proposed_on",
    "revision",
    "revision_status",
    "based_on",
    "revises",
    "restores",
    "flags",
    "author_confirmed_safe",
    "decisions",
    "history",
    "events",
    "created_at",
    "first_published_at",
    "last_reviewed_at",
    "archived_at",
    "views",
    "change_note",
    "edited_by",
    "proposed_title",
    "proposed_body",
)
DECISION_ACTIONS = ("approved", "sent_back", "rejected", "restored")
EVENT_ACTIONS = ("reviewed", "archived")
DECISION_FIELDS = ("action", "by", "at", "comment", "checklist", "confidentiality_confirmed", "review_by")
EVENT_FIELDS = ("action", "by", "at", "comment", "review_by", "superseded_by", "revision")


@dataclass
class DecisionRecord:
    action: str
    by: str | None
    at: dt.datetime
    comment: str = ""
    checklist: list[str] | None = None
    confidentiality_confirmed: bool | None = None
    review_by: dt.date | None = None
    superseded_by: str | None = None
    revision: int | None = None


@dataclass
class RevisionRecord:
    number: int
    status: str
    author: str
    created_at: dt.datetime
    title: str
    kind: str
    body: str
    tags: list[str]
    standards: list[str]
    legal_refs: list[str]
    based_on: int | None = None
    revises: int | None = None
    restores: int | None = None
    flags: list[dict] = field(default_factory=list)
    author_confirmed_safe: bool = False
    decisions: list[DecisionRecord] = field(default_factory=list)
    change_note: str = ""
    # A moderator's correction before approving: who made it, and the text as proposed.
    edited_by: str | None = None
    proposed_title: str | None = None
    proposed_body: str | None = None


@dataclass
class TipRecord:
    file: str
    slug: str
    area: str
    status: str
    line: int
    revisions: list[RevisionRecord]
    current_number: int | None
    review_by: dt.date | None
    superseded_by: str | None
    events: list[DecisionRecord]
    created_at: dt.datetime
    published_at: dt.datetime | None
    last_reviewed_at: dt.datetime | None
    archived_at: dt.datetime | None
    views: int


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
            rec = self._read_file(ctx, path, relative)
            if rec is None:
                continue
            if rec.slug in found:
                ctx.problem(relative, 1, None, f"another tip has the address {rec.slug}: {found[rec.slug].file}")
                continue
            found[rec.slug] = rec
        for path in sorted(root.glob("**/*")):
            if path.is_file() and (path.suffix != ".md" or len(path.relative_to(root).parts) != 2):
                ctx.problem(str(path.relative_to(ctx.root)), None, None, "not a tip: tips are tips/AREA/SLUG.md")

    def _read_file(self, ctx: LoadContext, path: Path, relative: str) -> TipRecord | None:
        slug, area_folder = path.stem, path.parent.name
        if len(slug) > proposals.SLUG_MAX or not proposals.SLUG_RE.match(slug):
            ctx.problem(
                relative,
                None,
                None,
                f"the file name '{slug}' is not a tip address: lower-case words joined by hyphens, at most "
                f"{proposals.SLUG_MAX} characters",
            )
            return None
        parsed = read_markdown(ctx, path, relative, "a tip", plain_body=False)
        if parsed is None:
            return None
        data, body = parsed
        record = Record(ctx, relative, data, f"tip {slug}")
        record.check_fields(TOP_FIELDS, ("title", "area", "status"))
        area = record.text("area", max_length=64)
        if area and area != area_folder:
            record.problem("area", f"the area is {area} but the file is in the folder {area_folder}")
        status = record.text("status", max_length=16)
        if status and status not in TIP_STATUSES:
            record.problem("status", f"expected one of {', '.join(TIP_STATUSES)}, found {status}")
        top_status = (
            PUBLISHED if status in (PUBLISHED, ARCHIVED) else (record.text("revision_status", max_length=16) or PENDING)
        )
        top = self._read_revision(
            record, top_status, body=body.strip("\n") + "\n" if body.strip() else "", default_number=1
        )
        if top is None:
            return None
        if status in (PUBLISHED, ARCHIVED) and not top.decisions:
            top.decisions.extend(self._approval(record))
        revisions = [top, *self._read_history(record, slug)]
        numbers = [r.number for r in revisions]
        if len(set(numbers)) != len(numbers):
            record.problem(
                "history",
                f"revision numbers must be unique, found {sorted(numbers)} (give the revision: of the version above)",
            )
        events = self._read_events(record)
        review_by = record.date("review_by")
        views = record.data.get("views", 0)
        if not isinstance(views, int) or isinstance(views, bool) or views < 0:
            record.problem("views", "expected a whole number")
            views = 0
        created = as_datetime(record.data.get("created_at")) or min(r.created_at for r in revisions)
        published = [d.at for r in revisions for d in r.decisions if d.action == "approved"]
        if ctx.problems and any(p.file == relative for p in ctx.problems):
            return None
        return TipRecord(
            file=relative,
            slug=slug,
            area=area or area_folder,
            status=status or PENDING,
            line=record.line,
            revisions=sorted(revisions, key=lambda r: r.number),
            current_number=top.number if status in (PUBLISHED, ARCHIVED) else None,
            review_by=review_by,
            superseded_by=record.text("superseded_by", max_length=proposals.SLUG_MAX),
            events=events,
            created_at=created,
            published_at=as_datetime(record.data.get("first_published_at")) or (min(published) if published else None),
            last_reviewed_at=as_datetime(record.data.get("last_reviewed_at"))
            or (max(published) if published and status != PENDING else None),
            archived_at=as_datetime(record.data.get("archived_at")),
            views=views,
        )

    @staticmethod
    def _approval(record: Record) -> list[DecisionRecord]:
        """A published tip written by hand: its approval, from approved_by and approved_on."""
        approved_by = record.text("approved_by", max_length=64)
        approved_on = as_datetime(record.data.get("approved_on"))
        if not approved_by:
            record.problem("approved_by", "a published tip needs approved_by: the lead manager who approved it")
        elif approved_on is None:
            record.problem("approved_on", "a published tip needs approved_on: the date it was approved (YYYY-MM-DD)")
        else:
            return [
                DecisionRecord(
                    "approved", approved_by, approved_on, checklist=list(CHECKLIST), review_by=record.date("review_by")
                )
            ]
        return []

    def _read_history(self, record: Record, slug: str) -> list[RevisionRecord]:
        """The earlier revisions, from `history`."""
        history = record.data.get("history")
        if history is None:
            return []
        if not isinstance(history, list):
            record.problem("history", f"expected a list of earlier revisions, found {type_name(history)}")
            return []
        revisions = []
        for index, item in enumerate(history):
            if not isinstance(item, LineDict):
                record.ctx.problem(
                    record.file, history.line_of(index), "history", f"entry {index + 1}: expected a mapping of fields"
                )
                continue
            entry = Record(record.ctx, record.file, item, f"tip {slug}, history entry {index + 1}")
            entry.check_fields(REVISION_FIELDS, ("revision", "status", "author", "title", "body"))
            status_value = entry.text("status", max_length=16)
            if status_value and status_value not in REVISION_STATUSES:
                entry.problem("status", f"expected one of {', '.join(REVISION_STATUSES)}")
            rev = self._read_revision(entry, status_value or PENDING, body=None, default_number=None)
            if rev is not None:
                revisions.append(rev)
        return revisions

    def _read_revision(
        self, record: Record, status: str, *, body: str | None, default_number: int | None
    ) -> RevisionRecord | None:
        number = record.data.get("revision", default_number)
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            record.problem("revision", "expected a revision number: a whole number from 1")
            return None
        title = record.text("title", max_length=proposals.TITLE_MAX) or ""
        if len(title.strip()) < proposals.TITLE_MIN:
            record.problem("title", f"a title of {proposals.TITLE_MIN} to {proposals.TITLE_MAX} characters is required")
        kind = record.text("kind", max_length=16) or "tip"
        if kind not in KINDS:
            record.problem("kind", f"expected one of {', '.join(KINDS)}")
        body = self._body(record, body)
        tags = record.text_list("tags", max_length=proposals.TAG_MAX)
        bad = [t for t in tags if not proposals.TAG_RE.match(t)]
        if bad:
            record.problem("tags", f"tags are lower-case words joined by hyphens: check {', '.join(bad)}")
        codes = record.text_list("standards", max_length=16)
        refs = record.text_list("legal_refs", max_length=proposals.LEGAL_REF_MAX)
        author = record.text("author", max_length=64)
        if not author:
            record.problem("author", "the author's username is required")
        created = as_datetime(record.data.get("proposed_on"))
        if created is None:
            if record.data.get("proposed_on") is not None:
                record.problem("proposed_on", "expected a date (YYYY-MM-DD) or a date and time")
            created = as_datetime(record.data.get("approved_on")) or dt.datetime(2000, 1, 1)
        flags = self._flags(record, f"{title}\n{body}\n" + "\n".join(refs))
        rev = RevisionRecord(
            number=number,
            status=status,
            author=author or "",
            created_at=created,
            title=title.strip(),
            kind=kind,
            body=body,
            tags=tags,
            standards=codes,
            legal_refs=refs,
            based_on=self._int(record, "based_on"),
            revises=self._int(record, "revises"),
            restores=self._int(record, "restores"),
            flags=[dict(f) for f in flags],
            author_confirmed_safe=record.flag("author_confirmed_safe", False),
            change_note=" ".join((record.text("change_note", max_length=proposals.CHANGE_NOTE_MAX) or "").split()),
            edited_by=record.text("edited_by", max_length=64),
            proposed_title=record.text("proposed_title", max_length=proposals.TITLE_MAX),
            proposed_body=record.text("proposed_body", max_length=proposals.BODY_MAX),
        )
        if rev.edited_by and rev.proposed_body is None:
            record.problem(
                "proposed_body",
                "edited_by names the moderator who corrected the text: give the text as proposed in proposed_body",
            )
        decisions = record.data.get("decisions")
        if decisions is not None:
            if not isinstance(decisions, list):
                record.problem("decisions", "expected a list of decisions")
            else:
                for index, item in enumerate(decisions):
                    decision = self._read_decision(record, item, index, DECISION_ACTIONS, DECISION_FIELDS)
                    if decision:
                        rev.decisions.append(decision)
        return rev

    @staticmethod
    def _body(record: Record, body: str | None) -> str:
        """The revision's text: the file's body for the top revision, else its `body` field."""
        if body is None:
            body = record.text("body", max_length=proposals.BODY_MAX) or ""
        elif len(body) > proposals.BODY_MAX:
            record.problem(
                None, f"the body is too long: at most {proposals.BODY_MAX:,} characters, found {len(body):,}"
            )
        elif has_control_characters(body):
            record.problem(None, "the body holds a control character")
        if not body.strip():
            record.problem("body", "the tip's text is empty")
        return body

    @staticmethod
    def _flags(record: Record, text: str) -> list:
        """The confidentiality guard's flags as the file gives them; for hand-written content,
        what the guard finds, as it would in a proposal."""
        if "flags" not in record.data:
            return [f.as_dict() for f in find_case_details(text)]
        flags = record.data.get("flags") or []
        if not isinstance(flags, list) or not all(isinstance(f, dict) and set(f) <= {"kind", "text"} for f in flags):
            record.problem("flags", "expected a list of {kind, text}")
            return []
        return flags

    @staticmethod
    def _int(record: Record, key: str) -> int | None:
        value = record.data.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            record.problem(key, "expected a revision number")
            return None
        return value

    def _read_decision(self, record: Record, item, index: int, actions, fields_allowed) -> DecisionRecord | None:
        if not isinstance(item, LineDict):
            record.problem(None, f"decision {index + 1}: expected a mapping of fields")
            return None
        entry = Record(
            record.ctx,
            record.file,
            item,
            f"{record.label}, {'decision' if actions == DECISION_ACTIONS else 'event'} {index + 1}",
        )
        entry.check_fields(fields_allowed, ("action", "at"))
        action = entry.text("action", max_length=20)
        if action and action not in actions:
            entry.problem("action", f"expected one of {', '.join(actions)}")
            return None
        at = as_datetime(item.get("at"))
        if at is None:
            entry.problem("at", "expected a date and time")
            return None
        checklist = item.get("checklist")
        if checklist is not None and (not isinstance(checklist, list) or not set(checklist) <= set(CHECKLIST)):
            entry.problem("checklist", f"expected a list of {', '.join(CHECKLIST)}")
            checklist = None
        confirmed = item.get("confidentiality_confirmed")
        if confirmed is not None and not isinstance(confirmed, bool):
            entry.problem("confidentiality_confirmed", "expected true or false")
        return DecisionRecord(
            action=action or "",
            by=entry.text("by", max_length=64),
            at=at,
            comment=entry.text("comment", max_length=proposals.COMMENT_MAX) or "",
            checklist=list(checklist) if checklist is not None else None,
            confidentiality_confirmed=confirmed if isinstance(confirmed, bool) else None,
            review_by=entry.date("review_by"),
            superseded_by=entry.text("superseded_by", max_length=proposals.SLUG_MAX)
            if "superseded_by" in item
            else None,
            revision=self._int(entry, "revision"),
        )

    def _read_events(self, record: Record) -> list[DecisionRecord]:
        events = record.data.get("events")
        if events is None:
            return []
        if not isinstance(events, list):
            record.problem("events", "expected a list of reviews and archivings")
            return []
        return [
            e
            for i, item in enumerate(events)
            if (e := self._read_decision(record, item, i, EVENT_ACTIONS, EVENT_FIELDS))
        ]

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
            if existing is not None and _revision_row(existing) != _revision_row_from_record(rev):
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


def _decision_row(event: TipEvent) -> dict:
    row = {"action": event.action, "by": event.actor.username if event.actor else None, "at": event.at}
    if event.comment:
        row["comment"] = event.comment
    if event.checklist is not None:
        row["checklist"] = list(event.checklist)
    if event.confidentiality_confirmed is not None:
        row["confidentiality_confirmed"] = event.confidentiality_confirmed
    if event.review_by is not None:
        row["review_by"] = event.review_by
    if event.superseded_by_slug:
        row["superseded_by"] = event.superseded_by_slug
    return row


def _revision_fields(rev: Revision) -> dict:
    row = {
        "revision": rev.number,
        "status": rev.status,
        "author": rev.author.username,
        "proposed_on": rev.created_at,
        "title": rev.title,
        "kind": rev.kind,
        "tags": list(rev.tags),
        "standards": rev.standards,
        "legal_refs": list(rev.legal_refs),
    }
    for key in ("based_on", "revises", "restores"):
        if getattr(rev, key) is not None:
            row[key] = getattr(rev, key)
    if rev.flags:
        row["flags"] = [dict(f) for f in rev.flags]
    if rev.author_confirmed_safe:
        row["author_confirmed_safe"] = True
    if rev.change_note:
        row["change_note"] = rev.change_note
    if rev.corrected:
        row.update(edited_by=rev.editor.username, proposed_title=rev.proposed_title, proposed_body=rev.proposed_body)
    decisions = [_decision_row(e) for e in rev.decisions if e.action in DECISION_ACTIONS]
    if decisions:
        row["decisions"] = decisions
    return row


def export_tip(tip: Tip) -> str:
    top = tip.current
    front = {
        "title": top.title,
        "kind": top.kind,
        "area": tip.area.slug,
        "tags": list(top.tags),
        "standards": top.standards,
        "legal_refs": list(top.legal_refs),
        "review_by": tip.review_by,
        "status": tip.status,
        "author": top.author.username,
    }
    approval = next((e for e in reversed(top.decisions) if e.action in ("approved", "restored")), None)
    if tip.current_number is not None and approval is not None:
        front["approved_by"] = approval.actor.username if approval.actor else None
        front["approved_on"] = approval.at.date()
    front["superseded_by"] = tip.superseded_by.slug if tip.superseded_by else None
    rest = _revision_fields(top)
    if tip.current_number is None and top.status != PENDING:
        front["revision_status"] = top.status
    for key in (
        "revision",
        "proposed_on",
        "based_on",
        "revises",
        "restores",
        "flags",
        "author_confirmed_safe",
        "change_note",
        "edited_by",
        "proposed_title",
        "proposed_body",
        "decisions",
    ):
        if key in rest:
            front[key] = rest[key]
    front.update(
        {
            "created_at": tip.created_at,
            "first_published_at": tip.published_at,
            "last_reviewed_at": tip.last_reviewed_at,
            "archived_at": tip.archived_at,
            "views": tip.views,
        }
    )
    history = []
    for rev in tip.revisions:
        if rev.number != top.number:
            row = _revision_fields(rev)
            row["body"] = rev.body
            history.append(row)
    if history:
        front["history"] = history
    events = [
        _decision_row(e) | ({"revision": e.revision_number} if e.revision_number is not None else {})
        for e in tip.events
        if e.action in EVENT_ACTIONS
    ]
    if events:
        front["events"] = events
    body = top.body if top.body.endswith("\n") else top.body + "\n"
    return markdown_text(front, body)


def _revision_row(rev: Revision) -> tuple:
    return (
        rev.number,
        rev.status,
        rev.author.username,
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


def _revision_row_from_record(rev: RevisionRecord) -> tuple:
    return (
        rev.number,
        rev.status,
        rev.author,
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
