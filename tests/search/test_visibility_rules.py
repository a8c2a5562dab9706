"""Who sees what, stated once (cafpedia/search/visibility.py) and translated by each backend:
the Whoosh masks and the PostgreSQL WHERE clause show each reader in the table exactly the
documents the table says, with and without `status:` filters; on PostgreSQL, both backends
answer every reader on the same documents, and must agree."""

from __future__ import annotations

from datetime import datetime

import pytest

from cafpedia.extensions import db
from cafpedia.search import service
from cafpedia.search.backends import Visibility
from cafpedia.search.backends.whoosh_index import WhooshBackend
from cafpedia.search.documents import SearchDocument
from cafpedia.search.plan import plan_query
from cafpedia.search.query import parse_query
from cafpedia.search.synonyms import current_groups

pytestmark = pytest.mark.both_databases

# key: (status, author id, area id)
DOCUMENTS = {
    "tip:published": ("published", None, 3),
    "tip:archived": ("archived", None, 3),
    "proposal:by-7-in-3": ("pending", 7, 3),
    "proposal:by-8-in-4": ("pending", 8, 4),
    "proposal:by-9-no-area": ("pending", 9, None),
}
PUBLISHED, ARCHIVED = {"tip:published"}, {"tip:archived"}

# reader: the pending proposals they see (everyone sees the published; the archived on request)
READERS = {
    "not signed in": (Visibility(user_id=None, moderated_area_ids=[]), set()),
    "not signed in, no areas given": (Visibility(user_id=None, moderated_area_ids=None), set()),
    "a reader": (Visibility(user_id=12, moderated_area_ids=[]), set()),
    "author 7": (Visibility(user_id=7, moderated_area_ids=[]), {"proposal:by-7-in-3"}),
    "author 8, moderating area 3": (
        Visibility(user_id=8, moderated_area_ids=[3]),
        {"proposal:by-7-in-3", "proposal:by-8-in-4"},
    ),
    "moderating areas 3 and 4": (
        Visibility(user_id=10, moderated_area_ids=[3, 4]),
        {"proposal:by-7-in-3", "proposal:by-8-in-4"},
    ),
    "moderating area 5": (Visibility(user_id=10, moderated_area_ids=[5]), set()),
    "an administrator": (
        Visibility(user_id=11, moderated_area_ids=None),
        {"proposal:by-7-in-3", "proposal:by-8-in-4", "proposal:by-9-no-area"},
    ),
}
FILTERS = ["", "status:archived", "status:pending", "status:published status:pending", "status:withdrawn"]


def expected(reader: str, include_archived: bool, status_filter: str) -> set[str]:
    visibility, pending = READERS[reader]
    asked = {part.partition(":")[2] for part in status_filter.split()}
    seen = PUBLISHED | pending | (ARCHIVED if include_archived or "archived" in asked else set())
    return {key for key in seen if not asked or DOCUMENTS[key][0] in asked}


def documents() -> list[SearchDocument]:
    return [
        SearchDocument(
            key=key,
            kind="tip",
            title=f"Marmot {key}",
            body="Marmots in the hearing room.",
            url=f"/{key}",
            status=status,
            area="private-law",
            author_id=author,
            area_id=area,
            updated_at=datetime(2026, 1, 1),
        )
        for key, (status, author, area) in DOCUMENTS.items()
    ]


def write(backend) -> None:
    with backend.writing(timeout=5) as index:
        index.write(documents(), [])
        index.commit()
        db.session.commit()  # the PostgreSQL index's rows commit with the drain's transaction


def seen(backend, visibility: Visibility, words: str) -> set[str]:
    plan = plan_query(parse_query(words), current_groups())
    found = backend.search(plan, visibility, page=1, per_page=50)
    assert backend.count(plan, visibility, limit=50) == found.total == len(found.hits)
    return {hit.key for hit in found.hits}


def table(backend) -> dict[tuple[str, bool, str], set[str]]:
    return {
        (reader, archived, status_filter): seen(
            backend,
            Visibility(visibility.user_id, visibility.moderated_area_ids, include_archived=archived),
            f"marmot {status_filter}".strip(),
        )
        for reader, (visibility, _) in READERS.items()
        for archived in (False, True)
        for status_filter in FILTERS
    }


def test_each_backend_shows_each_reader_what_the_rules_say(app):
    backend = service.follower().backend
    service.follower().ensure()
    write(backend)
    for (reader, archived, status_filter), keys in table(backend).items():
        assert keys == expected(reader, archived, status_filter), (reader, archived, status_filter)


def test_the_whoosh_and_postgresql_translations_agree(app, tmp_path):
    if app.config["SEARCH_BACKEND"] != "postgres":
        pytest.skip("both backends answer side by side on PostgreSQL")
    postgres = service.follower().backend
    service.follower().ensure()
    write(postgres)
    whoosh = WhooshBackend(tmp_path / "side-by-side")
    whoosh.rebuild([])
    write(whoosh)
    try:
        assert table(whoosh) == table(postgres)
    finally:
        whoosh.close()
