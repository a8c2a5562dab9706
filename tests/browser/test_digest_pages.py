"""The research coordinator composes, previews and publishes an issue; a practitioner finds
one of its items through search. Real Chromium, with axe on every digest page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def sign_in(page, base, username):
    page.goto(base + "/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill("cafpedia-demo")
    page.get_by_role("button", name="Sign in").click()


def test_compose_preview_publish_and_find(browser, live_server, axe_check):
    coordinator = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(coordinator, live_server, "research.coordinator")
    coordinator.get_by_role("link", name="Research digest").click()
    axe_check(coordinator)
    coordinator.get_by_role("link", name="Start a new issue").click()
    coordinator.get_by_label("Issue number").fill("30")
    coordinator.get_by_label("Quarter").fill("2008-Q3")
    coordinator.get_by_label("Title").fill("Research Digest, Autumn 2008")
    coordinator.get_by_label("Introduction (Markdown)").fill("Three studies on **sibling** relationships.")
    coordinator.get_by_role("button", name="Create the draft").click()
    coordinator.wait_for_url(re.compile(r"/digest/2008-q3$"))
    expect(coordinator.get_by_text("Draft: preview")).to_be_visible()

    coordinator.get_by_role("link", name="Add an item").click()
    coordinator.get_by_role("button", name="Add the item").click()  # empty: every problem named at once
    expect(coordinator.locator(".error-summary")).to_be_visible()
    assert "Say where this research comes from" in coordinator.locator(".error-summary").inner_text()
    axe_check(coordinator)
    coordinator.get_by_label("Title").fill("Sibling contact after a quokkalike placement")
    coordinator.get_by_label("Source or full citation").fill("Evaluation of sibling contact arrangements, 2008")
    coordinator.get_by_label("Contact", exact=True).check()
    coordinator.get_by_label("Summary (Markdown)").fill("Siblings placed apart valued regular contact.")
    coordinator.get_by_label("Implications for practice (Markdown)").fill(
        "- Ask each child about their brothers and sisters."
    )
    coordinator.get_by_role("button", name="Add the item").click()
    expect(coordinator.get_by_text("Draft: preview")).to_be_visible()
    expect(coordinator.get_by_role("heading", name="Sibling contact after a quokkalike placement")).to_be_visible()
    axe_check(coordinator)
    coordinator.get_by_role("link", name="Publish this issue…").click()
    expect(coordinator.get_by_role("heading", name="Publish “Research Digest, Autumn 2008”?")).to_be_visible()
    expect(
        coordinator.locator(".preview-box").get_by_text("Siblings placed apart valued regular contact.")
    ).to_be_visible()
    axe_check(coordinator)
    coordinator.get_by_role("button", name="Publish now").click()
    expect(coordinator.get_by_text("is published")).to_be_visible()
    assert not coordinator.get_by_text("Draft: preview").is_visible()
    coordinator.context.close()

    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    reader = context.new_page()
    sign_in(reader, live_server, "demo.fca")
    expect(
        reader.locator(".count-badge:visible").first
    ).to_be_visible()  # "new digest": a count on the Menu button, on a phone
    reader.locator("summary", has_text="Menu").click()
    reader.get_by_role("link", name=re.compile("^Notifications")).click()
    expect(reader.get_by_role("link", name="New research digest: Research Digest, Autumn 2008")).to_be_visible()
    axe_check(reader)
    reader.get_by_label("Search CAFpedia").fill("quokkalike sibling")
    reader.get_by_role("button", name="Search", exact=True).click()
    first = reader.locator(".result-title a").first
    assert first.inner_text() == "Sibling contact after a quokkalike placement"
    first.click()
    expect(reader.get_by_role("heading", level=1, name="Sibling contact after a quokkalike placement")).to_be_visible()
    expect(reader.get_by_role("heading", name="Implications for practice")).to_be_visible()
    axe_check(reader)
    for path in ("/digest", "/digest/archive", "/digest/2006-q4", "/digest/suggestions"):
        reader.goto(live_server + path)
        assert reader.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0, path
        axe_check(reader)
    assert reader.goto(live_server + "/digest/2007-q2").status == 404  # the demo draft
    context.close()
