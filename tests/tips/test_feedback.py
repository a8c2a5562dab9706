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


def told_of_problems() -> list[str]:
    return sorted(
        db.session.scalars(
            select(User.username)
            .join(Notification, Notification.user_id == User.id)
            .where(Notification.kind == "tip_problem")
        )
    )


def test_a_problem_report_goes_to_the_lead_manager_by_title_and_link(publish, as_user):
    tip = publish()
    pat = as_user("pat.fca")
    empty = pat.post_form(f"/tips/{tip.slug}/problem", {"problem": "   "})
    assert empty.status_code == 400 and "Say in a few words what is wrong" in empty.get_data(as_text=True)
    too_long = pat.post_form(f"/tips/{tip.slug}/problem", {"problem": "x" * 600})
    assert too_long.status_code == 400 and "at most 500 characters" in too_long.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(TipProblem)) == 0
    sent = pat.post_form(f"/tips/{tip.slug}/problem", {"problem": "The C100 form has a new version."})
    assert sent.status_code == 302
    assert told_of_problems() == ["dee.deputy", "lee.lead"]  # the area's lead manager and deputy
    for notification in db.session.scalars(select(Notification).where(Notification.kind == "tip_problem")):
        assert notification.message == "A reader reported a problem with Use contact centres well (Contact)"
        assert notification.url == f"/tips/{tip.slug}#what-readers-said"  # where they read it, signed in
    lead = as_user("lee.lead").get(f"/tips/{tip.slug}").get_data(as_text=True)
    assert 'id="what-readers-said"' in lead and "1 open" in lead and "The C100 form has a new version." in lead


def test_the_guard_warns_before_saving_and_the_writer_removes_the_details_or_confirms(publish, as_user):
    tip = publish()
    pat = as_user("pat.fca")
    text = "Wrong for the case of Jayden Smith, born 12/03/2015"
    warned = pat.post_form(f"/tips/{tip.slug}/problem", {"problem": text})
    page = warned.get_data(as_text=True)
    assert warned.status_code == 400 and "This may hold case details." in page  # the notice a tip's author sees
    assert "a date of birth: “born 12/03/2015”" in page and "tick the box below the text before sending" in page
    assert f"\n{text}</textarea>" in page  # what they typed is kept
    assert 'href="#confirm_safe"' in page and 'id="confirm_safe"' in page and "<details open>" in page
    assert db.session.scalar(select(func.count()).select_from(TipProblem)) == 0 and told_of_problems() == []
    confirmed = pat.post_form(f"/tips/{tip.slug}/problem", {"problem": text, "confirm_safe": "y"})
    assert confirmed.status_code == 302 and db.session.scalar(select(TipProblem.text)) == text
    lead = as_user("lee.lead").get(f"/tips/{tip.slug}").get_data(as_text=True)
    assert "The confidentiality check found a person&#39;s name, a date of birth; the reader confirmed" in lead


def test_one_open_report_per_person_and_tip_until_the_lead_manager_answers_it(publish, people, as_user, clock):
    from cafpedia.tips import reviewing

    tip = publish()
    pat = as_user("pat.fca")
    assert pat.post_form(f"/tips/{tip.slug}/problem", {"problem": "The C100 form has changed."}).status_code == 302
    page = pat.get(f"/tips/{tip.slug}").get_data(as_text=True)
    assert 'id="my-report"' in page and "“The C100 form has changed.”" in page
    assert 'action="/tips/contact-centres/problem"' not in page  # the open report, not the form
    clock.advance(hours=1)
    again = pat.post_form(f"/tips/{tip.slug}/problem", {"problem": "And the fee is now £255."})
    text = again.get_data(as_text=True)
    assert again.status_code == 400 and "You reported a problem with this tip on 23 Nov 2026, 10:00" in text
    assert "your report is shown above" in text and "\nAnd the fee is now £255.</textarea>" in text
    assert db.session.scalar(select(func.count()).select_from(TipProblem)) == 1
    # Another reader's report is theirs to make; the moderators are not told again today.
    assert as_user("sam.fca").post_form(f"/tips/{tip.slug}/problem", {"problem": "Fee out of date."}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(TipProblem)) == 2
    assert told_of_problems() == ["dee.deputy", "lee.lead"]  # once each, for both reports
    clock.advance(hours=1)
    reviewing.mark_reviewed(people["lee"], tip, note="Updated the form number")  # the answer
    db.session.commit()
    clock.advance(hours=1)
    assert as_user("pat.fca").post_form(f"/tips/{tip.slug}/problem", {"problem": "Fee again."}).status_code == 302
    assert told_of_problems() == ["dee.deputy", "lee.lead"]  # still today: the page lists it
    clock.advance(days=1)
    assert as_user("sam.fca").post_form(f"/tips/{tip.slug}/problem", {"problem": "Link broken."}).status_code == 302
    assert told_of_problems() == ["dee.deputy", "dee.deputy", "lee.lead", "lee.lead"]  # a new day: told once more
    lead = as_user("lee.lead").get(f"/tips/{tip.slug}").get_data(as_text=True)
    assert "4 problems reported, 2 open" in lead


def test_a_reader_sends_at_most_five_reports_in_24_hours(publish, as_user, clock):
    tips = [publish(slug=f"tip-{n}", title=f"Tip number {n}") for n in range(6)]
    pat = as_user("pat.fca")
    for tip in tips[:5]:
        assert pat.post_form(f"/tips/{tip.slug}/problem", {"problem": "Out of date."}).status_code == 302
        clock.advance(minutes=10)
    refused = pat.post_form(f"/tips/{tips[5].slug}/problem", {"problem": "Out of date too."})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "You have sent 5 problem reports in the last 24 hours" in text
    assert "Send this one after 24 Nov 2026, 10:00" in text and "\nOut of date too.</textarea>" in text
    clock.advance(hours=23, minutes=11)  # 24 hours after the first
    assert pat.post_form(f"/tips/{tips[5].slug}/problem", {"problem": "Out of date too."}).status_code == 302


def test_a_tip_not_published_takes_no_answers(propose, as_user):
    revision = propose(slug="not-yet")
    client = as_user("pat.fca")  # its author can see it
    assert "Was this useful?" not in client.get("/tips/not-yet").get_data(as_text=True)
    response = client.post_form("/tips/not-yet/useful", {"useful": "yes"})
    assert response.status_code == 302 and db.session.scalar(select(func.count()).select_from(TipVote)) == 0
    assert revision.tip.slug == "not-yet"
