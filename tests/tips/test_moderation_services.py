"""The moderation rules, at the service level."""

from __future__ import annotations

from datetime import date

import pytest

from cafpedia.core.audit import AuditEntry
from cafpedia.core.errors import NotAllowed, ServiceError, ValidationError
from cafpedia.extensions import db
from cafpedia.tips import moderation, proposals, reading, reviewing
from cafpedia.tips.models import CHECKLIST, PENDING, PUBLISHED, REJECTED, SENT_BACK, TipEvent
from tests.tips.builders import draft

ALL = list(CHECKLIST)


def test_a_proposal_waits_in_the_queue_of_its_area_only(people, propose):
    revision = propose()
    assert revision.status == PENDING and revision.tip.current_number is None
    assert moderation.moderation_queue(people["lee"]) == [revision]
    assert moderation.moderation_queue(people["dee"]) == [revision]
    assert moderation.moderation_queue(people["other"]) == []


def test_approval_needs_every_checklist_item_and_is_recorded(people, propose):
    revision = propose()
    with pytest.raises(ValidationError) as raised:
        moderation.approve(people["lee"], revision, checklist=["corporate", "legal"], confidentiality_confirmed=False)
    assert "Written in plain language" in raised.value.errors["checklist"]
    db.session.rollback()
    assert revision.status == PENDING
    event = moderation.approve(
        people["lee"], revision, checklist=ALL, confidentiality_confirmed=False, today=date(2026, 11, 22)
    )
    db.session.commit()
    tip = revision.tip
    assert tip.status == PUBLISHED and tip.current_number == 1 and revision.status == PUBLISHED
    assert tip.review_by == date(2027, 11, 22)  # 12 months unless the moderator picks another
    assert event.checklist == ALL
    entry = db.session.query(AuditEntry).filter_by(action="tip.approve").one()
    assert entry.actor_name == "lee.lead" and entry.after["checklist"] == ALL


def test_moderator_can_pick_the_review_date(people, propose):
    revision = propose()
    moderation.approve(
        people["dee"],
        revision,
        checklist=ALL,
        confidentiality_confirmed=False,
        review_by=date(2027, 3, 1),
        today=date(2026, 11, 22),
    )
    assert revision.tip.review_by == date(2027, 3, 1)
    with pytest.raises(ValidationError):
        moderation.approve(
            people["lee"],
            propose(slug="second"),
            checklist=ALL,
            confidentiality_confirmed=False,
            review_by=date(2020, 1, 1),
        )


def test_nobody_approves_their_own_proposal(people, propose):
    revision = propose(author="lee")
    with pytest.raises(NotAllowed, match="own proposal"):
        moderation.approve(people["lee"], revision, checklist=ALL, confidentiality_confirmed=False)
    moderation.approve(people["dee"], revision, checklist=ALL, confidentiality_confirmed=False)


def test_only_moderators_of_the_area_decide(people, propose):
    revision = propose()
    for who in ("other", "sam"):
        with pytest.raises(NotAllowed):
            moderation.approve(people[who], revision, checklist=ALL, confidentiality_confirmed=False)
        with pytest.raises(NotAllowed):
            moderation.send_back(people[who], revision, "No")
    assert revision.status == PENDING and db.session.query(TipEvent).count() == 0


def test_send_back_then_revise_and_resubmit(people, propose):
    first = propose()
    with pytest.raises(ValidationError):
        moderation.send_back(people["lee"], first, "   ")
    moderation.send_back(people["lee"], first, "Please add what to do at handover.")
    db.session.commit()
    assert first.status == SENT_BACK
    assert [e.comment for e in first.decisions] == ["Please add what to do at handover."]
    second = proposals.propose_edit(
        people["pat"],
        first.tip,
        based_on=None,
        revises=1,
        draft=draft(body="- Visit first.\n- Meet at the door at handover."),
    )
    db.session.commit()
    assert second.number == 2 and second.revises == 1 and second.status == PENDING
    with pytest.raises(ValidationError):  # only the author revises a sent-back proposal
        proposals.propose_edit(people["sam"], first.tip, based_on=None, revises=1, draft=draft())
    moderation.approve(people["lee"], second, checklist=ALL, confidentiality_confirmed=False)
    assert first.tip.current_number == 2


