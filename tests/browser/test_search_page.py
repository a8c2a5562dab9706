"""Searching from the header on a phone-sized window, in real Chromium, checked with axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_search_from_the_header_on_a_phone(browser, live_server, axe_check):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(live_server + "/sign-in")
    page.get_by_label("Username").fill("demo.fca")
    page.get_by_label("Password", exact=True).fill("cafpedia-demo")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Search CAFpedia").fill("s7 report")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"/search\?q=s7"))
    first = page.locator(".result-title a").first
    assert first.inner_text().startswith("Write focused s7 reports")
    assert page.locator(".snippet mark").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    axe_check(page)
    page.get_by_role("link", name=re.compile(r"^Guidance \(")).first.click()
    assert "kind=guidance" in page.url
    axe_check(page)
    page.goto(live_server + "/search?q=safguarding")
    expect(page.get_by_text("Did you mean")).to_be_visible()
    page.get_by_role("link", name="safeguarding").click()
    page.wait_for_url(re.compile(r"q=safeguarding"))
    assert page.locator(".result").count() >= 1
    axe_check(page)
    first = page.locator(".result-title a").first
    first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    context.close()
