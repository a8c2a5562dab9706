"""A lead manager corrects a small mistake in a proposal and approves it: the published
revision records its author and its editor, and the history shows the moderator's change."""

from __future__ import annotations

import re

import pytest

from cafpedia.core.errors import ValidationError
from cafpedia.extensions import db
from cafpedia.tips import moderation, reading
from cafpedia.tips.models import CHECKLIST
from tests.tips.test_tip_pages import signed_in, text_of

TYPO = "- Visit the centre frist.\n- Agree the handover."
FIXED = "- Visit the centre first.\n- Agree the handover."


def approve(people, revision, **kwargs):
    return moderation.approve(
        people["lee"], revision, checklist=list(CHECKLIST), confidentiality_confirmed=False, **kwargs
    )


def test_a_correction_is_published_and_the_proposal_kept(app, people, propose):
    revision = propose(slug="centres", title="Use contact centers well", body=TYPO)
    approve(people, revision, correction=("Use contact centres well", FIXED))
    db.session.commit()
    tip = reading.find_tip("centres")
    assert (
        tip.current.number == revision.number
        and tip.current.body == FIXED
        and tip.current.title == "Use contact centres well"
    )
    assert revision.corrected and revision.author == people["pat"] and revision.editor == people["lee"]
    assert (revision.proposed_title, revision.proposed_body) == ("Use contact centers well", TYPO)


def test_an_unchanged_correction_is_no_correction(app, people, propose):
    revision = propose(slug="centres", body=TYPO)
    approve(people, revision, correction=(revision.title, TYPO))
    db.session.commit()
    assert not revision.corrected and revision.editor is None and revision.proposed_body is None


def test_a_correction_is_checked_like_a_proposal_and_a_refusal_changes_nothing(app, people, propose):
    revision = propose(slug="centres", body=TYPO)
    with pytest.raises(ValidationError) as refused:
        approve(people, revision, correction=("Hi", ""))
    assert set(refused.value.errors) == {"corrected_title", "corrected_body"}
    db.session.rollback()
    assert revision.status == "pending" and revision.body == TYPO and not revision.corrected
    # A correction that adds what looks like case details needs the moderator's confirmation.
    with pytest.raises(ValidationError) as refused:
        approve(
            people,
            revision,
            correction=(revision.title, FIXED + "\n- Ask Jayden Smith, born 03/04/2015, what he wants."),
        )
    assert "confidentiality_confirmed" in refused.value.errors
    db.session.rollback()
    assert revision.body == TYPO and revision.flags == []


def test_the_decision_page_corrects_and_the_history_shows_the_change(app, people, propose):
    revision = propose(slug="centres", body=TYPO)
    lee = signed_in(app, "lee.lead")
    page = text_of(lee.get(f"/tips/centres/revisions/{revision.number}"))
    assert "Correct a small mistake before approving" in page and "centre frist." in page
    form = {"checklist": list(CHECKLIST), "corrected_title": revision.title, "corrected_body": FIXED}
    refused = lee.post_form(f"/tips/centres/revisions/{revision.number}/approve", {**form, "corrected_body": ""})
    assert refused.status_code == 400 and "Write the tip itself." in text_of(refused)
    done = lee.post_form(f"/tips/centres/revisions/{revision.number}/approve", form)
    assert done.status_code == 302
    published = text_of(lee.get(f"/tips/centres/revisions/{revision.number}"))
    assert "Proposed by Pat Practitioner" in published and "corrected by Lee Lead before approval" in published
    assert "[removed: </span>frist." in published and "[added: </span>first." in published
    assert "corrected by Lee Lead" in text_of(lee.get("/tips/centres/history"))


def test_a_correction_survives_export_and_load(app, people, propose, tmp_path, make_app):
    from cafpedia.cli.installation import upgrade_database
    from cafpedia.content.loader import export_folder, load_folder

    revision = propose(slug="centres", body=TYPO)
    approve(people, revision, correction=(revision.title, FIXED))
    db.session.commit()
    export_folder(tmp_path / "out")
    text = (tmp_path / "out" / "tips" / "contact" / "centres.md").read_text()
    assert "edited_by: lee.lead" in text and "proposed_body:" in text
    other = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with other.app_context():
        upgrade_database()
        load_folder(tmp_path / "out")
        db.session.commit()
        again = reading.find_tip("centres").current
        assert again.body.strip() == FIXED and again.editor.username == "lee.lead" and again.proposed_body == TYPO
        export_folder(tmp_path / "again")
    assert (tmp_path / "again" / "tips" / "contact" / "centres.md").read_text() == text


# --- On the demo content: tips with [[links]] ----------------------------------------------------

LINKED = "family-assistance-orders-when-and-how-to-recommend"  # links to [[private-law-programme-stage-by-stage]]
DEMO_PASSWORD = "cafpedia-demo"


def demo_proposal(body_change):
    """demo.fca proposes an edit of a demo tip that has a [[link]]; priya.chandran leads its area."""
    from cafpedia.accounts.people import find_user
    from cafpedia.tips import proposals

    tip = reading.find_tip(LINKED)
    draft = proposals.draft_from(tip.current)
    draft.body, draft.change_note = body_change(tip.current.body), "Consent first"
    revision = proposals.propose_edit(find_user("demo.fca"), tip, based_on=tip.current_number, draft=draft)
    db.session.commit()
    return revision


