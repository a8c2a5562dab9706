"""standards.yml in a content folder: versions of the National Standards and their clauses.

The contract's form is one version: `{version, clauses: [...]}`. To keep several
versions, the file may instead hold `{versions: [{version, current, clauses}, ...]}`;
export writes the first form when there is one version and the second otherwise.
A version already in the database may gain clauses or have them reworded, but never
lose one: tips cite clauses, so a changed standard is a new version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from cafpedia.content.records import LoadContext, Record, type_name
from cafpedia.content.yamlfiles import LineDict, write_yaml_file
from cafpedia.core import audit
from cafpedia.extensions import db
from cafpedia.standards import services
from cafpedia.standards.models import StandardClause, StandardsVersion

FILE = "standards.yml"
VERSION_FIELDS = ("version", "title", "source", "current", "clauses")
CLAUSE_FIELDS = ("code", "standard", "summary", "from", "note")
CODE_RE = re.compile(r"^[1-9][0-9]?\.[1-9][0-9]?[a-z]?$")


@dataclass
class ClauseRecord:
    code: str
    standard: str
    summary: str
    starts_on: date | None
    note: str | None


@dataclass
class VersionRecord:
    version: str
    title: str
    source: str
    current: bool
    line: int
    clauses: list[ClauseRecord] = field(default_factory=list)


class StandardsSection:
    name = "standards"

    def read(self, ctx: LoadContext) -> None:
        data = ctx.read(FILE)
        ctx.records[self.name] = versions = []
        if data is None:
            return
        if not isinstance(data, LineDict):
            ctx.problem(
                FILE,
                getattr(data, "line", 1),
                None,
                f"expected a mapping with version and clauses, found {type_name(data)}",
            )
            return
        if "versions" in data:
            extra = [k for k in data if k != "versions"]
            if extra:
                ctx.problem(
                    FILE, data.line_of(extra[0]), None, "with 'versions:', every other field belongs inside a version"
                )
            items = data["versions"]
            if not isinstance(items, list) or not items:
                ctx.problem(FILE, data.line_of("versions"), "versions", "expected a list of versions")
                return
            mappings = []
            for index, item in enumerate(items):
                if isinstance(item, LineDict):
                    mappings.append(item)
                else:
                    ctx.problem(FILE, items.line_of(index), "versions", f"version {index + 1}: expected a mapping")
        else:
            mappings = [data]
        seen: dict[str, int] = {}
        for mapping in mappings:
            rec = self._read_version(ctx, Record(ctx, FILE, mapping, "standards"))
            if rec is None:
                continue
            if rec.version in seen:
                ctx.problem(
                    FILE, rec.line, "version", f"version {rec.version} is already listed on line {seen[rec.version]}"
                )
                continue
            seen[rec.version] = rec.line
            versions.append(rec)
        if sum(v.current for v in versions) > 1:
            ctx.problem(FILE, None, "current", "only one version can be marked current: true")

    def _read_version(self, ctx: LoadContext, record: Record) -> VersionRecord | None:
        version = record.text("version", max_length=40)
        if version:
            record.label = f"standards {version}"
        record.check_fields(VERSION_FIELDS, ("version", "clauses"))
        title = record.text("title", max_length=200) or ""
        source = record.text("source", max_length=300) or ""
        current = record.flag("current", False)
        clauses_data = record.data.get("clauses")
        if clauses_data is not None and not isinstance(clauses_data, list):
            record.problem("clauses", f"expected a list of clauses, found {type_name(clauses_data)}")
            return None
        rec = VersionRecord(version or "", title, source, current, record.line)
        codes: dict[str, int] = {}
        for index, item in enumerate(clauses_data or []):
            line = clauses_data.line_of(index)
            if not isinstance(item, LineDict):
                ctx.problem(FILE, line, "clauses", f"clause {index + 1}: expected a mapping of fields")
                continue
            clause = Record(ctx, FILE, item, f"clause {index + 1}")
            code = clause.text("code", max_length=16)
            if code:
                clause.label = f"clause {code}"
            clause.check_fields(CLAUSE_FIELDS, ("code", "standard", "summary"))
            if code:
                if not CODE_RE.match(code):
                    clause.problem("code", f"'{code}' is not a clause number such as 5.1 or 7.3a")
                    code = None
                elif code in codes:
                    clause.problem("code", f"clause {code} is already listed on line {codes[code]}")
                    code = None
                else:
                    codes[code] = item.line
            standard = clause.text("standard", max_length=120)
            summary = clause.text("summary", max_length=2000)
            starts_on = clause.date("from")
            note = clause.text("note", max_length=300)
            if code and standard and summary:
                rec.clauses.append(ClauseRecord(code, standard.strip(), summary.strip(), starts_on, note))
        return rec if version else None

    def check(self, ctx: LoadContext) -> None:
        for rec in ctx.records[self.name]:
            existing = services.find_version(rec.version)
            if existing is None:
                continue
            wanted = {c.code for c in rec.clauses}
            lost = [c.code for c in existing.clauses if c.code not in wanted]
            if lost:
                ctx.problem(
                    FILE,
                    rec.line,
                    "clauses",
                    f"standards {rec.version} in the database has clause(s) {', '.join(lost)} that "
                    "this file lacks; a version cannot lose clauses (tips cite them): load the "
                    "changed standards as a new version",
                )

    def apply(self, ctx: LoadContext) -> None:
        for rec in ctx.records[self.name]:
            self._apply_version(ctx, rec)
        marked = [r.version for r in ctx.records[self.name] if r.current]
        if marked:
            for version in services.list_versions():
                version.current = version.version == marked[0]

    def _apply_version(self, ctx: LoadContext, rec: VersionRecord) -> None:
        version = services.find_version(rec.version)
        created = version is None
        if created:
            version = StandardsVersion(version=rec.version, title=rec.title, source=rec.source)
            db.session.add(version)
            before = None
        else:
            before = _snapshot(version)
            version.title, version.source = rec.title, rec.source
        by_code = {c.code: c for c in version.clauses}
        for position, clause in enumerate(rec.clauses, start=1):
            row = by_code.get(clause.code)
            if row is None:
                row = StandardClause(code=clause.code)
                version.clauses.append(row)
            row.standard, row.summary, row.starts_on, row.note, row.position = (
                clause.standard,
                clause.summary,
                clause.starts_on,
                clause.note,
                position,
            )
        db.session.flush()
        after = _snapshot(version)
        if created:
            audit.record(
                ctx.actor,
                "standards.create",
                "standards",
                rec.version,
                summary=f"{len(rec.clauses)} clauses (cafpedia load)",
            )
            ctx.count("standards clauses", "new", len(rec.clauses))
        elif after != before:
            changed = [code for code in after if before.get(code) != after[code]]
            audit.record(
                ctx.actor,
                "standards.update",
                "standards",
                rec.version,
                summary=f"clauses changed: {', '.join(changed)} (cafpedia load)",
                before={c: before.get(c) for c in changed},
                after={c: after[c] for c in changed},
            )
            ctx.count("standards clauses", "updated", len(changed))
        else:
            ctx.count("standards clauses", "unchanged", len(rec.clauses))

    def apply_links(self, ctx: LoadContext) -> None:
        """Standards refer to nothing else."""

    def export(self, root: Path) -> list[str]:
        versions = services.list_versions()
        if not versions:
            return []
        documents = []
        for version in versions:
            doc = {"version": version.version, "title": version.title, "source": version.source}
            if len(versions) > 1:
                doc["current"] = bool(version.current)
            doc["clauses"] = [_clause_row(c) for c in version.clauses]
            documents.append(doc)
        write_yaml_file(root / FILE, documents[0] if len(documents) == 1 else {"versions": documents})
        return [FILE]


def _clause_row(clause: StandardClause) -> dict:
    row = {"code": clause.code, "standard": clause.standard, "summary": clause.summary, "from": clause.starts_on}
    if clause.note:
        row["note"] = clause.note
    return row


def _snapshot(version: StandardsVersion) -> dict:
    header = {"__version__": {"title": version.title, "source": version.source}}
    return header | {c.code: _clause_row(c) | {"position": c.position} for c in version.clauses}