def test_reject_with_a_reason(people, propose):
    revision = propose()
    moderation.reject(people["dee"], revision, "This is covered by the existing guidance.")
    db.session.commit()
    assert revision.status == REJECTED
    assert reading.proposals_by(people["pat"])[0].decisions[0].comment == "This is covered by the existing guidance."


def test_readers_keep_the_published_version_until_an_edit_is_approved(people, publish):
    tip = publish()
    edit = proposals.propose_edit(
        people["sam"],
        tip,
        based_on=1,
        draft=draft(body="- Visit the centre first.\n- Agree the handover.\n- New point."),
    )
    db.session.commit()
    assert tip.current.number == 1 and "New point" not in tip.current.body
    moderation.approve(people["lee"], edit, checklist=ALL, confidentiality_confirmed=False)
    db.session.commit()
    assert tip.current.number == 2 and "New point" in tip.current.body
    assert [r.number for r in tip.revisions] == [1, 2] and tip.revision(1).body.endswith("Agree the handover.")


def test_a_proposal_from_an_old_revision_never_overwrites_newer_text(people, publish):
    tip = publish()
    a = proposals.propose_edit(people["pat"], tip, based_on=1, draft=draft(body="Version A"))
    b = proposals.propose_edit(people["sam"], tip, based_on=1, draft=draft(body="Version B"))
    db.session.commit()
    moderation.approve(people["lee"], a, checklist=ALL, confidentiality_confirmed=False)
    db.session.commit()
    with pytest.raises(proposals.Conflict):
        moderation.approve(people["lee"], b, checklist=ALL, confidentiality_confirmed=False)
    db.session.rollback()
    assert tip.current.body == "Version A" and b.status == PENDING
    with pytest.raises(proposals.Conflict):  # proposing from a stale revision is caught too
        proposals.propose_edit(people["sam"], tip, based_on=1, draft=draft(body="Version C"))


def test_two_moderators_deciding_at_once_one_wins(app, people, propose):
    revision = propose()
    number, slug = revision.number, revision.tip.slug
    # The deputy's page was loaded before the lead decided: a second session holds it.
    with app.app_context():
        from cafpedia.accounts.people import find_user

        stale = reading.find_tip(slug).revision(number)
        assert stale.status == PENDING
        deputy = find_user("dee.deputy")
        with app.app_context():  # the lead, in another request, decides first
            moderation.approve(
                find_user("lee.lead"),
                reading.find_tip(slug).revision(number),
                checklist=ALL,
                confidentiality_confirmed=False,
            )
            db.session.commit()
        with pytest.raises(proposals.AlreadyDecided):
            moderation.reject(deputy, stale, "Not needed")
        db.session.rollback()
    db.session.expire_all()
    assert db.session.query(TipEvent).count() == 1
    assert reading.find_tip(slug).revision(number).status == PUBLISHED


def test_restore_an_earlier_revision_as_a_new_one(people, publish):
    tip = publish()
    edit = proposals.propose_edit(people["sam"], tip, based_on=1, draft=draft(body="Worse text"))
    moderation.approve(people["lee"], edit, checklist=ALL, confidentiality_confirmed=False)
    db.session.commit()
    with pytest.raises(NotAllowed):
        moderation.restore(people["other"], tip, 1)
    restored = moderation.restore(people["dee"], tip, 1)
    db.session.commit()
    assert restored.number == 3 and restored.restores == 1 and tip.current_number == 3
    assert tip.current.body == tip.revision(1).body and tip.revision(2).body == "Worse text"


