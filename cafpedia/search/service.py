"""Search for the rest of CAFpedia: `init_app` wires an app's search (its backend, the
change log's listeners, the Sources it follows and what it asks the areas domain), and
`search` answers a query with CAFpedia's visibility rules (visibility.py). What keeps the
index following the database is the app's `IndexFollower` (follower.py), `follower()`:
drain, rebuild, ensure, prune, check and lag are its methods, whoever calls them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from cafpedia.core.observability import observe_search
from cafpedia.search import change_log
from cafpedia.search.backends import BackendResults, SearchUnavailable, Visibility
from cafpedia.search.demand import recording as demand
from cafpedia.search.documents import Source, Sources
from cafpedia.search.follower import IndexFollower, follower
from cafpedia.search.plan import plan_query
from cafpedia.search.query import ParsedQuery, parse_query
from cafpedia.search.rescue import Rewrite, rescue
from cafpedia.search.synonyms import current_groups

__all__ = ["SearchResults", "follower", "init_app", "search", "visibility_for"]

log = logging.getLogger(__name__)
PER_PAGE = 10
MAX_PAGE = 1000
AREAS = "cafpedia_search_areas"  # app.extensions[AREAS]: what search asks the areas domain


@dataclass(frozen=True)
class AreaQuestions:
    """What search asks about areas, answered by the areas domain (create_app hands them over:
    search stands below the domains and imports none)."""

    moderated_area_ids: Callable[[object], list[int] | None]  # a reader -> the areas they moderate (None: all)
    area_titles: Callable[[], dict[str, str]]  # slug -> title, for the search page's area facet
    # For search demand (search.demand): the areas an account works in (by its id), an area's id by slug.
    own_area_ids: Callable[[int], list[int]] = lambda _user_id: []
    area_id_of: Callable[[str], int | None] = lambda _slug: None


def init_app(
    app: Flask,
    *,
    sources: Iterable[Source],
    moderated_area_ids: Callable[[object], list[int] | None],
    area_titles: Callable[[], dict[str, str]],
    own_area_ids: Callable[[int], list[int]] | None = None,
    area_id_of: Callable[[str], int | None] | None = None,
) -> None:
    """The app's search: its backend followed through the change log with the documents of
    `sources` (every kind of document in the index must have its Source here: one missing
    fails a drain, a rebuild or `reindex --check` with UnknownKind)."""
    following_sources = Sources(sources)
    choice = app.config.get("SEARCH_BACKEND", "whoosh")
    if choice == "postgres":
        if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            raise RuntimeError(
                "CAFPEDIA_SEARCH_BACKEND=postgres needs CAFPEDIA_DATABASE_URL to be a PostgreSQL database"
            )
        # Each backend is imported only where chosen: Whoosh's brings numpy (15 MB a worker).
        from cafpedia.search.backends.postgres_fts import PostgresBackend

        index = PostgresBackend(count_documents=following_sources.count)
    elif choice == "whoosh":
        from cafpedia.search.backends.whoosh_index import WhooshBackend

        index = WhooshBackend(Path(app.config["SEARCH_DIR"]) / "whoosh")
    else:
        raise RuntimeError(f"CAFPEDIA_SEARCH_BACKEND must be whoosh or postgres, not {choice!r}")
    app.extensions[change_log.EXTENSION] = following = IndexFollower(index, following_sources)
    app.extensions[AREAS] = AreaQuestions(
        moderated_area_ids,
        area_titles,
        *([own_area_ids, area_id_of] if own_area_ids and area_id_of else []),
    )
    demand.init_app(app)
    change_log.listen()
    app.after_request(following.drain_after_request)


def areas() -> AreaQuestions:
    return current_app.extensions[AREAS]


@dataclass
class SearchResults:
    query: ParsedQuery
    page: int
    per_page: int
    results: BackendResults | None
    problem: str | None = None
    rewrite: Rewrite | None = None  # what the results are for, when nothing matched the query as typed

    @property
    def corrected_from(self) -> str | None:
        return self.rewrite.corrected_from if self.rewrite else None

    @property
    def relaxed_from(self) -> str | None:
        return self.rewrite.relaxed_from if self.rewrite else None

    @property
    def showing(self) -> str | None:
        """What the results are for, when that is not the query as typed."""
        return self.rewrite.shown if self.rewrite else None

    @property
    def total(self) -> int:
        return self.results.total if self.results else 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def visibility_for(user, *, include_archived: bool = False) -> Visibility:
    if not getattr(user, "is_authenticated", False):
        return Visibility(user_id=None, moderated_area_ids=[], include_archived=include_archived)

    moderated = areas().moderated_area_ids(user)
    return Visibility(user_id=user.id, moderated_area_ids=moderated, include_archived=include_archived)


def search(
    user,
    raw_query: str,
    *,
    filters: dict[str, str] | None = None,
    page: int = 1,
    include_archived: bool = False,
    as_typed: bool = False,
) -> SearchResults:
    """A page of what `user` may see that matches the query. If nothing matches the query as
    typed, the results of a corrected or relaxed query instead (see rescue.py; not corrected
    `as_typed`), and `rewrite` says which."""
    query = parse_query(raw_query, filters)
    page = min(max(page, 1), MAX_PAGE)
    if query.is_empty:
        return SearchResults(query, page, PER_PAGE, None)
    started = time.perf_counter()
    rewrite = None
    try:
        index = follower()
        status = index.ensure(wait=False)
        if status != "ok":
            raise SearchUnavailable("the search index is damaged; it is being rebuilt")
        if index.has_pending():
            index.drain(timeout=0.2)
        groups = current_groups()
        plan = plan_query(query, groups)
        visibility = visibility_for(user, include_archived=include_archived)
        results = index.backend.search(plan, visibility, page=page, per_page=PER_PAGE)
        if results.total == 0 and plan.clauses:
            rewrite = rescue(plan, query.typed, index.backend, visibility, groups, correct=not as_typed)
            if rewrite is not None:
                results = index.backend.search(rewrite.plan, visibility, page=page, per_page=PER_PAGE)
        observe_search(current_app.config["SEARCH_BACKEND"], time.perf_counter() - started)
    except SearchUnavailable as exc:
        log.error("search unavailable: %s", exc)
        return SearchResults(query, page, PER_PAGE, None, problem=str(exc))
    return SearchResults(query, page, PER_PAGE, results, rewrite=rewrite)
