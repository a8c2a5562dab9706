"""Signing in through the organisation's identity provider, in real Chromium: a real OpenID
Connect provider (Authlib's server side) on 127.0.0.1, its sign-in page, and back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cafpedia import create_app
from cafpedia.accounts import people as accounts_people
from cafpedia.cli.installation import upgrade_database
from cafpedia.extensions import db
from tests.browser.conftest import serving
from tests.support.oidc_provider import LocalProvider

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "break-glass-password"


@pytest.fixture(scope="module")
def provider():
    with LocalProvider("cafpedia", "browser-client-secret", []) as op:
        op.add_user("sub-jo", "jo.smith@cafcass.example", "Jo Smith")
        op.add_user("sub-new", "new.starter@cafcass.example", "New Starter")
        yield op


@pytest.fixture(scope="module")
def site(provider, tmp_path_factory):
    """CAFpedia with passwords for administrators only, signing everyone else in through `provider`."""
    folder = tmp_path_factory.mktemp("oidc-site")
    app = create_app(
        {
            "SECRET_KEY": "browser-test-key",
            "INSTANCE_PATH": str(folder / "instance"),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'site.sqlite3'}",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "OIDC_ISSUER": provider.issuer,
            "OIDC_CLIENT_ID": "cafpedia",
            "OIDC_CLIENT_SECRET": "browser-client-secret",
            "OIDC_BUTTON": "Sign in with your CAFCASS account",
            "PASSWORD_SIGN_IN": "admins",
        }
    )
    with app.app_context():
        upgrade_database()
        accounts_people.create_user(
            None,
            username="ada.admin",
            name="Ada Admin",
            email="ada@cafcass.example",
            roles=["admin"],
            password=ADMIN_PASSWORD,
        )
        accounts_people.create_user(
            None,
            username="jo.smith",
            name="Jo Smith",
            email="jo.smith@cafcass.example",
            roles=["practitioner"],
            password=None,
        )
        db.session.commit()
        db.session.remove()
    with serving(app) as url:
        provider.client.redirect_uris[:] = [url + "/sign-in/organisation/return"]
        yield url


def through_provider(page, site: str, email: str) -> None:
    page.goto(site + "/sign-in")
    page.get_by_role("link", name="Sign in with your CAFCASS account").click()
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Sign in").click()


def test_a_member_of_staff_signs_in_with_their_organisation_account(page, site, provider, axe_check):
    page.goto(site + "/areas")
    assert "/sign-in" in page.url
    expect(page.get_by_role("heading", name="Administrators: sign in with a password")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Sign in with your CAFCASS account").click()
    assert page.url.startswith(provider.issuer + "/authorize")
    page.get_by_label("Email address").fill("jo.smith@cafcass.example")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()
    assert page.url == site + "/areas"  # back where they were going
    axe_check(page)


def test_someone_new_asks_for_access_and_an_administrator_grants_it(browser, page, site, axe_check):
    through_provider(page, site, "new.starter@cafcass.example")
    expect(page.get_by_role("heading", name="You have asked for access")).to_be_visible()
    axe_check(page)

    admin_context = browser.new_context(viewport={"width": 1280, "height": 900})
    admin = admin_context.new_page()
    admin.goto(site + "/sign-in")
    admin.get_by_label("Username").fill("ada.admin")
    admin.get_by_label("Password", exact=True).fill(ADMIN_PASSWORD)
    admin.get_by_role("button", name="Sign in", exact=True).click()
    admin.goto(site + "/admin/people")
    admin.get_by_role("link", name="Access requests").click()
    expect(admin.get_by_role("cell", name="new.starter@cafcass.example")).to_be_visible()
    axe_check(admin)
    admin.get_by_role("link", name="Grant or decline access for New Starter").click()
    axe_check(admin)
    expect(admin.get_by_label("Username")).to_have_value("new.starter")
    admin.get_by_role("button", name="Grant access").click()
    expect(admin.get_by_text("Access granted: New Starter can sign in now")).to_be_visible()
    admin_context.close()

    through_provider(page, site, "new.starter@cafcass.example")
    expect(page.get_by_text("Signed in as")).to_be_visible()


def test_a_provider_answering_badly_gives_a_plain_page(page, site, provider, axe_check):
    provider.bad_token = True
    try:
        through_provider(page, site, "jo.smith@cafcass.example")
        expect(page.get_by_role("heading", name="Sign-in is unavailable just now")).to_be_visible()
        axe_check(page)
    finally:
        provider.bad_token = False
    page.get_by_role("link", name="Try again").click()
    page.get_by_label("Email address").fill("jo.smith@cafcass.example")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()
