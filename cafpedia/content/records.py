"""What every content section shares: the load's context (its problems and warnings, what
each section read), the checked fields of one mapping from a file (`Record`), a record
type's fields declared once (`Field`, `Schema`: the file's key, the model's attribute, its
rule, whether it is left out when empty), and the section's shape (`Section`). Sections
import this, never the loader; content imports no domain."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import inspect as sa_inspect

from cafpedia.content.yamlfiles import LineDict, LineList, YamlProblem, read_yaml_file
from cafpedia.core.text import has_control_characters


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


def write_file(root: Path, relative: str, text: str) -> str:
    """Write a file of an export (its folder made); returns its relative path."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return relative


# --- A record's fields, declared once ---------------------------------------------------

Rule = Callable[["Record", str], Any]


@dataclass(frozen=True)
class Field:
    """One field of a record type: `key` in the file, `attr` on the model (the key's name if
    not given), the `rule` that reads and checks the file's value, `omit` when the file
    leaves it out when it is None or "", and `dump`, the model's value as the file writes it."""

    key: str
    rule: Rule
    attr: str = ""
    omit: bool = False
    dump: Callable[[Any], Any] | None = None
    required: bool = False

    @property
    def name(self) -> str:
        return self.attr or self.key


class Schema:
    """A record type's fields, in the file's order: what reading, checking, applying and
    writing a file of that type are driven by."""

    def __init__(self, *fields: Field, allowed: tuple[str, ...] = (), label: str = ""):
        self.fields, self.label = fields, label  # label: names a record by its first field ("user {}")
        self.keys = tuple(f.key for f in fields) + allowed
        self.required = tuple(f.key for f in fields if f.required)

    def __getitem__(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)

    def read(self, record: Record, *skip: str, **values) -> SimpleNamespace:
        """Every field through its rule, the file's unknown and missing fields reported first;
        `skip` leaves keys to be read otherwise, `values` gives a field's value instead."""
        if self.label and (first := self.fields[0]).name not in values:
            values[first.name] = named = first.rule(record, first.key)
            record.label = self.label.format(named) if named else record.label
        record.check_fields(self.keys, self.required)
        return self.values(record, *skip, **values)

    def values(self, record: Record, *skip: str, **values) -> SimpleNamespace:
        """The fields through their rules, without checking which fields the file has."""
        read = {f.name: f.rule(record, f.key) for f in self.fields if f.key not in skip and f.name not in values}
        return SimpleNamespace(**read, **values)

    def write(self, source, *only: str, **values) -> dict:
        """The file's fields from a model (or a record read by `read`), in the declared order;
        `values` gives a field's value (or adds a field) instead; `only` keeps those keys."""
        row = {}
        for f in self.fields:
            if only and f.key not in only:
                continue
            value = values.pop(f.key) if f.key in values else (f.dump or _same)(getattr(source, f.name))
            if not (f.omit and (value is None or value == "")):
                row[f.key] = value
        return row | {key: value for key, value in values.items() if key not in self.keys}

    def assign(self, target, values, *names: str) -> None:
        """Set the model's attributes from what was read: `names`, or every field the record
        has whose attribute is one of the model's columns (relations are the section's to set)."""
        names = names or tuple(sa_inspect(type(target)).column_attrs.keys())
        for f in self.fields:
            if f.name in names and hasattr(values, f.name):
                setattr(target, f.name, getattr(values, f.name))


def _same(value):
    return value


def text(
    max_length: int, check: Callable[[str], str | None] | None = None, *, empty=None, strip=False, labelled=False
) -> Rule:
    """Text of at most `max_length`; `check` is the form's rule for it (a problem, or None)."""

    def rule(record: Record, key: str):
        value = record.text(key, max_length=max_length)
        if value and check and (problem := check(value)):
            record.problem(key, f"{record.label}: {problem}" if labelled else problem)
        return (value.strip() if strip else value) if value else empty

    return rule


def text_list(max_length: int, check: Callable[[list[str]], str | None] | None = None, *, labelled=False) -> Rule:
    def rule(record: Record, key: str):
        values = record.text_list(key, max_length=max_length)
        if check and key in record.data and (problem := check(values)):
            record.problem(key, f"{record.label}: {problem}" if labelled else problem)
        return values

    return rule


def one_of(choices: tuple[str, ...], default: str | None = None, *, labelled=False, max_length: int = 16) -> Rule:
    """One of `choices` (the model's), `default` when left out."""
    return text(
        max_length,
        lambda v: None if v in choices else f"expected one of {', '.join(choices)}, found {v}",
        empty=default,
        labelled=labelled,
    )


def flag(default: bool) -> Rule:
    return lambda record, key: record.flag(key, default)


def whole_number(low: int, high: int, *, required: bool = False) -> Rule:
    return lambda record, key: record.whole_number(key, low=low, high=high, required=required)


def date() -> Rule:
    return lambda record, key: record.date(key)


def when(message: str = "expected a date and time") -> Rule:
    """A date and time (a date alone: 09:00 that day), or None when left out."""

    def rule(record: Record, key: str):
        value = as_datetime(record.data.get(key))
        if value is None and record.data.get(key) is not None:
            record.problem(key, f"{record.label}: {message}")
        return value

    return rule


def kept(record: Record, key: str):
    """The file's value as it is (checked elsewhere)."""
    return record.data.get(key)


class Record:
    """One mapping from a file, with checked accessors that report problems."""

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

    def text(self, key: str, *, max_length: int, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, float):
            # 5.10 would silently become 5.1: numbers with a point must be quoted.
            self.problem(key, f'{self.label}: write {value!r} in quotes, as text ("{value}")')
            return None
        if not isinstance(value, str):
            self.problem(key, f"{self.label}: expected text, found {type_name(value)}")
            return None
        if has_control_characters(value):
            self.problem(key, f"{self.label}: the text holds a control character or an invalid escape")
            return None
        if len(value) > max_length:
            self.problem(key, f"{self.label}: at most {max_length} characters allowed, found {len(value)}")
            return None
        if required and not value.strip():
            self.problem(key, f"{self.label}: this field is required")
            return None
        return value

    def text_list(self, key: str, *, max_length: int = 200) -> list[str]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(key, f"{self.label}: expected a list such as [a, b], found {type_name(value)}")
            return []
        items = []
        for item in value:
            if not isinstance(item, str) or not item or len(item) > max_length or has_control_characters(item):
                self.problem(
                    key, f"{self.label}: every item must be text of 1 to {max_length} characters, found {item!r}"
                )
                continue
            items.append(item)
        return items

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(key, f"{self.label}: expected true or false, found {value!r}")
            return default
        return value

    def whole_number(self, key: str, *, low: int, high: int, required: bool = False) -> int | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problem(key, f"{self.label}: this field is required")
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.problem(key, f"{self.label}: expected a whole number from {low} to {high}, found {value!r}")
            return None
        return value

    def date(self, key: str) -> dt.date | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str):  # quoted, as many YAML writers write dates
            value = from_iso(value)
        if isinstance(value, dt.datetime):
            value = value.date()
        if not isinstance(value, dt.date):
            self.problem(key, f"{self.label}: expected a date written YYYY-MM-DD, found {self.data.get(key)!r}")
            return None
        return value


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
