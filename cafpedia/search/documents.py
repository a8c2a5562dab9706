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


# --- The Sources the index follows ------------------------------------------------------------
#
# Each domain gives search its documents through a `Source` in its own search_documents.py;
# create_app lists them and hands the list to `search.init_app` (as it lists content sections):
# search knows no domain's models, and nothing registers itself by being imported.


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
    # a changed object -> the id of the area it renames (None: none): every document that shows
    # that area's name, whichever Source gives it, is then refreshed too
    renames_area: Callable[[object], int | None] = lambda obj: None


class UnknownKind(LookupError):
    """A document key of a kind no Source in the app's list answers for."""

    def __init__(self, key: str):
        kind = key.partition(":")[0]
        super().__init__(
            f"no search Source gives documents of kind {kind!r} (key {key!r}): "
            "is its Source missing from the list create_app passes to search.init_app?"
        )
        self.key, self.kind = key, kind


class Sources:
    """The Sources an app's index follows, in the order given (a rebuild's order)."""

    def __init__(self, sources: Iterable[Source]):
        self.sources = tuple(sources)
        self._by_kind: dict[str, Source] = {}
        for source in self.sources:
            for kind in source.kinds:
                if kind in self._by_kind:
                    raise ValueError(f"two search Sources give documents of kind {kind!r}")
                self._by_kind[kind] = source

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(self._by_kind)

    def source_for(self, key: str) -> Source:
        """The Source of a document key; UnknownKind if none gives its kind."""
        source = self._by_kind.get(key.partition(":")[0])
        if source is None:
            raise UnknownKind(key)
        return source

    def keys_for(self, obj, session: Session) -> list[str]:
        """The document keys to refresh when this database object changes (empty: not indexed)."""
        for source in self.sources:
            keys = source.keys_for(obj)
            if keys is not None:
                area_id = source.renames_area(obj)
                return keys if area_id is None else [*keys, *self.keys_showing_area(session, area_id)]
        return []

    def keys_showing_area(self, session: Session, area_id: int) -> list[str]:
        """Every document that shows this area's name."""
        with session.no_autoflush:
            return [key for source in self.sources for key in source.keys_showing_area(session, area_id)]

    def documents_for_key(self, key: str) -> list[SearchDocument]:
        """The current documents behind a key: none if it should leave the index; UnknownKind
        if no Source gives its kind."""
        kind, _, rest = key.partition(":")
        return self.source_for(key).documents(kind, rest)

    def all_documents(self) -> Iterator[SearchDocument]:
        """Every document, for a full rebuild; UnknownKind for one whose key no Source claims."""
        for source in self.sources:
            for document in source.every_document():
                if document.key.partition(":")[0] not in source.kinds:
                    raise UnknownKind(document.key)
                yield document

    def count(self) -> int:
        return sum(source.count() for source in self.sources)
