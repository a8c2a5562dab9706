"""From the search box to the lead manager's list (SQLite and PostgreSQL): searches recorded by
the search page, counted by the worker's roll-up, shown on the area's "What people need" only
once 3 different people made them, and never a name."""

from __future__ import annotations

import pytest

from cafpedia.search.demand.recording import flush
from cafpedia.search.demand.upkeep import roll_up

QUERY = "grandparents weekend handover rota"  # nothing in the demo answers it


@pytest.fixture
def readers(demo_content, make_user):
    return [make_user(f"reader.{n}", areas=["private-law"]) for n in range(3)]


def search_as(app, client, username, q):
    """A search filtered to private law: the area it counts in (tests/search/test_demand_recording
    has the other ways a search finds its area)."""
    client.sign_out()
    client.sign_in(username)
    assert client.get("/search", query_string={"q": q, "area": "private-law"}).status_code == 200
    flush(app)  # what the server does when it closes the response


def lead_sees(client) -> str:
    client.sign_out()
    assert client.sign_in("demo.admin", "cafpedia-demo").status_code == 302
    return client.get("/areas/private-law/gaps").get_data(as_text=True)


def test_two_people_are_not_enough_three_are(app, client, readers, clock):
    for reader in readers[:2]:
        search_as(app, client, reader.username, QUERY)
    search_as(app, client, readers[0].username, "Grandparents weekend handover rota")  # the same person again
    search_as(app, client, readers[1].username, "Poppy Smith grandparents")  # a name: never kept
    roll_up([clock.today()])
    page = lead_sees(client)
    assert "weekend handover rota" not in page and "Poppy" not in page
    clock.advance(days=2)
    search_as(app, client, readers[2].username, "grandparents' weekend handover rotas")  # the same meaning
    roll_up([clock.today()])
    page = lead_sees(client)
    assert "“grandparents&#39; weekend handover rotas”" in page  # as last typed
    assert "3 people, 4 searches, all found nothing" in page
    assert "Poppy" not in page and "reader." not in page
