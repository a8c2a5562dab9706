"""An area's "What people need" (SQLite and PostgreSQL): the lines, who sees them, the privacy
rule (a search shows only once 3 different people made it), marks, and the CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from cafpedia.core.audit import AuditEntry
from cafpedia.experts.models import AdviceCall, Expert
from cafpedia.extensions import db
from cafpedia.gaps.models import NOT_FOR, GapMark
from cafpedia.search.demand.models import SearchDemandDay
from cafpedia.tips.models import TipProblem, TipVote

TODAY = date(2026, 11, 23)  # the pinned clock's day


def demand(area, key, example, *, day=TODAY, searches=1, people=1, found_nothing=1, opened=0):
    db.session.add(
        SearchDemandDay(
            day=day,
            area_id=area.id,
            meaning_key=key,
            example=example,
            searches=searches,
            people=people,
            found_nothing=found_nothing,
            opened=opened,
        )
    )
    db.session.commit()


@pytest.fixture
def contact(people):
    from cafpedia.areas.services import find_area

    return find_area("contact")


def page(client, area="contact", **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    response = client.get(f"/areas/{area}/gaps" + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_a_search_shows_only_once_three_different_people_made_it(contact, as_user):
    demand(contact, "centr contact handov", "contact centre handover", people=1, searches=2, found_nothing=2)
    demand(contact, "centr contact handov", "handover at contact centres", people=1, day=TODAY - timedelta(days=3))
    lead = as_user("lee.lead")
    assert "handover at contact centres" not in page(lead) and "contact centre handover" not in page(lead)
    demand(contact, "centr contact handov", "handover contact centre", people=1, day=TODAY - timedelta(days=5))
    shown = page(lead)
    # The text as most recently typed, with counts and no one named.
    assert "“contact centre handover”" in shown
    assert "3 people, 4 searches, all found nothing" in shown
    assert "Write a tip for this" in shown


def test_a_meaning_someone_opened_a_result_of_is_not_a_gap(contact, as_user):
    demand(contact, "contact indirect", "indirect contact", people=3, searches=3, found_nothing=0, opened=0)
    demand(contact, "letterbox", "letterbox", people=3, searches=3, found_nothing=0, opened=1)
    shown = page(as_user("lee.lead"))
    assert "indirect contact" in shown and "found results nobody opened" in shown
    assert "“letterbox”" not in shown


def test_the_period_counts_only_its_days_and_a_bad_period_is_named(contact, as_user):
    demand(contact, "sibl", "siblings", people=2, day=TODAY - timedelta(days=100))
    demand(contact, "sibl", "siblings", people=1, day=TODAY - timedelta(days=2))
    lead = as_user("lee.lead")
    assert "“siblings”" not in page(lead)  # 1 person in the last 90 days
    assert "“siblings”" in page(lead, days=180)
    bad = lead.get("/areas/contact/gaps?days=7")
    assert bad.status_code == 400 and "Period: choose 30, 90, 180, 365 days" in bad.get_data(as_text=True)


def test_only_the_areas_moderators_see_it(contact, as_user, people):
    assert as_user("pat.fca").get("/areas/contact/gaps").status_code == 403
    assert as_user("olu.other").get("/areas/contact/gaps").status_code == 403  # leads another area
    assert as_user("dee.deputy").get("/areas/contact/gaps").status_code == 200
    assert "What people need" in as_user("lee.lead").get("/areas/contact").get_data(as_text=True)
    assert "What people need" not in as_user("pat.fca").get("/areas/contact").get_data(as_text=True)


def test_not_for_cafpedia_takes_a_line_off_with_a_reason_and_puts_it_back(contact, as_user):
    demand(contact, "contact indirect", "indirect contact", people=4, searches=5)
    lead = as_user("lee.lead")
    form = lead.get("/areas/contact/gaps/not-for?line=search/contact indirect")
    assert form.status_code == 200 and "“indirect contact”" in form.get_data(as_text=True)
    empty = lead.post_form("/areas/contact/gaps/not-for", {"line": "search/contact indirect", "reason": " "})
    assert empty.status_code == 400 and "Say in a few words why" in empty.get_data(as_text=True)
    named = lead.post_form(
        "/areas/contact/gaps/not-for", {"line": "search/contact indirect", "reason": "Only one child, born 12/03/2019"}
    )
    assert named.status_code == 400 and "may hold case details" in named.get_data(as_text=True)
    assert db.session.scalar(select(GapMark)) is None  # nothing saved
    done = lead.post_form(
        "/areas/contact/gaps/not-for",
        {"line": "search/contact indirect", "reason": "The court's own guidance"},
    )
    assert done.status_code == 302
    mark = db.session.scalar(select(GapMark))
    assert (mark.state, mark.source, mark.line_key) == (NOT_FOR, "search", "contact indirect")
    shown = page(lead)
    assert 'Write a tip for this<span class="visually-hidden">: indirect contact' not in shown
    assert "Marked not for CAFpedia" in shown and "The court&#39;s own guidance" in shown
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "gap.not_for"))
    assert entry is not None and "indirect contact" not in str(entry.after) + entry.summary  # the key, never the text
    assert lead.post_form("/areas/contact/gaps/put-back", {"line": "search/contact indirect"}).status_code == 302
    assert db.session.scalar(select(GapMark)) is None
    assert 'Write a tip for this<span class="visually-hidden">: indirect contact' in page(lead)


def test_a_line_not_on_the_list_cannot_be_marked(contact, as_user):
    lead = as_user("lee.lead")
    assert lead.get("/areas/contact/gaps/not-for?line=search/nobody").status_code == 404
    assert lead.get("/areas/contact/gaps/not-for?line=bogus/x").status_code == 404
    assert lead.post_form("/areas/contact/gaps/put-back", {"line": "search/nobody"}).status_code == 302
    assert "no longer marked" in lead.get("/areas/contact/gaps").get_data(as_text=True)


def test_advice_line_questions_no_published_tip_answers(contact, people, publish, make_user):
    from cafpedia.gaps import reading

    expert = Expert(slug="e", name="E Expert", job_title="Adviser", region="London", active=True)
    db.session.add(expert)
    db.session.flush()
    tip = publish(slug="handover", title="Handover at contact centres")
    for n, question in enumerate(
        [
            "How do I arrange a handover at a contact centre?",
            "How should a handover at a contact centre be arranged?",
            "What about grandparents asking for contact?",
        ]
    ):
        db.session.add(
            AdviceCall(
                expert_id=expert.id,
                area_id=contact.id,
                called_on=TODAY - timedelta(days=n),
                question=question,
                advice="Advice.",
                minutes=10,
            )
        )
    db.session.commit()
    since, until = reading.period_since(90)
    lines = reading.advice_lines(contact.id, since, until)
    assert [(line.text, line.count) for line in lines] == [
        ("How do I arrange a handover at a contact centre?", 2),
        ("What about grandparents asking for contact?", 1),
    ]
    first = db.session.scalar(select(AdviceCall).where(AdviceCall.question.like("How do I%")))
    first.tip_id = tip.id  # one call of the group answered by a published tip: the group is answered
    db.session.commit()
    assert [line.text for line in reading.advice_lines(contact.id, since, until)] == [
        "What about grandparents asking for contact?"
    ]
    answered = reading.advice_lines(contact.id, since, until, answered_by_tip=lambda q: "grandparents" in q)
    assert answered == []


def test_tips_found_not_useful_past_review_or_unopened(contact, people, publish, make_user, as_user, clock):
    tip = publish(slug="letterbox", title="Letterbox contact")
    voters = [make_user(f"reader.{n}") for n in range(4)]
    for n, user in enumerate(voters):
        db.session.add(TipVote(tip_id=tip.id, user_id=user.id, useful=n == 0, revision_number=tip.current_number))
    db.session.add(
        TipProblem(
            tip_id=tip.id, user_id=voters[1].id, revision_number=tip.current_number, text="The form number has changed"
        )
    )
    tip.review_by = TODAY - timedelta(days=1)
    tip.published_at = datetime(2025, 1, 1)
    tip.last_viewed_on = date(2025, 6, 1)
    db.session.commit()
    shown = page(as_user("lee.lead"))
    assert "3 said not useful, 1 useful" in shown and "“The form number has changed”" in shown
    assert "Was due for review by 22 November 2026" in shown
    assert "No reader has opened it since 1 June 2025" in shown
    assert f'href="/tips/{tip.slug}/edit"' in shown


def test_the_csv_writes_formulas_as_text(contact, as_user):
    demand(contact, "cmd", "=cmd|' /C calc'!A0", people=3, searches=3)
    response = as_user("lee.lead").get("/areas/contact/gaps.csv?days=30")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["Source", "What", "Searches, calls or answers", "Different people"]
    search = next(r for r in rows if r[0].startswith("Searches"))
    assert search[1].startswith("'=") and search[3] == "3"
    assert as_user("lee.lead").get("/areas/contact/gaps.csv?days=x").status_code == 400


def test_a_tip_never_read_counts_from_its_publication(contact, people, publish, as_user):
    tip = publish(slug="never-read", title="Never read")
    tip.published_at, tip.last_viewed_on = datetime(2025, 1, 1), None
    db.session.commit()
    shown = page(as_user("lee.lead"))
    assert "No reader has opened it since it was published on 1 January 2025" in shown


def test_loaded_tips_count_as_read_on_the_day_of_the_load(demo_content, client):
    """The demo's tips were loaded from content files: nobody's reading before the load is known."""
    assert client.sign_in("priya.chandran", "cafpedia-demo").status_code == 302
    demo = client.get("/areas/dispute-resolution/gaps").get_data(as_text=True)
    assert 'Tips nobody has opened for a year <span class="muted">(0)</span>' in demo


def test_a_question_a_published_tip_looks_like_is_answered(contact, people, publish, make_user):
    from cafpedia.gaps import reading

    expert = Expert(slug="e", name="E Expert", job_title="Adviser", region="London", active=True)
    db.session.add(expert)
    db.session.flush()
    for question in ("When grandparents ask for contact with a grandchild", "Contact centre closing times at weekends"):
        db.session.add(
            AdviceCall(
                expert_id=expert.id, area_id=contact.id, called_on=TODAY, question=question, advice="A.", minutes=5
            )
        )
    db.session.commit()
    publish(
        slug="grandparents",
        title="When grandparents ask for contact",
        body="Grandparents need the court's leave to apply for contact with a grandchild.",
    )
    since, until = reading.period_since(90)
    listed = reading.gaps(contact, since, until).lines["advice"]
    assert [line.text for line in listed] == ["Contact centre closing times at weekends"]


def test_a_line_marked_meanwhile_or_none_sent_marks_nothing(contact, as_user):
    lead = as_user("lee.lead")
    for data in ({}, {"line": "search/nobody", "reason": "x"}):
        response = lead.post_form("/areas/contact/gaps/not-for", data)
        assert response.status_code == 302 and response.headers["Location"] == "/areas/contact/gaps"
        assert "That line is not on the list any more" in lead.get("/areas/contact/gaps").get_data(as_text=True)
    assert db.session.scalar(select(GapMark)) is None


def test_a_long_advice_log_asks_the_search_engine_only_until_the_list_is_full(contact, people, monkeypatch):
    from cafpedia.gaps import reading

    expert = Expert(slug="e", name="E Expert", job_title="Adviser", region="London", active=True)
    db.session.add(expert)
    db.session.flush()
    topics = ["letterbox", "siblings", "grandparents", "handover", "interpreters", "holidays"]
    for n, topic in enumerate(topics):
        for _ in range(len(topics) - n):  # letterbox asked most
            db.session.add(
                AdviceCall(
                    expert_id=expert.id,
                    area_id=contact.id,
                    called_on=TODAY,
                    question=f"Questions on {topic}",
                    advice="A.",
                    minutes=5,
                )
            )
    db.session.commit()
    asked = []
    monkeypatch.setattr(reading, "MAX_LINES", 2)
    lines = reading.advice_lines(
        contact.id, *reading.period_since(90), answered_by_tip=lambda q: asked.append(q) or "siblings" in q
    )
    assert [line.text for line in lines] == ["Questions on letterbox", "Questions on grandparents"]
    assert asked == ["Questions on letterbox", "Questions on siblings", "Questions on grandparents"]
