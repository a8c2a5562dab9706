"""Search for the rest of CAFpedia: one backend per app, chosen here; the search itself with
CAFpedia's visibility rules; and, from `change_log`, what keeps each index following the
database (drain, rebuild, prune, lag, check_index, ensure_index), which callers reach here.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from cafpedia.core.observability import observe_search
from cafpedia.search.backends import BackendResults, SearchUnavailable, Visibility
from cafpedia.search.backends.postgres_fts import PostgresBackend
from cafpedia.search.backends.whoosh_index import WhooshBackend
from cafpedia.search.change_log import (
    backend,
    check_index,
    drain,
    drain_after_request,
    ensure_index,
    has_pending,
    lag,
    prune,
    queue_length,
    rebuild,
)
from cafpedia.search.plan import plan_query
from cafpedia.search.query import ParsedQuery, parse_query
from cafpedia.search.rescue import Rewrite, rescue
from cafpedia.search.synonyms import current_groups
from cafpedia.tips.reading import moderated_area_ids

__all__ = [
    "SearchResults",
    "backend",
    "check_index",
    "drain",
    "ensure_index",
    "init_app",
    "lag",
    "prune",
    "queue_length",
    "rebuild",
    "search",
    "visibility_for",
]

log = logging.getLogger(__name__)
PER_PAGE = 10
MAX_PAGE = 1000


def init_app(app: Flask) -> None:
    choice = app.config.get("SEARCH_BACKEND", "whoosh")
    if choice == "postgres":
        if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            raise RuntimeError(
                "CAFPEDIA_SEARCH_BACKEND=postgres needs CAFPEDIA_DATABASE_URL to be a PostgreSQL database"
            )

        app.extensions["cafpedia_search"] = PostgresBackend()
    elif choice == "whoosh":
        app.extensions["cafpedia_search"] = WhooshBackend(Path(app.config["SEARCH_DIR"]) / "whoosh")
    else:
        raise RuntimeError(f"CAFPEDIA_SEARCH_BACKEND must be whoosh or postgres, not {choice!r}")
    app.after_request(drain_after_request)


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

    return Visibility(user_id=user.id, moderated_area_ids=moderated_area_ids(user), include_archived=include_archived)


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
        status = ensure_index(wait=False)
        if status != "ok":
            raise SearchUnavailable("the search index is damaged; it is being rebuilt")
        if has_pending():
            drain(timeout=0.2)
        groups = current_groups()
        plan = plan_query(query, groups)
        visibility = visibility_for(user, include_archived=include_archived)
        results = backend().search(plan, visibility, page=page, per_page=PER_PAGE)
        if results.total == 0 and plan.clauses:
            rewrite = rescue(plan, query.typed, backend(), visibility, groups, correct=not as_typed)
            if rewrite is not None:
                results = backend().search(rewrite.plan, visibility, page=page, per_page=PER_PAGE)
        observe_search(current_app.config["SEARCH_BACKEND"], time.perf_counter() - started)
    except SearchUnavailable as exc:
        log.error("search unavailable: %s", exc)
        return SearchResults(query, page, PER_PAGE, None, problem=str(exc))
    return SearchResults(query, page, PER_PAGE, results, rewrite=rewrite)
