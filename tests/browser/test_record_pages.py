"""The record a court asks for, in real Chromium: a lead manager opens a tip as at a past date,
downloads the record, and the PDF holds the revision then in force; the other new pages pass axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.test_tip_moderation import person

pytestmark = pytest.mark.browser

TIP = "/tips/family-assistance-orders-when-and-how-to-recommend"


def test_a_lead_manager_opens_a_tip_as_at_a_past_date_and_downloads_the_record(
    browser, live_server, axe_check, tmp_path
):
    context, page = person(browser, live_server, "priya.chandran")
    page.goto(live_server + TIP + "/history")
    axe_check(page)
    page.get_by_label("See it as it was on a date").fill("2026-01-15")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("This is how this practice tip read on 15 January 2026.")).to_be_visible()
    expect(page.get_by_text("Compliance checklist recorded at approval")).to_be_visible()
    axe_check(page)
    page.emulate_media(media="print")  # printed, the page is the record: its banner says which day it shows
    expect(page.locator(".as-at-banner")).to_be_visible()
    expect(page.get_by_role("button", name="Show")).to_be_hidden()
    page.emulate_media(media="screen")
    fingerprint = page.locator("code.fingerprint").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", fingerprint)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the record (PDF)").click()
    saved = tmp_path / "record.pdf"
    download.value.save_as(saved)
    text = "\n".join(p.extract_text() for p in PdfReader(saved).pages)
    flat = "".join(text.split())
    assert fingerprint in [line.strip() for line in text.splitlines()]  # whole, on a line of its own
    short = page.locator(".fingerprint-short").inner_text().strip()
    assert short == f"{fingerprint[:4]} {fingerprint[4:8]} {fingerprint[8:12]}" and short in text
    assert "Recommendingafamilyassistanceorder" in flat and "Checkconsentfirst" in flat
    assert "PriyaChandran" in flat  # produced by the lead manager

    page.goto(live_server + TIP + "?as_at=2026-02-30")
    expect(page.get_by_role("alert")).to_contain_text("30 February 2026 is not a real date")
    axe_check(page)

    page.goto(live_server + "/areas/private-law")
    page.get_by_role("link", name="What changed, between two dates").click()
    page.get_by_label("From").fill("2025-01-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("link", name="Recommending a family assistance order").first).to_be_visible()
    axe_check(page)
    context.close()


def test_the_other_as_at_pages_and_the_audit_log_pass_axe(browser, live_server, axe_check):
    context, page = person(browser, live_server, "demo.admin")
    page.goto(live_server + "/digest/2007-q1/complaints-and-service-user-feedback?as_at=2026-01-15")
    expect(page.get_by_text("This is how this research digest item read on 15 January 2026.")).to_be_visible()
    axe_check(page)
    page.goto(live_server + "/legal/2004-05-10-re-m-reporting-concerns-without-the-courts-permission?as_at=2026-01-15")
    expect(page.get_by_text("This is how this legal update read on 15 January 2026.")).to_be_visible()
    axe_check(page)
    page.goto(live_server + "/admin/audit")
    expect(page.get_by_text(re.compile("Chain verified at|The chain has not been verified yet"))).to_be_visible()
    axe_check(page)
    context.close()
