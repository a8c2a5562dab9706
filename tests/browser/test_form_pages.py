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

pytestmark = pytest.mark.browser

PASSWORD = "cafpedia-demo"
TIP = "getting-case-consultation-when-you-are-stuck"


def person(browser, base, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))
    return context, page


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
