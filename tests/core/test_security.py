"""Cookie flags, error pages and headers. CSRF on every POST route, and every route for every
role, are checked in tests/core/test_every_route.py."""

from __future__ import annotations

import pytest


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


# --- The security review of issue 13 -------------------------------------------------------------


def test_every_number_in_an_address_is_bounded(admin_client, app):
    """A number past PostgreSQL's integer is "no such page", on every route that takes one."""
    import re

    rules = [
        r for r in app.url_map.iter_rules() if any(type(c).__name__ == "BoundedInt" for c in r._converters.values())
    ]
    assert len(rules) >= 5
    for rule in rules:
        url = re.sub(r"<int(\([^)]*\))?:[a-z_]+>", "2147483648", rule.rule)
        url = re.sub(r"<[^>]+>", "x", url)
        method = "get" if "GET" in rule.methods else "post"
        response = getattr(admin_client, method)(url) if method == "get" else admin_client.post_form(url, {})
        assert response.status_code == 404, (url, response.status_code)
    assert admin_client.get("/digest/suggestions/2147483648").status_code == 404


def test_a_repeated_form_value_is_checked_for_control_characters(admin_client, make_area):
    make_area("contact", "Contact")
    response = admin_client.post_form(
        "/legal/new", {"kind": "case-law", "title": "A title", "areas": ["contact", "b\x00c"]}
    )
    assert response.status_code == 400
    assert admin_client.get("/legal?area=contact&area=b%00c").status_code == 400


def test_signed_in_pages_are_never_cached(client, make_user):
    assert "no-store" not in client.get("/sign-in").headers.get("Cache-Control", "")
    make_user("jo.smith")
    client.sign_in("jo.smith")
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_absolute_addresses_come_from_the_base_url_not_the_host_header(make_app, make_user, demo_content):
    app = make_app(BASE_URL="https://cafpedia.example.org", PUBLIC_READ=True)
    with app.app_context():
        client = app.test_client()
        for path in ("/legal/feed.atom", "/digest/feed.atom", "/opensearch.xml", "/legal/areas/contact/feed.atom"):
            body = client.get(path, headers={"Host": "evil.example"}).get_data(as_text=True)
            assert "evil.example" not in body and "https://cafpedia.example.org/" in body, path


def test_the_csrf_secret_changes_at_sign_in(client, make_user):
    make_user("jo.smith")
    before = client.csrf_token()
    client.sign_in("jo.smith")
    stale = client.raw.post("/notifications/settings", data={"csrf_token": before})
    assert stale.status_code == 400 and "security token" in stale.get_data(as_text=True)
    assert client.csrf_token() != before


def test_an_instance_folder_that_does_not_exist_yet_is_made(tmp_path, monkeypatch):
    from cafpedia import create_app

    monkeypatch.setenv("CAFPEDIA_SECRET_KEY", "a-secret-from-the-environment")
    monkeypatch.delenv("CAFPEDIA_DATABASE_URL", raising=False)
    folder = tmp_path / "new" / "instance"
    app = create_app({"INSTANCE_PATH": str(folder)})
    assert folder.is_dir() and app.config["SECRET_KEY"] == "a-secret-from-the-environment"
    assert not (folder / "secret_key").exists()
