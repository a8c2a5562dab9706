"""The register administrator puts an adoption expert on today's rota; a practitioner on a phone
finds who can advise on an adoption question right now; the expert logs the call, the guard
refusing case details first. Real Chromium, with axe on the register pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cafpedia.core import clock
from tests.browser.test_digest_pages import sign_in

pytestmark = pytest.mark.browser


def test_find_an_expert_now_and_log_the_call(browser, live_server, axe_check):
    today = clock.today().isoformat()  # the tests' pinned clock, which the live server follows too
    admin = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(admin, live_server, "register.admin")
    admin.get_by_role("link", name="Advice line").click()
    axe_check(admin)
    admin.get_by_role("link", name="Manage the register").click()
    expect(admin.get_by_role("heading", name=re.compile("Gaps in the week of"))).to_be_visible()
    axe_check(admin)
    admin.get_by_role("link", name="Set the rota").click()
    axe_check(admin)
    # The line is staffed all day today by Nasreen Akhtar: the rota replaces everyone's usual slots.
    admin.locator(f"#mode-{today}").select_option("rota")
    admin.locator(f"#note-{today}").fill("Adoption cover")
    day = admin.locator("fieldset", has=admin.locator(f"#mode-{today}"))
    day.locator("summary").click()
    day.get_by_label(re.compile(r"^Nasreen Akhtar, ")).fill("00:00-24:00")
    admin.get_by_role("button", name="Save the rota for this week").click()
    expect(admin.get_by_text("The rota is saved")).to_be_visible()
    admin.context.close()

    fca = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True).new_page()
    sign_in(fca, live_server, "demo.fca")
    fca.locator("summary", has_text="Menu").click()  # on a phone, the menu opens over the page
    fca.get_by_role("link", name="Advice line").click()
    expect(fca.get_by_text("supplements line management").first).to_be_visible()
    fca.get_by_label("Area of practice").select_option(label="Adoption")
    fca.get_by_label("Only experts available now").check()
    fca.get_by_role("button", name="Find an expert").click()
    fca.wait_for_url(re.compile(r"now=y"))
    card = fca.locator(".expert-card", has_text="Nasreen Akhtar")
    expect(card.get_by_text("On the line until midnight")).to_be_visible()  # on the rota all day
    expect(card.get_by_role("link", name="Call Nasreen Akhtar")).to_be_visible()
    assert "#results" in fca.url  # the page opens at its results
    expect(fca.get_by_text("Change the search: Adoption, on the line now")).to_be_visible()  # the filters folded away
    expect(card.get_by_role("link", name="0113 496 0101")).to_be_visible()
    expect(fca.locator(".expert-card")).to_have_count(1)  # nobody else is on today's rota
    assert fca.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    axe_check(fca)
    card.get_by_role("link", name="Nasreen Akhtar", exact=True).click()
    expect(fca.get_by_role("heading", name="Nasreen Akhtar")).to_be_visible()
    axe_check(fca)
    fca.context.close()

    expert = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(expert, live_server, "demo.expert")
    expert.goto(live_server + "/experts/mine")
    expert.get_by_role("link", name="Log a call").first.click()
    axe_check(expert)
    expert.get_by_label("Area of practice").select_option(label="Adoption")
    expert.get_by_label("The question, in a sentence").fill(
        "Can Tyler (6) be placed with his grandmother under special guardianship?"
    )
    expert.get_by_label("The advice, in a sentence or two").fill(
        "Yes, after a full special guardianship assessment and support plan."
    )
    expert.get_by_label("Minutes taken").fill("12")
    expert.get_by_role("button", name="Log the call").click()
    expect(expert.get_by_text("There is a problem")).to_be_visible()
    expect(expert.get_by_text("Tyler (6)").first).to_be_visible()
    axe_check(expert)
    expert.get_by_label("The question, in a sentence").fill(
        "Can a young child be placed with a grandparent under special guardianship?"
    )
    expert.get_by_role("button", name="Log the call").click()
    expert.wait_for_url(re.compile(r"/advice-line/\d+$"))
    expect(expert.get_by_text("The call is logged")).to_be_visible()
    axe_check(expert)
    expert.get_by_role("link", name="Start a tip from this question").click()
    expect(expert.get_by_label("Title")).to_have_value(
        "Can a young child be placed with a grandparent under special guardianship?"
    )
    expert.goto(live_server + "/advice-line/report")
    expect(expert.get_by_role("heading", name="Most asked questions no tip answers yet")).to_be_visible()
    axe_check(expert)
    expert.goto(live_server + "/advice-line")
    axe_check(expert)
    expert.context.close()


def test_register_pages_pass_axe(browser, live_server, axe_check):
    admin = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(admin, live_server, "register.admin")
    for path in (
        "/experts/nasreen-akhtar",
        "/experts/margaret-ellis",
        "/experts/new",
        "/experts/thomas-reilly/edit",
        "/experts/thomas-reilly/away",
        "/advice-line/1",
        "/experts?q=urdu&region=Yorkshire+and+Humberside",
    ):
        admin.goto(live_server + path)
        axe_check(admin)
    # A form sent back with errors is accessible too, and says where each problem is.
    admin.goto(live_server + "/experts/thomas-reilly/edit")
    admin.get_by_label(re.compile("When they take calls")).fill("Mon 25:00-26:00")
    admin.get_by_role("button", name="Save the entry").click()
    expect(admin.get_by_role("link", name=re.compile("25:00 is not a time of day"))).to_be_visible()
    axe_check(admin)
    admin.goto(live_server + "/experts/rota")
    admin.locator("select[id^=mode-]").last.select_option("rota")
    admin.get_by_role("button", name="Save the rota for this week").click()
    expect(admin.get_by_text("nothing was saved")).to_be_visible()
    axe_check(admin)
    admin.context.close()
    lead = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(lead, live_server, "fiona.mackenzie")
    lead.goto(live_server + "/experts/nominate")
    lead.get_by_role("button", name="Send the nomination").click()
    expect(lead.get_by_text("There is a problem")).to_be_visible()
    axe_check(lead)
    lead.context.close()
