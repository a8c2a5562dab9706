""" "What people need" in real Chromium with axe (WCAG 2.2 AA): a lead manager finds a search
nobody found anything for, writes a tip for it (the searches beside the form), a deputy
publishes it and the line closes naming the tip; an advice-line question is marked not for
CAFpedia with a reason, then put back."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.test_tip_moderation import approve_all, person

pytestmark = pytest.mark.browser

AREA = "/areas/dispute-resolution"


def hidden_part(visible: str, hidden: str) -> re.Pattern:
    """A link's name with its visually hidden part (Chromium may put a space between them)."""
    return re.compile(rf"^{re.escape(visible)} ?: {re.escape(hidden)}$")


@pytest.fixture
def searched(live_app):
    """Three people searched in dispute resolution for what nothing answers (counted by meaning)."""
    from cafpedia.areas.services import find_area
    from cafpedia.core import clock
    from cafpedia.extensions import db
    from cafpedia.search.demand.models import SearchDemandDay

    with live_app.app_context():
        area = find_area("dispute-resolution")
        rows = [
            SearchDemandDay(
                day=clock.today() - timedelta(days=n),
                area_id=area.id,
                meaning_key="child mediat meet",
                example=text,
                searches=2,
                people=1,
                found_nothing=2,
                opened=0,
            )
            for n, text in enumerate(
                ["meeting the child before mediation", "child meeting mediation", "mediation child meet"]
            )
        ]
        db.session.add_all(rows)
        db.session.commit()
        yield
        for row in rows:
            db.session.delete(db.session.merge(row))
        db.session.commit()


def test_a_lead_writes_a_tip_for_what_people_need_and_the_line_closes(browser, live_server, axe_check, searched):
    lead_context, lead = person(browser, live_server, "priya.chandran")
    lead.goto(live_server + AREA)
    lead.get_by_role("link", name="What people need").click()
    expect(lead.get_by_role("heading", name=re.compile("^What people need in Dispute resolution"))).to_be_visible()
    expect(lead.get_by_text("3 people, 6 searches, all found nothing")).to_be_visible()
    axe_check(lead)
    lead.get_by_role("link", name=hidden_part("Write a tip for this", "meeting the child before mediation")).click()
    expect(lead.get_by_text("3 different people searched for “meeting the child before mediation”")).to_be_visible()
    assert lead.get_by_label("Area of practice").input_value() == "dispute-resolution"
    axe_check(lead)
    lead.get_by_label("Title").fill("Meeting the child before a mediation session")
    lead.get_by_label("Text (Markdown)").fill(
        "- Ask the child where they would like to meet.\n- Explain what mediation is."
    )
    lead.get_by_role("button", name="Send for approval").click()
    expect(lead.get_by_text("has been sent to the lead manager")).to_be_visible()
    lead.goto(live_server + AREA + "/gaps")
    expect(lead.get_by_text("A tip is proposed for this")).to_be_visible()

    deputy_context, deputy = person(browser, live_server, "fiona.mackenzie")
    deputy.goto(live_server + "/tips/meeting-the-child-before-a-mediation-session/revisions/1")
    approve_all(deputy)
    expect(deputy.get_by_text("Published").first).to_be_visible()

    lead.goto(live_server + AREA + "/gaps")
    answered = lead.locator("#answered").locator("xpath=..")
    expect(answered.get_by_text("“meeting the child before mediation” (3 people): answered by")).to_be_visible()
    expect(answered.get_by_role("link", name="Meeting the child before a mediation session")).to_be_visible()
    expect(
        lead.get_by_role("link", name=hidden_part("Write a tip for this", "meeting the child before mediation"))
    ).to_have_count(0)
    axe_check(lead)
    lead_context.close()
    deputy_context.close()


def test_a_lead_marks_a_question_not_for_cafpedia_and_puts_it_back(browser, live_server, axe_check):
    context, lead = person(browser, live_server, "priya.chandran")
    lead.goto(live_server + AREA + "/gaps?days=365")
    question = "Can extended dispute resolution be used when domestic violence is alleged?"
    lead.get_by_role("link", name=hidden_part("Not for CAFpedia", question)).click()
    axe_check(lead)
    lead.get_by_role("button", name="Take it off the list").click()
    expect(lead.get_by_text("Say in a few words why this is not for CAFpedia.").first).to_be_visible()
    axe_check(lead)
    lead.get_by_label("Why is this not for CAFpedia?").fill("Answered case by case by the safeguarding team")
    lead.get_by_role("button", name="Take it off the list").click()
    expect(lead.get_by_text("The line is off the list.")).to_be_visible()
    expect(lead.get_by_role("link", name=hidden_part("Not for CAFpedia", question))).to_have_count(0)
    expect(lead.get_by_text("“Answered case by case by the safeguarding team”")).to_be_visible()
    axe_check(lead)
    lead.get_by_role("button", name=re.compile("^Put back on the list")).click()
    expect(lead.get_by_text("The line is back on the list.")).to_be_visible()
    lead.goto(live_server + AREA + "/gaps?days=365")
    expect(lead.get_by_role("link", name=hidden_part("Not for CAFpedia", question))).to_be_visible()
    context.close()
