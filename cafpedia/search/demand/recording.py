"""Recording searches, privately, for the areas' "What people need" lists.

`note_search` is on the search page's hot path: it only appends a small tuple to this app's
in-process buffer (no database, no guard, no hashing: microseconds) and returns the token that
the page's result links carry (`/search/go`, which marks the search "opened"). `flush` runs
after the response has gone (`response.call_on_close`), and in the worker's rounds: it takes
what the buffer holds and, in a session of its own (a new app context: never the request's
session, so a failed flush never breaks a request, nor a request a flush), keeps each search
only when the confidentiality guard finds nothing in its text (core.case_details.found, then
core.confidentiality.looks_personal, stricter for a few typed words): a name, a case number or
an address is dropped, never stored, never logged. What is kept names nobody: the searcher is
a salted daily hash (salts.py). A failed flush is logged by count only, never a text.
"""

from __future__ import annotations

import logging
import secrets
from collections import deque
from collections.abc import Mapping

from flask import Flask, current_app
from sqlalchemy import exists, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from cafpedia.core import clock
from cafpedia.core.case_details import found
from cafpedia.core.confidentiality import looks_personal
from cafpedia.extensions import db
from cafpedia.search.demand.models import BY_FILTER, BY_OWN, BY_WORDS, TEXT_MAX, SearchEvent
from cafpedia.search.demand.salts import kept_salts, person_hash, salt_for
from cafpedia.search.meaning import meaning_key
from cafpedia.search.synonyms import current_groups

log = logging.getLogger(__name__)
EXTENSION = "cafpedia_search_demand"  # app.extensions[EXTENSION]: the searches not yet flushed
BUFFER_MAX = 10_000  # beyond this (a database down for long), the oldest searches are forgotten
MOST_RESULTS = 0.5  # a search is an area's when at least this share of its results is in it


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = deque(maxlen=BUFFER_MAX)


def note_search(
    user,
    raw_query: str,
    filters: Mapping[str, str | list[str]] | None,
    found_total: int,
    result_areas: Mapping[str, int | None] | None,
    *,
    results_total: int | None = None,
) -> str:
    """Remember a search to record after the response; the token its result links carry.

    `filters`: the search's filters (an `area` slug, or a list of them); `found_total`: what the
    query found (0: nothing matched it, even if a corrected or relaxed query found something);
    `result_areas`: the area facet (slug -> count) of the results shown, and `results_total`
    their number when that is not `found_total` (results of a relaxed query)."""
    token = secrets.token_urlsafe(16)
    current_app.extensions[EXTENSION].append(
        (
            token,
            clock.today(),
            user.id,
            raw_query or "",
            (filters or {}).get("area") or (),
            found_total,
            result_areas or {},
            found_total if results_total is None else results_total,
        )
    )
    return token


def flush(app: Flask | None = None) -> int:
    """Record what the buffer of `app` (or the current app) holds; how many searches were kept.
    Never raises: a failure is logged by count, and those searches are not recorded."""
    app = app or current_app._get_current_object()
    buffer = app.extensions.get(EXTENSION)
    taken = []
    while buffer:
        try:
            taken.append(buffer.popleft())
        except IndexError:  # another thread took the last one
            break
    if not taken:
        return 0
    try:
        with app.app_context():  # a session of its own
            try:
                kept = _record(taken)
                db.session.commit()
            finally:
                db.session.rollback()
        return kept
    except Exception as exc:
        log.warning("search demand: %d search(es) not recorded (%s)", len(taken), type(exc).__name__)
        return 0


def _record(taken: list[tuple]) -> int:
    from cafpedia.search.service import areas

    questions = areas()
    groups = current_groups()
    terms = frozenset(word for group in groups for variant in group for word in variant.split())
    salts = kept_salts(clock.today())
    area_ids: dict[str, int | None] = {}
    own: dict[int, list[int]] = {}

    def area_id_of(slug: str) -> int | None:
        if slug not in area_ids:
            area_ids[slug] = questions.area_id_of(slug)
        return area_ids[slug]

    rows, seen = [], set()
    for token, day, user_id, raw, area_filter, found_total, result_areas, results_total in taken:
        text = " ".join(raw.split())
        if not text or found({"search": text}) or looks_personal(text, terms):
            continue  # dropped: nothing of it is stored or logged
        key = meaning_key(text, groups)
        if not key:
            continue
        area_id, area_by = _area(area_filter, result_areas, results_total, area_id_of)
        if area_id is None:
            if user_id not in own:
                own[user_id] = questions.own_area_ids(user_id)
            if len(own[user_id]) == 1:
                area_id, area_by = own[user_id][0], BY_OWN
        if day not in salts:
            salts[day] = salt_for(day)
        first = (key, area_id, user_id) not in seen and not _searched_before(
            key, area_id, [person_hash(salt, user_id) for salt in salts.values()]
        )
        seen.add((key, area_id, user_id))
        rows.append(
            {
                "token": token,
                "searched_on": day,
                "person_hash": person_hash(salts[day], user_id),
                "new_person": first,
                "text": text[:TEXT_MAX],
                "meaning_key": key,
                "area_id": area_id,
                "area_by": area_by,
                "found": found_total,
                "opened": False,
            }
        )
    if rows:
        db.session.execute(insert(SearchEvent), rows)
    return len(rows)


def _area(area_filter, result_areas, results_total, area_id_of) -> tuple[int | None, str | None]:
    """The area a search is about: the one it was filtered to, else the one most of its results
    are in (at least half), else none yet (the caller tries the reader's own area)."""
    slugs = [area_filter] if isinstance(area_filter, str) else list(area_filter)
    if len(slugs) == 1 and (area_id := area_id_of(slugs[0])) is not None:
        return area_id, BY_FILTER
    counted = {slug: n for slug, n in result_areas.items() if slug and n}
    if counted:
        slug, most = max(counted.items(), key=lambda item: (item[1], item[0]))
        total = max(results_total, sum(counted.values()))
        if most / total >= MOST_RESULTS and (area_id := area_id_of(slug)) is not None:
            return area_id, BY_WORDS
    return None, None


def _searched_before(key: str, area_id: int | None, hashes: list[str]) -> bool:
    """Whether a kept event with this meaning and area has any of these hashes (the person's,
    under each salt still kept)."""
    same_area = SearchEvent.area_id.is_(None) if area_id is None else SearchEvent.area_id == area_id
    query = select(exists().where(SearchEvent.meaning_key == key, same_area, SearchEvent.person_hash.in_(hashes)))
    return bool(db.session.scalar(query))


def mark_opened(token: str) -> None:
    """A result of the search with this token was opened (committed). An unknown token (a
    search that was dropped, or purged) changes nothing; a database that fails is logged, and
    the reader still goes on to the result."""
    try:
        db.session.execute(update(SearchEvent).where(SearchEvent.token == token).values(opened=True))
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("search demand: an opened result not recorded (%s)", type(exc).__name__)
