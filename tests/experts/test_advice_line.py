"""The advice log: recording calls without case details, turning questions into tips, and the report."""

from __future__ import annotations

from datetime import date

import pytest

from cafpedia.core.audit import AuditEntry
from cafpedia.core.errors import NotAllowed, ValidationError
from cafpedia.experts import advice_log, advice_report
from cafpedia.experts.models import AdviceCall
from cafpedia.extensions import db

TODAY = date(2026, 11, 23)


def call_draft(**changes) -> advice_log.CallDraft:
    values = dict(
        called_on=date(2026, 11, 20),
        area="adoption",
        question="Can special guardianship be made for a child placed for adoption?",
        advice="Only with the court's leave; explained the leave test.",
        minutes=15,
    )
    values.update(changes)
    return advice_log.CallDraft(**values)


def test_experts_log_their_own_calls_and_the_administrator_anyone_s(register):
    call = advice_log.log_call(register["eve"], register["eve_entry"], call_draft(), today=TODAY)
    db.session.commit()
    assert call.expert.name == "Eve Expert" and call.logged_at.microsecond == 0
    with pytest.raises(NotAllowed):
        advice_log.log_call(register["eve"], register["ben_entry"], call_draft(area="contact"), today=TODAY)
    with pytest.raises(NotAllowed):
        advice_log.log_call(register["pat"], register["eve_entry"], call_draft(), today=TODAY)
    advice_log.log_call(register["reg"], register["ben_entry"], call_draft(area="contact"), today=TODAY)
    db.session.commit()
    assert db.session.query(AdviceCall).count() == 2


@pytest.mark.parametrize(
    "changes, field, message",
    [
        (
            {"question": "Can Kayden (7) be placed with his aunt?"},
            "confirm_safe",
            "in the question, a name with an age: “Kayden (7)”",
        ),
        ({"advice": "Told her to ring the family at 14 Acacia Avenue."}, "confirm_safe", "in the advice, a street"),
        (
            {"question": "Case LS07P01234: can the guardian see the child alone?"},
            "confirm_safe",
            "a case or reference number",
        ),
        ({"advice": "Told her to ring the team on 07700 900461 first."}, "confirm_safe", "a phone number"),
        ({"question": "Can the child at LS6 2QT be seen at school?"}, "confirm_safe", "a postcode: “LS6 2QT”"),
        ({"called_on": date(2026, 12, 1)}, "called_on", "in the future"),
        ({"called_on": None}, "called_on", "date of the call"),
        ({"area": "astrology"}, "area", "no area of practice called astrology"),
        ({"minutes": 0}, "minutes", "from 1 to 240"),
        ({"question": "Help?"}, "question", "in a sentence"),
        ({"tip": "no-such-tip"}, "tip", "no published tip"),
    ],
)
def test_bad_calls_are_refused_and_nothing_is_written(register, changes, field, message):
    with pytest.raises(ValidationError) as caught:
        advice_log.log_call(register["eve"], register["eve_entry"], call_draft(**changes), today=TODAY)
    assert message in caught.value.errors[field]
    db.session.rollback()
    assert db.session.query(AdviceCall).count() == 0
    assert db.session.query(AuditEntry).filter_by(action="advice.log").count() == 0


def test_a_call_its_writer_confirmed_is_logged_and_the_confirmation_audited(register):
    draft = call_draft(advice="Told her to ring the team on 07700 900461 first.", confirm_safe=True)
    call = advice_log.log_call(register["eve"], register["eve_entry"], draft, today=TODAY)
    db.session.commit()
    assert call.advice == "Told her to ring the team on 07700 900461 first."
    entry = db.session.query(AuditEntry).filter_by(action="advice.log").one()
    assert entry.after == {"case_details_confirmed": ["a phone number"]}
    plain = advice_log.log_call(register["eve"], register["eve_entry"], call_draft(minutes=20), today=TODAY)
    db.session.commit()
    assert plain.id and db.session.query(AuditEntry).filter_by(action="advice.log").count() == 2


