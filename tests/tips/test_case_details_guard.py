"""Issue 29: the confidentiality guard on every text a tip's people write (core.case_details):
the change note, a moderator's note or comment on a decision, a problem report. A slip is
warned about and nothing is saved; ticking the box saves it; a text with none saves at once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cafpedia.core import case_details
from cafpedia.core.audit import AuditEntry
from cafpedia.core.errors import ValidationError
from cafpedia.extensions import db
from cafpedia.tips import moderation, proposals, reading
from cafpedia.tips.models import CHECKLIST, PENDING, PUBLISHED, REJECTED, SENT_BACK, TipProblem
from tests.conftest import Client
from tests.tips.builders import draft

PHONE, POSTCODE = "07700 900461", "LS6 2QT"
DECIDE = "/tips/use-contact-centres-well/revisions/1"


def signed_in(app, username) -> Client:
    client = Client(app.test_client())
    assert client.sign_in(username).status_code == 302
    return client


def test_the_helper_names_the_field_and_what_it_found():
    errors: dict[str, str] = {}
    found = case_details.check(errors, {"the title": "Fine", "the summary": f"Ring {PHONE}."}, False)
    assert [f.kind for f in found] == ["phone"]
    assert errors["confirm_safe"] == (
        f"This looks as if it may hold case details (in the summary, a phone number: “{PHONE}”). Remove them, or "
        "tick the box to confirm the text identifies no child or family."
    )
    confirmed: dict[str, str] = {}
    assert case_details.check(confirmed, {"the summary": f"Ring {PHONE}."}, True) and confirmed == {}
    assert case_details.check(confirmed, {"the summary": "Nothing here.", "the note": None}, False) == []
    assert confirmed == {}
    assert case_details.audited(found) == {"case_details_confirmed": ["a phone number"]}


def test_a_change_note_is_checked_with_the_proposal(people, publish):
    tip = publish()
    slip = draft(body="- Visit first.", change_note=f"As the family at {POSTCODE} asked.")
    with pytest.raises(ValidationError) as raised:
        proposals.propose_edit(people["sam"], tip, based_on=1, draft=slip)
    assert f"in the change note, a postcode: “{POSTCODE}”" in raised.value.errors["confirm_safe"]
    db.session.rollback()
    assert len(reading.find_tip("contact-centres").revisions) == 1
    slip.confirm_safe = True
    revision = proposals.propose_edit(people["sam"], tip, based_on=1, draft=slip)
    db.session.commit()
    assert revision.author_confirmed_safe and {"kind": "postcode", "text": POSTCODE} in revision.flags


def test_a_change_note_slip_is_shown_on_the_edit_form_then_confirmed(app, people, publish):
    publish()
    sam = signed_in(app, "sam.fca")
    form = {
        "title": "Use contact centres well",
        "kind": "tip",
        "body": "- Visit the centre first.",
        "based_on": "1",
        "change_note": f"Rang them on {PHONE}.",
        "submit": "Send for approval",
    }
    warned = sam.post_form("/tips/contact-centres/edit", form)
    page = warned.get_data(as_text=True)
    assert warned.status_code == 400 and "This may hold case details." in page and "in the change note" in page
    assert len(reading.find_tip("contact-centres").revisions) == 1
    assert sam.post_form("/tips/contact-centres/edit", {**form, "confirm_safe": "y"}).status_code == 302
    assert len(reading.find_tip("contact-centres").revisions) == 2


@pytest.mark.parametrize("path, status", [("send-back", SENT_BACK), ("reject", REJECTED)])
def test_a_moderators_comment_is_warned_about_then_confirmed(app, people, propose, path, status):
    revision = propose()
    lee = signed_in(app, "lee.lead")
    form = {"comment": f"Take out the phone number {PHONE}.", "confirm_reject": "y"}
    warned = lee.post_form(f"{DECIDE}/{path}", form)
    page = warned.get_data(as_text=True)
    assert warned.status_code == 400 and "This may hold case details." in page
    assert "in the comment, a phone number" in page and 'name="confirm_safe"' in page
    db.session.expire_all()
    assert revision.status == PENDING
    done = lee.post_form(f"{DECIDE}/{path}", {**form, "confirm_safe": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    assert revision.status == status
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action.like("tip.%")).order_by(AuditEntry.id.desc()))
    assert entry.after["case_details_confirmed"] == ["a phone number"]


def test_a_moderators_plain_comment_sends_back_at_once(app, people, propose):
    revision = propose()
    lee = signed_in(app, "lee.lead")
    assert lee.post_form(f"{DECIDE}/send-back", {"comment": "Add the handover steps."}).status_code == 302
    db.session.expire_all()
    assert revision.status == SENT_BACK


def test_the_note_to_the_author_on_approval_is_warned_about_then_confirmed(app, people, propose):
    revision = propose()
    lee = signed_in(app, "lee.lead")
    form = {"checklist": list(CHECKLIST), "note": f"Checked with the centre at {POSTCODE}."}
    warned = lee.post_form(f"{DECIDE}/approve", form)
    page = warned.get_data(as_text=True)
    assert warned.status_code == 400 and "in the note to the author, a postcode" in page
    db.session.expire_all()
    assert revision.status == PENDING
    assert lee.post_form(f"{DECIDE}/approve", {**form, "confirm_safe": "y"}).status_code == 302
    db.session.expire_all()
    assert revision.status == PUBLISHED


def test_the_services_refuse_an_unconfirmed_comment(people, propose):
    revision = propose()
    with pytest.raises(ValidationError) as raised:
        moderation.send_back(people["lee"], revision, f"Ring {PHONE}.")
    assert "in the comment, a phone number" in raised.value.errors["confirm_safe"]
    with pytest.raises(ValidationError):
        moderation.approve(people["lee"], revision, checklist=CHECKLIST, confidentiality_confirmed=False, comment=PHONE)
    db.session.rollback()
    moderation.reject(people["lee"], revision, f"Ring {PHONE}.", confirm_safe=True)
    db.session.commit()
    assert revision.status == REJECTED


def test_a_problem_report_with_a_phone_number_is_warned_about_then_confirmed(app, people, publish):
    tip = publish()
    pat = signed_in(app, "pat.fca")
    text = f"The centre's number is now {PHONE}."
    warned = pat.post_form(f"/tips/{tip.slug}/problem", {"problem": text})
    assert warned.status_code == 400 and "in the report, a phone number" in warned.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(TipProblem)) == 0
    assert pat.post_form(f"/tips/{tip.slug}/problem", {"problem": text, "confirm_safe": "y"}).status_code == 302
    assert db.session.scalar(select(TipProblem.text)) == text


def test_a_review_note_and_an_archive_reason_are_warned_about_then_confirmed(app, people, publish):
    tip = publish()
    lee = signed_in(app, "lee.lead")
    note = {"note": f"Checked with the centre on {PHONE}."}
    warned = lee.post_form(f"/tips/{tip.slug}/reviewed", note)
    page = warned.get_data(as_text=True)
    assert warned.status_code == 400 and "in the note, a phone number" in page and 'name="confirm_safe"' in page
    db.session.expire_all()
    assert reading.find_tip(tip.slug).last_reviewed_at == tip.published_at  # unchanged: as published
    assert lee.post_form(f"/tips/{tip.slug}/reviewed", {**note, "confirm_safe": "y"}).status_code == 302
    reason = {"reason": f"The family at {POSTCODE} moved.", "confirm": "y"}
    warned = lee.post_form(f"/tips/{tip.slug}/archive", reason)
    assert warned.status_code == 400 and "in the reason, a postcode" in warned.get_data(as_text=True)
    db.session.expire_all()
    assert reading.find_tip(tip.slug).status == PUBLISHED
    assert lee.post_form(f"/tips/{tip.slug}/archive", {**reason, "confirm_safe": "y"}).status_code == 302
    db.session.expire_all()
    assert reading.find_tip(tip.slug).status == "archived"
