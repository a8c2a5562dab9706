"""audit.jsonl: the audit trail in a content folder, one entry per line, hash chain and all.

Export writes every entry, oldest first. A load into an installation whose own trail is empty
brings the trail in exactly as written (ids and hashes included), after checking that every
line chains to the one before; the load's own entries are then not recorded, since the trail
already tells how the content came to be. So export, load into an empty installation, export
gives the same bytes. Into an installation with a trail of its own, audit.jsonl is left out
with a warning (one chain cannot hold two), and the load is recorded as usual.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from cafpedia.content.records import LoadContext, Section
from cafpedia.core import audit, audit_chain

FILE = "audit.jsonl"
TEXT_FIELDS = {"actor_name": 64, "action": 64, "object_type": 32, "object_ref": 200, "summary": 100_000}


class AuditSection(Section):
    """Last in the list: the trail comes in after the accounts it names. `actor_ids` gives
    every account's id by username (the accounts domain knows them; content does not)."""

    name = "audit"
    needs = ("users",)

    def __init__(self, actor_ids: Callable[[], dict[str, int]]):
        self.actor_ids = actor_ids

    def read(self, ctx: LoadContext) -> None:
        path = ctx.root / FILE
        ctx.records[self.name] = None
        if not path.is_file():
            return
        entries, prev = [], ""
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError as exc:
            ctx.problem(FILE, None, None, f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})")
            return
        for number, line in enumerate(lines, start=1):
            entry = _entry(ctx, number, line, prev)
            if entry is None:
                return  # a chain is read in order: after a broken link, nothing else can be checked
            entries.append(entry)
            prev = entry["hash"]
        ctx.records[self.name] = entries

    def check(self, ctx: LoadContext) -> None:
        entries = ctx.records[self.name]
        if entries is not None and audit_chain.entry_count():
            ctx.warn(
                FILE,
                None,
                None,
                f"not loaded: this installation has an audit trail of its own ({audit_chain.entry_count()} entries), "
                "and one chain cannot hold two; the load is recorded in this installation's trail as usual",
            )
            ctx.records[self.name] = None
        ctx.keep_audit_from_file = ctx.records[self.name] is not None

    def apply(self, ctx: LoadContext) -> None:
        entries = ctx.records[self.name]
        if entries is None:
            return
        audit_chain.adopt(entries, self.actor_ids())
        report = audit_chain.verify()
        if not report.intact:  # cannot happen for a file that was checked; if it does, nothing is kept
            raise RuntimeError(f"the audit trail brought in from {FILE} does not verify: {report.message}")
        ctx.count("audit entries", "loaded", len(entries))

    def export(self, root: Path) -> list[str]:
        if not audit_chain.entry_count():
            return []
        with (root / FILE).open("w", encoding="utf-8", newline="\n") as out:
            for line in audit_chain.file_lines():
                out.write(line + "\n")
        return [FILE]


def _entry(ctx: LoadContext, number: int, line: str, prev: str) -> dict | None:
    """One line, checked: its fields, and its link to the line before. None (and a problem) if not."""
    try:
        entry = json.loads(line)
    except json.JSONDecodeError as exc:
        ctx.problem(FILE, number, None, f"not a JSON object ({exc.msg}, column {exc.colno})")
        return None
    problem = _shape_problem(entry)
    at = _utc(entry.get("at")) if problem is None else None
    if problem is None and at is None:
        problem = ("at", "a date and time in UTC like 2026-11-23T10:00:00.000000")
    if problem is None and entry["prev_hash"] != prev:
        problem = (
            "prev_hash",
            "does not chain: it is not the hash of the line before"
            if number > 1
            else "the first entry has an empty prev_hash",
        )
    if (
        problem is None
        and audit.entry_digest(prev, audit.hashed_fields(at, *(entry[f] for f in audit.HASHED_FIELDS[1:])))
        != entry["hash"]
    ):
        problem = ("hash", "does not match the entry: it was changed after it was written")
    if problem is not None:
        ctx.problem(FILE, number, *problem)
        return None
    return entry | {"at": at}


def _shape_problem(entry) -> tuple[str | None, str] | None:
    """(field, what is wrong) with an entry's fields and their types, or None."""
    if not isinstance(entry, dict) or set(entry) != set(audit_chain.FILE_FIELDS):
        return None, f"an entry has exactly the fields {', '.join(audit_chain.FILE_FIELDS)}"
    if not isinstance(entry["id"], int) or isinstance(entry["id"], bool) or entry["id"] < 1:
        return "id", "a whole number from 1"
    for field, limit in TEXT_FIELDS.items():
        if not isinstance(entry[field], str) or len(entry[field]) > limit:
            return field, f"text of at most {limit} characters"
    for field in ("before", "after"):
        if entry[field] is not None and not isinstance(entry[field], dict):
            return field, "an object, or null"
    return None


def _utc(value) -> dt.datetime | None:
    """A naive date and time (CAFpedia's UTC), or None."""
    try:
        at = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return at if at is not None and at.tzinfo is None else None
