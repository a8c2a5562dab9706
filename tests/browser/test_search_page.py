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
    # A misspelt word: the corrected query's results at once, and a way back to what was typed.
    page.goto(live_server + "/search?q=safguarding")
    rewrite = page.locator(".search-rewrite")
    expect(rewrite).to_contain_text("Showing results for safeguarding. Search instead for safguarding.")
    assert page.locator(".result").count() >= 1
    assert "safeguarding" in page.locator(".result").first.inner_text().lower()
    axe_check(page)
    rewrite.get_by_role("link", name="safguarding").click()
    page.wait_for_url(re.compile(r"as_typed=1"))
    expect(page.get_by_text("Nothing matched every word")).to_be_visible()
    assert page.locator(".search-rewrite").count() == 0
    axe_check(page)
    # Nothing holds every word: the words most of the documents share, said plainly.
    page.goto(live_server + "/search?q=child+refuses+to+see+father")
    expect(page.locator(".search-rewrite")).to_contain_text(
        "No results for all of child refuses to see father; showing results for"
    )
    assert page.locator(".result").count() >= 1
    axe_check(page)
    page.goto(live_server + "/search?q=safeguarding")
    first = page.locator(".result-title a").first
    first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    context.close()
