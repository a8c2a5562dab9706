"""Search backends behind one small interface (see `Backend`)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cafpedia.search.documents import SearchDocument
from cafpedia.search.plan import SearchPlan
from cafpedia.search.visibility import Visibility as Visibility  # who is searching: see visibility.py

# Matches are counted exactly up to this many; past it, a search says "more than 1,000 results",
# and its facets name the kinds and areas present without numbers (as large search engines do:
# nobody reads "34,748 results", and counting them is what cost). Read as `backends.COUNT_LIMIT`
# when searching, so that tests can lower it.
COUNT_LIMIT = 1000
# A text's words looked up to find documents like it (`Backend.similar`): its rarest in the
# index among the first SIMILAR_WORDS distinct ones, so a long text costs no more than a short one.
SIMILAR_TERMS = 12
SIMILAR_WORDS = 60
SIMILAR_BODY_CHARS = 2000  # of a similar document's text, returned for comparing wordings


@dataclass
class Hit:
    key: str
    kind: str
    title: str
    url: str
    snippet: str  # safe HTML: the text escaped, the matches in <mark>
    area: str
    area_title: str
    status: str
    updated_at: datetime | None


def distinctive(words: list[str], frequency) -> list[str]:
    """The SIMILAR_TERMS rarest of the first SIMILAR_WORDS distinct words that some document
    holds (`frequency(word)`: in how many), the earlier first on a tie."""
    first = list(dict.fromkeys(words))[:SIMILAR_WORDS]
    counted = [(frequency(w), i, w) for i, w in enumerate(first)]
    return [w for n, _, w in sorted(c for c in counted if c[0] > 0)[:SIMILAR_TERMS]]


@dataclass
class Similar:
    """A document that may say the same as a text (`Backend.similar`): `score` orders them within
    one answer only (each backend scores its own way); `body` is the start of its text, for
    comparing the wording."""

    key: str
    kind: str
    title: str
    url: str
    status: str
    area: str
    area_title: str
    score: float
    body: str = ""


@dataclass
class BackendResults:
    """A backend gives `total` as counted, exactly up to COUNT_LIMIT or past it (Whoosh counts
    every match; PostgreSQL stops one past the bound), and the facet counts of what it counted.
    Past the bound, they become what a search shows: `total` COUNT_LIMIT (the pages go that far),
    `total_exact` False, and each facet value None (present among the matches, not counted)."""

    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int | None]]
    total_exact: bool = True

    def __post_init__(self):
        if self.total > COUNT_LIMIT:
            self.total, self.total_exact = COUNT_LIMIT, False
        if not self.total_exact:
            self.facets = {name: dict.fromkeys(values) for name, values in self.facets.items()}


class SearchUnavailable(Exception):
    """The index cannot answer; the message says why, plainly."""


class IndexWriter(Protocol):
    """Changes to the index by the one process that holds its lock (see `Backend.writing`)."""

    def write(self, add: list[SearchDocument], delete: list[str]) -> None: ...

    def commit(self) -> None:
        """Make the writes permanent; the drain then moves the index's cursor past the rows it applied."""


class Backend(Protocol):
    def status(self) -> str: ...

    def document_count(self) -> int: ...

    def check_now(self) -> str:
        """status(), checked afresh rather than remembered (for the health check)."""

    def index_name(self) -> str:
        """The name of the index's cursor in the change log (SearchUnavailable if missing)."""

    def writing(self, *, timeout: float) -> AbstractContextManager[IndexWriter | None]:
        """Hold the index's one write lock for a whole drain batch: reading the queue, building
        the documents from the database and writing them. None if another process keeps it
        for `timeout` seconds. Leaving without `commit()` discards the writes."""

    def rebuild(
        self, documents, *, total: int | None = None, progress=None, only_if_needed: bool = False, wait: bool = True
    ) -> int | None: ...

    def fingerprints(self, keys: list[str] | None = None) -> dict[str, str | None]:
        """key -> fingerprint of the documents in the index (of these keys only, if given)."""

    def search(self, query: SearchPlan, visibility: Visibility, *, page: int, per_page: int) -> BackendResults: ...

    def count(self, query: SearchPlan, visibility: Visibility, *, limit: int) -> int:
        """How many documents the reader may see match, at most `limit`."""

    def similar(
        self,
        text: str,
        visibility: Visibility,
        *,
        kinds: tuple[str, ...] = ("tip",),
        limit: int = 5,
        exclude_keys: tuple[str, ...] = (),
    ) -> list[Similar]:
        """The documents of `kinds` the reader may see (archived ones only if asked) that share
        the most distinctive words of `text` (at most SIMILAR_TERMS of them, any one
        enough), best first, at most `limit`, none of `exclude_keys`."""

    def vocabulary(self) -> list[str]:
        """The words documents were written with, in lower case (for correcting misspelt words)."""
