"""Issue 29: the confidentiality guard on legal updates (core.case_details): the title,
citations, summary, briefing, what it means for practice, and an edit's note. A slip is
warned about on the form, before the preview, and nothing is posted; ticking the box posts
it; a text with none goes straight to the preview."""

from __future__ import annotations

import pytest

from cafpedia.core.audit import AuditEntry
from cafpedia.core.errors import ValidationError
from cafpedia.extensions import db
from cafpedia.legal import feed as legal_feed
from cafpedia.legal import posting as legal_posting
from cafpedia.legal.models import LegalUpdate
from tests.legal.test_legal import FORM, staff, update_draft  # noqa: F401 (a fixture)

PHONE, POSTCODE = "07700 900461", "LS6 2QT"


def test_posting_with_a_slip_is_refused_until_confirmed_and_the_confirmation_audited(staff):  # noqa: F811
    slip = update_draft(briefing=f"The mother, of {POSTCODE}, appealed.")
    with pytest.raises(ValidationError) as raised:
        legal_posting.post_update(staff["lawyer"], slip)
    assert f"in the briefing, a postcode: “{POSTCODE}”" in raised.value.errors["confirm_safe"]
    db.session.rollback()
    assert db.session.query(LegalUpdate).count() == 0
    slip.confirm_safe = True
    update = legal_posting.post_update(staff["lawyer"], slip)
    db.session.commit()
    assert POSTCODE in update.current.briefing
    entry = db.session.query(AuditEntry).filter_by(action="legal.post").one()
    assert entry.after == {"case_details_confirmed": ["a postcode"]}


def test_the_form_warns_before_the_preview_then_posts_when_confirmed(staff, as_user):  # noqa: F811
    client = as_user("lola.lawyer")
    slip = {**FORM, "summary": f"Ring the court on {PHONE}."}
    warned = client.post_form("/legal/new", slip)
    page = warned.get_data(as_text=True)
    assert warned.status_code == 400 and "This may hold case details." in page and "in the summary" in page
    assert 'name="confirm_safe"' in page and "Check before posting" not in page
    confirmed = client.post_form("/legal/new", {**slip, "confirm_safe": "y"})
    page = confirmed.get_data(as_text=True)
    assert confirmed.status_code == 200 and "Check before posting" in page
    assert 'name="confirm_safe" value="y"' in page  # carried through the preview
    assert db.session.query(LegalUpdate).count() == 0
    refused = client.post_form("/legal/new", {**slip, "confirmed": "yes"})  # posting checks again
    assert refused.status_code == 400 and db.session.query(LegalUpdate).count() == 0
    assert client.post_form("/legal/new", {**slip, "confirm_safe": "y", "confirmed": "yes"}).status_code == 302
    assert db.session.query(LegalUpdate).count() == 1


def test_a_plain_update_goes_straight_to_the_preview(staff, as_user):  # noqa: F811
    preview = as_user("lola.lawyer").post_form("/legal/new", FORM)
    assert preview.status_code == 200 and "This may hold case details." not in preview.get_data(as_text=True)


def test_an_edit_and_its_note_are_checked(staff, as_user):  # noqa: F811
    update = legal_posting.post_update(staff["lawyer"], update_draft())
    db.session.commit()
    client = as_user("lola.lawyer")
    form = {**FORM, "title": "Disclosure ruling, corrected", "note": f"The clerk on {PHONE} corrected it."}
    warned = client.post_form(f"/legal/{update.slug}/edit", form)
    assert warned.status_code == 400 and "in the note, a phone number" in warned.get_data(as_text=True)
    assert [r.number for r in legal_feed.find_update(update.slug).revisions] == [1]
    assert client.post_form(f"/legal/{update.slug}/edit", {**form, "confirm_safe": "y"}).status_code == 302
    assert [r.number for r in legal_feed.find_update(update.slug).revisions] == [1, 2]


def test_a_withdrawal_reason_is_checked_before_the_preview_and_on_withdrawing(staff, as_user):  # noqa: F811
    update = legal_posting.post_update(staff["lawyer"], update_draft())
    db.session.commit()
    client = as_user("lola.lawyer")
    reason = f"Overturned; the clerk on {PHONE} confirmed"
    warned = client.post_form(f"/legal/{update.slug}/withdraw", {"reason": reason})
    page = warned.get_data(as_text=True)
    assert warned.status_code == 400 and "in the reason, a phone number" in page and 'name="confirm_safe"' in page
    skipped = client.post_form(f"/legal/{update.slug}/withdraw", {"reason": reason, "confirmed": "yes"})
    assert skipped.status_code == 400
    db.session.refresh(update)
    assert update.status == "published"
    asked = client.post_form(f"/legal/{update.slug}/withdraw", {"reason": reason, "confirm_safe": "y"})
    assert asked.status_code == 200 and "Withdrawn on" in asked.get_data(as_text=True)
    done = client.post_form(
        f"/legal/{update.slug}/withdraw", {"reason": reason, "confirm_safe": "y", "confirmed": "yes"}
    )
    assert done.status_code == 302
    db.session.refresh(update)
    assert update.status == "withdrawn"
    entry = db.session.query(AuditEntry).filter_by(action="legal.withdraw").one()
    assert entry.after == {"case_details_confirmed": ["a phone number"]}
