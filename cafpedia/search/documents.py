"""What the search index holds: one `SearchDocument` per thing a reader can find.

Each kind of content provides its documents here, built from the database (the truth);
the index can always be rebuilt from them. A document's `key` names it for updates:
`tip:<slug>` for a tip as readers see it, `proposal:<slug>:<n>` for a pending proposal,
`area:<slug>`, `clause:<version>:<code>`, `digest:<issue>:<item>` for a published digest item, `legal:<slug>` for a
legal update,
`expert:<slug>` for an expert on the register (found by name, skill and area; never by contact details).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from cafpedia.core.markdown import index_text

# Ranking: area and standard pages are signposts, digest items and legal updates background, so
# on a near tie the tip or guidance that answers the question comes first. Both backends
# multiply a document's score by its kind's weight.
KIND_WEIGHTS = {"area": 0.8, "standard": 0.8, "research": 0.85, "legal": 0.85, "expert": 0.8}
WORD_RE = re.compile(r"[^\W\d_][^\W\d_']{2,40}")  # words of letters, accented ones too (Climbié)
KIND_LABELS = {
    "tip": "Practice tip",
    "guidance": "Guidance",
    "area": "Practice area",
    "standard": "National Standard",
    "research": "Research digest",
    "legal": "Legal update",
    "expert": "Expert on the advice line",
}


@dataclass
class SearchDocument:
    key: str
    kind: str
    title: str
    body: str
    url: str
    status: str = "published"  # published | pending | archived
    area: str = ""  # area slug: the first it is filed under, shown with it
    area_title: str = ""
    areas: list[str] = field(default_factory=list)  # every area it is filed under, `area` first: found by each
    tags: list[str] = field(default_factory=list)
    standards: list[str] = field(default_factory=list)
    updated_at: datetime | None = None
    # For pending proposals: who may see them (their author and the area's moderators).
    author_id: int | None = None
    area_id: int | None = None
    extra: str = ""  # legal references, citations, synonyms of the title: searchable, not shown
    keywords: str = ""  # words that count as much as the title, not shown: a legal update's citations

    def __post_init__(self) -> None:
        if not self.areas and self.area:
            self.areas = [self.area]

    def index_body(self) -> str:
        """The text to index and to cut snippets from: Markdown without its syntax."""
        return (
            index_text(self.body)
            if self.kind in ("tip", "guidance", "area", "research", "legal", "expert")
            else self.body
        )

    def spelling_words(self, body: str | None = None) -> set[str]:
        """The words a misspelt word may be corrected to, as written (lower case), from title and body."""
        return set(WORD_RE.findall(f"{self.title} {self.index_body() if body is None else body}".lower()))

    def index_extra(self) -> str:
        """Searchable words that are not shown: references, and the tags as words."""
        return " ".join([self.extra, *self.tags]).replace("-", " ")

    def fingerprint(self) -> str:
        """SHA-256 of everything the document holds: stored with it in the index, so that
        `cafpedia reindex --check` can tell whether the index still says what the database says."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, default=str).encode()).hexdigest()


# --- The registry the index follows ---------------------------------------------------------
#
# Each domain gives search its documents through a `Source` in its own search_documents.py,
# registered when the app is built (cafpedia.create_app imports them), as content sections
# are: search knows no domain's models.


@dataclass(frozen=True)
class Source:
    """One kind of content's documents."""

    kinds: tuple[str, ...]  # the first part of the keys it answers, such as ("tip", "proposal")
    documents: Callable[[str, str], list[SearchDocument]]  # (kind, rest of the key) -> the current documents
    every_document: Callable[[], Iterable[SearchDocument]]  # for a full rebuild
    count: Callable[[], int]  # how many documents every_document gives
    keys_for: Callable[[object], list[str] | None]  # a changed object -> the keys to refresh; None: not this source's
    # (session, area id) -> the keys of documents that show that area's name
    keys_showing_area: Callable[[Session, int], list[str]] = lambda session, area_id: []


SOURCES: list[Source] = []


def register(source: Source) -> Source:
    if source not in SOURCES:
        SOURCES.append(source)
    return source


def keys_for(obj) -> list[str]:
    """The document keys to refresh when this database object changes (empty: not indexed)."""
    for source in SOURCES:
        keys = source.keys_for(obj)
        if keys is not None:
            return keys
    return []


def keys_showing_area(session, area_id: int) -> list[str]:
    """Every document that shows this area's name."""
    with session.no_autoflush:
        return [key for source in SOURCES for key in source.keys_showing_area(session, area_id)]


def documents_for_key(key: str) -> list[SearchDocument]:
    """The current documents behind a key: none if it should leave the index."""
    kind, _, rest = key.partition(":")
    source = next((s for s in SOURCES if kind in s.kinds), None)
    return source.documents(kind, rest) if source is not None else []


def all_documents() -> Iterator[SearchDocument]:
    """Every document, for a full rebuild."""
    for source in SOURCES:
        yield from source.every_document()


def count_documents() -> int:
    return sum(source.count() for source in SOURCES)
