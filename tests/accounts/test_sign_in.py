"""Signing in and out: hashed passwords, clear refusals, lockout after repeated failures."""

from __future__ import annotations

import re
from datetime import timedelta

from cafpedia.accounts.people import find_user
from cafpedia.core.audit import AuditEntry
from cafpedia.core.clock import utcnow
from cafpedia.extensions import db
from tests.conftest import TEST_PASSWORD


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_sign_in_and_out(client, make_user):
    make_user("jo.smith", name="Jo Smith")
    response = client.sign_in("jo.smith")
    assert response.status_code == 302
    page = text_of(client.get("/"))
    assert "Signed in as" in page and "Jo Smith" in page
    response = client.sign_out()
    assert response.headers["Location"] == "/sign-in"
    assert client.get("/").status_code == 302


def test_username_is_case_insensitive(client, make_user):
    make_user("jo.smith")
    assert client.sign_in("Jo.Smith").status_code == 302


def test_password_is_stored_hashed(app, make_user):
    user = make_user("jo.smith")
    assert TEST_PASSWORD not in user.password_hash
    assert user.password_hash.startswith("pbkdf2:")


def test_sign_in_returns_to_the_page_asked_for(client, make_user):
    make_user("jo.smith")
    token = client.csrf_token()
    response = client.raw.post(
        "/sign-in?next=/standards", data={"username": "jo.smith", "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert response.headers["Location"] == "/standards"


def test_sign_in_never_redirects_off_site(client, make_user):
    make_user("jo.smith")
    token = client.csrf_token()
    for target in [
        "https://evil.example/",
        "//evil.example/",
        "javascript:alert(1)",
        "/\\evil.example/",
        "/%5Cevil.example/",
    ]:
        client.sign_out() if target != "https://evil.example/" else None
        response = client.raw.post(
            f"/sign-in?next={target}", data={"username": "jo.smith", "password": TEST_PASSWORD, "csrf_token": token}
        )
        assert response.headers["Location"] == "/", target
        client.sign_out()
        token = client.csrf_token()


def test_wrong_password_and_unknown_user_get_the_same_clear_message(client, make_user):
    make_user("jo.smith")
    wrong = client.sign_in("jo.smith", "not-the-password")
    unknown = client.sign_in("no.body", "whatever-password")
    assert wrong.status_code == 401 and unknown.status_code == 401
    assert "username or password is not right" in text_of(wrong)
    assert "username or password is not right" in text_of(unknown)
    # Word for word the same, so the message does not reveal which usernames exist.
    assert text_of(wrong).count("After 5 failed tries in a row") == 1
    assert (
        text_of(wrong).split('class="error-summary"')[1].split("</div>")[0]
        == text_of(unknown).split('class="error-summary"')[1].split("</div>")[0]
    )


def test_empty_and_over_long_fields_are_named(client):
    response = client.post_form("/sign-in", {"username": "", "password": ""})
    assert response.status_code == 400
    page = text_of(response)
    assert "Enter your username." in page and "Enter your password." in page
    response = client.post_form("/sign-in", {"username": "x" * 500, "password": "y"})
    assert response.status_code == 400
    assert "at most 64 characters" in text_of(response)


def test_deactivated_account_is_told_so(client, make_user):
    make_user("jo.smith", active=False)
    response = client.sign_in("jo.smith")
    assert response.status_code == 401
    assert "deactivated" in text_of(response)


def test_repeated_failures_lock_the_account_for_a_while(app, client, make_user):
    make_user("jo.smith")
    for _ in range(4):
        assert "username or password is not right" in text_of(client.sign_in("jo.smith", "wrong-password"))
    locked = client.sign_in("jo.smith", "wrong-password")
    unknown = client.sign_in("no.such.person", "wrong-password")
    said = [re.search(r"The username or password is not right[^<]*", text_of(r)).group(0) for r in (locked, unknown)]
    assert said[0] == said[1]  # a lock tells nobody that the account exists
    assert "locked for 15 minutes" in text_of(locked)
    # Even the right password is refused while the lock lasts.
    still = client.sign_in("jo.smith")
    assert still.status_code == 401 and "locked for 15 minutes" in text_of(still)
    entry = db.session.query(AuditEntry).filter_by(action="account.locked", object_ref="jo.smith").one()
    assert entry.actor_name == "sign-in"
    # When the lock has passed, the right password works again.
    user = find_user("jo.smith")
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.sign_in("jo.smith").status_code == 302


def test_account_with_no_password_cannot_sign_in(client, make_user):
    make_user("no.password", password=None)
    assert client.sign_in("no.password", "").status_code == 400
    assert client.sign_in("no.password", "anything-at-all").status_code == 401


def test_deactivation_ends_an_open_session(app, client, make_user):
    from cafpedia.accounts import people

    make_user("jo.smith")
    client.sign_in("jo.smith")
    assert client.get("/").status_code == 200
    people.set_active(None, find_user("jo.smith"), False)
    db.session.commit()
    assert client.get("/").status_code == 302


def test_change_own_password(client, make_user):
    make_user("jo.smith")
    client.sign_in("jo.smith")
    bad = client.post_form(
        "/account/password", {"current_password": "wrong-one", "new_password": "a-brand-new-password"}
    )
    assert bad.status_code == 400 and "current password is not right" in text_of(bad)
    short = client.post_form("/account/password", {"current_password": TEST_PASSWORD, "new_password": "short"})
    assert short.status_code == 400 and "at least 10 characters" in text_of(short)
    ok = client.post_form(
        "/account/password", {"current_password": TEST_PASSWORD, "new_password": "a-brand-new-password"}
    )
    assert ok.status_code == 302
    assert client.get("/account").status_code == 200  # this session stays signed in
    client.sign_out()
    assert client.sign_in("jo.smith", "a-brand-new-password").status_code == 302


def test_failures_count_only_in_a_row(app, client, make_user):
    """A failure after a quiet spell longer than the lock starts the count again."""
    make_user("jo.smith")
    for _ in range(4):
        client.sign_in("jo.smith", "wrong-password")
    user = find_user("jo.smith")
    user.last_failed_sign_in_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    response = client.sign_in("jo.smith", "wrong-password")
    assert "locked after" not in text_of(response)
    db.session.expire_all()
    assert find_user("jo.smith").failed_sign_ins == 1


def test_control_characters_are_refused_with_400(client, make_user):
    make_user("jo.smith")
    assert client.post_form("/sign-in", {"username": "jo\x00smith", "password": "x"}).status_code == 400
    client.sign_in("jo.smith")
    for path in ["/search?q=a%00b", "/areas/a%00b", "/standards/x%00"]:
        assert client.get(path).status_code == 400, path


def test_sign_in_attempts_are_limited_per_client(make_app, make_user):
    from tests.conftest import Client

    app = make_app(RATELIMIT_ENABLED=True, SIGNIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        make_user("jo.smith")
        client = Client(app.test_client())
        for username in ("jo.smith", "someone.else", "another.one"):  # whatever the account
            assert client.sign_in(username, "wrong-password").status_code == 401
        refused = client.sign_in("jo.smith")
        assert refused.status_code == 429 and "Too many attempts have come from here" in text_of(refused)
        assert client.raw.get("/sign-in").status_code == 200  # reading the page is not limited
