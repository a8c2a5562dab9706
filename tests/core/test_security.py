"""CSRF on every form, cookie flags, error pages and headers."""
from __future__ import annotations

import pytest

from cafpedia.accounts.services import find_user
from cafpedia.core.audit import AuditEntry
from cafpedia.extensions import db


def post_routes(app):
    return sorted(
        {r.rule for r in app.url_map.iter_rules() if "POST" in r.methods}
    )


def test_every_post_route_refuses_a_form_without_csrf_token(admin_client, app, make_area, demo_content):
    target = find_user("ada.admin")
    before = db.session.query(AuditEntry).count()
    for rule in post_routes(app):
        url = (rule.replace("<username>", target.username).replace("/areas/<slug>", "/areas/adoption")
               .replace("<slug>", "running-extended-dispute-resolution-sessions").replace("<int:number>", "2")
               .replace("<issue_slug>", "2007-q2").replace("<item_slug>", "family-support-workers-in-practice").replace("<int:suggestion_id>", "1")
               .replace("<int(max=2147483647):nomination_id>", "1").replace("<int(max=2147483647):message_id>", "1").replace("<any(accept, decline):decision>", "accept"))
        response = admin_client.raw.post(url, data={"name": "Changed", "title": "Changed", "password": "a-new-long-password", "active": "0"})
        assert response.status_code == 400, url
        assert "security token" in response.get_data(as_text=True), url
    db.session.expire_all()
    assert db.session.query(AuditEntry).count() == before
    assert find_user("ada.admin").active
    from cafpedia.tips.services import find_tip

    assert find_tip("running-extended-dispute-resolution-sessions").revision(2).status == "pending"


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    make_user("jo.smith")
    response = client.sign_in("jo.smith")
    cookies = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("cafpedia_session=")]
    assert cookies
    assert "HttpOnly" in cookies[-1]
    assert "SameSite=Lax" in cookies[-1]


def test_security_headers(client):
    response = client.get("/sign-in")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/no-such-page", "/areas/no-such-area", "/standards/1999", "/admin/people/nobody"])
def test_missing_pages_get_a_404_page(admin_client, path):
    response = admin_client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_wrong_method_gets_405(admin_client):
    assert admin_client.get("/sign-out").status_code == 405


def test_secret_key_is_generated_once_in_the_instance_folder(tmp_path, monkeypatch):
    from cafpedia.config import secret_key_from_instance

    first = secret_key_from_instance(str(tmp_path))
    assert len(first) == 64
    assert secret_key_from_instance(str(tmp_path)) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_database_url_spellings_are_normalised():
    from cafpedia.config import normalise_database_url

    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x") == "sqlite:///x"
