"""Loading and exporting a content folder, all or nothing.

A load runs in three steps. `read`: each section parses and checks its own files, adding
every problem it finds (file, line, field, what is expected). `check`: sections check
references between files and against the database. Only if no problem was found does
`apply` write, inside the caller's transaction; the caller commits (or rolls back).
Loading the same folder twice writes nothing the second time.

The sections are the ones create_app registers (`register_sections`), in the order they
are applied; the loader knows no domain.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from contextlib import nullcontext
from pathlib import Path

from flask import Flask, current_app

from cafpedia.content.records import ContentError, LoadContext, Problem, Section
from cafpedia.core import audit
from cafpedia.extensions import db

__all__ = [
    "ContentError",
    "LoadContext",
    "Problem",
    "SectionMissing",
    "describe_counts",
    "export_folder",
    "load_folder",
    "register_sections",
    "sections",
]
KEY = "cafpedia.content_sections"


class SectionMissing(RuntimeError):
    """The registered sections are not the whole content format: nothing is loaded or exported."""


def register_sections(app: Flask, registered: Iterable[Section]) -> None:
    """The content format's sections, in the order they are applied (things referred to first)."""
    app.extensions[KEY] = list(registered)


def sections() -> list[Section]:
    """The registered sections, each with every section it refers to; else SectionMissing."""
    registered = current_app.extensions.get(KEY)
    if not registered:
        raise SectionMissing("no content sections are registered: create_app lists them (register_sections)")
    names = {s.name for s in registered}
    for section in registered:
        if missing := [n for n in section.needs if n not in names]:
            raise SectionMissing(
                f"the content section '{section.name}' refers to {', '.join(missing)}, which is not registered: "
                "add it to create_app's list of content sections"
            )
    return registered


def load_folder(root: Path | str, actor=None) -> LoadContext:
    """Load a content folder into the current transaction, or raise ContentError."""
    root = Path(root)
    ctx = LoadContext(root=root, actor=actor)
    all_sections = sections()
    if not root.is_dir():
        ctx.problem(str(root), None, None, "there is no such folder")
        raise ContentError(ctx.problems)
    for section in all_sections:
        section.read(ctx)
    if not ctx.problems:
        for section in all_sections:
            section.check(ctx)
    if ctx.problems:
        raise ContentError(ctx.problems)
    with audit.not_recording() if ctx.keep_audit_from_file else nullcontext():
        for step in ("apply", "apply_links"):
            for section in all_sections:
                getattr(section, step)(ctx)
                db.session.flush()
    return ctx


def export_folder(root: Path | str) -> list[str]:
    """Write the whole knowledge base to `root`; returns the files written."""
    all_sections = sections()
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    return [name for section in all_sections for name in section.export(root)]


def describe_counts(ctx: LoadContext) -> str:
    totals: dict[str, Counter] = defaultdict(Counter)
    for (what, outcome), n in ctx.counts.items():
        totals[what][outcome] += n
    parts = (
        ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()) if n) for outcomes in totals.values()
    )
    return "; ".join(f"{what}: {detail}" for what, detail in zip(totals, parts, strict=True)) or "nothing to load"
