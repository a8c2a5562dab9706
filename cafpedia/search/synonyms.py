"""The synonym list search uses, which lead managers and administrators edit on a page.

Saved lists are rows of `search_synonym_lists` (the newest is in use; none: the built-in
`synonyms.txt`). Synonyms apply when searching, so a saved change takes effect at the next
search in every process: each search reads the newest list's text (a few kilobytes) and
parses it only when it changed.
"""

from __future__ import annotations

from functools import lru_cache

from flask import has_app_context
from sqlalchemy import select

from cafpedia.core import audit
from cafpedia.core.content_version import kept
from cafpedia.core.errors import ValidationError
from cafpedia.core.text import has_control_characters
from cafpedia.extensions import db
from cafpedia.search.models import SynonymList
from cafpedia.search.query import SYNONYMS_FILE

MAX_LINES = 2000
MAX_VARIANT = 80
_cache: dict[str, tuple[tuple[str, ...], ...]] = {}


def parse_groups(text: str) -> tuple[tuple[tuple[str, ...], ...], list[str]]:
    """(the groups, each a tuple of variants in lower case; the problems, each naming its line)."""
    groups, problems, seen = [], [], {}
    lines = (text or "").splitlines()
    if len(lines) > MAX_LINES:
        return (), [f"at most {MAX_LINES:,} lines"]
    for number, line in enumerate(lines, start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if has_control_characters(line):
            problems.append(f"line {number}: a control character")
            continue
        variants = tuple(dict.fromkeys(" ".join(v.split()).lower() for v in line.split("|") if v.strip()))
        if len(variants) < 2:
            problems.append(f"line {number}: a group needs at least two variants separated by |, as in: section 7 | s7")
            continue
        for variant in variants:
            if len(variant) > MAX_VARIANT:
                problems.append(f"line {number}: “{variant[:30]}…” is longer than {MAX_VARIANT} characters")
            elif variant in seen:
                problems.append(f"line {number}: “{variant}” is already in the group on line {seen[variant]}")
            else:
                seen[variant] = number
        groups.append(variants)
    return tuple(groups), problems


def current_text() -> tuple[str, SynonymList | None]:
    saved = db.session.scalar(select(SynonymList).order_by(SynonymList.id.desc()).limit(1))
    return (saved.text, saved) if saved else (_built_in(), None)


@lru_cache(maxsize=1)
def _built_in() -> str:
    return SYNONYMS_FILE.read_text(encoding="utf-8")


def current_groups() -> tuple[tuple[str, ...], ...]:
    """The groups in use: the newest saved list's text (kept while the content version stands:
    a saved list moves it), parsed once per text, so a list saved through any process applies
    at the next search in all of them."""
    text = (
        kept(
            ("synonym list",),
            lambda: db.session.scalar(select(SynonymList.text).order_by(SynonymList.id.desc()).limit(1)),
        )
        if has_app_context()
        else None
    )
    text = _built_in() if text is None else text
    if text not in _cache:
        _cache.clear()
        _cache[text] = parse_groups(text)[0]
    return _cache[text]


def save(actor, text: str) -> SynonymList:
    groups, problems = parse_groups(text)
    if problems:
        raise ValidationError(
            {"text": "; ".join(problems[:8]) + (f"; and {len(problems) - 8} more" if len(problems) > 8 else "") + "."}
        )
    before = len(current_groups())
    saved = SynonymList(text=(text or "").replace("\r\n", "\n"), saved_by_id=getattr(actor, "id", None))
    db.session.add(saved)
    db.session.flush()
    audit.record(
        actor,
        "search.synonyms",
        "search",
        "synonyms",
        summary=f"Synonym list saved: {len(groups)} groups (was {before}).",
        before={"groups": before},
        after={"groups": len(groups)},
    )
    return saved
