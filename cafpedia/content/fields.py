"""A record type's fields, declared once (`Field`, in a `Schema`): the file's key, the model's
attribute, the rule that reads and checks the file's value (a form's rule where there is one:
`check`), and whether the file leaves it out when empty. Reading, checking, applying and
writing a file of that type are driven by the declaration."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import inspect as sa_inspect

from cafpedia.content.records import Record, as_datetime, from_iso, type_name
from cafpedia.core.text import has_control_characters

Rule = Callable[[Record, str], Any]
Check = Callable[[Any], str | None]  # a problem with a value, or None


@dataclass(frozen=True)
class Field:
    """One field of a record type: `key` in the file, `attr` on the model (the key's name if
    not given), the `rule` that reads and checks the file's value, `omit` when the file
    leaves it out when it is None or "", `dump`, the model's value as the file writes it, and
    `fixed` when a load sets it on a row it creates, never on one that exists."""

    key: str
    rule: Rule
    attr: str = ""
    omit: bool = False
    dump: Callable[[Any], Any] | None = None
    required: bool = False
    fixed: bool = False

    @property
    def name(self) -> str:
        return self.attr or self.key


class Schema:
    """A record type's fields, in the file's order: what reading, checking, applying and
    writing a file of that type are driven by. `allowed`: keys read otherwise (never written);
    `label`: names a record by its first field ("user {}")."""

    def __init__(self, *fields: Field, allowed: tuple[str, ...] = (), label: str = ""):
        self.fields, self.label = fields, label
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
        for f in (f for f in self.fields if not only or f.key in only):
            value = values.pop(f.key) if f.key in values else (f.dump or _same)(getattr(source, f.name))
            if not (f.omit and (value is None or value == "")):
                row[f.key] = value
        return row | {key: value for key, value in values.items() if key not in self.keys}

    def assign(self, target, values, *names: str) -> None:
        """Set the model's attributes from what was read: `names`, or every field the record
        has whose attribute is one of the model's columns (relations are the section's to set)."""
        names = names or tuple(sa_inspect(type(target)).column_attrs.keys())
        for f in self.fields:
            if f.name in names and hasattr(values, f.name) and not (f.fixed and sa_inspect(target).has_identity):
                setattr(target, f.name, getattr(values, f.name))


def build(model, values, *schemas: Schema, **extra):
    """A new row of `model`: its columns from what was read (through each schema), then `extra`."""
    row = model()
    for schema in schemas:
        schema.assign(row, values)
    for key, value in extra.items():
        setattr(row, key, value)
    return row


def _same(value):
    return value


def _report(record: Record, key: str, check: Check | None, value, labelled: bool) -> None:
    if check and (problem := check(value)):
        record.problem(key, f"{record.label}: {problem}" if labelled else problem)


def text(max_length: int, check: Check | None = None, *, empty=None, tidy=None, labelled=False) -> Rule:
    """Text of at most `max_length` (a number is taken as text; one with a point must be quoted,
    or 5.10 would silently become 5.1), made `tidy` (e.g. str.strip) before it is checked;
    `empty` when left out or empty."""

    def rule(record: Record, key: str):
        value = record.data.get(key)
        value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if isinstance(value, float):
            problem = f'write {value!r} in quotes, as text ("{value}")'
        elif value is not None and not isinstance(value, str):
            problem = f"expected text, found {type_name(value)}"
        elif value is not None and has_control_characters(value):
            problem = "the text holds a control character or an invalid escape"
        elif value is not None and len(value) > max_length:
            problem = f"at most {max_length} characters allowed, found {len(value)}"
        else:
            value = tidy(value) if value and tidy else value
            if value:
                _report(record, key, check, value, labelled)
            return value or empty
        record.problem(key, f"{record.label}: {problem}")
        return empty

    return rule


def text_list(max_length: int, check: Check | None = None, *, labelled=False) -> Rule:
    """A list of texts, each of 1 to `max_length` characters."""

    def rule(record: Record, key: str) -> list[str]:
        value = record.data.get(key)
        if value is not None and not isinstance(value, list):
            record.problem(key, f"{record.label}: expected a list such as [a, b], found {type_name(value)}")
        items = []
        for item in value if isinstance(value, list) else []:
            if not isinstance(item, str) or not item or len(item) > max_length or has_control_characters(item):
                record.problem(
                    key, f"{record.label}: every item must be text of 1 to {max_length} characters, found {item!r}"
                )
            else:
                items.append(item)
        if key in record.data:
            _report(record, key, check, items, labelled)
        return items

    return rule


def one_line(text: str) -> str:
    """Text with its runs of spaces and new lines made single spaces."""
    return " ".join(text.split())


def one_of(choices: tuple[str, ...], default: str | None = None, *, labelled=False, max_length: int = 16) -> Rule:
    """One of `choices` (the model's), `default` when left out."""
    return text(
        max_length,
        lambda v: None if v in choices else f"expected one of {', '.join(choices)}, found {v}",
        empty=default,
        labelled=labelled,
    )


def flag(default: bool) -> Rule:
    def rule(record: Record, key: str) -> bool:
        value = record.data.get(key)
        if value is not None and not isinstance(value, bool):
            record.problem(key, f"{record.label}: expected true or false, found {value!r}")
        return value if isinstance(value, bool) else default

    return rule


def whole_number(low: int, high: int, *, required: bool = False) -> Rule:
    def rule(record: Record, key: str) -> int | None:
        value = record.data.get(key)
        if value is None and required:
            record.problem(key, f"{record.label}: this field is required")
        elif value is not None and (not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high):
            record.problem(key, f"{record.label}: expected a whole number from {low} to {high}, found {value!r}")
            return None
        return value

    return rule


def date(record: Record, key: str) -> dt.date | None:
    """A date, written as YAML writes one or quoted (as many YAML writers write dates)."""
    value = record.data.get(key)
    parsed = from_iso(value) if isinstance(value, str) else value
    parsed = parsed.date() if isinstance(parsed, dt.datetime) else parsed
    if value is not None and not isinstance(parsed, dt.date):
        record.problem(key, f"{record.label}: expected a date written YYYY-MM-DD, found {value!r}")
        return None
    return parsed


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
