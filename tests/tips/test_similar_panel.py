"""No tip written twice: the new-tip form's list of tips that look like it (POST /tips/similar for
the script, the preview without one) and the moderator's decision page for a new tip."""

from __future__ import annotations

import pytest

from cafpedia.accounts.people import find_user
from cafpedia.extensions import db
from cafpedia.tips import proposals
from cafpedia.tips.similar import BODY_MAX_CHARS, TITLE_MAX_CHARS

DEMO_PASSWORD = "cafpedia-demo"
EDR = "/tips/running-extended-dispute-resolution-sessions"
EDR_REWORDED = {
    "title": "How to run extended dispute resolution sessions",
    "body": "EDR gives parents who could not agree at court some structured sessions to sort things out, "
    "and the court gets a short report afterwards.",
}
HANDOVER_REWORDED = {
    "title": "Arranging handovers at a contact centre",
    "body": "A handover that is badly planned can undo the good of contact: "
    "agree the arrangements before the first visit.",
}
HANDOVER = "/tips/handover-arrangements-at-contact-centres/revisions/1"  # pending, by demo.fca
HEADING = "Tips that may say the same"


@pytest.fixture
def signed_in(client, demo_content):
    def sign_in(username: str):
        client.sign_out()
        assert client.sign_in(username, DEMO_PASSWORD).status_code == 302
        return client

    return sign_in


def test_the_route_lists_a_published_tip_with_its_edit_link(signed_in):
    response = signed_in("demo.fca").post_form("/tips/similar", EDR_REWORDED)
    assert response.status_code == 200
    found = response.get_json()["similar"]
    assert found[0]["url"] == EDR
    assert found[0]["edit_url"] == f"{EDR}/edit"
    assert found[0]["status"] == "published" and found[0]["area"].startswith("Dispute resolution")


def test_a_pending_proposal_is_listed_only_for_those_who_may_see_it(signed_in):
    mine = signed_in("demo.fca").post_form("/tips/similar", HANDOVER_REWORDED).get_json()["similar"]
    proposal = next(f for f in mine if f["url"] == HANDOVER)
    assert proposal["status_label"] == "Waiting for moderation" and proposal["edit_url"] is None
    others = signed_in("demo.expert").post_form("/tips/similar", HANDOVER_REWORDED).get_json()["similar"]
    assert HANDOVER not in [f["url"] for f in others]


def test_the_route_refuses_a_post_without_the_csrf_token(signed_in):
    client = signed_in("demo.fca")
    assert client.raw.post("/tips/similar", data=EDR_REWORDED).status_code == 400


@pytest.mark.parametrize(
    "data",
    [
        {"title": "x " * TITLE_MAX_CHARS, "body": ""},
        {"title": "Running EDR sessions", "body": "y" * (BODY_MAX_CHARS + 1)},
    ],
)
def test_too_long_input_is_a_400_with_a_message(signed_in, data):
    response = signed_in("demo.fca").post_form("/tips/similar", data)
    assert response.status_code == 400
    assert "at most" in response.get_json()["error"]


def test_words_nobody_wrote_list_nothing(signed_in):
    response = signed_in("demo.fca").post_form("/tips/similar", {"title": "Parking at the Leeds office", "body": ""})
    assert response.get_json() == {"similar": []}


def test_the_form_has_the_live_region_and_the_preview_lists_them_without_a_script(signed_in):
    client = signed_in("demo.fca")
    form = client.get("/tips/new").get_data(as_text=True)
    assert 'id="similar-tips"' in form and 'aria-live="polite"' in form and HEADING not in form
    data = {
        **EDR_REWORDED,
        "area": "dispute-resolution",
        "kind": "tip",
        "tags": "",
        "standards": "",
        "legal_refs": "",
        "preview": "Preview",
    }
    page = client.post_form("/tips/new", data).get_data(as_text=True)
    assert "Preview" in page and HEADING in page
    assert f'href="{EDR}"' in page and f'href="{EDR}/edit"' in page
    assert "Propose an edit to this one instead" in page


def test_the_edit_form_of_a_tip_has_no_list(signed_in):
    page = signed_in("demo.fca").get(f"{EDR}/edit").get_data(as_text=True)
    assert 'id="similar-tips"' not in page


def propose_duplicate() -> str:
    revision = proposals.propose_new_tip(
        find_user("demo.fca"),
        area_slug="dispute-resolution",
        slug="edr-sessions-again",
        draft=proposals.Draft(title=EDR_REWORDED["title"], body=EDR_REWORDED["body"]),
    )
    db.session.commit()
    return f"/tips/{revision.tip.slug}/revisions/{revision.number}"


def test_the_decision_page_for_a_new_tip_lists_what_it_may_repeat_but_not_itself(signed_in):
    url = propose_duplicate()
    page = signed_in("priya.chandran").get(url).get_data(as_text=True)
    assert HEADING in page
    listed = page.split(HEADING, 1)[1].split("</ul>", 1)[0]
    assert f'href="{EDR}"' in listed
    assert "edr-sessions-again" not in listed  # not itself


def test_the_decision_page_for_an_edit_of_a_published_tip_has_no_list(signed_in):
    page = signed_in("priya.chandran").get(f"{EDR}/revisions/2").get_data(as_text=True)
    assert "Approve" in page or "approve" in page
    assert HEADING not in page


def test_the_decision_page_for_a_new_tip_like_nothing_says_it_was_checked(signed_in):
    author = find_user("demo.fca")
    revision = proposals.propose_new_tip(
        author,
        area_slug="dispute-resolution",
        slug=None,
        draft=proposals.Draft(title="Parking at the Leeds court building", body="- Use the multi-storey car park."),
    )
    db.session.commit()
    page = signed_in("priya.chandran").get(f"/tips/{revision.tip.slug}/revisions/1").get_data(as_text=True)
    assert HEADING not in page and "No published tip or other proposal looks like this new practice tip." in page
    edit = signed_in("priya.chandran").get(f"{EDR}/revisions/2").get_data(as_text=True)
    assert "No published tip or other proposal looks like" not in edit  # an edit is not asked about
