"""Bounded counts (issue 30): matches are counted exactly up to `backends.COUNT_LIMIT`; past it
a search says "more than", its facets name what is present without numbers, and its pages go
as far as it counted. The bound is lowered here, so that the demo content passes it."""

from __future__ import annotations

import re

import pytest

from cafpedia.accounts.people import find_user
from cafpedia.search import backends, service
from cafpedia.search.backends import postgres_query
from tests.conftest import Client

WORD = "children"  # in most of the demo content


@pytest.fixture
def fca(app, demo_content):
    return find_user("demo.fca")


@pytest.fixture
def full(fca):
    """The search as counted in full, and checked to be worth bounding."""
    found = service.search(fca, WORD)
    assert found.results.total_exact and found.total > 12
    return found


def test_a_count_within_the_bound_is_exact(fca, full, monkeypatch):
    monkeypatch.setattr(backends, "COUNT_LIMIT", full.total)
    found = service.search(fca, WORD)
    assert found.results.total_exact and found.total == full.total
    assert found.results.facets == full.results.facets and sum(found.results.facets["kind"].values()) == full.total


def test_past_the_bound_the_count_and_facets_say_more_than(fca, full, monkeypatch):
    monkeypatch.setattr(backends, "COUNT_LIMIT", full.total - 1)
    found = service.search(fca, WORD)
    assert not found.results.total_exact and found.total == full.total - 1
    for name in ("kind", "area"):
        present = found.results.facets[name]
        assert present and set(present) <= set(full.results.facets[name])  # only what is there
        assert set(present.values()) == {None}  # present, not counted


def test_past_the_bound_pages_go_as_far_as_it_counted(fca, full, monkeypatch):
    monkeypatch.setattr(backends, "COUNT_LIMIT", 12)
    first, second = service.search(fca, WORD, page=1), service.search(fca, WORD, page=2)
    assert first.pages == second.pages == 2 and not first.results.total_exact
    assert len(first.results.hits) == 10 and second.results.hits
    assert not {h.url for h in first.results.hits} & {h.url for h in second.results.hits}


def test_a_bound_of_five_on_a_filter_alone(fca, monkeypatch):
    everything = service.search(fca, "kind:tip")
    assert everything.results.total_exact and everything.total > 5
    monkeypatch.setattr(backends, "COUNT_LIMIT", 5)
    found = service.search(fca, "kind:tip")
    assert (found.total, found.results.total_exact, found.results.facets["kind"]) == (5, False, {"tip": None})
    newest = [h.updated_at for h in everything.results.hits[:5]]
    assert [h.updated_at for h in found.results.hits[:5]] == newest  # still the newest first


def test_title_matches_still_come_first_past_the_bound(app, fca, monkeypatch):
    if app.config["SEARCH_BACKEND"] != "postgres":
        pytest.skip("the PostgreSQL backend reads the title matches apart")
    monkeypatch.setattr(backends, "COUNT_LIMIT", 3)
    monkeypatch.setattr(postgres_query, "CANDIDATES", 3)
    found = service.search(fca, "supervision")
    assert not found.results.total_exact
    assert "supervis" in found.results.hits[0].title.lower()


def test_the_api_says_whether_the_total_is_exact(app, demo_content, monkeypatch):
    client = Client(app.test_client())
    client.sign_in("demo.fca", "cafpedia-demo")
    exact = client.get(f"/api/search?q={WORD}").get_json()
    assert exact["total_exact"] is True and all(isinstance(n, int) for n in exact["facets"]["kind"].values())
    monkeypatch.setattr(backends, "COUNT_LIMIT", 5)
    bounded = client.get(f"/api/search?q={WORD}").get_json()
    assert (bounded["total"], bounded["total_exact"]) == (5, False)
    assert bounded["facets"]["kind"] and set(bounded["facets"]["kind"].values()) == {None}


def test_the_page_says_more_than_and_shows_no_facet_numbers(app, demo_content, monkeypatch):
    client = Client(app.test_client())
    client.sign_in("demo.fca", "cafpedia-demo")
    exact = client.get(f"/search?q={WORD}").get_data(as_text=True)
    assert re.search(r"\d+ results, page 1 of \d+\.", exact) and 'class="count"' in exact
    monkeypatch.setattr(backends, "COUNT_LIMIT", 5)
    bounded = client.get(f"/search?q={WORD}").get_data(as_text=True)
    assert "More than 5 results." in bounded and 'class="count"' not in bounded
    assert 'class="facet-list"' in bounded  # the kinds and areas are still there, to narrow by
