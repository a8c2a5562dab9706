"""A reader reports a problem with a tip on a phone: the confidentiality guard warns before
saving, as it warns a tip's author, and keeps what they typed; they tick the box and send;
the tip then shows their open report instead of the form. Real Chromium, with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_digest_pages import sign_in

pytestmark = pytest.mark.browser

TIP = "/tips/reporting-officer-witnessing-consent"


def test_the_guard_warns_a_reader_before_their_report_is_saved(browser, live_server, axe_check):
    page = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True).new_page()
    sign_in(page, live_server, "demo.fca")
    page.goto(live_server + TIP)
    page.locator("summary", has_text="Report a problem").click()
    text = "The form changed for the hearing of Kayden (7)"
    page.get_by_label("What is wrong, or out of date?").fill(text)
    page.get_by_role("button", name="Send the report").click()
    warning = page.get_by_role("alert").filter(has_text="This may hold case details.")
    expect(warning).to_be_visible()
    expect(warning.get_by_text("a name with an age: “Kayden (7)”")).to_be_visible()
    expect(page.get_by_label("What is wrong, or out of date?")).to_have_value(text)  # nothing typed is lost
    axe_check(page)
    page.get_by_role("link", name="tick the box to confirm", exact=False).click()  # the summary leads to the box
    page.get_by_label("I have checked: this text does not identify any child or family").check()
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("Thank you: your report has gone to the lead manager")).to_be_visible()
    expect(page.get_by_text("You reported a problem on")).to_be_visible()
    expect(page.locator("summary", has_text="Report a problem")).to_have_count(0)  # one open report per tip
    axe_check(page)
    page.context.close()