def test_a_correction_of_a_demo_tip_with_links_is_published_with_its_links(app, demo_content):
    from cafpedia.accounts.people import find_user

    links = reading.find_tip(LINKED).current.tip_links
    assert [link.target_slug for link in links] == ["private-law-programme-stage-by-stage"]
    revision = demo_proposal(lambda body: body.replace("Check consent first.", "Chek consent first."))
    corrected = (
        revision.body.replace("Chek consent", "Check consent")
        + "\n- See also [[safeguarding-checks-before-first-hearing]]."
    )
    moderation.approve(
        find_user("priya.chandran"),
        revision,
        checklist=list(CHECKLIST),
        confidentiality_confirmed=True,
        correction=(revision.title, corrected),
    )
    db.session.commit()
    db.session.expire_all()
    tip = reading.find_tip(LINKED)
    assert (
        tip.current.number == revision.number and tip.current.corrected and "Check consent first." in tip.current.body
    )
    assert sorted(link.target_slug for link in tip.current.tip_links) == [
        "private-law-programme-stage-by-stage",
        "safeguarding-checks-before-first-hearing",
    ]
    assert LINKED in [
        t.slug for t in reading.tips_linking_to(reading.find_tip("safeguarding-checks-before-first-hearing"))
    ]
    # A correction that takes a link out takes its row out too, and keeps the one left.
    again = demo_proposal(lambda body: body.replace("Check consent first.", "Check consent frist."))
    assert len(again.tip_links) == 2
    moderation.approve(
        find_user("tariq.hussain"),
        again,
        checklist=list(CHECKLIST),
        confidentiality_confirmed=True,
        correction=(
            again.title,
            again.body.replace("frist", "first").replace(
                "[[private-law-programme-stage-by-stage]]", "the Private Law Programme"
            ),
        ),
    )
    db.session.commit()
    db.session.expire_all()
    links = reading.find_tip(LINKED).current.tip_links
    assert [link.target_slug for link in links] == ["safeguarding-checks-before-first-hearing"]
    programme = reading.find_tip("private-law-programme-stage-by-stage")
    assert LINKED not in [t.slug for t in reading.tips_linking_to(programme)]


def test_a_refused_correction_of_a_demo_tip_keeps_what_the_moderator_typed(app, demo_content):
    revision = demo_proposal(lambda body: body.replace("Check consent first.", "Chek consent first."))
    lead = signed_in_as(app, "priya.chandran")
    url = f"/tips/{LINKED}/revisions/{revision.number}/approve"
    corrected = revision.body.replace("Chek consent", "Check consent")
    form = {
        "checklist": ["corporate", "legal"],  # two ticks missing: refused
        "note": "Fixed a typo for you",
        "corrected_title": revision.title,
        "corrected_body": corrected,
    }
    refused = lead.post_form(url, form)
    page = text_of(refused)
    assert refused.status_code == 400 and "Tick every item of the compliance checklist" in page
    assert "Check consent first." in page and "Fixed a typo for you" in page
    assert re.search(r'<details class="correction" open', page)  # the correction is shown, not folded away
    assert ticked(page) == {"corporate", "legal"}
    db.session.expire_all()
    assert revision.status == "pending" and "Chek consent" in revision.body and not revision.corrected

    # A correction refused for its own text keeps the text too.
    refused = lead.post_form(url, {**form, "checklist": list(CHECKLIST), "corrected_title": "Hi"})
    page = text_of(refused)
    assert refused.status_code == 400 and "Check consent first." in page and "Fixed a typo for you" in page
    assert ticked(page) == set(CHECKLIST)

    done = lead.post_form(url, {**form, "checklist": list(CHECKLIST)})
    assert done.status_code == 302
    published = text_of(lead.get(f"/tips/{LINKED}"))
    assert "Check consent first." in published and 'href="/tips/private-law-programme-stage-by-stage"' in published


def ticked(page: str) -> set[str]:
    """The checklist items ticked on the decision page."""
    boxes = re.findall(r'<input[^>]*name="checklist"[^>]*>', page)
    return {re.search(r'value="(\w+)"', box).group(1) for box in boxes if re.search(r"\schecked[\s>]", box)}


def signed_in_as(app, username):
    from tests.conftest import Client

    client = Client(app.test_client())
    assert client.sign_in(username, DEMO_PASSWORD).status_code == 302
    return client


def test_what_the_moderator_corrected_out_is_seen_only_by_the_author_and_the_areas_moderators(
    app, people, propose, make_user, client
):
    """The text as proposed was never published: a reader, a reader signed out (public reading
    on) and another area's lead see the published revision only, not the correction's word
    diff nor what the confidentiality check found in the proposal."""
    make_user("rita.reader", ["practitioner"], name="Rita Reader")
    slip = "- Ring mum on 07700 900461 first."
    revision = propose(slug="centres", body=FIXED + "\n" + slip, confirm_safe=True)
    moderation.approve(
        people["lee"],
        revision,
        checklist=list(CHECKLIST),
        confidentiality_confirmed=True,
        correction=(revision.title, FIXED),
    )
    db.session.commit()
    url = f"/tips/centres/revisions/{revision.number}"
    for who in ("pat.fca", "lee.lead", "dee.deputy"):
        page = text_of(signed_in(app, who).get(url))
        assert "07700 900461" in page and "correction before approving" in page, who
    app.config["PUBLIC_READ"] = True
    readers = [("rita.reader", signed_in(app, "rita.reader")), ("olu.other", signed_in(app, "olu.other"))]
    for who, reader in [*readers, ("signed out", client)]:
        response = reader.get(url)
        page = text_of(response)
        assert response.status_code == 200 and "Visit the centre first." in page, who
        assert "07700 900461" not in page and "correction before approving" not in page, who
        assert "possible case detail" not in page.lower(), who
