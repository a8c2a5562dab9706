"""Issue 29: the confidentiality guard on the research digest (core.case_details): an issue's
title and introduction, an item (and a correction's reason), a reader's suggestion and the
coordinator's reply. A slip is warned about and nothing is saved; ticking the box saves it;
a text with none saves at once."""

from __future__ import annotations

import pytest

from cafpedia.core.audit import AuditEntry
from cafpedia.core.errors import ValidationError
from cafpedia.digest import composing as digest_composing
from cafpedia.digest import drafts as digest_drafts
from cafpedia.digest import suggestions as digest_suggestions
from cafpedia.digest.models import DigestItem, ResearchSuggestion
from cafpedia.extensions import db
from tests.digest.test_digest import draft_issue, item_draft, published_issue, staff  # noqa: F401 (fixtures)

PHONE, POSTCODE = "07700 900461", "LS6 2QT"
ITEM = {
    "title": "Views of children",
    "source": "A report, 2007",
    "summary": "They want to be heard.",
    "implications": "- Listen.",
    "areas": ["contact"],
    "tags": "children-views",
}


def test_an_item_with_a_slip_is_warned_about_then_confirmed(staff, draft_issue):  # noqa: F811
    before = db.session.query(DigestItem).count()
    slip = item_draft("Seen in Leeds", summary=f"The family at {POSTCODE} took part.")
    with pytest.raises(ValidationError) as raised:
        digest_composing.add_item(staff["coord"], draft_issue, slip)
    assert f"in the summary, a postcode: “{POSTCODE}”" in raised.value.errors["confirm_safe"]
    db.session.rollback()
    assert db.session.query(DigestItem).count() == before
    slip.confirm_safe = True
    item = digest_composing.add_item(staff["coord"], draft_issue, slip)
    db.session.commit()
    assert item.summary.endswith(f"{POSTCODE} took part.")
    entry = db.session.query(AuditEntry).filter_by(action="digest.add_item").order_by(AuditEntry.id.desc()).first()
    assert entry.after == {"case_details_confirmed": ["a postcode"]}


def test_the_item_pages_warn_and_keep_the_text_then_save_when_confirmed(staff, as_user):  # noqa: F811
    client = as_user("cora.coord")
    issue = {"number": "20", "quarter": "2008-Q1", "title": "Research Digest, Spring 2008"}
    warned = client.post_form("/digest/new", {**issue, "introduction": f"Questions to {PHONE}."})
    assert warned.status_code == 400 and "in the introduction, a phone number" in warned.get_data(as_text=True)
    assert client.post_form("/digest/new", {**issue, "introduction": "Hello."}).status_code == 302
    slip = {**ITEM, "source": f"A report, 2007; the authors on {PHONE}"}
    warned = client.post_form("/digest/2008-q1/items/new", slip)
    page = warned.get_data(as_text=True)
    assert warned.status_code == 400 and "This may hold case details." in page and "in the source" in page
    assert 'name="confirm_safe"' in page and PHONE in page
    assert db.session.query(DigestItem).count() == 0
    assert client.post_form("/digest/2008-q1/items/new", {**slip, "confirm_safe": "y"}).status_code == 302
    assert client.post_form("/digest/2008-q1/items/new", {**ITEM, "title": "Another"}).status_code == 302
    assert db.session.query(DigestItem).count() == 2


def test_a_correction_and_its_reason_are_checked(staff, published_issue):  # noqa: F811
    item = published_issue.items[0]
    draft = digest_drafts.ItemDraft.of(item)
    draft.summary = "Children valued being listened to, most of all."
    with pytest.raises(ValidationError) as raised:
        digest_composing.update_item(staff["coord"], item, draft, reason=f"The author rang from {PHONE}")
    assert "in the reason, a phone number" in raised.value.errors["confirm_safe"]
    db.session.rollback()
    draft.confirm_safe = True
    digest_composing.update_item(staff["coord"], item, draft, reason=f"The author rang from {PHONE}")
    db.session.commit()
    assert item.correction_note.endswith(PHONE)
    with pytest.raises(ValidationError) as raised:
        digest_composing.correct_introduction(staff["coord"], published_issue, f"Welcome, {POSTCODE}.", "a typo")
    assert "in the introduction, a postcode" in raised.value.errors["confirm_safe"]
    db.session.rollback()
    digest_composing.correct_introduction(
        staff["coord"], published_issue, f"Welcome, {POSTCODE}.", "a typo", confirm_safe=True
    )
    db.session.commit()
    assert published_issue.introduction == f"Welcome, {POSTCODE}."


def test_suggestions_and_replies_are_warned_about_then_confirmed(staff, as_user):  # noqa: F811
    client = as_user("pat.fca")
    slip = {"topic": "Sibling contact after adoption", "details": f"As for the boy at {POSTCODE}."}
    warned = client.post_form("/digest/suggestions", slip)
    page = warned.get_data(as_text=True)
    assert warned.status_code == 400 and "in the details, a postcode" in page and 'name="confirm_safe"' in page
    assert db.session.query(ResearchSuggestion).count() == 0
    assert client.post_form("/digest/suggestions", {**slip, "confirm_safe": "y"}).status_code == 302
    assert client.post_form("/digest/suggestions", {"topic": "Outcomes of contact"}).status_code == 302
    assert db.session.query(ResearchSuggestion).count() == 2
    suggestion = digest_suggestions.suggestions_by(staff["pat"])[-1]
    coord = as_user("cora.coord")
    answer = {"status": "declined", "reply": f"Ring me on {PHONE}."}
    warned = coord.post_form(f"/digest/suggestions/{suggestion.id}", answer)
    assert warned.status_code == 400 and "in the reply, a phone number" in warned.get_data(as_text=True)
    db.session.expire_all()
    assert suggestion.status == "open"
    assert coord.post_form(f"/digest/suggestions/{suggestion.id}", {**answer, "confirm_safe": "y"}).status_code == 302
    db.session.expire_all()
    assert suggestion.status == "declined"


def test_plain_items_and_suggestions_save_at_once(staff, draft_issue):  # noqa: F811
    digest_composing.add_item(staff["coord"], draft_issue, item_draft("A plain item"))
    digest_suggestions.suggest(staff["pat"], "Outcomes of contact after domestic abuse", "Asked often in court.")
    db.session.commit()
    assert db.session.query(ResearchSuggestion).count() == 1
    # Nothing to confirm: nothing audited for the suggestion.
    assert db.session.query(AuditEntry).filter_by(action="digest.suggest").count() == 0
