"""Reading with no signal (issue 15), in Chromium at 360x640 with the service worker running:
a tip opened once opens again offline with its "saved" notice, a search looks through the saved
titles, every tip in the person's areas is kept, and signing out clears it all."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.test_foundation_pages import sign_in

pytestmark = pytest.mark.browser

TIP = "/tips/family-assistance-orders-when-and-how-to-recommend"
SAVED_NOTICE = re.compile(r"^Saved \d{1,2} [A-Z][a-z]{2}, \d\d:\d\d\. You are offline; this may have changed\.$")
IS_SAVED = "(url) => caches.open('cafpedia-pages').then(c => c.match(url)).then(r => !!r)"
SAVED_URLS = (
    "() => caches.open('cafpedia-pages').then(c => c.keys())"
    ".then(ks => ks.map(k => new URL(k.url).pathname).filter(p => p !== '/offline/saved.json').sort())"
)


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True, service_workers="allow"
    )
    page = context.new_page()
    sign_in(page, live_server, "demo.fca")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")  # the worker looks after the next page
    yield page
    context.close()


def eventually(page, script: str, arg=None, *, seconds: float = 20) -> None:
    """Wait until `script` (which may return a promise: page.wait_for_function would take the
    promise itself as true) comes true in the page."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(script, arg):
        assert time.monotonic() < deadline, f"not true within {seconds} s: {script} {arg!r}"
        page.wait_for_timeout(100)


def open_and_save(page, url: str) -> None:
    page.goto(url)
    eventually(page, IS_SAVED, url)


def test_a_tip_opened_once_opens_offline_with_its_saved_notice(phone, live_server, axe_check):
    open_and_save(phone, live_server + TIP)
    title = phone.locator("h1").inner_text()
    phone.context.set_offline(True)
    phone.reload()
    expect(phone.locator("h1")).to_have_text(title)
    notice = phone.locator(".notice-offline")
    expect(notice).to_be_visible()
    assert SAVED_NOTICE.match(notice.inner_text().strip()), notice.inner_text()
    assert (
        phone.evaluate("document.querySelector('.tip-body > :first-child').getBoundingClientRect().bottom") <= 640
    )  # still the first screen
    axe_check(phone)

    # A search with no signal looks through the saved pages' titles, and says so.
    phone.get_by_label("Search CAFpedia").fill("family assistance")
    phone.get_by_role("button", name="Search").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Saved pages matching “family assistance”")
    expect(phone.locator(".notice-offline")).to_contain_text("You are offline, so this searches only the titles")
    phone.get_by_role("link", name=title).click()
    expect(phone.locator("h1")).to_have_text(title)
    axe_check(phone)

    # A page never saved says so, and lists what is.
    phone.goto(live_server + "/legal")
    expect(phone.get_by_role("heading", level=1)).to_have_text("This page is not saved on this phone")
    expect(phone.get_by_role("link", name=title)).to_be_visible()


def test_every_tip_in_the_persons_areas_and_the_advice_line_numbers_are_kept(phone, live_server):
    listed = phone.evaluate("fetch('/offline/pages.json').then(r => r.json())")
    wanted = sorted(p["url"] for p in listed["pages"])
    assert "/experts" in wanted and len(wanted) > 3
    open_and_save(phone, live_server + TIP)
    eventually(phone, f"({SAVED_URLS})().then(urls => {wanted!r}.every(u => urls.includes(u)))", seconds=30)

    phone.context.set_offline(True)
    phone.goto(live_server + "/experts")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Practice Advice Line: find an expert")
    assert SAVED_NOTICE.match(phone.locator(".notice-offline").inner_text().strip())
    calls = phone.get_by_role("link", name=re.compile(r"^Call "))
    assert calls.count() > 0, phone.locator("main").inner_text()
    assert calls.first.get_attribute("href").startswith("tel:")


def test_signing_out_clears_everything_saved(phone, live_server):
    open_and_save(phone, live_server + TIP)
    phone.locator("summary", has_text="Menu").click()
    phone.get_by_role("button", name="Sign out").click()
    expect(phone.get_by_text("You have signed out.")).to_be_visible()
    assert phone.evaluate(SAVED_URLS) == []

    phone.context.set_offline(True)
    try:
        phone.goto(live_server + TIP)
    except PlaywrightError:
        return  # the browser's own "no internet" page: nothing of the tip is left
    expect(phone.get_by_role("heading", level=1)).to_have_text("This page is not saved on this phone")


def test_a_tip_s_details_fold_away_on_a_phone_and_stay_open_on_a_wide_screen(phone, page, live_server):
    phone.goto(live_server + TIP)
    details = phone.locator("details.tip-details")
    expect(details).not_to_have_attribute("open", "")
    expect(phone.get_by_text("Next review due")).to_be_hidden()
    details.locator("summary").click()
    expect(phone.get_by_text("Next review due")).to_be_visible()

    sign_in(page, live_server, "demo.fca")
    page.goto(live_server + TIP)
    expect(page.get_by_text("Next review due")).to_be_visible()


def test_another_person_signing_in_on_the_same_phone_finds_nothing_of_the_last(phone, live_server):
    open_and_save(phone, live_server + TIP)  # demo.fca's session then ends without signing out
    phone.context.clear_cookies()
    sign_in(phone, live_server, "demo.expert")
    other = live_server + "/tips/applications-by-grandparents-and-wider-family"
    open_and_save(phone, other)
    theirs = {p["url"] for p in phone.evaluate("fetch('/offline/pages.json').then(r => r.json())")["pages"]}
    assert TIP not in theirs  # not one of demo.expert's pages: only demo.fca's visit saved it
    saved = set(phone.evaluate(SAVED_URLS))
    assert TIP not in saved and saved <= theirs | {"/tips/applications-by-grandparents-and-wider-family"}, (
        saved - theirs
    )
