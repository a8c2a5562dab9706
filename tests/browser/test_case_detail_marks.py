"""Case details marked where they are, in real Chromium with axe (WCAG 2.2 AA): a practitioner on
a phone proposes a tip with a phone number and a postcode in it, previews it and sees each marked
in its line and in the preview; the lead manager's decision page marks them in the text and lists
them, with where and why, by the box that confirms they are safe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_foundation_pages import sign_in
from tests.browser.test_tip_moderation import person

pytestmark = pytest.mark.browser

TITLE = "Ringing a contact centre before the first visit"
BODY = "- Ring the centre on 07700 900461 the day before.\n- The centre at LS6 2QT has a quiet room."
SLIPS = ["07700 900461", "LS6 2QT"]
STYLE = "(e) => { const s = getComputedStyle(e); return [s.backgroundColor, s.color, s.borderBottomWidth]; }"


def seen(marks) -> list[str]:
    """The visible text of each mark (its hidden words, for screen readers, taken out)."""
    return [re.sub(r"\[possible case detail, [^:]*: |\]", "", text) for text in marks.all_text_contents()]


def test_a_phone_number_and_a_postcode_are_marked_in_the_form_the_preview_and_the_decision_page(
    browser, live_server, axe_check
):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    sign_in(phone, live_server, "demo.fca")
    phone.goto(live_server + "/tips/new?area=contact")
    phone.get_by_label("Title").fill(TITLE)
    phone.get_by_label("Text (Markdown)").fill(BODY)
    phone.get_by_role("button", name="Preview").click()

    preview = phone.locator(".preview-box mark.case-detail")
    expect(preview).to_have_count(2)
    assert seen(preview) == SLIPS
    assert preview.first.text_content() == "[possible case detail, a phone number: 07700 900461]"
    hidden = preview.first.locator(".visually-hidden").first.bounding_box()
    assert hidden["width"] <= 1 and hidden["height"] <= 1  # the reason is for screen readers, not shown
    assert preview.first.evaluate(STYLE) == ["rgb(255, 221, 0)", "rgb(11, 12, 12)", "3px"]
    warning = phone.get_by_role("alert").filter(has_text="This may hold case details.")
    expect(warning.get_by_text("a phone number: “07700 900461”")).to_be_visible()
    expect(warning).to_contain_text("a phone number: “07700 900461”, in the body, line 1")
    expect(warning).to_contain_text("a postcode: “LS6 2QT”, in the body, line 2")
    assert seen(warning.locator(".case-detail-excerpts mark.case-detail")) == SLIPS
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    axe_check(phone)

    phone.get_by_label("I have checked: this text does not identify any child or family").check()
    phone.get_by_role("button", name="Send for approval").click()
    expect(phone.get_by_text("has been sent to the lead manager")).to_be_visible()
    context.close()

    lead_context, lead = person(browser, live_server, "priya.chandran")
    lead.goto(live_server + "/moderation")
    lead.get_by_role("link", name=f"Decide on {TITLE}").first.click()
    body = lead.locator(".preview-box mark.case-detail")
    expect(body).to_have_count(2)
    assert seen(body) == SLIPS
    notice = lead.get_by_role("note").filter(has_text="Possible case details.")
    expect(notice).to_contain_text("The author was warned and confirmed it is safe.")
    expect(notice).to_contain_text("a phone number: “07700 900461”, in the body, line 1")
    reminder = lead.locator(".decision-panel .case-detail-reminder")
    expect(reminder).to_contain_text("a postcode: “LS6 2QT”, in the body, line 2")
    expect(lead.get_by_label("I have checked the flagged text: it identifies no child or family")).to_be_visible()
    axe_check(lead)
    lead_context.close()


def test_names_in_context_are_marked_on_the_advice_log_before_anything_is_saved(browser, live_server, axe_check):
    """Issue 29: the same warning, with each finding marked in its line, on a form other than a
    tip's: an expert logging a call writes a child's name and age and a phone number."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, live_server, "demo.expert")
    page.goto(live_server + "/advice-line/new")
    page.locator("select[name=area]").select_option(index=1)
    page.locator("textarea[name=question]").fill("Mum (Shannon) asked whether Jayden, 7, can be seen at school")
    page.locator("textarea[name=advice]").fill("Told her to ring the DSL on 01632 960 411 and see him alone.")
    page.locator("input[name=minutes]").fill("10")
    page.locator("main form button[type=submit]").last.click()
    warning = page.get_by_role("alert").filter(has_text="This may hold case details.")
    expect(warning).to_contain_text("a person's name: “Mum (Shannon)”, in the question")
    expect(warning).to_contain_text("Why: a name next to 'Mum'")
    assert seen(warning.locator(".case-detail-excerpts mark.case-detail")) == [
        "Mum (Shannon)",
        "Jayden, 7",
        "01632 960 411",
    ]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)
    context.close()
