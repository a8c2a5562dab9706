""" "Write a tip for this" (SQLite and PostgreSQL): the line beside the new tip's form, marked as
being written once proposed, closed (naming the tip) when it is published, reopened if rejected."""

from __future__ import annotations

from sqlalchemy import select

from cafpedia.extensions import db
from cafpedia.gaps.models import ANSWERED, WRITING, GapMark
from cafpedia.tips import moderation, reading
from cafpedia.tips.models import CHECKLIST
from tests.gaps.test_gaps_page import demand

KEY = "contact grandpar"
NEW = {
    "area": "contact",
    "title": "When grandparents ask for contact",
    "kind": "tip",
    "body": "- Ask whether the parents agree.\n- Explain the leave the court must give.",
    "tags": "grandparents",
    "submit": "Send for approval",
}


def text(response) -> str:
    return response.get_data(as_text=True)


def test_a_tip_written_for_a_line_closes_it_when_published(people, as_user):
    from cafpedia.areas.services import find_area

    demand(find_area("contact"), KEY, "grandparents contact", people=3, searches=4)
    lead = as_user("lee.lead")
    gaps = text(lead.get("/areas/contact/gaps"))
    assert f'href="/tips/new?area=contact&amp;gap=search/{KEY.replace(" ", "+")}"' in gaps
    form = text(lead.get(f"/tips/new?area=contact&gap=search/{KEY}"))
    assert "Written for what people need in Contact" in form
    assert "3 different people searched for “grandparents contact” (4 searches" in form
    assert f'name="gap" type="hidden" value="contact/search/{KEY}"' in form
    sent = lead.post_form("/tips/new", {**NEW, "gap": f"contact/search/{KEY}"})
    assert sent.status_code == 302
    mark = db.session.scalar(select(GapMark))
    tip = reading.find_tip("when-grandparents-ask-for-contact")
    assert (mark.state, mark.tip_id, mark.source, mark.line_key) == (WRITING, tip.id, "search", KEY)
    listed = text(lead.get("/areas/contact/gaps"))
    assert "A tip is proposed for this" in listed and "When grandparents ask for contact" in listed

    moderation.approve(people["dee"], tip.revision(1), checklist=list(CHECKLIST), confidentiality_confirmed=False)
    db.session.commit()
    db.session.refresh(mark)
    assert mark.state == ANSWERED and mark.closed_at is not None
    closed = text(lead.get("/areas/contact/gaps"))
    assert 'Write a tip for this<span class="visually-hidden">: grandparents contact' not in closed
    assert "“grandparents contact” (3 people): answered by" in closed
    assert f'<a href="/tips/{tip.slug}">When grandparents ask for contact</a>' in closed


def test_a_rejected_tip_reopens_its_line(people, as_user):
    from cafpedia.areas.services import find_area

    demand(find_area("contact"), KEY, "grandparents contact", people=3)
    lead = as_user("lee.lead")
    assert lead.post_form("/tips/new", {**NEW, "gap": f"contact/search/{KEY}"}).status_code == 302
    tip = reading.find_tip("when-grandparents-ask-for-contact")
    moderation.reject(people["dee"], tip.revision(1), "Covered by the court's guidance")
    db.session.commit()
    assert db.session.scalar(select(GapMark)) is None
    assert 'Write a tip for this<span class="visually-hidden">: grandparents contact' in text(
        lead.get("/areas/contact/gaps")
    )


def test_only_the_areas_moderators_mark_a_line_as_being_written(people, as_user):
    from cafpedia.areas.services import find_area

    demand(find_area("contact"), KEY, "grandparents contact", people=3)
    pat = as_user("pat.fca")  # a practitioner given the link: the form, without the line or its counts
    form = text(pat.get(f"/tips/new?area=contact&gap=search/{KEY}"))
    assert "Written for what people need" not in form and "grandparents contact" not in form
    assert pat.post_form("/tips/new", {**NEW, "gap": f"contact/search/{KEY}"}).status_code == 302
    assert db.session.scalar(select(GapMark)) is None
    other = as_user("olu.other")  # leads adoption, not contact
    assert "Written for what people need" not in text(other.get(f"/tips/new?area=contact&gap=search/{KEY}"))
    # A line with fewer than 3 people is not there to answer, even for the lead.
    demand(find_area("contact"), "rare", "rare", people=2)
    assert "Written for what people need" not in text(as_user("lee.lead").get("/tips/new?area=contact&gap=search/rare"))


def test_a_tip_proposed_in_another_area_is_not_named_to_those_who_may_not_see_it(people, as_user):
    from cafpedia.areas.services import find_area

    demand(find_area("contact"), KEY, "grandparents contact", people=3)
    lead = as_user("lee.lead")  # leads contact, and files the tip under adoption (olu leads it)
    assert lead.post_form("/tips/new", {**NEW, "area": "adoption", "gap": f"contact/search/{KEY}"}).status_code == 302
    assert "When grandparents ask for contact" in text(lead.get("/areas/contact/gaps"))  # their own proposal
    deputy = text(as_user("dee.deputy").get("/areas/contact/gaps"))
    assert "A tip is proposed for this in another area" in deputy
    assert "When grandparents ask for contact" not in deputy
