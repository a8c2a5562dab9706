"""Signing in and out: hashed passwords, clear refusals, lockout after repeated failures."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from cafpedia.accounts.models import SignInFailures
from cafpedia.accounts.people import find_user
from cafpedia.core.audit import AuditEntry
from cafpedia.extensions import db
from tests.conftest import TEST_PASSWORD, Client


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


def test_repeated_failures_lock_the_account_for_a_while(app, client, make_user, clock):
    make_user("jo.smith")
    for _ in range(4):
        assert "username or password is not right" in text_of(client.sign_in("jo.smith", "wrong-password"))
    locked = client.sign_in("jo.smith", "wrong-password")
    for _ in range(5):
        unknown = client.sign_in("no.such.person", "wrong-password")
    said = [re.search(r"The username or password is not right[^<]*", text_of(r)).group(0) for r in (locked, unknown)]
    assert said[0] == said[1]  # a lock tells nobody that the account exists
    assert "locked for 15 minutes" in text_of(locked)
    # Even the right password is refused while the lock lasts.
    still = client.sign_in("jo.smith")
    assert still.status_code == 401 and "locked for 15 minutes" in text_of(still)
    entry = db.session.query(AuditEntry).filter_by(action="account.locked", object_ref="jo.smith").one()
    assert entry.actor_name == "sign-in" and "from 127.0.0.1" in entry.summary
    assert not db.session.query(AuditEntry).filter_by(action="account.locked", object_ref="no.such.person").count()
    # When the lock has passed, the right password works again.
    clock.advance(minutes=15, seconds=1)
    assert client.sign_in("jo.smith").status_code == 302


def from_place(app, address: str) -> Client:
    web = app.test_client()
    web.environ_base["REMOTE_ADDR"] = address
    return Client(web)


def test_a_lock_holds_only_for_the_place_the_failures_came_from(app, make_user, clock):
    make_user("ada.admin", ["admin"])
    attacker = from_place(app, "203.0.113.9")
    for _ in range(6):
        assert attacker.sign_in("ada.admin", "a-guess-at-it").status_code == 401
    assert attacker.sign_in("ada.admin").status_code == 401  # locked from there, even with the password
    # The administrator, at their own desk, is not locked out.
    assert from_place(app, "198.51.100.7").sign_in("ada.admin").status_code == 302
    # An IPv6 address counts by its /64 (one machine's addresses): the next address there is still locked.
    for _ in range(5):
        from_place(app, "2001:db8:1:2::10").sign_in("ada.admin", "a-guess-at-it")
    assert from_place(app, "2001:db8:1:2::11").sign_in("ada.admin").status_code == 401
    assert from_place(app, "2001:db8:1:3::11").sign_in("ada.admin").status_code == 302
    # The person page tells administrators where it is locked from.
    admin = from_place(app, "198.51.100.7")
    admin.sign_in("ada.admin")
    page = text_of(admin.get("/admin/people/ada.admin"))
    assert "password sign-ins from 203.0.113.9" in page and "password sign-ins from 2001:db8:1:2::/64" in page


def test_unknown_locked_and_wrong_answers_check_one_password_hash_each(app, client, make_user, monkeypatch):
    """The same work, so the same time, whichever the refusal: 6 ms for a locked account and
    250 ms for an unknown one told an attacker which accounts exist."""
    from cafpedia.accounts import signing_in

    checked = []
    real_check = signing_in.check_password_hash

    def counting_check(stored, password):
        checked.append(stored.split("$", 1)[0])  # the method and its cost
        return real_check(stored, password)

    monkeypatch.setattr(signing_in, "check_password_hash", counting_check)
    make_user("jo.smith")
    make_user("no.password", password=None)
    make_user("gone.away", active=False)
    real_method = find_user("jo.smith").password_hash.split("$", 1)[0]

    def hash_checks(username, password="wrong-password"):
        checked.clear()
        answer = client.sign_in(username, password)
        assert answer.status_code == 401, username
        return list(checked)

    assert hash_checks("no.such.person") == [real_method]
    assert hash_checks("no.password") == [real_method]
    assert hash_checks("jo.smith") == [real_method]
    assert hash_checks("gone.away", TEST_PASSWORD) == [real_method]
    for _ in range(4):
        client.sign_in("jo.smith", "wrong-password")
    assert hash_checks("jo.smith") == [real_method]  # locked now
    assert hash_checks("jo.smith", TEST_PASSWORD) == [real_method]  # locked, with the right password


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


def test_failures_count_only_in_a_row(app, client, make_user, clock):
    """A failure after a quiet spell longer than the lock starts the count again."""
    make_user("jo.smith")
    for _ in range(4):
        client.sign_in("jo.smith", "wrong-password")
    clock.advance(hours=1)
    for _ in range(4):
        response = client.sign_in("jo.smith", "wrong-password")
    assert response.status_code == 401
    assert client.sign_in("jo.smith").status_code == 302  # 4 in a row: not locked
    assert db.session.scalar(select(func.count()).select_from(SignInFailures)) == 0  # a sign-in clears its count


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
