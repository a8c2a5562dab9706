"""The PostgreSQL backend's two-stage ranking (issue 16): with more matches than it ranks in
full, the title matches still come first, and the count, the facets and the pages stay exact."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cafpedia.accounts.people import find_user
from cafpedia.extensions import db
from cafpedia.search import service
from cafpedia.search.backends import postgres_query
from cafpedia.search.models import SearchDocumentRow


@pytest.fixture
def fca(app, demo_content):
    if app.config["SEARCH_BACKEND"] != "postgres":
        pytest.skip("about the PostgreSQL backend's ranking")
    return find_user("demo.fca")


def in_title(url: str, word: str) -> bool:
    return db.session.scalar(
        select(SearchDocumentRow.tsv_title.op("@@")(func.plainto_tsquery("english", word))).where(
            SearchDocumentRow.url == url
        )
    )


@pytest.mark.parametrize("query", ["children", "supervision", "court report", "EDR"])
def test_ranking_a_few_candidates_keeps_the_count_and_facets(fca, monkeypatch, query):
    full = service.search(fca, query)
    assert full.total > 3
    monkeypatch.setattr(postgres_query, "CANDIDATES", 3)
    few = service.search(fca, query)
    assert few.total == full.total and few.results.facets == full.results.facets


@pytest.mark.parametrize("word", ["children", "supervision"])
def test_title_matches_still_come_first(fca, monkeypatch, word):
    assert in_title(service.search(fca, word).results.hits[0].url, word)
    monkeypatch.setattr(postgres_query, "CANDIDATES", 3)
    assert in_title(service.search(fca, word).results.hits[0].url, word)


def test_later_pages_follow_on_when_ranking_a_few(fca, monkeypatch):
    monkeypatch.setattr(postgres_query, "CANDIDATES", 3)
    first, second = service.search(fca, "children", page=1), service.search(fca, "children", page=2)
    assert second.results.hits and not {h.url for h in first.results.hits} & {h.url for h in second.results.hits}
