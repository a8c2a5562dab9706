"""Signing in through the organisation's identity provider: a real OpenID Connect provider
(Authlib's server side) on 127.0.0.1, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import func, select

from cafpedia.accounts.models import AccessRequest, User, UserSession
from cafpedia.config import ConfigError
from cafpedia.core.audit import AuditEntry
from cafpedia.extensions import db
from cafpedia.mail.models import MailMessage
from cafpedia.notifications.models import Notification
from tests.conftest import TEST_PASSWORD
from tests.support.oidc_provider import LocalProvider

CLIENT_ID, CLIENT_SECRET = "cafpedia", "client-secret-for-tests"
RETURN_URL = "http://127.0.0.1:5000/sign-in/organisation/return"  # CAFPEDIA_BASE_URL's default, + the route


def provider_settings(provider: LocalProvider, **more) -> dict:
    return {"OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET} | more


@pytest.fixture
def provider():
    with LocalProvider(CLIENT_ID, CLIENT_SECRET, [RETURN_URL]) as op:
        op.add_user("sub-jo", "jo.smith@cafcass.example", "Jo Smith")
        op.add_user("sub-new", "new.starter@cafcass.example", "New Starter")
        op.add_user("sub-unverified", "sam.jones@cafcass.example", "Sam Jones", email_verified=False)
        yield op


@pytest.fixture
def app(make_app, provider):
    """This module's app signs in through the provider (overrides the suite's `app`)."""
    app = make_app(**provider_settings(provider))
    with app.app_context():
        yield app
        db.session.remove()


def through_provider(client, provider, email, *, next_url=None):
    """What a browser does: CAFpedia -> the provider (signed in there as `email`) -> back."""
    provider.sign_in_as = email
    start = client.get("/sign-in/organisation" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.get_data(as_text=True)
    assert start.location.startswith(provider.issuer + "/authorize?")
    at_provider = requests.get(start.location, allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == RETURN_URL
    return client.get(f"{back.path}?{back.query}")


def signed_in_as(client) -> str | None:
    page = client.get("/account")
    if page.status_code != 200:
        return None
    return page.get_data(as_text=True)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_person_is_matched_by_verified_email_then_known_by_their_identity(app, client, make_user, provider):
    make_user(
        "jo.smith", email="Jo.Smith@cafcass.example", password=None
    )  # loaded without a password, as real accounts are
    answer = through_provider(client, provider, "jo.smith@cafcass.example", next_url="/areas")
    assert answer.status_code == 302 and answer.location == "/areas"
    assert "jo.smith" in signed_in_as(client)
    user = db.session.scalar(select(User).where(User.username == "jo.smith"))
    assert (user.oidc_issuer, user.oidc_subject) == (provider.issuer, "sub-jo")
    assert (
        db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "user.identity_linked"))
        == "user.identity_linked"
    )
    assert count(UserSession) == 1  # a server-side session, as with a password

    # Later the provider changes the address: the person is still known by their identity.
    client.sign_out()
    provider.users["jo.smith@cafcass.example"].email = "jo.smith-ward@cafcass.example"
    assert through_provider(client, provider, "jo.smith@cafcass.example").status_code == 302
    assert "jo.smith" in signed_in_as(client)


def test_roles_and_areas_stay_cafpedias_own(app, client, make_user, provider):
    make_user("jo.smith", ["lead_manager"], email="jo.smith@cafcass.example")
    through_provider(client, provider, "jo.smith@cafcass.example")
    user = db.session.scalar(select(User).where(User.username == "jo.smith"))
    assert user.roles == {"lead_manager"}


def test_someone_unknown_gets_no_access_and_the_administrators_are_told_once(app, client, make_user, provider):
    make_user("ada.admin", ["admin"], email="ada@cafcass.example")
    answer = through_provider(client, provider, "new.starter@cafcass.example")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 403 and "You have asked for access" in page and "new.starter@cafcass.example" in page
    assert signed_in_as(client) is None and count(UserSession) == 0
    request = db.session.scalar(select(AccessRequest))
    assert (request.status, request.email, request.email_verified, request.name) == (
        "waiting",
        "new.starter@cafcass.example",
        True,
        "New Starter",
    )
    told = list(db.session.scalars(select(Notification).where(Notification.kind == "access_request")))
    assert len(told) == 1 and "New Starter" in told[0].message
    assert (
        db.session.scalar(
            select(func.count()).select_from(MailMessage).where(MailMessage.to_addr == "ada@cafcass.example")
        )
        == 1
    )

    through_provider(
        client, provider, "new.starter@cafcass.example"
    )  # tries again: not a second request, nobody told twice
    db.session.expire_all()
    assert count(AccessRequest) == 1 and db.session.scalar(select(AccessRequest.tries)) == 2
    assert (
        db.session.scalar(select(func.count()).select_from(Notification).where(Notification.kind == "access_request"))
        == 1
    )


def test_an_administrator_grants_access_choosing_roles_and_areas_and_the_person_can_sign_in(
    app, client, make_user, make_area, provider
):
    make_user("ada.admin", ["admin"])
    make_area("private-law")
    through_provider(client, provider, "new.starter@cafcass.example")
    request_id = db.session.scalar(select(AccessRequest.id))

    admin = app.test_client()
    from tests.conftest import Client

    admin = Client(admin)
    admin.sign_in("ada.admin")
    listing = admin.get("/admin/people/requests").get_data(as_text=True)
    assert "New Starter" in listing and "Waiting (1)" in listing
    assert "(1 waiting)" in admin.get("/admin/people").get_data(as_text=True)
    form = admin.get(f"/admin/people/requests/{request_id}").get_data(as_text=True)
    assert 'value="new.starter"' in form  # a username suggested from the address
    refused = admin.post_form(
        f"/admin/people/requests/{request_id}",
        {"username": "new.starter", "name": "New Starter", "roles": "no-such-role"},
    )
    assert refused.status_code == 400 and count(User) == 1
    granted = admin.post_form(
        f"/admin/people/requests/{request_id}",
        {"username": "new.starter", "name": "New Starter", "roles": "practitioner", "areas": "private-law"},
    )
    assert granted.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "new.starter"))
    assert (
        user.password_hash is None
        and user.oidc_subject == "sub-new"
        and [a.slug for a in user.areas] == ["private-law"]
    )
    assert (
        db.session.scalar(select(MailMessage.subject).where(MailMessage.to_addr == "new.starter@cafcass.example"))
        == "You can now use CAFpedia"
    )
    again = admin.post_form(
        f"/admin/people/requests/{request_id}", {"username": "other", "name": "Other", "roles": "practitioner"}
    )
    assert "Grant access" not in again.get_data(as_text=True) and count(User) == 2  # decided: no second account

    assert through_provider(client, provider, "new.starter@cafcass.example").status_code == 302
    assert "new.starter" in signed_in_as(client)


def test_an_administrator_adds_a_person_without_a_password_who_then_signs_in_through_the_provider(
    app, client, make_user, provider
):
    from tests.conftest import Client

    make_user("ada.admin", ["admin"])
    admin = Client(app.test_client())
    admin.sign_in("ada.admin")
    form = admin.get("/admin/people/new").get_data(as_text=True)
    assert 'name="password"' not in form and "signs in with their organisation account" in form
    assert "checked" not in re.search(r'<input[^>]*name="invite"[^>]*>', form).group(0)  # no need
    created = admin.post_form(
        "/admin/people/new",
        {"username": "jo.smith", "name": "Jo Smith", "email": "jo.smith@cafcass.example", "roles": "practitioner"},
    )
    assert created.status_code == 302
    assert "organisation account" in admin.get(created.location).get_data(as_text=True)
    assert db.session.scalar(select(User.password_hash).where(User.username == "jo.smith")) is None
    assert through_provider(client, provider, "jo.smith@cafcass.example").status_code == 302
    assert "jo.smith" in signed_in_as(client)


def test_a_declined_request_stays_declined(app, client, make_user, provider):
    make_user("ada.admin", ["admin"])
    through_provider(client, provider, "new.starter@cafcass.example")
    from tests.conftest import Client

    admin = Client(app.test_client())
    admin.sign_in("ada.admin")
    request_id = db.session.scalar(select(AccessRequest.id))
    assert admin.post_form(f"/admin/people/requests/{request_id}/decline").status_code == 302
    answer = through_provider(client, provider, "new.starter@cafcass.example")
    assert answer.status_code == 403 and "declined" in answer.get_data(as_text=True)
    assert (
        db.session.scalar(select(func.count()).select_from(Notification).where(Notification.kind == "access_request"))
        == 1
    )


def test_an_account_made_by_hand_closes_the_waiting_request(app, client, make_user, provider):
    through_provider(client, provider, "new.starter@cafcass.example")
    make_user("new.starter", email="new.starter@cafcass.example")
    assert through_provider(client, provider, "new.starter@cafcass.example").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(AccessRequest.status)) == "granted"


def test_an_unverified_email_matches_nobody(app, client, make_user, provider):
    make_user("sam.jones", email="sam.jones@cafcass.example")
    answer = through_provider(client, provider, "sam.jones@cafcass.example")
    assert answer.status_code == 403 and signed_in_as(client) is None
    assert db.session.scalar(select(AccessRequest.email_verified)) is False
    assert db.session.scalar(select(User.oidc_subject).where(User.username == "sam.jones")) is None


@pytest.mark.parametrize("case", ["deactivated", "two accounts", "linked to someone else"])
def test_refusals_say_why_and_sign_nobody_in(app, client, make_user, provider, case):
    if case == "deactivated":
        make_user("jo.smith", email="jo.smith@cafcass.example", active=False)
        expected = "deactivated"
    elif case == "two accounts":
        make_user("jo.smith", email="jo.smith@cafcass.example")
        make_user("jo.smith2", email="JO.SMITH@cafcass.example")
        expected = "More than one CAFpedia account has the address"
    else:
        user = make_user("jo.smith", email="jo.smith@cafcass.example")
        user.oidc_issuer, user.oidc_subject = provider.issuer, "someone-else"
        db.session.commit()
        expected = "linked to a different identity"
    answer = through_provider(client, provider, "jo.smith@cafcass.example")
    assert answer.status_code == 403 and expected in answer.get_data(as_text=True)
    assert signed_in_as(client) is None and count(UserSession) == 0 and count(AccessRequest) == 0


def test_an_administrator_can_unlink_an_account(app, client, make_user, provider):
    make_user("jo.smith", email="jo.smith@cafcass.example")
    through_provider(client, provider, "jo.smith@cafcass.example")
    from tests.conftest import Client

    make_user("ada.admin", ["admin"])
    admin = Client(app.test_client())
    admin.sign_in("ada.admin")
    assert "Unlink the organisation account" in admin.get("/admin/people/jo.smith").get_data(as_text=True)
    assert admin.post_form("/admin/people/jo.smith/identity/forget").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(User.oidc_subject).where(User.username == "jo.smith")) is None
    assert signed_in_as(client) is None  # unlinking signs the person out


# --- The provider misbehaves: a plain page, never a 500, and nothing written ------------------


UNAVAILABLE = "Sign-in is unavailable just now"


def _nothing_written() -> bool:
    return (
        count(UserSession) == 0 and count(AccessRequest) == 0 and db.session.scalar(select(User.oidc_subject)) is None
    )


@pytest.mark.parametrize("switch", ["bad_token", "wrong_audience", "token_endpoint_fails", "advertised_issuer"])
def test_a_bad_answer_from_the_provider_shows_sign_in_unavailable(app, client, make_user, provider, switch):
    make_user("jo.smith", email="jo.smith@cafcass.example")
    setattr(provider, switch, "http://127.0.0.1:1/elsewhere" if switch == "advertised_issuer" else True)
    answer = (
        through_provider(client, provider, "jo.smith@cafcass.example")
        if switch != "advertised_issuer"
        else client.get("/sign-in/organisation")
    )
    assert answer.status_code == 503 and UNAVAILABLE in answer.get_data(as_text=True)
    assert signed_in_as(client) is None and _nothing_written()


def test_a_provider_that_is_down_shows_sign_in_unavailable(app, client, make_user, provider):
    make_user("jo.smith", email="jo.smith@cafcass.example")
    provider.sign_in_as = "jo.smith@cafcass.example"
    start = client.get("/sign-in/organisation")
    back = urlsplit(requests.get(start.location, allow_redirects=False, timeout=10).headers["Location"])
    provider.stop()  # goes down between the browser's visit and CAFpedia's call for the token
    answer = client.get(f"{back.path}?{back.query}")
    assert answer.status_code == 503 and UNAVAILABLE in answer.get_data(as_text=True)
    again = client.get("/sign-in/organisation")  # not sent on to a dead address
    assert again.status_code == 503 and UNAVAILABLE in again.get_data(as_text=True)


def test_an_unreachable_provider_at_the_start_shows_sign_in_unavailable(make_app, provider, make_user):
    settings = provider_settings(provider)
    provider.stop()
    app = make_app(**settings)
    with app.app_context():
        answer = app.test_client().get("/sign-in/organisation")
        assert answer.status_code == 503 and UNAVAILABLE in answer.get_data(as_text=True)
        db.session.remove()


@pytest.mark.parametrize("query", ["", "?code=forged&state=forged", "?error=access_denied&error_description=cancelled"])
def test_a_return_that_is_not_from_this_sign_in_shows_sign_in_unavailable(app, client, provider, query):
    answer = client.get("/sign-in/organisation/return" + query)
    assert answer.status_code == 503 and UNAVAILABLE in answer.get_data(as_text=True)
    # Its address holds the provider's code: no cache keeps the page, no link tells its address.
    assert (answer.headers["Cache-Control"], answer.headers["Referrer-Policy"]) == ("no-store", "no-referrer")


# --- Passwords for break-glass administrators only -------------------------------------------


@pytest.fixture
def admins_only(make_app, provider):
    app = make_app(**provider_settings(provider, PASSWORD_SIGN_IN="admins"))
    with app.app_context():
        yield app
        db.session.remove()


def test_with_passwords_for_admins_only_others_are_sent_to_the_provider(admins_only, make_user):
    from tests.conftest import Client

    make_user("jo.smith", email="jo.smith@cafcass.example")
    make_user("ada.admin", ["admin"], email="ada@cafcass.example")
    client = Client(admins_only.test_client())
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Sign in with your organisation account" in page and "Administrators: sign in with a password" in page
    refused = client.sign_in("jo.smith")
    assert refused.status_code == 401 and "only for CAFpedia administrators" in refused.get_data(as_text=True)
    wrong = client.sign_in("jo.smith", "not-the-password")
    assert "only for" not in wrong.get_data(as_text=True)  # nothing said to someone without the password
    assert client.sign_in("ada.admin").status_code == 302

    person = client.get("/admin/people/jo.smith").get_data(as_text=True)
    assert "Email an invitation" not in person and "Not used: here passwords are only for administrators" in person
    assert client.post_form("/admin/people/jo.smith/invite").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(MailMessage)) == 0
    reset = client.post_form("/admin/people/jo.smith/password", {"password": TEST_PASSWORD + "x"})
    assert reset.status_code == 400 and "only for administrators" in reset.get_data(as_text=True)


def test_invite_everyone_without_a_password_invites_only_administrators_when_passwords_are_theirs(
    make_user, admins_only
):  # admins_only: the app in use
    make_user("jo.smith", email="jo.smith@cafcass.example", password=None)
    make_user("ada.admin", ["admin"], email="ada@cafcass.example", password=None)
    result = admins_only.test_cli_runner().invoke(args=["invite", "--all-without-password"])
    assert result.exit_code == 0, result.output
    assert list(db.session.scalars(select(MailMessage.to_addr))) == ["ada@cafcass.example"]


# --- Settings -------------------------------------------------------------------------------


def test_without_a_provider_there_is_no_provider_sign_in(make_app):
    app = make_app()
    with app.app_context():
        web = app.test_client()
        assert "organisation account" not in web.get("/sign-in").get_data(as_text=True)
        assert web.get("/sign-in/organisation").status_code == 404
        assert web.get("/sign-in/organisation/return").status_code == 404
        db.session.remove()


@pytest.mark.parametrize(
    "settings, says",
    [
        ({"PASSWORD_SIGN_IN": "admins"}, "needs an identity provider"),
        ({"PASSWORD_SIGN_IN": "nobody"}, "must be 'everyone' or 'admins'"),
        (
            {"OIDC_ISSUER": "https://login.example.org"},
            "set CAFPEDIA_OIDC_CLIENT_ID and CAFPEDIA_OIDC_CLIENT_SECRET too",
        ),
        (
            {"OIDC_ISSUER": "http://login.example.org", "OIDC_CLIENT_ID": "a", "OIDC_CLIENT_SECRET": "b"},
            "must be an https:// address",
        ),
    ],
)
def test_settings_that_cannot_work_are_refused_by_name(make_app, settings, says):
    with pytest.raises(ConfigError, match=says):
        make_app(**settings)
