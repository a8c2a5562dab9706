"""Tip pages through HTTP: what each person sees and can do."""

from __future__ import annotations

from cafpedia.extensions import db
from cafpedia.tips import moderation, proposals, reading, reviewing
from tests.conftest import Client

NEW_TIP = {
    "area": "contact",
    "title": "Plan the handover",
    "kind": "tip",
    "body": "- Meet at the door.\n- Keep it short.",
    "tags": "contact-centres, Handover",
    "standards": "5.1, 5.5",
    "legal_refs": "Children Act 1989 s8\n",
    "submit": "Send for approval",
}


def text_of(response) -> str:
    return response.get_data(as_text=True)


def signed_in(app, username) -> Client:
    client = Client(app.test_client())
    assert client.sign_in(username).status_code == 302
    return client


def test_propose_preview_then_send(app, people):
    pat = signed_in(app, "pat.fca")
    preview = pat.post_form("/tips/new", {**NEW_TIP, "submit": "", "preview": "Preview"})
    assert (
        preview.status_code == 200
        and "Preview" in text_of(preview)
        and "<li>Meet at the door.</li>" in text_of(preview)
    )
    assert reading.find_tip("plan-the-handover") is None
    sent = pat.post_form("/tips/new", NEW_TIP)
    assert sent.status_code == 302 and sent.headers["Location"] == "/tips/plan-the-handover/revisions/1"
    revision = reading.find_tip("plan-the-handover").revision(1)
    assert (
        revision.tags == ["contact-centres", "handover"]
        and revision.standards == ["5.1", "5.5"]
        and revision.legal_refs == ["Children Act 1989 s8"]
    )
    assert "Waiting for moderation" in text_of(pat.get("/my/proposals"))


def test_a_pending_tip_is_hidden_from_other_readers(app, people, propose):
    propose(slug="secret-plan")
    sam = signed_in(app, "sam.fca")
    assert sam.get("/tips/secret-plan").status_code == 404
    assert sam.get("/tips/secret-plan/revisions/1").status_code == 404
    assert signed_in(app, "pat.fca").get("/tips/secret-plan").status_code == 200
    assert signed_in(app, "dee.deputy").get("/tips/secret-plan").status_code == 200


def test_bad_proposals_name_the_field_and_write_nothing(app, people):
    pat = signed_in(app, "pat.fca")
    for data, message in [
        ({**NEW_TIP, "area": "nowhere"}, "Not a valid choice"),
        ({**NEW_TIP, "standards": "5.1, 42.1"}, "No clause 42.1"),
        ({**NEW_TIP, "title": ""}, "Enter a title"),
        ({**NEW_TIP, "body": "x" * 100_001}, "too long"),
        ({**NEW_TIP, "slug": "Not a slug"}, "lower-case letters"),
    ]:
        response = pat.post_form("/tips/new", data)
        assert response.status_code == 400, message
        assert message in text_of(response), message
        assert "There is a problem" in text_of(response)
    assert reading.find_tip("plan-the-handover") is None


def test_case_details_warn_the_author_before_sending(app, people):
    pat = signed_in(app, "pat.fca")
    risky = {**NEW_TIP, "body": "Kayden (7) lives at LS6 2QT."}
    response = pat.post_form("/tips/new", risky)
    assert response.status_code == 400
    page = text_of(response)
    assert "This may hold case details" in page and "a postcode: “LS6 2QT”" in page
    assert reading.find_tip("plan-the-handover") is None
    assert pat.post_form("/tips/new", {**risky, "confirm_safe": "y"}).status_code == 302
    queue = text_of(signed_in(app, "lee.lead").get("/moderation"))
    assert "possible case details" in queue


