"""Every route is guarded by a named rule, and the rules say who may do what."""

from __future__ import annotations

import pytest

from cafpedia.core.permissions import RULES, can_moderate, rule_for_endpoint

# The invitation page: a one-time link from an email, for someone who cannot sign in yet.
ANYONE = {
    "accounts.sign_in",
    "accounts.sign_in_with_provider",
    "accounts.provider_return",
    "accounts.invitation",
    "ops.healthz",
    "static",
    "offline.service_worker",
    "offline.manifest",
    "offline.shell",
    "offline.pages",  # pages.json answers 401 itself when signed out
}
READ_PUBLISHED_PAGES = ["/", "/areas", "/standards", "/search?q=law"]
ADMIN_PAGES = ["/admin", "/admin/people", "/admin/people/new", "/admin/areas", "/admin/areas/new", "/admin/audit"]


def test_every_route_declares_a_known_rule(app):
    missing = []
    for url_rule in app.url_map.iter_rules():
        with app.test_request_context():
            name = rule_for_endpoint(url_rule.endpoint)
        if name is None or name not in RULES:
            missing.append(url_rule.endpoint)
    assert missing == []


def test_only_the_sign_in_page_health_check_and_static_files_are_open_to_anyone(app):
    with app.test_request_context():
        open_endpoints = {r.endpoint for r in app.url_map.iter_rules() if rule_for_endpoint(r.endpoint) == "anyone"}
    assert open_endpoints == ANYONE


@pytest.mark.parametrize("path", READ_PUBLISHED_PAGES + ADMIN_PAGES + ["/account"])
def test_anonymous_reader_is_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


def test_sign_in_health_and_static_need_no_sign_in(client):
    from cafpedia.search import service

    service.follower().ensure()
    assert client.get("/sign-in").status_code == 200
    health = client.get("/healthz").get_json()
    assert health["status"] == "ok" and health["database"] == {"status": "ok"}
    with client.get("/static/cafpedia.css") as response:
        assert response.status_code == 200


def test_public_read_opens_published_pages_only(make_app, demo_content):
    app = make_app(PUBLIC_READ=True)
    client = app.test_client()
    for path in READ_PUBLISHED_PAGES + ["/areas/adoption"]:
        assert client.get(path).status_code == 200, path
    for path in ADMIN_PAGES + ["/account"]:
        assert client.get(path).status_code == 302, path


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_practitioner_cannot_reach_administration(client, make_user, path):
    make_user("pat.fca", ["practitioner", "lead_manager", "research_coordinator"])
    client.sign_in("pat.fca")
    response = client.get(path)
    assert response.status_code == 403
    assert "You do not have permission" in response.get_data(as_text=True)


def test_practitioner_cannot_post_to_administration(client, make_user):
    make_user("pat.fca")
    client.sign_in("pat.fca")
    response = client.post_form(
        "/admin/people/new", {"username": "x.y", "name": "X", "roles": "admin", "password": "long-enough-password"}
    )
    assert response.status_code == 403
    from cafpedia.accounts.people import find_user

    assert find_user("x.y") is None


def test_can_moderate_is_lead_deputy_or_admin(app, make_user, make_area):
    lead = make_user("lead.one", ["lead_manager"])
    deputy = make_user("deputy.one", ["lead_manager"])
    other_lead = make_user("lead.two", ["lead_manager"])
    admin = make_user("the.admin", ["admin"])
    practitioner = make_user("pat.fca")
    area = make_area("adoption", lead="lead.one", deputies=["deputy.one"])
    assert can_moderate(lead, area)
    assert can_moderate(deputy, area)
    assert can_moderate(admin, area)
    assert not can_moderate(other_lead, area)
    assert not can_moderate(practitioner, area)
