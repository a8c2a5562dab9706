"""Moderation health: waiting, decision times and outcomes per area, by month, and as CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from sqlalchemy import select

from cafpedia.areas.services import find_area
from cafpedia.extensions import db
from cafpedia.tips import moderation
from cafpedia.tips.health import moderation_health
from cafpedia.tips.models import CHECKLIST
from tests.tips.test_tip_pages import signed_in, text_of

# The test clock's "now" is Monday 23 November 2026, 10:00 UTC.


def at(day: int, month: int = 11, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour)


def history(clock, people, propose, publish):
    """In Contact (lee's area): decided after 2, 5 and 1 working days this month, one
    decided in June (outside the 90 days, inside the 12 months), one waiting since Monday
    16 November, and one published tip whose review is overdue."""
    lee = people["lee"]
    clock.set(at(2))  # Monday
    approved = propose(slug="approved-one")
    clock.set(at(4))  # Wednesday: 2 working days
    moderation.approve(lee, approved, checklist=list(CHECKLIST), confidentiality_confirmed=False)
    clock.set(at(5))  # Thursday
    sent_back = propose(slug="sent-back-one")
    clock.set(at(12))  # the Thursday after: 5 working days
    moderation.send_back(lee, sent_back, "Say which centre.")
    clock.set(at(17))  # Tuesday
    rejected = propose(slug="rejected-one")
    clock.set(at(18))  # Wednesday: 1 working day
    moderation.reject(lee, rejected, "We have this already.")
    clock.set(at(1, 6))  # Monday 1 June
    old = propose(slug="june-one")
    clock.set(at(15, 6))  # 10 working days later
    moderation.approve(
        lee,
        old,
        checklist=list(CHECKLIST),
        confidentiality_confirmed=False,
        review_by=date(2026, 11, 1),
        today=date(2026, 6, 15),
    )
    clock.set(at(16))  # Monday 16 November
    propose(slug="still-waiting")
    db.session.commit()
    clock.set(at(23))


def test_figures_per_area_and_by_month(app, clock, people, propose, publish):
    history(clock, people, propose, publish)
    health = moderation_health()
    contact = next(a for a in health.areas if a.slug == "contact")
    assert (contact.waiting, contact.oldest_days, contact.oldest_since) == (1, 5, date(2026, 11, 16))
    assert sorted(contact.decision_days) == [1, 2, 5] and contact.median_days == 2
    assert contact.decided == {"approved": 1, "sent_back": 1, "rejected": 1}
    assert contact.reviews_overdue == 1  # the June tip, due on 1 November
    adoption = next(a for a in health.areas if a.slug == "adoption")
    assert (adoption.waiting, adoption.oldest_days, adoption.median_days, adoption.reviews_overdue) == (
        0,
        None,
        None,
        0,
    )
    months = {m.month: m for m in health.months}
    assert (
        len(health.months) == 12
        and health.months[-1].month == date(2026, 11, 1)
        and health.months[0].month == date(2025, 12, 1)
    )
    assert (months[date(2026, 11, 1)].decisions, months[date(2026, 11, 1)].median_days) == (3, 2)
    assert (months[date(2026, 6, 1)].decisions, months[date(2026, 6, 1)].median_days) == (1, 10)
    assert months[date(2026, 7, 1)].decisions == 0 and months[date(2026, 7, 1)].median_days is None
    assert health.total.waiting == 1 and health.total.decided["approved"] == 1


def test_the_page_and_the_csv_for_lead_managers_and_administrators(app, clock, people, propose, publish, make_user):
    history(clock, people, propose, publish)
    find_area("adoption").title = '=HYPERLINK("http://evil")'  # a title a spreadsheet would run
    db.session.commit()
    make_user("ada.admin", ["admin"])
    for username in ("lee.lead", "olu.other", "ada.admin"):
        page = signed_in(app, username).get("/moderation/health")
        assert page.status_code == 200, username
    html = text_of(page)
    assert "Median days to a decision" in html and "5 working days" in html and 'role="img"' in html
    assert "November 2026" in html and "June 2026" in html  # the chart's text alternative
    download = signed_in(app, "lee.lead").get("/moderation/health.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert download.headers["Content-Disposition"] == 'attachment; filename="moderation-health-2026-11-23.csv"'
    rows = list(csv.DictReader(io.StringIO(text_of(download))))
    contact = next(r for r in rows if r["area"] == "contact")
    assert (
        contact["waiting_now"],
        contact["oldest_waiting_working_days"],
        contact["median_working_days_to_decision_90d"],
    ) == ("1", "5", "2")
    assert (contact["approved"], contact["sent_back"], contact["rejected"], contact["reviews_overdue"]) == (
        "1",
        "1",
        "1",
        "1",
    )
    assert next(r for r in rows if r["area"] == "adoption")["area_title"].startswith("'=HYPERLINK")
    assert rows[-1]["area"] == "all"
    for username in ("pat.fca",):
        client = signed_in(app, username)
        assert client.get("/moderation/health").status_code == 403
        assert client.get("/moderation/health.csv").status_code == 403


def test_decisions_loaded_without_the_day_they_were_sent_leave_the_medians_alone(app, clock, demo_content, make_user):
    """The demo's published tips give only the day they were approved (no proposed_on), so the
    loader takes that day as when they were sent: 0 working days each. They count as decisions,
    but their waiting time is unknown, so the medians (which read 0 for every month with them)
    are the ones of decisions timed in CAFpedia: here 3 and 7 working days in November."""
    from cafpedia.accounts.models import User
    from cafpedia.tips import proposals
    from tests.tips.builders import draft

    fiona = db.session.scalar(select(User).where(User.username == "fiona.mackenzie"))  # lead of Contact
    author = db.session.scalar(select(User).where(User.username == "demo.fca"))
    sent = []
    for slug, day in (("timed-one", 2), ("timed-two", 4)):  # Monday 2 and Wednesday 4 November
        clock.set(at(day))
        sent.append(proposals.propose_new_tip(author, area_slug="contact", slug=slug, draft=draft(title=slug)))
        db.session.commit()
    clock.set(at(5))  # Thursday 5: 3 working days after the 2nd
    moderation.approve(fiona, sent[0], checklist=list(CHECKLIST), confidentiality_confirmed=False)
    clock.set(at(13))  # Friday 13: 7 working days after the 4th
    moderation.reject(fiona, sent[1], "We have this already.")
    db.session.commit()
    clock.set(at(23))
    health = moderation_health()
    months = {m.month: m for m in health.months}
    november, october = months[date(2026, 11, 1)], months[date(2026, 10, 1)]
    assert (november.decisions, november.untimed, november.median_days) == (3, 1, 5)  # one demo approval, untimed
    assert october.decisions == 4 and october.untimed == 4 and october.median_days is None  # no time known: none
    assert all(m.median_days != 0 for m in health.months)  # never the 0 every month used to show
    contact = next(a for a in health.areas if a.slug == "contact")
    assert sorted(contact.decision_days) == [3, 7] and contact.median_days == 5
    assert contact.decided["approved"] >= 1 and contact.decided["rejected"] == 1
    make_user("ada.admin", ["admin"])
    page = text_of(signed_in(app, "ada.admin").get("/moderation/health"))
    assert "have no waiting time" in page
    rows = list(csv.DictReader(io.StringIO(text_of(signed_in(app, "ada.admin").get("/moderation/health.csv")))))
    row = next(r for r in rows if r["area"] == "contact")
    assert contact.untimed >= 1 and row["decisions_without_a_sending_time"] == str(contact.untimed)
    assert float(row["median_working_days_to_decision_90d"]) == 5