def test_moderator_approves_from_the_decision_page(app, people, propose):
    revision = propose()
    lee = signed_in(app, "lee.lead")
    page = text_of(lee.get("/tips/use-contact-centres-well/revisions/1"))
    assert "Approve and publish" in page and "Compliance checklist" in page
    missing = lee.post_form("/tips/use-contact-centres-well/revisions/1/approve", {"checklist": ["corporate"]})
    assert missing.status_code == 400 and "Tick every item" in text_of(missing)
    ok = lee.post_form(
        "/tips/use-contact-centres-well/revisions/1/approve",
        {"checklist": ["corporate", "legal", "plain_language", "no_identifying_information"], "next": "queue"},
    )
    assert ok.status_code == 302 and ok.headers["Location"] == "/moderation"
    db.session.expire_all()
    assert reading.find_tip("use-contact-centres-well").status == "published"
    assert revision.id
    assert "Use contact centres well" in text_of(signed_in(app, "sam.fca").get("/tips/use-contact-centres-well"))


def test_wrong_moderators_get_403_and_nothing_changes(app, people, publish, propose):
    tip = publish()
    edit = proposals.propose_edit(
        people["pat"],
        tip,
        based_on=1,
        draft=proposals.Draft(title="Use contact centres well", body="Edited", change_note="Edited"),
    )
    db.session.commit()
    form = {"checklist": ["corporate", "legal", "plain_language", "no_identifying_information"]}
    for who in ("olu.other", "sam.fca"):
        response = signed_in(app, who).post_form("/tips/contact-centres/revisions/2/approve", form)
        assert response.status_code == 403, who
        assert "You do not have permission" in text_of(response)
    # A new tip waiting in another area is not even visible to them.
    propose(slug="hidden-new")
    assert signed_in(app, "olu.other").post_form("/tips/hidden-new/revisions/1/approve", form).status_code == 404
    own = propose(author="lee", slug="lees-own")
    response = signed_in(app, "lee.lead").post_form("/tips/lees-own/revisions/1/approve", form)
    assert response.status_code == 403
    db.session.expire_all()
    assert (
        own.status == "pending" and edit.status == "pending" and reading.find_tip("contact-centres").current_number == 1
    )


def test_send_back_and_the_author_sees_the_comment(app, people, propose):
    propose()
    lee = signed_in(app, "lee.lead")
    empty = lee.post_form("/tips/use-contact-centres-well/revisions/1/send-back", {"comment": ""})
    assert empty.status_code == 400 and "Say why" in text_of(empty)
    lee.post_form("/tips/use-contact-centres-well/revisions/1/send-back", {"comment": "Add the handover steps."})
    pat = signed_in(app, "pat.fca")
    mine = text_of(pat.get("/my/proposals"))
    assert "Sent back for changes" in mine and "Add the handover steps." in mine and "Revise and resubmit" in mine
    form_page = text_of(pat.get("/tips/use-contact-centres-well/edit?revises=1"))
    assert 'name="revises" type="hidden" value="1"' in form_page
    assert "Add the handover steps." in form_page  # the comment it answers, on the revise form
    form = {
        "title": "Use contact centres well",
        "kind": "tip",
        "body": "- Steps.",
        "revises": "1",
        "based_on": "",
        "submit": "Send for approval",
    }
    no_note = pat.post_form("/tips/use-contact-centres-well/edit", form)
    assert no_note.status_code == 400 and "Say what you changed and why" in text_of(no_note)
    resent = pat.post_form(
        "/tips/use-contact-centres-well/edit", {**form, "change_note": "Added the handover steps, as asked."}
    )
    assert resent.status_code == 302
    revision = reading.find_tip("use-contact-centres-well").revision(2)
    assert revision.revises == 1 and revision.change_note == "Added the handover steps, as asked."
    decision_page = text_of(lee.get("/tips/use-contact-centres-well/revisions/2"))
    assert "Added the handover steps, as asked." in decision_page and "Add the handover steps." in decision_page
    assert "Changes since it was sent back" in decision_page and "<ins>" in decision_page
    queue = text_of(lee.get("/moderation"))
    assert "Resubmitted" in queue and "Added the handover steps, as asked." in queue


