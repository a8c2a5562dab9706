"""The phone in a court corridor (issue 15), in Chromium at 360x640: the header is one line and
the search box, the answer is on the first screen, and the menu works without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_foundation_pages import sign_in

pytestmark = pytest.mark.browser

TIP = "/tips/family-assistance-orders-when-and-how-to-recommend"
BOTTOM = (
    "(selector) => { const e = document.querySelector(selector); return e ? e.getBoundingClientRect().bottom : 99999; }"
)


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, live_server, "demo.fca")
    yield page
    context.close()


def test_a_tip_shows_its_title_and_first_point_on_the_first_screen(phone, live_server, axe_check):
    phone.goto(live_server + TIP)
    assert phone.evaluate("document.querySelector('.site-header').getBoundingClientRect().height") <= 120
    assert phone.evaluate(BOTTOM, "h1") <= 640
    assert phone.evaluate(BOTTOM, ".tip-body > :first-child") <= 640  # the answer starts on the first screen
    axe_check(phone)


def test_a_search_shows_its_first_two_results_on_the_first_screen(phone, live_server):
    phone.goto(live_server + "/search?q=contact")
    tops = phone.evaluate(
        "Array.from(document.querySelectorAll('.result')).slice(0, 2).map(r => "
        "r.querySelector('a').getBoundingClientRect().bottom)"
    )
    assert len(tops) == 2 and max(tops) <= 640, tops


def test_the_menu_opens_over_the_page_without_javascript(browser, live_server):
    context = browser.new_context(
        viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True, java_script_enabled=False
    )
    page = context.new_page()
    sign_in(page, live_server, "demo.fca")
    page.goto(live_server + TIP)
    expect(page.get_by_role("link", name="Practice areas")).to_be_hidden()
    page.locator("summary", has_text="Menu").click()
    expect(page.get_by_role("link", name="Practice areas")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.get_by_role("link", name="Legal updates").click()
    expect(page.get_by_role("heading", name="Legal updates", level=1)).to_be_visible()
    context.close()


def test_the_open_menu_passes_axe(phone, live_server, axe_check):
    phone.goto(live_server + TIP)
    phone.locator("summary", has_text="Menu").click()
    expect(phone.get_by_role("link", name="Practice areas")).to_be_visible()
    axe_check(phone)


def test_on_a_wide_screen_there_is_no_menu_button(page, live_server):
    sign_in(page, live_server, "demo.fca")
    page.goto(live_server + TIP)
    expect(page.locator("summary", has_text="Menu")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Practice areas")).to_be_visible()


def test_after_a_filter_the_legal_feed_opens_at_its_results(phone, live_server):
    phone.goto(live_server + "/legal")
    phone.locator("form.filter-form button[type=submit]").click()
    phone.wait_for_url("**#results")
    assert abs(phone.evaluate("document.getElementById('results').getBoundingClientRect().top")) < 60
