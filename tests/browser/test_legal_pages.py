"""A legal editor posts an update that sends a tip for review; the tip's lead manager finds it
on the review dashboard. Real Chromium, with axe on the feed pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_digest_pages import sign_in

pytestmark = pytest.mark.browser

TIP = "Use the local information-sharing protocol with children's services"


def test_post_flag_and_review(browser, live_server, axe_check):
    editor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(editor, live_server, "legal.editor")
    editor.get_by_role("link", name="Legal updates").click()
    axe_check(editor)
    editor.get_by_role("link", name="Post a legal update").click()
    editor.get_by_label("Kind").select_option("guidance")
    editor.get_by_label("Title").fill("Revised statutory guidance on the duty to safeguard")
    editor.get_by_label("Citations", exact=True).fill("Children Act 2004 section 11")
    editor.get_by_label("Date made, in force or published").fill("2007-04-02")
    editor.get_by_label("Working with local authorities and other agencies").check()
    editor.get_by_label("Summary").fill("New guidance on how agencies discharge the section 11 duty.")
    editor.get_by_label("Briefing (Markdown)").fill("The guidance sets out what each agency must have in place.")
    editor.get_by_label("What it means for practice (Markdown)").fill("- Check local protocols reflect it.")
    editor.get_by_role("button", name="Check and preview").click()
    expect(editor.get_by_role("heading", name="Check before posting")).to_be_visible()
    expect(editor.locator(".preview-box").get_by_text("Check local protocols reflect it.")).to_be_visible()
    axe_check(editor)
    editor.get_by_role("button", name="Post this update").click()
    editor.wait_for_url(re.compile(r"/legal/\d{4}-\d{2}-\d{2}-revised-statutory-guidance"))
    expect(editor.get_by_role("link", name=TIP)).to_be_visible()  # cites Children Act 2004 s11
    axe_check(editor)
    editor.get_by_label(TIP).check()
    editor.get_by_role("button", name="Send for review").click()
    expect(editor.get_by_text("sent to its lead manager for review now")).to_be_visible()
    editor.goto(live_server + "/legal/2004-05-10-re-m-reporting-concerns-without-the-courts-permission")
    editor.get_by_label("Why it is withdrawn").fill("superseded by later guidance")
    editor.get_by_role("button", name="Withdraw this update…").click()
    expect(editor.get_by_text("because superseded by later guidance")).to_be_visible()
    axe_check(editor)
    editor.get_by_role("link", name="Keep it").click()
    expect(editor.get_by_role("button", name="Withdraw this update…")).to_be_visible()  # nothing withdrawn
    editor.context.close()

    lead = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True).new_page()
    sign_in(lead, live_server, "rhys.llewellyn")
    expect(lead.locator(".count-badge:visible").first).to_be_visible()  # on the Menu button, on a phone
    lead.locator("summary", has_text="Menu").click()
    lead.get_by_role("link", name="Moderation").click()
    lead.goto(live_server + "/reviews")
    row = lead.locator("tr", has_text=TIP)
    expect(row.get_by_role("link", name="Revised statutory guidance on the duty to safeguard")).to_be_visible()
    axe_check(lead)
    row.get_by_role("link", name=re.compile("^Review, with a note")).click()
    lead.get_by_role("button", name="Mark reviewed").click()
    expect(lead.locator(".error-summary")).to_contain_text("Say what you checked")
    lead.get_by_label(re.compile("^Note \\(required")).fill("Checked against the new guidance: the tip still holds.")
    lead.get_by_role("button", name="Mark reviewed").click()
    expect(lead.get_by_text("Marked reviewed.")).to_be_visible()
    axe_check(lead)
    for path in (
        "/legal",
        "/legal?kind=case-law",
        "/legal/2004-05-10-re-m-reporting-concerns-without-the-courts-permission",
    ):
        lead.goto(live_server + path)
        assert lead.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0, path
        axe_check(lead)
    lead.context.close()
