"""Who is told what, how, and when: preferences, watchers, review reminders, escalation,
daily summaries, header counts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from cafpedia.core import clock as app_clock
from cafpedia.extensions import db
from cafpedia.mail import outbox
from cafpedia.mail.models import MailMessage
from cafpedia.notifications import jobs
from cafpedia.notifications import services as notifications
from cafpedia.tips import moderation, proposals, reviewing
from cafpedia.tips.models import CHECKLIST
from tests.tips.builders import draft


def kinds_for(user) -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(n.kind, n.message) for n in reversed(notifications.recent(user))]


def mails_to(address: str) -> list[MailMessage]:
    return list(db.session.scalars(select(MailMessage).where(MailMessage.to_addr == address).order_by(MailMessage.id)))


def approve(moderator, revision):
    moderation.approve(moderator, revision, checklist=list(CHECKLIST), confidentiality_confirmed=False)
    db.session.commit()


def test_each_person_chooses_at_once_daily_or_off(mail_app, smtp, addressed, clock):
    notifications.set_deliveries(addressed["lee"], {"proposal": "daily"})
    notifications.set_deliveries(addressed["dee"], {"proposal": "off"})
    db.session.commit()
    proposals.propose_new_tip(addressed["pat"], area_slug="contact", slug=None, draft=draft())
    db.session.commit()
    assert [k for k, _ in kinds_for(addressed["lee"])] == ["proposal"] and kinds_for(addressed["dee"]) == []
    assert mails_to("lee.lead@example.org") == []  # daily: not at once
    clock.set(datetime(2026, 11, 24, 6, 59))  # before 07:00 UK time: no summary yet
    assert jobs.send_summaries(app_clock.now_london()) == 0
    clock.set(datetime(2026, 11, 24, 7, 30))
    assert jobs.run_due().summaries == 1
    assert jobs.run_due().summaries == 0  # once a day
    outbox.drain()
    summary = smtp.inbox.to("lee.lead@example.org")
    assert len(summary) == 1 and summary[0]["Subject"] == "CAFpedia: 1 thing for you today"
    assert "New proposal waits for your decision in Contact: Use contact centres well" in smtp.inbox.text(summary[0])


def test_bad_preferences_and_watch_targets_get_a_clear_message(addressed, as_user, publish):
    pat = as_user("pat.fca")
    refused = pat.post_form("/notifications/settings", {"digest": "sometimes"})
    assert refused.status_code == 400 and "Not a valid choice" in refused.get_data(as_text=True)
    for target, key, message in (
        ("tip", "no-such-tip", "no published tip at /tips/no-such-tip"),
        ("area", "narnia", "no area of practice called"),
        ("weather", "", "nothing called “weather” to watch"),
    ):
        response = pat.post_form("/watch", {"target": target, "key": key}, follow_redirects=True)
        assert response.status_code == 200 and message in response.get_data(as_text=True), target
    assert notifications.watched_by(addressed["pat"]) == []


def test_watchers_hear_of_new_versions_archiving_and_new_things_in_an_area(addressed, as_user, publish):
    tip = publish()
    sam = as_user("sam.fca")
    assert (
        sam.post_form("/watch", {"target": "tip", "key": tip.slug, "next": f"/tips/{tip.slug}"}).headers["Location"]
        == f"/tips/{tip.slug}"
    )
    sam.post_form("/watch", {"target": "area", "key": "contact"})
    sam.post_form("/watch", {"target": "legal", "key": ""})
    assert "Watching" in sam.get(f"/tips/{tip.slug}").get_data(as_text=True)
    edit = proposals.propose_edit(addressed["pat"], tip, based_on=1, draft=draft(body="- Better words."))
    db.session.commit()
    approve(addressed["lee"], edit)
    newcomer = proposals.propose_new_tip(
        addressed["pat"], area_slug="contact", slug="newcomer", draft=draft(title="A newcomer")
    )
    db.session.commit()
    approve(addressed["lee"], newcomer)
    reviewing.archive(addressed["lee"], tip)
    db.session.commit()
    assert kinds_for(addressed["sam"]) == [
        ("watch", "New version published: Use contact centres well"),
        ("watch", "New in Contact: A newcomer"),
        ("watch", "Archived: Use contact centres well"),
    ]
    assert mails_to("sam.fca@example.org") == []  # watching is daily by default
    sam.post_form("/unwatch", {"target": "area", "key": "contact"})
    assert [w.target for w in notifications.watched_by(addressed["sam"])] == ["legal", "tip"]


def test_a_watch_on_something_gone_is_shown_and_can_be_stopped(addressed, as_user):
    from cafpedia.notifications.models import Watch

    db.session.add(
        Watch(user_id=addressed["sam"].id, target="tip", target_id=987654)
    )  # a tip deleted from the database
    db.session.commit()
    sam = as_user("sam.fca")
    page = sam.get("/notifications").get_data(as_text=True)
    assert "a tip that no longer exists" in page
    gone = notifications.watched_by(addressed["sam"])[0]
    other = as_user("pat.fca")
    other.post_form("/unwatch", {"watch": str(gone.id)})  # someone else's watch: untouched
    assert len(notifications.watched_by(addressed["sam"])) == 1
    sam = as_user("sam.fca")
    assert sam.post_form("/unwatch", {"watch": str(gone.id)}).status_code == 302
    assert (
        sam.post_form("/unwatch", {"watch": "99999999999999999999"}).status_code == 302
    )  # nonsense: nothing to stop, no error
    assert notifications.watched_by(addressed["sam"]) == []


def test_review_reminders_come_a_week_before_on_the_day_then_weekly_once_each(addressed, publish, clock):
    tip = publish()
    tip.review_by = date(2026, 12, 1)
    db.session.commit()
    clock.set(datetime(2026, 11, 23, 10))  # 8 days before
    assert jobs.remind_reviews(date(2026, 11, 23)) == 0
    assert jobs.remind_reviews(date(2026, 11, 24)) == 1  # 7 days before
    assert jobs.remind_reviews(date(2026, 11, 26)) == 0  # already told for this stage
    assert jobs.remind_reviews(date(2026, 12, 1)) == 1  # on the day
    assert jobs.remind_reviews(date(2026, 12, 5)) == 0
    assert jobs.remind_reviews(date(2026, 12, 8)) == 1  # a week overdue
    assert jobs.remind_reviews(date(2026, 12, 22)) == 1  # three weeks overdue (a worker that was down catches up once)
    db.session.commit()
    messages = [m for k, m in kinds_for(addressed["lee"]) if k == "review_due"]
    assert messages == [
        "Use contact centres well is due for review on 1 December 2026",
        "Use contact centres well is due for review today",
        "Use contact centres well is overdue for review (due 1 December 2026, 1 week ago)",
        "Use contact centres well is overdue for review (due 1 December 2026, 3 weeks ago)",
    ]
    assert len([k for k, _ in kinds_for(addressed["dee"]) if k == "review_due"]) == 4  # deputies too


def test_waiting_proposals_escalate_to_deputies_then_administrators(mail_app, addressed, clock):
    clock.set(datetime(2026, 11, 20, 10))  # a Friday
    revision = proposals.propose_new_tip(addressed["pat"], area_slug="contact", slug=None, draft=draft())
    db.session.commit()
    assert jobs.escalate(date(2026, 11, 27)) == 0  # 5 working days: not more than 5
    assert jobs.escalate(date(2026, 11, 30)) == 1  # 6 working days: the deputies
    assert jobs.escalate(date(2026, 12, 1)) == 0
    assert jobs.escalate(date(2026, 12, 7)) == 1  # 11 working days: the administrators
    db.session.commit()
    assert [m for k, m in kinds_for(addressed["dee"]) if k == "escalation"] == [
        "Waiting too long: Use contact centres well (6 working days, Contact)"
    ]
    assert [m for k, m in kinds_for(addressed["ada"]) if k == "escalation"] == [
        "Waiting too long: Use contact centres well (11 working days, Contact)"
    ]
    assert revision.status == "pending"
    mail_app.config["ESCALATE_DAYS"] = "2"
    other = proposals.propose_new_tip(
        addressed["sam"], area_slug="adoption", slug="adoption-tip", draft=draft(title="Adoption tip")
    )
    db.session.commit()
    assert (
        jobs.escalate(clock.today() + timedelta(days=8)) == 2
    )  # no deputies in adoption: administrators at both levels
    assert other.status == "pending"


def test_queue_shows_working_days_and_the_header_counts(addressed, as_user, publish, clock):
    tip = publish()
    tip.review_by = date(2026, 11, 1)
    db.session.commit()
    clock.set(datetime(2026, 11, 13, 10))
    proposals.propose_new_tip(
        addressed["pat"], area_slug="contact", slug="older", draft=draft(title="An older proposal")
    )
    db.session.commit()
    clock.set(datetime(2026, 11, 23, 10))
    lee = as_user("lee.lead")
    page = lee.get("/moderation").get_data(as_text=True)
    assert "waiting 6 working days" in page and "overdue: more than 5 working days" in page
    assert '>Moderation <span class="count-badge">1<' in page and '>Reviews <span class="count-badge">1<' in page
    assert "Moderation <span" not in as_user("pat.fca").get("/").get_data(as_text=True)


def test_a_new_digest_mails_everyone_who_wants_it_at_once(mail_app, addressed, make_user):
    from cafpedia.notifications import rules

    notifications.set_deliveries(addressed["sam"], {"digest": "daily"})
    db.session.commit()
    told = notifications.notify_everyone(
        "digest", "New research digest: Spring 2007", "/digest/2007-q1", except_user_id=addressed["ada"].id
    )
    db.session.commit()
    assert told == len(addressed) - 1
    mailed = {m.to_addr for m in db.session.scalars(select(MailMessage).where(MailMessage.kind == "digest"))}
    assert (
        "sam.fca@example.org" not in mailed
        and "pat.fca@example.org" in mailed
        and "ada.admin@example.org" not in mailed
    )
    assert rules.moderators_of  # the rules are connected through create_app
