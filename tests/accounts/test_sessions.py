"""Sessions that end on the server: signing out, signing out everywhere, and expiry."""

from __future__ import annotations

from tests.conftest import TEST_PASSWORD, Client


def signed_in(app, username="jo.smith", *, remember=False) -> Client:
    client = Client(app.test_client())
    data = {"username": username, "password": TEST_PASSWORD} | ({"remember": "y"} if remember else {})
    assert client.post_form("/sign-in", data).status_code == 302
    return client


def with_cookies(app, **cookies) -> Client:
    client = Client(app.test_client())
    for name, value in cookies.items():
        client.raw.set_cookie(name, value)
    return client


def is_signed_in(client) -> bool:
    return client.raw.get("/account").status_code == 200


def test_signing_out_ends_the_session_and_a_copied_cookie_stops_working(app, make_user):
    make_user("jo.smith")
    jo = signed_in(app, remember=True)
    session_cookie = jo.raw.get_cookie("cafpedia_session").value
    remember_cookie = jo.raw.get_cookie("remember_token").value
    assert is_signed_in(with_cookies(app, cafpedia_session=session_cookie))
    assert is_signed_in(with_cookies(app, remember_token=remember_cookie))  # "keep me signed in" works...
    jo.sign_out()
    assert not is_signed_in(jo)
    assert not is_signed_in(with_cookies(app, cafpedia_session=session_cookie))  # ...until sign-out, copies included
    assert not is_signed_in(with_cookies(app, remember_token=remember_cookie))


def test_sessions_expire(app, make_user, clock):
    make_user("jo.smith")
    short, kept = signed_in(app), signed_in(app, remember=True)
    remember_cookie = kept.raw.get_cookie("remember_token").value
    clock.advance(hours=13)
    assert not is_signed_in(with_cookies(app, cafpedia_session=short.raw.get_cookie("cafpedia_session").value))
    assert is_signed_in(with_cookies(app, remember_token=remember_cookie))
    clock.advance(days=14)
    assert not is_signed_in(with_cookies(app, remember_token=remember_cookie))  # remember-me tokens expire too


def test_sign_out_everywhere(app, make_user):
    make_user("jo.smith")
    make_user("sam.other")
    phone, desk, other = signed_in(app, remember=True), signed_in(app), signed_in(app, "sam.other")
    page = desk.raw.get("/account").get_data(as_text=True)
    assert "Where you are signed in" in page and page.count("(kept signed in)") == 1 and "(this one)" in page
    remember_cookie = phone.raw.get_cookie("remember_token").value
    assert desk.post_form("/account/sign-out-everywhere").status_code == 302
    assert not is_signed_in(desk) and not is_signed_in(phone)
    assert not is_signed_in(with_cookies(app, remember_token=remember_cookie))
    assert is_signed_in(other)  # only this person's sessions end
    assert is_signed_in(signed_in(app))  # and they can sign in again


def test_changing_your_password_keeps_this_device_and_ends_the_others(app, make_user):
    make_user("jo.smith")
    here, there = signed_in(app), signed_in(app)
    response = here.post_form(
        "/account/password", {"current_password": TEST_PASSWORD, "new_password": "a-brand-new-passphrase"}
    )
    assert response.status_code == 302
    assert is_signed_in(here) and not is_signed_in(there)


def test_the_roles_read_with_the_person_are_theirs_until_they_change(app, make_user, count_queries):
    """A signed-in request reads the person's roles in the same statement as the person; a
    change to their roles in the request, or a commit, is seen at once."""
    from cafpedia.accounts import sessions
    from cafpedia.core.permissions import ADMIN, LEAD_MANAGER, PRACTITIONER
    from cafpedia.extensions import db

    with app.test_request_context("/"):
        jo = make_user("jo.smith", roles=(PRACTITIONER, LEAD_MANAGER))
        sessions.start_session(jo)
        db.session.commit()
        session_id = jo.get_id()
        db.session.remove()

        with count_queries() as queries:
            jo = sessions.load_user_from_session(session_id)
            assert jo.roles == {PRACTITIONER, LEAD_MANAGER}
        assert queries.count == 1, str(queries)  # the roles came with the person

        jo.set_roles([PRACTITIONER, ADMIN])  # as the people page does
        assert jo.roles == {PRACTITIONER, ADMIN}
        db.session.commit()
        assert jo.roles == {PRACTITIONER, ADMIN}  # read again after the commit

        from cafpedia.accounts.models import UserRole

        db.session.execute(UserRole.__table__.delete().where(UserRole.user_id == jo.id, UserRole.role == ADMIN))
        db.session.commit()  # another request's change, committed
        assert jo.roles == {PRACTITIONER}
        db.session.remove()

        assert sessions.load_user_from_session(session_id).roles == {PRACTITIONER}
