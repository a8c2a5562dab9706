"""'Was this useful?' and 'Report a problem' under a tip, for its lead manager (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import func, select

from cafpedia.accounts.models import User
from cafpedia.extensions import db
from cafpedia.notifications.models import Notification
from cafpedia.tips.models import TipProblem, TipVote


def test_readers_answer_and_the_lead_manager_sees_the_counts(publish, as_user):
    tip = publish()
    pat = as_user("pat.fca")
    page = pat.get(f"/tips/{tip.slug}").get_data(as_text=True)
    assert "Was this useful?" in page and "Report a problem" in page and "What readers said" not in page
    assert pat.post_form(f"/tips/{tip.slug}/useful", {"useful": "no"}).status_code == 302
    assert (
        pat.post_form(f"/tips/{tip.slug}/useful", {"useful": "yes"}).status_code == 302
    )  # changed their mind: one answer each
    assert 'value="yes" class="button-secondary" aria-pressed="true"' in pat.get(f"/tips/{tip.slug}").get_data(
        as_text=True
    )
    as_user("sam.fca").post_form(f"/tips/{tip.slug}/useful", {"useful": "no"})
    assert db.session.scalar(select(func.count()).select_from(TipVote)) == 2
    lead = as_user("lee.lead").get(f"/tips/{tip.slug}").get_data(as_text=True)
    assert "What readers said" in lead and "Useful: 1 yes, 1 no." in lead
    assert as_user("pat.fca").post_form(f"/tips/{tip.slug}/useful", {"useful": "maybe"}).status_code == 400


def test_a_problem_report_goes_to_the_lead_manager_and_passes_the_confidentiality_guard(publish, as_user):
    tip = publish()
    pat = as_user("pat.fca")
    empty = pat.post_form(f"/tips/{tip.slug}/problem", {"problem": "   "})
    assert empty.status_code == 400 and "Say in a few words what is wrong" in empty.get_data(as_text=True)
    case = pat.post_form(
        f"/tips/{tip.slug}/problem", {"problem": "Wrong for the case of Jayden Smith, born 12/03/2015"}
    )
    assert case.status_code == 400 and "looks as if it holds case details" in case.get_data(as_text=True)
    too_long = pat.post_form(f"/tips/{tip.slug}/problem", {"problem": "x" * 600})
    assert too_long.status_code == 400 and "at most 500 characters" in too_long.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(TipProblem)) == 0
    assert (
        pat.post_form(f"/tips/{tip.slug}/problem", {"problem": "The C100 form has a new version."}).status_code == 302
    )
    told = db.session.scalars(
        select(User.username)
        .join(Notification, Notification.user_id == User.id)
        .where(Notification.kind == "tip_problem")
    ).all()
    assert sorted(told) == ["dee.deputy", "lee.lead"]  # the area's lead manager and deputy
    lead = as_user("lee.lead").get(f"/tips/{tip.slug}").get_data(as_text=True)
    assert "1 problem reported" in lead and "The C100 form has a new version." in lead


def test_a_tip_not_published_takes_no_answers(propose, as_user):
    revision = propose(slug="not-yet")
    client = as_user("pat.fca")  # its author can see it
    assert "Was this useful?" not in client.get("/tips/not-yet").get_data(as_text=True)
    response = client.post_form("/tips/not-yet/useful", {"useful": "yes"})
    assert response.status_code == 302 and db.session.scalar(select(func.count()).select_from(TipVote)) == 0
    assert revision.tip.slug == "not-yet"