def test_mark_reviewed_changes_dates_not_content(people, publish):
    tip = publish()
    tip.review_by = date(2026, 1, 1)
    db.session.commit()
    assert reviewing.is_overdue(tip, today=date(2026, 11, 22))
    assert tip in reviewing.due_for_review(people["lee"], today=date(2026, 11, 22))
    assert tip not in reviewing.due_for_review(people["other"], today=date(2026, 11, 22))
    body, number = tip.current.body, tip.current_number
    reviewing.mark_reviewed(people["lee"], tip, today=date(2026, 11, 22))
    db.session.commit()
    assert tip.review_by == date(2027, 11, 22) and tip.current.body == body and tip.current_number == number
    assert [e.action for e in tip.events][-1] == "reviewed"
    with pytest.raises(NotAllowed):
        reviewing.mark_reviewed(people["pat"], tip)


def test_archive_with_successor_closes_open_proposals(people, publish):
    old, new = publish("old-tip"), publish("new-tip", title="Newer contact advice")
    pending = proposals.propose_edit(people["sam"], old, based_on=1, draft=draft(body="More"))
    db.session.commit()
    with pytest.raises(ValidationError):
        reviewing.archive(people["lee"], old, superseded_by="no-such-tip")
    reviewing.archive(people["lee"], old, superseded_by="new-tip", note="Replaced")
    db.session.commit()
    assert old.status == "archived" and old.superseded_by.slug == "new-tip"
    assert pending.status == REJECTED
    with pytest.raises(NotAllowed):
        proposals.propose_edit(people["sam"], old, based_on=1, draft=draft())
    assert new.status == PUBLISHED


def test_case_details_need_the_authors_confirmation_then_the_moderators(people, propose):
    risky = dict(body="In case LS07P01234, Kayden (7) said he was scared at handover.")
    with pytest.raises(ValidationError) as raised:
        propose(**risky)
    assert (
        "a case or reference number" in raised.value.errors["confirm_safe"]
        and "a name with an age" in raised.value.errors["confirm_safe"]
    )
    db.session.rollback()
    revision = propose(confirm_safe=True, **risky)
    assert {f["kind"] for f in revision.flags} == {"case_number", "named_child_age"}
    with pytest.raises(ValidationError) as raised:
        moderation.approve(people["lee"], revision, checklist=ALL, confidentiality_confirmed=False)
    assert "confidentiality_confirmed" in raised.value.errors
    db.session.rollback()
    moderation.approve(people["lee"], revision, checklist=ALL, confidentiality_confirmed=True)


@pytest.mark.parametrize(
    "kwargs, field, message",
    [
        (dict(title="  "), "title", "at least 3 characters"),
        (dict(title="x" * 201), "title", "at most 200"),
        (dict(body=""), "body", "Write the tip"),
        (dict(body="x" * 100_001), "body", "too long"),
        (dict(standards=["5.1", "11.9"]), "standards", "No clause 11.9"),
        (dict(tags=["Not A Tag!"]), "tags", "lower-case"),
        (dict(kind="essay"), "kind", "Choose one of"),
    ],
)
def test_bad_drafts_are_named_and_nothing_is_written(people, kwargs, field, message):
    with pytest.raises(ValidationError) as raised:
        proposals.propose_new_tip(people["pat"], area_slug="contact", slug=None, draft=draft(**kwargs))
    assert message in raised.value.errors[field]
    db.session.rollback()
    assert reading.find_tip("use-contact-centres-well") is None


def test_unknown_area_and_duplicate_address(people, propose):
    with pytest.raises(ValidationError) as raised:
        proposals.propose_new_tip(people["pat"], area_slug="nowhere", slug=None, draft=draft())
    assert "area" in raised.value.errors
    db.session.rollback()
    propose(slug="contact-centres")
    with pytest.raises(ValidationError) as raised:
        proposals.propose_new_tip(people["sam"], area_slug="contact", slug="contact-centres", draft=draft())
    assert "already taken" in raised.value.errors["slug"]


