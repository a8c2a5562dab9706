"""The pages a family court adviser opens most, each in a bounded number of SQL statements
however much the knowledge base holds: a finder listing every expert costs what one listing
a few, a search with many matches what one with few, and a tip's links cost one query for
all of them. The ceilings are today's counts: a change that adds a query to one of these
pages has to raise its ceiling here, on purpose."""

from __future__ import annotations

import pytest

from cafpedia.extensions import db
from cafpedia.search import service
from tests.conftest import Client

# Statements for one request from a signed-in reader, session and sign-in checks included.
CEILINGS = {"home": 1, "tip": 1, "finder": 11, "search": 1}


@pytest.fixture
def reader(client, demo_content):
    client.sign_in("demo.fca", "cafpedia-demo")
    return client


def statements(reader, count_queries, url: str) -> int:
    assert reader.get(url).status_code == 200  # once first: caches that fill on first use are not the page's cost
    with count_queries() as queries:
        response = reader.get(url)
    assert response.status_code == 200
    return queries


def test_the_home_page(reader, count_queries):
    queries = statements(reader, count_queries, "/")
    assert queries.count <= CEILINGS["home"], str(queries)


def test_a_tip_with_history_and_links_stays_within_its_ceiling(reader, count_queries):
    # Revised twice, with [[links]] to other tips and tips linking to it: each link's title
    # and each linking tip come from one query for all of them, never one per link.
    linked = statements(reader, count_queries, "/tips/writing-focused-s7-reports-with-clear-recommendations")
    assert linked.count <= CEILINGS["tip"], str(linked)
    plain = statements(reader, count_queries, "/tips/reporting-officer-witnessing-consent")
    assert plain.count <= linked.count, f"{plain}\n---\n{linked}"


def test_the_expert_finder_costs_the_same_for_every_expert_or_a_few(reader, count_queries):
    everyone = statements(reader, count_queries, "/experts")
    few = statements(reader, count_queries, "/experts?q=adoption")
    assert everyone.count == few.count, f"{everyone}\n---\n{few}"
    assert everyone.count <= CEILINGS["finder"], str(everyone)


def test_a_search_costs_the_same_for_many_matches_or_few(reader, count_queries):
    many = statements(reader, count_queries, "/search?q=children")
    few = statements(reader, count_queries, "/search?q=conciliation")
    assert many.count == few.count, f"{many}\n---\n{few}"
    assert many.count <= CEILINGS["search"], str(many)


# The PostgreSQL search backend: the person; SET LOCAL (matches from the full-text index); the
# page of hits with their snippets and the facets, in one statement; RESET.
POSTGRES_SEARCH_CEILING = 4


@pytest.mark.postgres
def test_a_search_on_the_postgresql_backend_costs_the_same_for_many_matches_or_few(
    make_app, demo_content, count_queries
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the PostgreSQL search backend runs on the PostgreSQL database only")
    searching = make_app(SEARCH_BACKEND="postgres")
    with searching.app_context():
        service.follower().rebuild()
        reader = Client(searching.test_client())
        reader.sign_in("demo.fca", "cafpedia-demo")
        many = statements(reader, count_queries, "/search?q=children")
        few = statements(reader, count_queries, "/search?q=conciliation")
    assert many.count == few.count, f"{many}\n---\n{few}"
    assert many.count <= POSTGRES_SEARCH_CEILING, str(many)
