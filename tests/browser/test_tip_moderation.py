"""The whole loop in real Chromium: propose, moderate with the checklist, publish; send back and resubmit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "cafpedia-demo"
TIP = "/tips/in-court-conciliation-at-the-first-hearing"


def person(browser, base, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))
    return context, page


def approve_all(page):
    for label in [
        "Complies with CAFCASS corporate policy",
        "Legally accurate and compliant",
        "Written in plain language",
        "Holds no information that identifies a child or family",
    ]:
        page.get_by_label(label).check()
    page.get_by_role("button", name="Approve and publish").click()


def test_propose_approve_publish(browser, live_server, axe_check):
    fca_context, fca = person(browser, live_server, "demo.fca")
    fca.goto(live_server + TIP)
    axe_check(fca)
    fca.get_by_role("link", name="Propose an edit").click()
    body = fca.get_by_label("Text (Markdown)")
    body.fill(body.input_value() + "\n- Check the safeguarding letters are on file before you start.")
    fca.get_by_role("button", name="Preview").click()
    expect(fca.get_by_role("heading", name="Preview")).to_be_visible()
    axe_check(fca)
    fca.get_by_label("What changed and why").fill("Added the check of safeguarding letters.")
    fca.get_by_role("button", name="Send for approval").click()
    expect(fca.get_by_text("has been sent to the lead manager")).to_be_visible()
    # Readers still see the published text.
    fca.goto(live_server + TIP)
    assert not fca.get_by_text("Check the safeguarding letters").is_visible()
    expect(fca.get_by_text("waiting for moderation")).to_be_visible()

    lead_context, lead = person(browser, live_server, "priya.chandran")
    lead.get_by_role("link", name="Moderation").click()
    axe_check(lead)
    lead.get_by_role("link", name="Decide on Making in-court conciliation at the first hearing work").click()
    expect(lead.get_by_role("heading", name=re.compile("Changes from revision 1"))).to_be_visible()
    assert lead.locator(".diff ins").filter(has_text="Check the safeguarding letters").count() == 1
    axe_check(lead)
    lead.get_by_role("button", name="Approve and publish").click()
    expect(lead.get_by_text("Tick every item of the compliance checklist").first).to_be_visible()
    axe_check(lead)
    approve_all(lead)
    lead.wait_for_url(re.compile(r"/moderation$"))
    expect(lead.get_by_text("is published")).to_be_visible()

    fca.goto(live_server + TIP)
    expect(fca.get_by_text("Check the safeguarding letters are on file")).to_be_visible()
    fca.get_by_role("link", name=re.compile("History of this")).click()
    axe_check(fca)
    fca.get_by_role("button", name="Compare").click()
    assert fca.locator(".diff ins").count() >= 1
    axe_check(fca)
    fca_context.close()
    lead_context.close()


def test_send_back_and_resubmit(browser, live_server, axe_check):
    tip = "/tips/family-group-conferences-in-private-law"
    fca_context, fca = person(browser, live_server, "demo.fca")
    fca.goto(live_server + tip)
    fca.get_by_role("link", name="Propose an edit").click()
    fca.get_by_label("Title").fill("Family group conferences in private law: when to suggest one")
    fca.get_by_label("What changed and why").fill("A clearer title: when to suggest a conference.")
    fca.get_by_role("button", name="Send for approval").click()

    lead_context, lead = person(browser, live_server, "priya.chandran")
    lead.goto(live_server + "/moderation")
    lead.get_by_role("link", name=re.compile("when to suggest one")).first.click()
    lead.get_by_label("What the author should know").fill("Good idea: please also say who pays for the coordinator.")
    lead.get_by_role("button", name="Send back").click()
    expect(lead.get_by_text("Sent back to")).to_be_visible()

    fca.get_by_role("link", name="My proposals").click()
    expect(fca.get_by_text("please also say who pays for the coordinator")).to_be_visible()
    axe_check(fca)
    fca.get_by_role("link", name=re.compile("Revise and resubmit")).first.click()
    body = fca.get_by_label("Text (Markdown)")
    body.fill(body.input_value() + "\n- The local authority usually commissions and pays for the coordinator.")
    fca.get_by_label("What changed and why").fill("Said who pays for the coordinator.")
    fca.get_by_role("button", name="Send for approval").click()
    expect(fca.get_by_text("has been sent to the lead manager")).to_be_visible()

    lead.goto(live_server + "/moderation")
    lead.get_by_role("link", name=re.compile("when to suggest one")).first.click()
    approve_all(lead)
    fca.goto(live_server + tip)
    assert (
        fca.get_by_role("heading", level=1).inner_text()
        == "Family group conferences in private law: when to suggest one"
    )
    expect(fca.get_by_text("usually commissions and pays for the coordinator")).to_be_visible()
    fca_context.close()
    lead_context.close()


def test_new_tip_with_case_details_is_flagged(browser, live_server, axe_check):
    context, page = person(browser, live_server, "demo.fca")
    page.goto(live_server + "/areas/contact")
    page.get_by_role("link", name="Propose a new tip").click()
    page.get_by_label("Title").fill("Preparing children for a first contact visit")
    page.get_by_label("Text (Markdown)").fill("- Mia, aged 6, found a photo book helped.\n- Visit the centre first.")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_text("This may hold case details")).to_be_visible()
    axe_check(page)
    page.get_by_label("I have checked: this text does not identify any child or family").check()
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_text("has been sent to the lead manager")).to_be_visible()
    context.close()


def test_review_dashboard_and_reader_pages_are_accessible(browser, live_server, axe_check):
    context, page = person(browser, live_server, "amara.okafor")
    page.goto(live_server + "/reviews")
    expect(page.get_by_text("overdue").first).to_be_visible()
    axe_check(page)
    page.goto(live_server + "/tips/dv-toolkit-screening-at-first-contact")
    expect(page.get_by_text("Overdue for review")).to_be_visible()
    axe_check(page)
    for path in [
        "/areas/safeguarding",
        "/standards/2007-draft/5.1",
        "/tips/handover-arrangements-at-contact-centres/revisions/1",
    ]:
        page.goto(live_server + path)
        axe_check(page)
    context.close()


def test_a_lead_manager_corrects_a_demo_tip_with_links_and_approves_it(browser, live_server, axe_check):
    """A demo proposal whose text has a [[link]]: a refused approval keeps the correction, the
    ticks and the note; the approval publishes the correction and the link still leads to its tip."""
    tip = "/tips/running-extended-dispute-resolution-sessions"  # revision 2, by demo.expert, links [[dv-toolkit-...]]
    context, lead = person(browser, live_server, "priya.chandran")
    lead.goto(live_server + "/moderation")
    lead.get_by_role("link", name=re.compile("Decide on Running extended dispute resolution")).first.click()
    lead.get_by_text("Correct a small mistake before approving").click()
    body = lead.get_by_label("Text (Markdown)")
    corrected = body.input_value().replace("Plan around four sessions", "Plan for four sessions")
    assert "[[dv-toolkit-screening-at-first-contact]]" in corrected and corrected != body.input_value()
    body.fill(corrected)
    lead.get_by_label("Note to the author (optional)").fill("I tightened one sentence.")
    lead.get_by_label("Complies with CAFCASS corporate policy").check()
    lead.get_by_role("button", name="Approve and publish").click()  # three ticks missing: refused

    expect(lead.get_by_text("Tick every item of the compliance checklist").first).to_be_visible()
    expect(lead.get_by_label("Text (Markdown)")).to_be_visible()  # the correction is open, as typed
    assert lead.get_by_label("Text (Markdown)").input_value().replace("\r\n", "\n") == corrected.replace("\r\n", "\n")
    expect(lead.get_by_label("Note to the author (optional)")).to_have_value("I tightened one sentence.")
    expect(lead.get_by_label("Complies with CAFCASS corporate policy")).to_be_checked()
    axe_check(lead)
    approve_all(lead)
    lead.wait_for_url(re.compile(r"/moderation$"))
    expect(lead.get_by_text("is published with your correction")).to_be_visible()

    lead.goto(live_server + tip)
    expect(lead.get_by_text("Plan for four sessions")).to_be_visible()
    assert lead.get_by_text("Plan around four sessions").count() == 0
    lead.get_by_role("link", name="Screen for domestic violence at first contact, every time").first.click()
    lead.wait_for_url(re.compile(r"/tips/dv-toolkit-screening-at-first-contact$"))
    expect(lead.get_by_role("heading", level=1)).to_have_text(
        "Screen for domestic violence at first contact, every time"
    )
    lead.goto(live_server + tip + "/history")
    expect(lead.get_by_text("corrected by Priya Chandran").first).to_be_visible()
    context.close()
