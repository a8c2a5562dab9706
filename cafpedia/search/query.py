"""Reading what a person typed into the search box.

`parse_query("s7 report kind:tip \"seeing children\"")` gives the words and phrases to
find and the filters to apply. Anything that is not a known filter is searched as text,
so stray colons, unbalanced quotes or odd characters never fail. Synonyms come from
`synonyms.txt` beside this file, a list a lead manager can extend.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from cafpedia.core.text import CONTROL_CHARACTERS

SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")
FILTERS = ("kind", "area", "standard", "tag", "status")
MAX_QUERY_CHARS = 500
MAX_PARTS = 32
FILTER_RE = re.compile(r'(?<![\w:])(kind|area|standard|tag|status):("([^"]*)"|[^\s"]+)', re.I)
PHRASE_RE = re.compile(r'"([^"]+)"')


@dataclass
class ParsedQuery:
    """Words and quoted phrases to find (all required), and filters by field."""

    parts: list[str] = field(default_factory=list)  # each a word or a phrase, as typed
    phrases: set[int] = field(default_factory=set)  # indexes of parts that were quoted
    filters: dict[str, list[str]] = field(default_factory=dict)
    text: str = ""  # the query as understood, for display

    @property
    def typed(self) -> str:
        """The words and phrases as typed, without the filters."""
        return " ".join(f'"{p}"' if i in self.phrases else p for i, p in enumerate(self.parts))

    @property
    def is_empty(self) -> bool:
        return not self.parts and not self.filters


def parse_query(raw: str | None, extra_filters: dict[str, str] | None = None) -> ParsedQuery:
    text = CONTROL_CHARACTERS.sub(" ", raw or "")[:MAX_QUERY_CHARS]
    query = ParsedQuery()
    for match in FILTER_RE.finditer(text):
        name, value = match.group(1).lower(), (match.group(3) if match.group(3) is not None else match.group(2))
        value = value.strip().lower()
        if value:
            query.filters.setdefault(name, []).append(value)
    text = FILTER_RE.sub(" ", text)
    for name, value in (extra_filters or {}).items():
        value = CONTROL_CHARACTERS.sub("", value or "").strip().lower()[:80]
        if name in FILTERS and value and value not in query.filters.get(name, []):
            query.filters.setdefault(name, []).append(value)
    for match in PHRASE_RE.finditer(text):
        phrase = " ".join(match.group(1).split())
        if phrase and len(query.parts) < MAX_PARTS:
            query.phrases.add(len(query.parts))
            query.parts.append(phrase)
    text = PHRASE_RE.sub(" ", text).replace('"', " ")
    for word in text.split():
        if len(query.parts) >= MAX_PARTS:
            break
        query.parts.append(word)
    shown = [query.typed] if query.parts else []
    shown += [f"{k}:{v}" for k, values in query.filters.items() for v in values]
    query.text = " ".join(shown)
    return query
