"""The moderation loop by email, in real Chromium: a proposal mails the lead manager through a
real SMTP server; she follows the link in the email to the decision page and approves; the
author is mailed. The new pages pass axe (WCAG 2.2 AA)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cafpedia.extensions import db
from cafpedia.mail import outbox
from tests.browser.test_tip_moderation import approve_all, person
from tests.notifications.conftest import SmtpServer

pytestmark = pytest.mark.browser


@pytest.fixture
def live_smtp(live_app):
    server = SmtpServer()
    server.start()
    live_app.config["MAIL_URL"] = server.url
    yield server
    live_app.config["MAIL_URL"] = None
    server.stop()


def send_mail(app):
    with app.app_context():
        result = outbox.drain()
        db.session.remove()
    return result


def test_the_lead_follows_the_email_to_the_decision_and_approves(browser, live_server, live_app, live_smtp, axe_check):
    send_mail(live_app)  # whatever earlier tests queued
    live_smtp.inbox.messages.clear()
    fca_context, fca = person(browser, live_server, "demo.fca")
    fca.goto(live_server + "/tips/family-group-conferences-in-private-law")
    fca.get_by_role("link", name="Propose an edit").click()
    fca.get_by_label("Title").fill("Family group conferences: who to invite")
    fca.get_by_label("What changed and why").fill("Said who to invite.")
    fca.get_by_role("button", name="Send for approval").click()
    expect(fca.get_by_text("has been sent to the lead manager")).to_be_visible()

    assert send_mail(live_app).sent >= 1
    emails = live_smtp.inbox.to("priya.chandran@example.org")
    emails = [m for m in emails if "Family group" in m["Subject"]]  # other tests' proposals go to her too
    assert [m["Subject"] for m in emails] == ["For your decision: Family group conferences: who to invite"]
    link = re.search(
        r"http://127\.0\.0\.1:\d+/tips/family-group-conferences-in-private-law/revisions/\d+",
        live_smtp.inbox.text(emails[0]),
    ).group(0)

    lead_context, lead = person(browser, live_server, "priya.chandran")
    expect(lead.get_by_role("link", name=re.compile(r"^Moderation \d+"))).to_be_visible()
    lead.goto(link)
    expect(lead.get_by_text("Said who to invite.")).to_be_visible()
    approve_all(lead)
    expect(lead.get_by_text("is published")).to_be_visible()

    send_mail(live_app)
    author_mail = live_smtp.inbox.to("demo.fca@example.org")
    assert any(m["Subject"] == "Published: Family group conferences: who to invite" for m in author_mail)
    fca.goto(live_server + "/notifications")
    expect(
        fca.get_by_role("link", name="Approved and published: Family group conferences: who to invite")
    ).to_be_visible()
    fca_context.close()
    lead_context.close()


def test_notification_settings_watching_and_the_mail_page_are_accessible(browser, live_server, axe_check):
    context, page = person(browser, live_server, "demo.fca")
    page.goto(live_server + "/areas/contact")
    page.get_by_role("button", name=re.compile("^Watch")).click()
    expect(page.get_by_text("You are watching Contact")).to_be_visible()
    axe_check(page)
    page.goto(live_server + "/notifications")
    expect(page.get_by_role("heading", name="What you watch")).to_be_visible()
    page.get_by_role("group", name=re.compile("Something I watch changes")).get_by_label(
        "At once, by email too"
    ).check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()
    axe_check(page)
    context.close()

    admin_context, admin = person(browser, live_server, "demo.admin")
    admin.goto(live_server + "/admin/mail")
    expect(admin.get_by_role("heading", name="Mail", exact=True)).to_be_visible()
    axe_check(admin)
    admin.goto(live_server + "/moderation")
    axe_check(admin)
    admin.get_by_role("link", name="Moderation health").click()
    expect(admin.get_by_role("heading", name="Moderation health", exact=True)).to_be_visible()
    expect(admin.get_by_role("img", name=re.compile("^Decision times by month"))).to_be_visible()
    axe_check(admin)
    admin_context.close()


def test_an_invited_person_follows_the_emailed_link_and_chooses_a_password(
    browser, live_server, live_app, live_smtp, axe_check
):
    from cafpedia.accounts import people as accounts_people

    with live_app.app_context():
        if accounts_people.find_user("invited.person") is None:
            accounts_people.create_user(
                None,
                username="invited.person",
                name="Invited Person",
                email="invited.person@example.org",
                roles=["practitioner"],
                areas=[],
                password=None,
            )
            db.session.commit()
        db.session.remove()
    send_mail(live_app)
    live_smtp.inbox.messages.clear()
    admin_context, admin = person(browser, live_server, "demo.admin")
    admin.goto(live_server + "/admin/people/invited.person")
    admin.get_by_role("button", name="Email an invitation").click()
    expect(admin.get_by_text("An invitation to set a password is on its way")).to_be_visible()
    axe_check(admin)
    admin.goto(live_server + "/admin/people/import")
    admin.get_by_role("button", name="Import").click()  # no file: said plainly
    expect(admin.locator(".error-summary")).to_contain_text("Choose the CSV file to import.")
    axe_check(admin)
    admin.goto(live_server + "/account")
    expect(admin.get_by_role("heading", name="Where you are signed in")).to_be_visible()
    axe_check(admin)
    admin.goto(live_server + "/search/synonyms")
    expect(admin.get_by_role("heading", name="Search synonyms")).to_be_visible()
    axe_check(admin)
    admin_context.close()

    send_mail(live_app)
    mail = live_smtp.inbox.to("invited.person@example.org")[-1]
    link = re.search(r"http://127\.0\.0\.1:\d+/invitation/[A-Za-z0-9_-]+", live_smtp.inbox.text(mail)).group(0)
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    axe_check(page)
    page.get_by_label("Choose a password").fill("a-long-enough-passphrase")
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_text("Your password is set, and you are signed in.")).to_be_visible()
    page.goto(link)
    expect(page.get_by_role("heading", name="This link cannot be used")).to_be_visible()
    axe_check(page)
    context.close()


def test_an_administrator_adds_and_imports_people_and_invites_them_in_one_go(
    browser, live_server, live_app, live_smtp, axe_check, tmp_path
):
    send_mail(live_app)  # whatever earlier tests queued
    live_smtp.inbox.messages.clear()
    admin_context, admin = person(browser, live_server, "demo.admin")
    admin.goto(live_server + "/admin/people/new")
    expect(admin.get_by_label("Email them an invitation to set their password now")).to_be_checked()
    expect(admin.locator('input[type="password"]')).to_have_count(0)  # no first password to make up
    axe_check(admin)
    admin.get_by_label("Username", exact=True).fill("added.by.hand")
    admin.get_by_label("Full name").fill("Added By Hand")
    admin.get_by_label("Email address (optional)").fill("added.by.hand@example.org")
    admin.get_by_role("button", name="Create account").click()
    expect(
        admin.get_by_text("An invitation to set a password is on its way to added.by.hand@example.org")
    ).to_be_visible()
    axe_check(admin)

    export = tmp_path / "hr.csv"
    export.write_text(
        "username,name,email,roles,areas\n"
        "imported.one,Imported One,imported.one@example.org,practitioner,\n"
        "imported.two,Imported Two,imported.two@example.org,practitioner,\n",
        encoding="utf-8",
    )
    admin.goto(live_server + "/admin/people/import")
    admin.get_by_label("The HR export (CSV, UTF-8)").set_input_files(str(export))
    admin.get_by_role("button", name="Import").click()
    expect(admin.get_by_role("heading", name="People imported")).to_be_visible()
    axe_check(admin)
    admin.set_viewport_size({"width": 360, "height": 640})  # and on a phone
    axe_check(admin)
    admin.get_by_role("button", name="Invite the 2 people imported who have not signed in yet").click()
    expect(admin.get_by_text("2 invitations queued in the mail outbox: imported.one, imported.two.")).to_be_visible()
    axe_check(admin)
    admin_context.close()
    send_mail(live_app)
    for address in ("added.by.hand@example.org", "imported.one@example.org", "imported.two@example.org"):
        [mail] = live_smtp.inbox.to(address)
        assert mail["Subject"] == "Set your CAFpedia password"
        assert "/notifications" not in live_smtp.inbox.text(mail)
