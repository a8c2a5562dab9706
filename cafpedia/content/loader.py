"""Loading and exporting a content folder, all or nothing.

A load runs in three steps. `read`: each domain's section parses and checks its own
files, adding every problem it finds (file, line, field, what is expected). `check`:
sections check references between files and against the database. Only if no
problem was found does `apply` write, inside the caller's transaction; the caller
commits (or rolls back). Loading the same folder twice writes nothing the second time.
"""

from __future__ import annotations

from collections import Counter
from contextlib import nullcontext
from pathlib import Path

from cafpedia.accounts.content import UsersSection
from cafpedia.areas.content import AreasSection
from cafpedia.content.audit_file import AuditSection
from cafpedia.content.records import ContentError, LoadContext, Problem, Section
from cafpedia.core import audit
from cafpedia.digest.content import DigestSection
from cafpedia.experts.content import ExpertsSection
from cafpedia.extensions import db
from cafpedia.legal.content import LegalSection
from cafpedia.standards.content import StandardsSection
from cafpedia.tips.content import TipsSection

# What callers use; a section imports content.records instead (the loader imports every section).
__all__ = ["ContentError", "LoadContext", "Problem", "describe_counts", "export_folder", "load_folder", "sections"]


def sections() -> list[Section]:
    """Every section, in the order they are applied (things referred to come first)."""
    return [
        StandardsSection(),
        UsersSection(),
        AreasSection(),
        TipsSection(),
        DigestSection(),
        LegalSection(),
        ExpertsSection(),
        AuditSection(),
    ]  # last: the trail comes in after the accounts it names


def load_folder(root: Path | str, actor=None) -> LoadContext:
    """Load a content folder into the current transaction, or raise ContentError."""
    root = Path(root)
    ctx = LoadContext(root=root, actor=actor)
    if not root.is_dir():
        ctx.problem(str(root), None, None, "there is no such folder")
        raise ContentError(ctx.problems)
    all_sections = sections()
    for section in all_sections:
        section.read(ctx)
    if not ctx.problems:
        for section in all_sections:
            section.check(ctx)
    if ctx.problems:
        raise ContentError(ctx.problems)
    with audit.not_recording() if ctx.keep_audit_from_file else nullcontext():
        for section in all_sections:
            section.apply(ctx)
            db.session.flush()
        for section in all_sections:
            section.apply_links(ctx)
            db.session.flush()
    return ctx


def export_folder(root: Path | str) -> list[str]:
    """Write the whole knowledge base to `root`; returns the files written."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    for section in sections():
        written.extend(section.export(root))
    return written


def describe_counts(ctx: LoadContext) -> str:
    totals: dict[str, Counter] = {}
    for (what, outcome), n in ctx.counts.items():
        totals.setdefault(what, Counter())[outcome] += n
    parts = []
    for what, outcomes in totals.items():
        detail = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()) if n)
        parts.append(f"{what}: {detail}")
    return "; ".join(parts) or "nothing to load"
