"""A lead manager corrects a small mistake in a proposal and approves it: the published
revision records its author and its editor, and the history shows the moderator's change."""

from __future__ import annotations

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
