"""Search by area: a legal update, a research digest item or an expert filed under several
areas of practice is found under each of them and counted in each one's facet, and a change
to its areas reaches the index through the change log."""

from __future__ import annotations

import pytest

from cafpedia.accounts.people import find_user
from cafpedia.digest import composing
from cafpedia.digest.drafts import ItemDraft
from cafpedia.digest.reading import find_issue
from cafpedia.extensions import db
from cafpedia.legal import posting
from cafpedia.legal.feed import find_update
from cafpedia.search import service

GREEN_PAPER = "2004-08-02-green-paper-on-parental-separation"  # private-law, contact, dispute-resolution
CASE_PLANS = "/digest/2006-q4/case-plans-instead-of-section-7-reports"  # its three areas below
CASE_PLAN_AREAS = ["assessment-and-case-planning", "private-law", "report-writing"]


@pytest.fixture
def fca(app, demo_content):
    return find_user("demo.fca")


def urls(found) -> list[str]:
    return [h.url for h in found.results.hits]


@pytest.mark.parametrize("area", ["private-law", "contact", "dispute-resolution"])
def test_a_legal_update_is_found_under_each_of_its_areas(fca, area):
    as_parameter = service.search(fca, "green paper parental separation", filters={"area": area})
    in_the_query = service.search(fca, f"green paper parental separation area:{area}")
    assert f"/legal/{GREEN_PAPER}" in urls(as_parameter)
    assert f"/legal/{GREEN_PAPER}" in urls(in_the_query)
    assert f"/legal/{GREEN_PAPER}" not in urls(service.search(fca, "green paper parental separation area:adoption"))


@pytest.mark.parametrize("area", CASE_PLAN_AREAS)
def test_a_digest_item_is_found_under_each_of_its_areas(fca, area):
    assert CASE_PLANS in urls(service.search(fca, f"Southport Walsall kind:research area:{area}"))


@pytest.mark.both_databases
def test_facets_count_every_area_of_each_result(fca):
    found = service.search(fca, "Southport Walsall kind:research")
    assert urls(found) == [CASE_PLANS]
    assert found.results.facets["area"] == dict.fromkeys(CASE_PLAN_AREAS, 1)
    assert found.results.facets["kind"] == {"research": 1}
    # Over many results, each area's count is the number of results filed under it.
    everything = service.search(fca, "kind:legal")
    areas = everything.results.facets["area"]
    assert sum(areas.values()) > everything.total  # updates filed under several areas count in each
    for area, count in areas.items():
        assert service.search(fca, f"kind:legal area:{area}").total == count, area


def test_the_api_filters_and_counts_by_every_area(fca, client):
    client.sign_in("demo.fca", "cafpedia-demo")
    data = client.get("/api/search", query_string={"q": "Southport Walsall", "area": "report-writing"}).get_json()
    assert [r["url"] for r in data["results"]] == [CASE_PLANS]
    assert data["facets"]["area"] == dict.fromkeys(CASE_PLAN_AREAS, 1)


@pytest.mark.both_databases
def test_a_change_to_the_areas_reaches_search(fca):
    update = find_update(GREEN_PAPER)
    draft = posting.UpdateDraft.of(update.current)
    draft.areas = ["private-law", "dispute-resolution", "safeguarding"]  # contact out, safeguarding in
    posting.edit_update(find_user("legal.editor"), update, draft, note="areas")
    db.session.commit()
    assert f"/legal/{GREEN_PAPER}" in urls(service.search(fca, "green paper parental separation area:safeguarding"))
    assert f"/legal/{GREEN_PAPER}" not in urls(service.search(fca, "green paper parental separation area:contact"))

    item = find_issue("2006-q4").item("case-plans-instead-of-section-7-reports")
    draft = ItemDraft.of(item)
    draft.areas = ["private-law", "contact"]
    composing.update_item(find_user("research.coordinator"), item, draft, reason="Filed under contact as well.")
    db.session.commit()
    found = service.search(fca, "Southport Walsall kind:research")
    assert found.results.facets["area"] == {"private-law": 1, "contact": 1}
    assert service.search(fca, "Southport Walsall area:report-writing").total == 0
    assert urls(service.search(fca, "Southport Walsall area:contact")) == [CASE_PLANS]
