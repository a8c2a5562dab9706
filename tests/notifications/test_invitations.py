"""Invitations: an administrator (or `cafpedia invite`) emails a one-time link; the person
follows it from the real SMTP server's copy, chooses a password and is signed in."""

from __future__ import annotations

import re

from cafpedia.accounts.people import find_user
from cafpedia.extensions import db
from cafpedia.mail import outbox
from tests.conftest import Client


def link_in(smtp, address: str) -> str:
    mail = smtp.inbox.to(address)[-1]
    assert mail["Subject"] == "Set your CAFpedia password"
    return re.search(r"https://cafpedia\.test(/invitation/[A-Za-z0-9_-]+)", smtp.inbox.text(mail)).group(1)


def test_an_invitation_sets_a_password_once(mail_app, smtp, make_user, admin_client, clock):
    make_user("new.starter", ["practitioner"], name="New Starter", email="new.starter@example.org", password=None)
    assert admin_client.post_form("/admin/people/new.starter/invite").status_code == 302
    outbox.drain()
    path = link_in(smtp, "new.starter@example.org")
    person = Client(mail_app.test_client())
    page = person.raw.get(path)
    assert (
        page.status_code == 200
        and "Choose your password" in page.get_data(as_text=True)
        and "new.starter" in page.get_data(as_text=True)
    )
    short = person.post_form(path, {"password": "short"})
    assert short.status_code == 400 and find_user("new.starter").password_hash is None
    done = person.post_form(path, {"password": "a-long-enough-passphrase"})
    assert done.status_code == 302 and person.raw.get("/account").status_code == 200  # signed in
    again = Client(mail_app.test_client()).raw.get(path)
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    fresh = Client(mail_app.test_client())
    assert fresh.sign_in("new.starter", "a-long-enough-passphrase").status_code == 302


def test_an_old_link_expires_and_a_newer_one_replaces_it(mail_app, smtp, make_user, admin_client, clock):
    make_user("new.starter", ["practitioner"], email="new.starter@example.org", password=None)
    admin_client.post_form("/admin/people/new.starter/invite")
    outbox.drain()
    first = link_in(smtp, "new.starter@example.org")
    admin_client.post_form("/admin/people/new.starter/invite")
    outbox.drain()
    second = link_in(smtp, "new.starter@example.org")
    person = Client(mail_app.test_client())
    assert "a newer invitation replaced it" in person.raw.get(first).get_data(as_text=True)
    clock.advance(hours=73)
    expired = person.raw.get(second)
    assert expired.status_code == 410 and "has expired" in expired.get_data(as_text=True)
    assert person.raw.get("/invitation/" + "x" * 500).status_code == 410  # nonsense: said plainly, no error


def test_someone_without_an_address_cannot_be_invited(mail_app, make_user, admin_client):
    make_user("no.email", ["practitioner"], email="", password=None)
    page = admin_client.post_form("/admin/people/no.email/invite", follow_redirects=True).get_data(as_text=True)
    assert "has no email address" in page


def test_invite_everyone_without_a_password_from_the_command_line(mail_app, smtp, make_user, runner):
    make_user("has.password", ["practitioner"], email="has.password@example.org")
    make_user("first.one", ["practitioner"], email="first.one@example.org", password=None)
    make_user("second.one", ["practitioner"], email="second.one@example.org", password=None)
    result = runner.invoke(args=["invite", "--all-without-password"])
    assert result.exit_code == 0 and "Invited 2 person(s): first.one, second.one" in result.output
    assert runner.invoke(args=["invite"]).exit_code != 0
    assert "no account called" in runner.invoke(args=["invite", "nobody.here"]).output
    outbox.drain()
    assert (
        smtp.inbox.to("first.one@example.org")
        and smtp.inbox.to("second.one@example.org")
        and not smtp.inbox.to("has.password@example.org")
    )


def test_a_page_whose_address_holds_a_token_is_never_stored(mail_app, smtp, make_user, admin_client, clock):
    make_user("new.starter", ["practitioner"], email="new.starter@example.org", password=None)
    admin_client.post_form("/admin/people/new.starter/invite")
    outbox.drain()
    path = link_in(smtp, "new.starter@example.org")
    person = Client(mail_app.test_client())
    answers = [
        person.raw.get(path),  # the form
        person.post_form(path, {"password": "short"}),  # the form again, with its problem
        Client(mail_app.test_client()).raw.get("/invitation/" + "x" * 40),  # not a link CAFpedia sent
    ]
    assert [a.status_code for a in answers] == [200, 400, 410]
    for answer in answers:
        assert answer.headers["Cache-Control"] == "no-store"  # neither a shared cache nor the browser's keeps it
        assert answer.headers["Referrer-Policy"] == "no-referrer"  # the address is told to nobody


def test_an_invitation_carries_no_link_the_person_cannot_open_yet(mail_app, smtp, make_user, admin_client):
    """The notification settings need a signed-in person: someone invited has no password yet."""
    make_user("new.starter", ["practitioner"], email="new.starter@example.org", password=None)
    admin_client.post_form("/admin/people/new.starter/invite")
    outbox.drain()
    mail = smtp.inbox.to("new.starter@example.org")[-1]
    for body in (smtp.inbox.text(mail), smtp.inbox.html(mail)):
        assert "/notifications" not in body and "notification settings" not in body
        assert "/invitation/" in body and "nothing changes until the link is used" in body


def test_mail_to_someone_who_cannot_sign_in_yet_has_no_settings_link(mail_app, smtp, make_user):
    """Everyone active hears of a new digest issue; an imported person without a password
    (and no identity provider) cannot open the settings page, so they are not sent there."""
    from cafpedia.notifications.services import notify, notify_everyone

    signs_in = make_user("signs.in", ["practitioner"], email="signs.in@example.org")
    not_yet = make_user("not.yet", ["practitioner"], email="not.yet@example.org", password=None)
    notify_everyone("digest", "New research digest: Winter 2026", "/digest/2026-winter")
    notify(not_yet, "digest", "New research digest: Spring 2027", "/digest/2027-spring")
    notify(signs_in, "digest", "New research digest: Spring 2027", "/digest/2027-spring")
    db.session.commit()
    outbox.drain()
    for mail in smtp.inbox.to("not.yet@example.org"):
        for body in (smtp.inbox.text(mail), smtp.inbox.html(mail)):
            assert "/notifications" not in body and "Once you have signed in" in body
    for mail in smtp.inbox.to("signs.in@example.org"):
        assert "https://cafpedia.test/notifications#settings" in smtp.inbox.text(mail)
    assert len(smtp.inbox.to("not.yet@example.org")) == len(smtp.inbox.to("signs.in@example.org")) == 2