def test_links_between_tips(people, publish, propose):
    target = publish("seeing-children", title="Seeing children")
    propose(slug="not-written-yet", title="Still waiting for approval")  # exists, but not published
    source = publish("contact-centres", body="See [[seeing-children]] and [[not-written-yet]].")
    assert reading.tips_linking_to(target) == [(source.slug, source.title)]
    assert reading.resolve_link(None, "seeing-children") == ("/tips/seeing-children", "Seeing children")
    assert reading.resolve_link("adoption", "seeing-children") is None
    assert reading.resolve_link(None, "not-written-yet") is None


def test_tips_citing_a_clause(people, publish):
    from cafpedia.standards.services import current_version

    tip = publish(standards=["5.1", "5.3"])
    assert reading.tips_citing(current_version().clause("5.1")) == [tip]
    assert reading.tips_citing(current_version().clause("1.1")) == []


def test_a_change_saved_at_the_same_moment_is_reported_not_lost(people, publish, monkeypatch):
    tip = publish()
    # Both proposers computed the same next revision number: the second gets a clear message.
    proposals.propose_edit(people["pat"], tip, based_on=1, draft=draft(body="One"))
    monkeypatch.setattr(proposals, "func", _FakeFunc())
    with pytest.raises(ServiceError, match="same moment"):
        proposals.propose_edit(people["sam"], tip, based_on=1, draft=draft(body="Two"))


class _FakeFunc:
    """func.max(...) that returns 1, so the next number collides with revision 2."""

    def max(self, column):
        from sqlalchemy import literal

        return literal(1)

    def __getattr__(self, name):
        from sqlalchemy import func

        return getattr(func, name)


def test_a_proposal_on_an_archived_tip_cannot_be_published(app, people, publish):
    tip = publish()
    edit = proposals.propose_edit(people["sam"], tip, based_on=1, draft=draft(body="Later"))
    db.session.commit()
    tip.status = "archived"  # as if archived by a request that raced with this approval
    db.session.commit()
    with pytest.raises(NotAllowed):
        moderation.approve(people["lee"], edit, checklist=ALL, confidentiality_confirmed=False)


def test_archiving_after_a_concurrent_approval_is_refused(app, people, publish):
    tip = publish()
    edit = proposals.propose_edit(people["sam"], tip, based_on=1, draft=draft(body="Later"))
    db.session.commit()
    slug = tip.slug
    with app.app_context():  # the archiving moderator loaded the tip before the approval
        from cafpedia.accounts.people import find_user

        stale_tip = reading.find_tip(slug)
        assert stale_tip.current_number == 1
        with app.app_context():
            moderation.approve(
                find_user("lee.lead"),
                reading.find_tip(slug).revision(edit.number),
                checklist=ALL,
                confidentiality_confirmed=False,
            )
            db.session.commit()
        with pytest.raises(proposals.AlreadyDecided):
            reviewing.archive(find_user("dee.deputy"), stale_tip)
    db.session.expire_all()
    fresh = reading.find_tip(slug)
    assert fresh.status == PUBLISHED and fresh.current_number == 2
    assert [e.action for e in fresh.events].count("rejected") == 0


def test_approval_refuses_links_to_no_tip(people, propose):
    revision = propose(body="See [[not-written-yet]].")
    with pytest.raises(ValidationError) as raised:
        moderation.approve(people["lee"], revision, checklist=ALL, confidentiality_confirmed=False)
    assert "[[not-written-yet]]" in raised.value.errors["checklist"]


def test_line_breaks_are_normalised(people, propose):
    revision = propose(body="one\r\ntwo\rthree\u2028four")
    assert revision.body == "one\ntwo\nthree\nfour"


def test_diff_of_long_repetitive_text_finishes():
    from cafpedia.tips.diff import word_diff

    pieces = word_diff("x " * 20000, "y " * 10000 + "x " * 10000)
    assert "".join(p.text for p in pieces if p.op != "removed") == "y " * 10000 + "x " * 10000
