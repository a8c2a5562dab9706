"""Forms in real Chromium: a double click sends one proposal; limits said beside the fields,
and text over a limit refused with everything typed kept."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from cafpedia.extensions import db
from cafpedia.tips import proposals
from cafpedia.tips.models import PENDING, Revision, Tip
from tests.browser.test_tip_moderation import person

pytestmark = pytest.mark.browser

TIP = "getting-case-consultation-when-you-are-stuck"


def pending_revisions(app, slug: str) -> list[int]:
    with app.app_context():
        numbers = db.session.scalars(
            select(Revision.number).join(Tip).where(Tip.slug == slug, Revision.status == PENDING)
        ).all()
        db.session.remove()
    return list(numbers)


def test_a_double_click_on_send_makes_one_proposal(browser, live_server, live_app, monkeypatch):
    propose_edit = proposals.propose_edit

    def slowly(*args, **kwargs):  # a slow answer: the second click comes while the first is saved
        revision = propose_edit(*args, **kwargs)
        time.sleep(1)
        return revision

    monkeypatch.setattr(proposals, "propose_edit", slowly)
    context, page = person(browser, live_server, "demo.fca")
    page.goto(f"{live_server}/tips/{TIP}/edit")
    body = page.get_by_label("Text (Markdown)")
    body.fill(body.input_value() + "\n- Book the consultation before the report is due, not after.")
    page.get_by_label("What changed and why").fill("When to book a consultation.")
    box = page.get_by_role("button", name="Send for approval").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)  # and again, as an impatient double tap does while the page waits
    page.wait_for_timeout(150)
    page.mouse.click(x, y)
    # The first answer is dropped by the browser (it went on to the second); the second
    # answer is where the first went.
    expect(page.get_by_text("You sent this twice; it was saved once.")).to_be_visible(timeout=20_000)
    expect(page).to_have_url(re.compile(rf"/tips/{TIP}/revisions/\d+$"))
    assert len(pending_revisions(live_app, TIP)) == 1
    context.close()


LONG_TITLE = ("How to plan a handover at a contact centre when both parents arrive early " * 6)[:428] + "."


def test_over_long_text_is_refused_by_name_with_everything_typed_kept(browser, live_server, axe_check):
    context, page = person(browser, live_server, "demo.fca")
    page.goto(f"{live_server}/tips/new")
    title, body = page.get_by_label("Title"), page.get_by_label("Text (Markdown)")
    expect(page.locator("#title-limit")).to_have_text("At most 200 characters.")
    title.fill(LONG_TITLE)
    assert len(title.input_value()) == 429  # not cut to 200 as it was pasted
    expect(page.locator("#title-limit")).to_have_text("At most 200 characters: this has 429, 229 too many.")
    long_body = "- Meet at the door.\n" + "Keep it short. " * 8000
    body.evaluate("(field, text) => { field.value = text; field.dispatchEvent(new Event('input')); }", long_body)
    expect(page.locator("#body-limit")).to_contain_text("this has 120,020, 20,020 too many")
    page.get_by_role("button", name="Send for approval").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Title: Use at most 200 characters")
    expect(summary).to_contain_text("Text (Markdown): The text is too long: at most 100,000 characters")
    assert page.get_by_label("Title").input_value() == LONG_TITLE
    assert page.get_by_label("Text (Markdown)").input_value() == long_body
    axe_check(page)
    context.close()


def test_a_form_over_the_servers_limit_is_not_sent_and_keeps_the_text(browser, live_server):
    context, page = person(browser, live_server, "demo.fca")
    page.goto(f"{live_server}/tips/new")
    page.get_by_label("Title").fill("Plan the handover")
    huge = "Keep it short. " * 200_000  # 3 MB: more than the server accepts at once
    body = page.get_by_label("Text (Markdown)")
    body.evaluate("(field, text) => { field.value = text; }", huge)
    requests = []
    # The form's own sending (the list of similar tips asks in the background, with a bounded text)
    page.on("request", lambda r: r.method == "POST" and "/tips/similar" not in r.url and requests.append(r.url))
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_role("alert")).to_contain_text("CAFpedia accepts at most 2.0 MB at once. Nothing was sent")
    assert requests == [] and page.url.endswith("/tips/new")
    assert len(body.input_value()) == len(huge)
    context.close()
