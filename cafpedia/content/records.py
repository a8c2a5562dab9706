"""What every content section shares: the load's context (its problems and warnings, what
each section read), one mapping from a file (`Record`, read through a record type's
fields declared once in content.fields), and the section's shape
(`Section`). Sections import this, never the loader; content imports no domain."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cafpedia.content.yamlfiles import LineDict, LineList, YamlProblem, read_yaml_file
from cafpedia.core import audit


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        what = f"field '{self.field}': " if self.field else ""
        return f"{where}: {what}{self.message}"


class ContentError(Exception):
    """A folder that cannot be loaded; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s):\n" + "\n".join(str(p) for p in problems))


@dataclass
class LoadContext:
    root: Path
    actor: Any = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # What each section read, keyed by the section's name, for the others to refer to.
    records: dict[str, Any] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)
    # The folder's audit.jsonl becomes this installation's trail (see content.audit_file): the
    # load's own entries are then not recorded.
    keep_audit_from_file: bool = False

    def problem(self, file: str, line: int | None, field_name: str | None, message: str) -> None:
        self.problems.append(Problem(file, line, field_name, message))

    def warn(self, file: str, line: int | None, field_name: str | None, message: str) -> None:
        """Loaded as written, but a person should look: reported, and does not stop the load."""
        self.warnings.append(Problem(file, line, field_name, message))

    def read(self, relative: str):
        """The parsed YAML of a file in the folder, None if it is absent or broken."""
        path = self.root / relative
        if not path.is_file():
            return None
        try:
            return read_yaml_file(path)
        except YamlProblem as exc:
            self.problem(relative, exc.line, None, exc.message)
            return None

    def unknown(self, file: str, line: int | None, field_name: str, names, known: set, message: str) -> None:
        """A problem for each name (of an account, an area, ...) not among the `known`: `message`, {} the name."""
        for name in names:
            if name and name not in known:
                self.problem(file, line, field_name, message.replace("{}", str(name)))

    def count(self, what: str, outcome: str, n: int = 1) -> None:
        self.counts[(what, outcome)] += n

    def folder(self, name: str, what: str) -> list[Path]:
        """The entries of a section's folder, in order; none (and a problem) if it is a file."""
        root = self.root / name
        if root.exists() and not root.is_dir():
            self.problem(name, None, None, f"{name} must be a folder of {what}")
        return sorted(root.iterdir()) if root.is_dir() else []


class Section:
    """A part of the content format, registered by create_app. `needs`: the sections whose
    records it refers to (a load or export without one of them refuses to start)."""

    name: str = ""
    needs: tuple[str, ...] = ()

    def read(self, ctx: LoadContext) -> None:
        ctx.records[self.name] = {}

    def check(self, ctx: LoadContext) -> None:
        """References between files and against the database; none by default."""

    def apply(self, ctx: LoadContext) -> None:
        """Write what was read; nothing by default."""

    def apply_links(self, ctx: LoadContext) -> None:
        """Write what refers to other sections' records, once they all exist; nothing by default."""

    def export(self, root: Path) -> list[str]:
        return []


def audited(ctx: LoadContext, counted: str, object_type: str, ref: str, before: dict | None, after: dict) -> None:
    """A record a load created (nothing `before`) or changed, in the audit trail; each one counted."""
    outcome = "new" if before is None else "updated" if after != before else "unchanged"
    if outcome != "unchanged":
        action = f"{object_type}.{'create' if before is None else 'update'}"
        audit.record(ctx.actor, action, object_type, ref, before=before, after=after, summary="cafpedia load")
    ctx.count(counted, outcome)


def write_file(root: Path, relative: str, text: str) -> str:
    """Write a file of an export (its folder made); returns its relative path."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return relative


class Record:
    """One mapping from a file, and the problems found in it (named with its file, line and field)."""

    def __init__(self, ctx: LoadContext, file: str, data: LineDict, label: str):
        self.ctx, self.file, self.data, self.label = ctx, file, data, label
        self.line = data.line

    def problem(self, field_name: str | None, message: str) -> None:
        line = self.data.line_of(field_name) if field_name else self.line
        self.ctx.problem(self.file, line, field_name, message)

    def warn(self, field_name: str | None, message: str) -> None:
        self.ctx.warn(self.file, self.data.line_of(field_name) if field_name else self.line, field_name, message)

    def entries(self, key: str, what: str, entry: str) -> list[Record]:
        """A list of mappings under `key` (history, decisions, corrections, ...), each a Record."""
        raw = self.data.get(key)
        if raw is not None and not isinstance(raw, list):
            self.problem(key, f"{self.label}: expected a list of {what}, found {type_name(raw)}")
        found = []
        for index, item in enumerate(raw if isinstance(raw, list) else []):
            if isinstance(item, LineDict):
                found.append(Record(self.ctx, self.file, item, f"{self.label}, {entry} {index + 1}"))
            else:
                self.ctx.problem(
                    self.file,
                    raw.line_of(index),
                    key,
                    f"{self.label}, {entry} {index + 1}: expected a mapping of fields",
                )
        return found

    def check_fields(self, allowed: tuple[str, ...], required: tuple[str, ...]) -> None:
        for key in self.data:
            if key not in allowed:
                self.ctx.problem(
                    self.file,
                    self.data.line_of(key),
                    None,
                    f"{self.label}: unknown field '{key}'; the fields are {', '.join(allowed)}",
                )
        for key in required:
            value = self.data.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                self.ctx.problem(self.file, self.line, key, f"{self.label}: this field is required")


def repeats(items, key: Callable) -> list[tuple]:
    """(item, the first item with the same key) for each later one; a key of None is no key."""
    first: dict = {}
    return [
        (item, first[k]) for item in items if (k := key(item)) is not None and first.setdefault(k, item) is not item
    ]


def from_iso(text: str) -> dt.date | dt.datetime | None:
    """A date or a date and time written in ISO 8601 as text ("2026-01-01", or
    "2026-01-01T10:00:00Z"): what a quoted date in YAML is; None if it is not one, or is
    impossible ("2026-02-30")."""
    text = text.strip()
    for parse in (dt.date.fromisoformat, dt.datetime.fromisoformat):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def as_datetime(value) -> dt.datetime | None:
    """A date and time from a file as naive UTC (a date alone: 09:00 that day), written as
    YAML writes one or quoted in ISO 8601; None for anything else."""
    if isinstance(value, str):
        value = from_iso(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(9, 0))
    return None


def type_name(value) -> str:
    if isinstance(value, (dict, LineDict)):
        return "a mapping"
    if isinstance(value, (list, LineList)):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dt.date):
        return "a date"
    return type(value).__name__


def records_of(ctx: LoadContext, file: str, data, what: str) -> list[Record]:
    """The mappings of a YAML list file, reporting anything else."""
    if data is None:
        return []
    if not isinstance(data, list):
        ctx.problem(file, getattr(data, "line", 1), None, f"expected a list of {what}, found {type_name(data)}")
        return []
    records = []
    for index, item in enumerate(data):
        if not isinstance(item, LineDict):
            ctx.problem(
                file,
                data.line_of(index),
                None,
                f"item {index + 1}: expected a mapping of fields, found {type_name(item)}",
            )
            continue
        records.append(Record(ctx, file, item, f"item {index + 1}"))
    return records
