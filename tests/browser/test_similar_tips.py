"""No tip written twice, in real Chromium with axe (WCAG 2.2 AA): as a practitioner types the
title of a new tip that repeats a published one, the form lists it, with "Propose an edit to
this one instead", in a polite live region, and the focus stays where they type."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_foundation_pages import sign_in

pytestmark = pytest.mark.browser

EDR = "Running extended dispute resolution (EDR) sessions"


def test_typing_a_title_lists_the_tip_it_repeats(page, live_server, axe_check):
    sign_in(page, live_server, "demo.fca")
    page.goto(live_server + "/tips/new?area=dispute-resolution")
    region = page.locator("#similar-tips")
    assert region.get_attribute("aria-live") == "polite"
    title = page.get_by_label("Title")
    title.press_sequentially("Parking")  # one word: nothing asked yet
    page.wait_for_timeout(700)
    expect(region.get_by_role("heading")).to_have_count(0)
    title.fill("")
    title.press_sequentially("How to run extended dispute resolution sessions", delay=20)
    expect(region.get_by_role("heading", name="Tips that may say the same")).to_be_visible()
    expect(region.get_by_role("link", name=EDR, exact=True)).to_have_attribute(
        "href", "/tips/running-extended-dispute-resolution-sessions"
    )
    edit = region.get_by_role("link", name=re.compile(rf"^Propose an edit to this one instead ?: {re.escape(EDR)}$"))
    expect(edit).to_have_attribute("href", "/tips/running-extended-dispute-resolution-sessions/edit")
    expect(title).to_be_focused()  # the list never takes the focus
    axe_check(page)
