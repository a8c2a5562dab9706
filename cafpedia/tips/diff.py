"""Word-level differences between two texts, for moderators and readers of history."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

TOKEN = re.compile(r"\S+\s*|\s+")  # a word with the space after it, so changes read as phrases
# Above this many token pairs, difflib's exact matching can take minutes on repetitive text;
# its "autojunk" heuristic (ignore very common words when lining texts up) keeps it to
# milliseconds, at the cost of coarser differences in very long pages.
EXACT_LIMIT = 1500 * 1500


@dataclass(frozen=True)
class Piece:
    op: str  # "same", "added" or "removed"
    text: str


def word_diff(old: str, new: str) -> list[Piece]:
    """The pieces that turn `old` into `new`, word by word (whitespace kept)."""
    a, b = TOKEN.findall(old or ""), TOKEN.findall(new or "")
    pieces: list[Piece] = []

    def add(op: str, tokens: list[str]) -> None:
        if not tokens:
            return
        text = "".join(tokens)
        if pieces and pieces[-1].op == op:
            pieces[-1] = Piece(op, pieces[-1].text + text)
        else:
            pieces.append(Piece(op, text))

    matcher = SequenceMatcher(None, a, b, autojunk=len(a) * len(b) > EXACT_LIMIT)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("same", a[i1:i2])
        else:
            add("removed", a[i1:i2])
            add("added", b[j1:j2])
    return pieces


def changed(pieces: list[Piece]) -> bool:
    return any(p.op != "same" for p in pieces)


def field_changes(old, new) -> list[tuple[str, str, str]]:
    """(field, before, after) for the short fields of two revisions that differ."""
    rows = []
    for name, label in (
        ("title", "Title"),
        ("kind", "Kind"),
        ("tags", "Tags"),
        ("standards", "National Standards"),
        ("legal_refs", "Legal references"),
    ):
        before = getattr(old, name, None) if old is not None else None
        after = getattr(new, name, None)
        as_text = lambda v: ", ".join(v) if isinstance(v, list) else (v or "")
        if as_text(before) != as_text(after):
            rows.append((label, as_text(before) or "—", as_text(after) or "—"))
    return rows
