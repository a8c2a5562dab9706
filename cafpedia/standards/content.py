"""standards.yml in a content folder: versions of the National Standards and their clauses.

The contract's form is one version: `{version, clauses: [...]}`. To keep several
versions, the file may instead hold `{versions: [{version, current, clauses}, ...]}`;
export writes the first form when there is one version and the second otherwise.
A version already in the database may gain clauses or have them reworded, but never
lose one: tips cite clauses, so a changed standard is a new version.
"""

from __future__ import annotations

import re
from pathlib import Path

from cafpedia.content.fields import Field, Schema, date, flag, kept, text
from cafpedia.content.records import LoadContext, Record, Section, repeats, type_name, write_file
from cafpedia.content.yamlfiles import LineDict, dump_yaml
from cafpedia.core import audit
from cafpedia.extensions import db
from cafpedia.standards import services
from cafpedia.standards.models import StandardClause, StandardsVersion

FILE = "standards.yml"
CODE_RE = re.compile(r"^[1-9][0-9]?\.[1-9][0-9]?[a-z]?$")
CLAUSE = Schema(
    Field(
        "code",
        text(16, lambda c: None if CODE_RE.match(c) else f"'{c}' is not a clause number such as 5.1 or 7.3a"),
        required=True,
    ),
    Field("standard", text(120, tidy=str.strip), required=True),
    Field("summary", text(2000, tidy=str.strip), required=True),
    Field("from", date, attr="starts_on"),
    Field("note", text(300), omit=True),
    label="clause {}",
)
VERSION = Schema(
    Field("version", text(40), required=True),
    Field("title", text(200, empty="")),
    Field("source", text(300, empty="")),
    Field("current", flag(False), dump=bool),
    Field("clauses", kept, required=True),
    label="standards {}",
)


class StandardsSection(Section):
    name = "standards"

    def read(self, ctx: LoadContext) -> None:
        data = ctx.read(FILE)
        ctx.records[self.name] = versions = []
        if data is not None and not isinstance(data, LineDict):
            ctx.problem(
                FILE,
                getattr(data, "line", 1),
                None,
                f"expected a mapping with version and clauses, found {type_name(data)}",
            )
        if not isinstance(data, LineDict):
            return
        if "versions" in data and (extra := [k for k in data if k != "versions"]):
            ctx.problem(
                FILE, data.line_of(extra[0]), None, "with 'versions:', every other field belongs inside a version"
            )
        if "versions" in data and (not isinstance(data["versions"], list) or not data["versions"]):
            return ctx.problem(FILE, data.line_of("versions"), "versions", "expected a list of versions")
        record = Record(ctx, FILE, data, "standards")
        for entry in record.entries("versions", "versions", "version") if "versions" in data else [record]:
            entry.label = "standards"
            if rec := _read_version(entry):
                versions.append(rec)
        for rec, other in repeats(versions, lambda v: v.version):
            ctx.problem(FILE, rec.line, "version", f"version {rec.version} is already listed on line {other.line}")
        if sum(v.current for v in versions) > 1:
            ctx.problem(FILE, None, "current", "only one version can be marked current: true")

    def check(self, ctx: LoadContext) -> None:
        for rec in ctx.records[self.name]:
            existing = services.find_version(rec.version)
            lost = [c.code for c in existing.clauses if c.code not in {c.code for c in rec.clauses}] if existing else []
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
            _apply_version(ctx, rec)
        marked = [r.version for r in ctx.records[self.name] if r.current]
        for version in services.list_versions() if marked else []:
            version.current = version.version == marked[0]

    def export(self, root: Path) -> list[str]:
        versions = services.list_versions()
        if not versions:
            return []
        only = ("version", "title", "source") + (("current",) if len(versions) > 1 else ()) + ("clauses",)
        documents = [VERSION.write(v, *only, clauses=[CLAUSE.write(c) for c in v.clauses]) for v in versions]
        return [write_file(root, FILE, dump_yaml(documents[0] if len(documents) == 1 else {"versions": documents}))]


def _read_version(record: Record):
    rec = VERSION.read(record, line=record.line)
    if rec.clauses is not None and not isinstance(rec.clauses, list):
        return record.problem("clauses", f"expected a list of clauses, found {type_name(rec.clauses)}")
    clauses = []
    for clause in record.entries("clauses", "clauses", "clause") if rec.clauses else []:
        clause.label = clause.label.rpartition(", ")[2]
        clauses.append(CLAUSE.read(clause, line=clause.line, source=clause))
    for row, other in repeats(clauses, lambda c: c.code if c.code and CODE_RE.match(c.code) else None):
        row.source.problem("code", f"clause {row.code} is already listed on line {other.line}")
    rec.clauses = [c for c in clauses if c.code and CODE_RE.match(c.code) and c.standard and c.summary]
    return rec if rec.version else None


def _apply_version(ctx: LoadContext, rec) -> None:
    version = services.find_version(rec.version)
    before = _snapshot(version) if version else None
    version = version or StandardsVersion()
    db.session.add(version)
    VERSION.assign(version, rec, "version", "title", "source")
    by_code = {c.code: c for c in version.clauses}
    for position, clause in enumerate(rec.clauses, start=1):
        if clause.code not in by_code:
            version.clauses.append(by_code.setdefault(clause.code, StandardClause(code=clause.code)))
        CLAUSE.assign(by_code[clause.code], clause, "standard", "summary", "starts_on", "note")
        by_code[clause.code].position = position
    db.session.flush()
    after = _snapshot(version)
    if before is None:
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


def _snapshot(version: StandardsVersion) -> dict:
    header = {"__version__": {"title": version.title, "source": version.source}}
    return header | {c.code: CLAUSE.write(c) | {"position": c.position} for c in version.clauses}
