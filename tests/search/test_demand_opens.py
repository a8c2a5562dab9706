"""A result opened from a search: `/search/go` marks the search and goes on, only within CAFpedia."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cafpedia.extensions import db
from cafpedia.search.demand.models import SearchEvent
from cafpedia.search.demand.recording import flush, note_search


@pytest.fixture
def reader(app, demo_content, make_user, client):
    user = make_user("pat.reader", areas=["private-law"])
    client.sign_in("pat.reader")
    return user


def opened(token: str) -> bool:
    db.session.expire_all()
    return db.session.scalar(select(SearchEvent.opened).where(SearchEvent.token == token))


def test_opening_a_result_marks_its_search_and_goes_on(app, client, reader):
    token = note_search(reader, "contact", {}, 3, {"private-law": 3})
    flush(app)
    assert opened(token) is False
    response = client.get("/search/go", query_string={"t": token, "to": "/areas/private-law"})
    assert response.status_code == 302 and response.headers["Location"] == "/areas/private-law"
    assert opened(token) is True


def test_the_results_page_links_through_go(app, client, reader):
    page = client.get("/search?q=contact").get_data(as_text=True)
    flush(app)
    [event] = db.session.scalars(select(SearchEvent)).all()
    link = f'href="/search/go?t={event.token}&amp;to=/'
    assert link in page
    assert client.get(f"/search/go?t={event.token}&to=/areas").status_code == 302 and opened(event.token)


@pytest.mark.parametrize("token", ["AAAAAAAAAAAAAAAAAAAAAA", "short", "", "not a token!"])
def test_an_unknown_or_dropped_token_still_goes_on(client, reader, token):
    response = client.get("/search/go", query_string={"t": token, "to": "/tips"})
    assert response.status_code == 302 and response.headers["Location"] == "/tips"


@pytest.mark.parametrize(
    "to",
    ["//evil.example", "https://evil.example/x", "/\\evil.example", "javascript:alert(1)", "evil.example", ""],
)
def test_only_a_page_of_cafpedia(app, client, reader, to):
    token = note_search(reader, "contact", {}, 3, {})
    flush(app)
    response = client.get("/search/go", query_string={"t": token, "to": to})
    assert response.status_code == 400
    assert "does not lead to a page of CAFpedia" in response.get_data(as_text=True)
    assert opened(token) is False
