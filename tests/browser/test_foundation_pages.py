"""A person signs in, reads the areas and the standards, and signs out, in real Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "cafpedia-demo"


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_visit_areas_and_standards_then_sign_out(page, live_server, axe_check):
    page.goto(live_server + "/")
    assert "/sign-in" in page.url
    axe_check(page)

    sign_in(page, live_server, "demo.fca")
    expect(page.get_by_text("Signed in as")).to_be_visible()
    axe_check(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Practice areas").click()
    page.wait_for_url(re.compile(r"/areas$"))
    assert page.locator("li.card").count() == 16
    axe_check(page)

    page.get_by_role("link", name="Adoption", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Adoption"
    expect(page.get_by_text("Lead manager")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="National Standards").first.click()
    page.wait_for_url(re.compile(r"/standards$"))
    assert page.locator(".clause").count() == 64
    axe_check(page)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/sign-in$"))
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(live_server + "/areas")
    assert "/sign-in" in page.url


def test_failed_sign_in_shows_an_accessible_error(page, live_server, axe_check):
    page.goto(live_server + "/sign-in")
    page.get_by_label("Username").fill("demo.fca")
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    axe_check(page)


def test_skip_link_is_the_first_thing_a_keyboard_reaches(page, live_server):
    page.goto(live_server + "/sign-in")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#main$"), timeout=5000)  # following a fragment link is not instant


def test_administration_pages_are_accessible(page, live_server, axe_check):
    sign_in(page, live_server, "demo.admin")
    for path in [
        "/admin",
        "/admin/people",
        "/admin/people/demo.fca",
        "/admin/people/new",
        "/admin/areas",
        "/admin/areas/adoption",
        "/admin/audit",
        "/account",
        "/search?q=adoption",
    ]:
        page.goto(live_server + path)
        axe_check(page)
    # A form sent with errors keeps its error summary accessible too.
    page.goto(live_server + "/admin/people/new")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_be_visible()
    axe_check(page)


@pytest.mark.parametrize("path", ["/", "/areas", "/areas/private-law", "/standards", "/admin/audit"])
def test_pages_fit_a_360_pixel_phone(browser, live_server, path):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, live_server, "demo.admin")
    page.goto(live_server + path)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    context.close()
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 360px"


def test_everything_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, "demo.fca")
    expect(page.get_by_text("Signed in as")).to_be_visible()
    page.get_by_label("Search CAFpedia").fill("domestic violence")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("link", name="Domestic violence", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Screen for domestic violence at first contact, every time")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    context.close()


def test_print_stylesheet_hides_navigation(page, live_server):
    sign_in(page, live_server, "demo.fca")
    page.goto(live_server + "/standards")
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="Main").is_visible()
    assert not page.get_by_role("button", name="Sign out").is_visible()
    expect(page.locator(".clause").first).to_be_visible()


def test_the_accessibility_check_can_fail(page, axe_check):
    """Guard against a check that passes whatever the page: axe must catch a real violation."""
    page.set_content('<html lang="en"><body><main><h1>x</h1><input type="text"><a href="/x"></a></main></body></html>')
    with pytest.raises(AssertionError, match="violation|label|link"):
        axe_check(page)