@pytest.mark.parametrize(
    "one, other, same",
    [
        (
            "Can special guardianship be made for a child placed for adoption?",
            "For a child placed for adoption, can special guardianship be made",
            True,
        ),
        (
            "Can special guardianship be made when a child is already placed for adoption?",
            "Can a special guardianship order be made for a child already placed for adoption?",
            True,
        ),
        (
            "When must I share a child's disclosure with the police before the hearing?",
            "When should a disclosure be shared with the police before a hearing?",
            True,
        ),
        ("Supervised or supported contact: which should I recommend?", "Who pays for supervised contact?", False),
        (
            "How do I see a child who uses British Sign Language?",
            "How should I interview a deaf child who signs?",
            False,
        ),
    ],
)
def test_rewordings_of_a_question_count_as_one(one, other, same):
    assert advice_report.same_question(advice_report.question_words(one), advice_report.question_words(other)) is same


def test_report_counts_calls_and_lists_unanswered_questions(register, publish):
    eve, entry = register["eve"], register["eve_entry"]
    for called_on in (date(2026, 9, 10), date(2026, 10, 5), date(2026, 11, 2)):
        advice_log.log_call(eve, entry, call_draft(called_on=called_on), today=TODAY)
    advice_log.log_call(
        eve,
        entry,
        call_draft(
            called_on=date(2026, 11, 3),
            question="Special guardianship for a child placed for adoption: can it be made?",
        ),
        today=TODAY,
    )
    advice_log.log_call(
        register["reg"],
        register["ben_entry"],
        call_draft(area="contact", question="When should contact be supervised rather than supported?"),
        today=TODAY,
    )
    tip = publish(slug="centres", title="Contact centres")
    advice_log.log_call(
        register["reg"],
        register["ben_entry"],
        call_draft(area="contact", question="Who pays for a contact centre?", tip="centres"),
        today=TODAY,
    )
    db.session.commit()
    report = advice_report.report(months=6, today=TODAY)
    assert [m.isoformat() for m in report.months] == [
        "2026-06-01",
        "2026-07-01",
        "2026-08-01",
        "2026-09-01",
        "2026-10-01",
        "2026-11-01",
    ]
    adoption = next(a for a in report.areas if a.slug == "adoption")
    assert report.counts[(adoption.id, date(2026, 11, 1))] == 2 and report.area_total(adoption) == 4
    assert report.month_total(date(2026, 11, 1)) == 4 and report.total == 6
    assert [(g.question, g.count) for g in report.unanswered] == [
        ("Special guardianship for a child placed for adoption: can it be made?", 4),
        ("When should contact be supervised rather than supported?", 1),
    ]  # the question a published tip answers is not listed
    assert tip.slug == "centres"
    assert advice_report.report(months=2, today=TODAY).area_total(adoption) == 3  # October and November only


def test_one_click_starts_a_tip_from_a_call_and_the_call_counts_as_answered_once_published(register, as_user):
    call = advice_log.log_call(register["eve"], register["eve_entry"], call_draft(), today=TODAY)
    db.session.commit()
    client = as_user("eve.expert")
    page = client.get(f"/advice-line/{call.id}").get_data(as_text=True)
    assert f"/tips/new?call={call.id}" in page and "Start a tip from this question" in page
    form = client.get(f"/tips/new?call={call.id}").get_data(as_text=True)
    assert 'value="Can special guardianship be made for a child placed for adoption?"' in form
    assert '<option selected value="adoption">' in form and f'name="call" type="hidden" value="{call.id}"' in form
    response = client.post_form(
        "/tips/new",
        {
            "area": "adoption",
            "title": call.question,
            "kind": "tip",
            "body": "- Ask for leave first.",
            "call": str(call.id),
            "submit": "Send for approval",
        },
    )
    assert response.status_code == 302
    db.session.refresh(call)
    assert call.tip is not None and call.tip.current_number is None  # proposed, not yet published
    assert [g.count for g in advice_report.report(today=TODAY).unanswered] == [1]  # still unanswered until approved
    from cafpedia.tips import moderation
    from cafpedia.tips.models import CHECKLIST

    moderation.approve(
        register["other"], call.tip.revisions[0], checklist=list(CHECKLIST), confidentiality_confirmed=False
    )
    db.session.commit()
    assert advice_report.report(today=TODAY).unanswered == []
    # Someone who may not read the advice log gets an ordinary empty form.
    assert "Can special guardianship" not in as_user("pat.fca").get(f"/tips/new?call={call.id}").get_data(as_text=True)