def test_edit_conflict_keeps_the_authors_text_and_shows_the_changes(app, people, publish):
    tip = publish()
    sam = signed_in(app, "sam.fca")
    sam.get("/tips/contact-centres/edit")
    # Meanwhile someone else's edit is approved.
    other = proposals.propose_edit(
        people["pat"],
        tip,
        based_on=1,
        draft=proposals.Draft(title="Use contact centres well", body="Published meanwhile", change_note="Edited"),
    )
    moderation.approve(
        people["lee"],
        other,
        checklist=["corporate", "legal", "plain_language", "no_identifying_information"],
        confidentiality_confirmed=False,
    )
    db.session.commit()
    response = sam.post_form(
        "/tips/contact-centres/edit",
        {
            "title": "Use contact centres well",
            "kind": "tip",
            "body": "My careful words",
            "based_on": "1",
            "change_note": "Reworded",
            "submit": "Send for approval",
        },
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "While you were writing, revision 2 was published" in page
    assert "My careful words" in page and "<ins>" in page and 'name="based_on" type="hidden" value="2"' in page
    db.session.expire_all()
    assert len(reading.find_tip("contact-centres").revisions) == 2


def test_history_compare_and_restore(app, people, publish):
    tip = publish()
    edit = proposals.propose_edit(
        people["pat"],
        tip,
        based_on=1,
        draft=proposals.Draft(
            title="Use contact centres well", body="- Visit the centre first.\n- Changed line.", change_note="Edited"
        ),
    )
    moderation.approve(
        people["lee"],
        edit,
        checklist=["corporate", "legal", "plain_language", "no_identifying_information"],
        confidentiality_confirmed=False,
    )
    hidden = proposals.propose_edit(
        people["pat"], tip, based_on=2, draft=proposals.Draft(title="Secret", body="Not yet", change_note="Edited")
    )
    db.session.commit()
    sam = signed_in(app, "sam.fca")
    history = text_of(sam.get("/tips/contact-centres/history"))
    assert "Revision 2" in history and "Revision 1" in history and "Revision 3" not in history
    assert sam.get(f"/tips/contact-centres/revisions/{hidden.number}").status_code == 403
    compare = text_of(sam.get("/tips/contact-centres/compare?from=1&to=2"))
    assert "Changed line." in compare and "<ins>" in compare and "<del>" in compare
    assert sam.get("/tips/contact-centres/compare?from=x&to=2").status_code == 400
    assert sam.post_form("/tips/contact-centres/restore/1").status_code == 403
    lee = signed_in(app, "lee.lead")
    assert "Restore revision 1" in text_of(lee.get("/tips/contact-centres/history"))
    lee.post_form("/tips/contact-centres/restore/1")
    db.session.expire_all()
    assert reading.find_tip("contact-centres").current_number == 4


def test_overdue_banner_dashboard_and_mark_reviewed(app, people, publish):
    from datetime import date

    tip = publish()
    tip.review_by = date(2025, 1, 1)
    db.session.commit()
    assert "Overdue for review" in text_of(signed_in(app, "sam.fca").get("/tips/contact-centres"))
    lee = signed_in(app, "lee.lead")
    assert "Use contact centres well" in text_of(lee.get("/reviews"))
    assert signed_in(app, "sam.fca").get("/reviews").status_code == 403
    lee.post_form("/tips/contact-centres/reviewed", {"next": "reviews"})
    db.session.expire_all()
    assert not reviewing.is_overdue(reading.find_tip("contact-centres"))


def test_archive_keeps_the_tip_readable_with_a_notice(app, people, publish):
    publish("old-tip")
    publish("new-tip", title="The newer advice")
    lee = signed_in(app, "lee.lead")
    unconfirmed = lee.post_form(
        "/tips/old-tip/archive", {"superseded_by": "no-such-tip", "reason": "Kept when refused"}
    )
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm archiving" in text_of(unconfirmed) and "Kept when refused" in text_of(unconfirmed)
    wrong = lee.post_form("/tips/old-tip/archive", {"superseded_by": "no-such-tip", "confirm": "y"})
    assert wrong.status_code == 400 and "There is no published tip at no-such-tip" in text_of(wrong)
    assert reading.find_tip("old-tip").status == "published"
    lee.post_form("/tips/old-tip/archive", {"superseded_by": "new-tip", "reason": "Replaced", "confirm": "y"})
    page = text_of(signed_in(app, "sam.fca").get("/tips/old-tip"))
    assert "Archived" in page and 'href="/tips/new-tip"' in page and "Propose an edit" not in page
    area = text_of(signed_in(app, "sam.fca").get("/areas/contact"))
    assert "Archived" in area and "The newer advice" in area


def test_area_page_lists_tips_and_guidance(app, people, publish):
    publish("a-tip", title="A short tip")
    publish("a-guide", title="A long guide", kind="guidance")
    page = text_of(signed_in(app, "sam.fca").get("/areas/contact"))
    assert "Practice tips" in page and "A short tip" in page and "Guidance" in page and "A long guide" in page
    assert signed_in(app, "sam.fca").get("/areas/contact?sort=new").status_code == 200


def test_tip_page_shows_standards_links_and_backlinks(app, people, publish, propose):
    publish("seeing-children", title="Seeing children", standards=["5.1"])
    propose(slug="not-yet", title="A tip still waiting")
    publish("contact-centres", body="See [[seeing-children]] and [[not-yet]].")
    sam = signed_in(app, "sam.fca")
    page = text_of(sam.get("/tips/contact-centres"))
    assert '<a class="wiki-link" href="/tips/seeing-children">Seeing children</a>' in page
    assert "not-yet (missing)" in page
    target = text_of(sam.get("/tips/seeing-children"))
    assert "Tips that link here" in target and 'href="/standards/2007-draft/5.1"' in target
    clause = text_of(sam.get("/standards/2007-draft/5.1"))
    assert "Seeing children" in clause
    assert sam.get("/standards/2007-draft/99.9").status_code == 404


def test_reject_needs_a_confirmation(app, people, propose):
    propose()
    lee = signed_in(app, "lee.lead")
    unconfirmed = lee.post_form("/tips/use-contact-centres-well/revisions/1/reject", {"comment": "Covered elsewhere."})
    assert unconfirmed.status_code == 400 and "Tick the box to confirm" in text_of(unconfirmed)
    assert reading.find_tip("use-contact-centres-well").revision(1).status == "pending"
    lee.post_form(
        "/tips/use-contact-centres-well/revisions/1/reject", {"comment": "Covered elsewhere.", "confirm_reject": "y"}
    )
    db.session.expire_all()
    assert reading.find_tip("use-contact-centres-well").revision(1).status == "rejected"


def test_a_refused_review_keeps_what_was_typed(app, people, publish):
    publish()
    lee = signed_in(app, "lee.lead")
    response = lee.post_form(
        "/tips/contact-centres/reviewed", {"review_by": "2001-01-01", "note": "Checked with legal"}
    )
    assert response.status_code == 400
    page = text_of(response)
    assert (
        "Choose a next review date after today" in page
        and "Checked with legal" in page
        and 'aria-invalid="true"' in page
    )


def test_the_edit_page_shows_a_sent_back_comment_only_to_who_may_see_it(app, people, propose):
    revision = propose(slug="secret-plan")
    moderation.send_back(people["lee"], revision, "Private moderator remark.")
    db.session.commit()
    sam = signed_in(app, "sam.fca")  # not the author, not a moderator
    assert "Private moderator remark." not in text_of(sam.get("/tips/secret-plan/edit?revises=1"))
    preview = sam.post_form(
        "/tips/secret-plan/edit",
        {
            "title": "Use contact centres well",
            "kind": "tip",
            "body": "- Text.",
            "revises": "1",
            "based_on": "",
            "preview": "Preview",
        },
    )
    assert "Private moderator remark." not in text_of(preview)
    pat = signed_in(app, "pat.fca")
    assert "Private moderator remark." in text_of(pat.get("/tips/secret-plan/edit?revises=1"))
