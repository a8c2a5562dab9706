"""The mail outbox: queued with the change, sent after the commit through a real SMTP
server, retried with back-off, sent once, never lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from cafpedia.extensions import db
from cafpedia.mail import outbox
from cafpedia.mail.models import MailMessage
from cafpedia.mail.settings import MailConfigError, parse_mail_url
from cafpedia.tips import moderation, proposals
from cafpedia.tips.models import CHECKLIST
from tests.notifications.conftest import free_port
from tests.tips.builders import draft

ROOT = Path(__file__).resolve().parents[2]


def rows():
    db.session.expire_all()
    return list(db.session.scalars(select(MailMessage).order_by(MailMessage.id)))


@pytest.mark.parametrize(
    "url, problem",
    [
        ("http://mail.example.org", "must start with smtp://"),
        ("smtp://", "names no mail server host"),
        ("smtp://mail.example.org:99999", "not a valid address"),
        ("smtp://mail.example.org:25?starttls=maybe", "starttls must be true or false"),
        ("smtp://mail.example.org:25?colour=blue", "unknown option colour"),
        ("smtps://mail.example.org?starttls=true", "smtps:// is TLS from the start"),
        ("smtp://mail.example.org/inbox", "has a path"),
        ("smtp://mail.example.org?timeout=0", "timeout must be a number"),
    ],
)
def test_malformed_mail_urls_are_named(url, problem):
    with pytest.raises(MailConfigError, match=problem):
        parse_mail_url(url)


def test_mail_urls_read_user_password_and_starttls():
    settings = parse_mail_url("smtp://cafpedia%40example.org:s%3Acret@mail.example.org:587?starttls=true&timeout=5")
    assert (
        settings.host,
        settings.port,
        settings.username,
        settings.password,
        settings.starttls,
        settings.timeout,
    ) == ("mail.example.org", 587, "cafpedia@example.org", "s:cret", True, 5.0)
    assert "s:cret" not in settings.describe()
    assert parse_mail_url("") is None and parse_mail_url("smtps://mail.example.org").port == 465


def test_worker_and_send_mail_refuse_to_start_with_a_bad_mail_url(make_app):
    app = make_app(MAIL_URL="smtp://mail.example.org:25?starttls=maybe", ESCALATE_DAYS="soon")
    for command in (["worker"], ["send-mail"], ["serve", "--port", "1"]):
        result = app.test_cli_runner().invoke(args=command)
        assert result.exit_code == 2, result.output
        assert "will not start" in result.output and "starttls must be true or false" in result.output
        assert "CAFPEDIA_ESCALATE_DAYS must be a whole number" in result.output


def test_a_proposal_mails_the_lead_and_deputy_after_the_commit(mail_app, smtp, addressed):
    revision = proposals.propose_new_tip(
        addressed["pat"], area_slug="contact", slug=None, draft=draft(body="- A private detail of the text.")
    )
    assert smtp.inbox.messages == []
    db.session.commit()
    assert [r.to_addr for r in rows()] == ["lee.lead@example.org", "dee.deputy@example.org"]
    result = outbox.drain()
    assert (result.sent, result.failed) == (2, 0)
    lead_mail = smtp.inbox.to("lee.lead@example.org")[0]
    assert lead_mail["Subject"] == "For your decision: Use contact centres well"
    assert lead_mail["From"].addresses[0].addr_spec == "cafpedia@cafpedia.test"
    link = f"https://cafpedia.test/tips/{revision.tip.slug}/revisions/1"
    assert link in smtp.inbox.text(lead_mail) and f'href="{link}"' in smtp.inbox.html(lead_mail)
    for message in smtp.inbox.messages:  # titles and links only: the text never leaves CAFpedia
        assert "private detail" not in smtp.inbox.text(message) and "private detail" not in smtp.inbox.html(message)
    assert smtp.inbox.to("pat.fca@example.org") == []  # the author is not told of their own proposal
    assert [r.status for r in rows()] == ["sent", "sent"]
    assert outbox.drain().sent == 0  # sent once only
    assert len(smtp.inbox.messages) == 2


def test_decisions_reach_the_author(mail_app, smtp, addressed):
    first = proposals.propose_new_tip(addressed["pat"], area_slug="contact", slug="one", draft=draft())
    second = proposals.propose_new_tip(
        addressed["pat"], area_slug="contact", slug="two", draft=draft(title="Second tip")
    )
    third = proposals.propose_new_tip(
        addressed["pat"], area_slug="contact", slug="three", draft=draft(title="Third tip")
    )
    db.session.commit()
    moderation.approve(
        addressed["lee"],
        first,
        checklist=["corporate", "legal", "plain_language", "no_identifying_information"],
        confidentiality_confirmed=False,
    )
    moderation.send_back(addressed["lee"], second, "Say who books the room.")
    moderation.reject(addressed["dee"], third, "We already have this in another tip.")
    db.session.commit()
    outbox.drain()
    subjects = {m["Subject"]: smtp.inbox.text(m) for m in smtp.inbox.to("pat.fca@example.org")}
    assert set(subjects) == {
        "Published: Use contact centres well",
        "Sent back for changes: Second tip",
        "Not published: Third tip",
    }
    assert "https://cafpedia.test/tips/one" in subjects["Published: Use contact centres well"]
    assert "https://cafpedia.test/tips/two/edit?revises=1" in subjects["Sent back for changes: Second tip"]
    assert "Their comment is on the page where you revise it" in subjects["Sent back for changes: Second tip"]
    assert "https://cafpedia.test/tips/three/revisions/1" in subjects["Not published: Third tip"]
    # Titles and links only: what the moderators typed is read in CAFpedia, signed in.
    for text in subjects.values():
        assert "Say who books the room." not in text and "We already have this in another tip." not in text


def test_no_comment_reason_note_or_report_leaves_cafpedia(mail_app, smtp, addressed, publish, make_user):
    """Whatever a person typed (a moderator's note, comment or reason, a correction's reason, a
    register administrator's note, a reader's problem report) stays in CAFpedia: neither the
    emails nor the notifications (which daily summaries mail as link titles) carry it."""
    from cafpedia.digest import composing as digest_composing
    from cafpedia.digest.drafts import IssueDraft
    from cafpedia.experts import nominations
    from cafpedia.notifications import services as notifications
    from cafpedia.notifications.models import Notification
    from cafpedia.tips import feedback
    from tests.digest.test_digest import item_draft

    typed = ["Mention the Jayden Smith hearing on 3 March", "born 03/04/2015", "Reasons kept in CAFpedia"]
    tip = publish(slug="published-one")
    first = proposals.propose_new_tip(addressed["pat"], area_slug="contact", slug="one", draft=draft())
    second = proposals.propose_new_tip(addressed["pat"], area_slug="contact", slug="two", draft=draft(title="Two"))
    third = proposals.propose_new_tip(addressed["pat"], area_slug="contact", slug="three", draft=draft(title="Tri"))
    db.session.commit()
    moderation.approve(
        addressed["lee"],
        first,
        checklist=list(CHECKLIST),
        confidentiality_confirmed=False,
        comment=typed[0],
        confirm_safe=True,  # the guard found what was typed; the moderator confirmed it
    )
    moderation.send_back(addressed["lee"], second, f"Take out the child {typed[1]}.", confirm_safe=True)
    moderation.reject(addressed["dee"], third, typed[2], confirm_safe=True)
    feedback.report_problem(addressed["sam"], tip, f"{typed[0]}: the form has changed.", confirm_safe=True)
    coord = make_user("cora.coord", ["research_coordinator"], name="Cora Coordinator", email="cora@example.org")
    notifications.watch(addressed["sam"], "digest")
    notifications.set_deliveries(addressed["sam"], {"watch": "now"})
    issue = digest_composing.create_issue(
        coord, IssueDraft(number=1, quarter="2026-q4", title="Research Digest, Winter 2026", introduction="Hello.")
    )
    item = digest_composing.add_item(coord, issue, item_draft())
    digest_composing.publish(coord, issue)
    digest_composing.update_item(coord, item, item_draft(summary="Corrected."), reason=typed[2] + " (correction)")
    reg = make_user("reg.admin", ["register_admin"], name="Reg Admin")
    nomination = nominations.nominate(
        addressed["lee"],
        nominations.NominationDraft(
            area="contact",
            name="Nia Nominee",
            username="",
            email="nia@example.org",
            job_title="FCA",
            region="North West",
            skills=["contact"],
            reason="Knows contact centres well.",
        ),
    )
    nominations.decide_nomination(reg, nomination, accept=False, note=typed[2] + " (nomination)")
    db.session.commit()
    outbox.drain()
    assert smtp.inbox.messages
    for message in smtp.inbox.messages:
        for text in typed:
            assert text not in smtp.inbox.text(message) and text not in smtp.inbox.html(message), message["Subject"]
    for message in db.session.scalars(select(Notification.message)):
        assert not any(text in message for text in typed), message


def test_a_resubmission_tells_each_moderator_what_is_true_for_them(mail_app, smtp, addressed):
    """Dee sent it back: she reads "the proposal you sent back"; Lee, who did not, reads who did."""
    first = proposals.propose_new_tip(addressed["pat"], area_slug="contact", slug="one", draft=draft())
    db.session.commit()
    moderation.send_back(addressed["dee"], first, "Say who books the room.")
    db.session.commit()
    outbox.drain()
    smtp.inbox.messages.clear()
    proposals.propose_edit(addressed["pat"], first.tip, based_on=None, draft=draft(), revises=first.number)
    db.session.commit()
    outbox.drain()
    dee, lee = smtp.inbox.to("dee.deputy@example.org"), smtp.inbox.to("lee.lead@example.org")
    assert len(dee) == 1 and len(lee) == 1 and smtp.inbox.to("pat.fca@example.org") == []
    assert "Pat Practitioner has revised the proposal you sent back, in Contact." in smtp.inbox.text(dee[0])
    lee_text = smtp.inbox.text(lee[0])
    assert "Pat Practitioner has revised a proposal that Dee Deputy sent back, in Contact." in lee_text
    assert "you sent back" not in lee_text
    assert dee[0]["Subject"] == lee[0]["Subject"] == "For your decision: Use contact centres well"


def test_a_server_that_is_down_keeps_the_message_queued_and_retries_with_back_off(mail_app, smtp, addressed, clock):
    smtp.stop()
    proposals.propose_new_tip(addressed["pat"], area_slug="contact", slug=None, draft=draft())
    db.session.commit()
    result = outbox.drain()
    assert result.sent == 0 and "cannot reach the mail server" in result.error
    queued = rows()
    assert [(r.status, r.attempts) for r in queued] == [("queued", 1), ("queued", 1)]
    assert "cannot reach the mail server" in queued[0].last_error
    assert queued[0].next_attempt_at - clock.now() > timedelta(seconds=50)
    assert outbox.drain().sent == 0  # not due yet: nothing is tried
    smtp.start()
    clock.advance(minutes=2)
    assert outbox.drain().sent == 2
    assert len(smtp.inbox.messages) == 2 and [r.status for r in rows()] == ["sent", "sent"]


def test_a_slow_server_times_out_and_the_message_waits(mail_app, addressed):
    silent = __import__("socket").socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never answers
    try:
        mail_app.config["MAIL_URL"] = f"smtp://127.0.0.1:{silent.getsockname()[1]}?timeout=1"
        proposals.propose_new_tip(addressed["pat"], area_slug="contact", slug=None, draft=draft())
        db.session.commit()
        result = outbox.drain()
    finally:
        silent.close()
    assert result.sent == 0 and result.error
    assert {r.status for r in rows()} == {"queued"}


def test_a_refused_recipient_fails_and_an_administrator_can_send_it_again(mail_app, smtp, addressed, as_user):
    smtp.inbox.refuse = "550 5.1.1 No such mailbox"
    proposals.propose_new_tip(addressed["pat"], area_slug="contact", slug=None, draft=draft())
    db.session.commit()
    result = outbox.drain()
    assert result.failed == 2
    failed = rows()
    assert {r.status for r in failed} == {"failed"} and "No such mailbox" in failed[0].last_error
    admin = as_user("ada.admin")
    page = admin.get("/admin/mail").get_data(as_text=True)
    assert "No such mailbox" in page and "lee.lead@example.org" in page
    assert as_user("pat.fca").get("/admin/mail").status_code == 403
    admin = as_user("ada.admin")
    smtp.inbox.refuse = None
    assert admin.post_form(f"/admin/mail/{failed[0].id}/retry").status_code == 302
    assert admin.post_form("/admin/mail/999999/retry").status_code == 404
    assert outbox.drain().sent == 1
    assert [m["To"] for m in smtp.inbox.messages] == [f"Lee Lead <{failed[0].to_addr}>"]


def test_without_a_server_mail_is_written_to_files(app, addressed, tmp_path):
    app.config.update(MAIL_URL=None, MAIL_DIR=str(tmp_path / "mail"))
    proposals.propose_new_tip(addressed["pat"], area_slug="contact", slug=None, draft=draft())
    db.session.commit()
    assert outbox.drain().sent == 2
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2 and b"For your decision: Use contact centres well" in files[0].read_bytes()


def test_a_sender_that_dies_mid_send_loses_nothing(mail_app, smtp, addressed, clock):
    proposals.propose_new_tip(addressed["pat"], area_slug="contact", slug=None, draft=draft())
    db.session.commit()
    token, claimed = outbox._claim(10)  # a sender claims both, then dies before sending
    assert len(claimed) == 2
    assert outbox.drain().sent == 0  # the claim holds: no second sender takes them
    clock.advance(minutes=6)  # the lease ends
    assert outbox.drain().sent == 2 and len(smtp.inbox.messages) == 2


def test_a_process_killed_between_the_commit_and_the_send_loses_nothing(
    mail_app, smtp, addressed, database_url, tmp_path, clock
):
    """A real process proposes a tip, commits, and is killed (SIGKILL) before it can send."""
    script = tmp_path / "propose_and_die.py"
    script.write_text(
        textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        from cafpedia import create_app
        from cafpedia.extensions import db
        from cafpedia.accounts.people import find_user
        from cafpedia.tips import proposals
        from cafpedia.core import clock
        from datetime import datetime
        clock.pin(datetime.fromisoformat({clock.now().isoformat()!r}))  # the test's clock
        app = create_app({{"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": {database_url!r}, "INSTANCE_PATH":
        {str(tmp_path / "instance")!r},
                          "SEARCH_DIR": {str(tmp_path / "search")!r}, "MAIL_URL": {smtp.url!r}, "BASE_URL": "https://cafpedia.test"}})
        with app.app_context():
            proposals.propose_new_tip(find_user("sam.fca"), area_slug="contact", slug="killed",
            draft=proposals.Draft(title="Written by a doomed process", body="- x"))
            db.session.commit()
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    )
    db.session.remove()
    db.engine.dispose()
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert smtp.inbox.messages == []
    assert [r.status for r in rows()] == ["queued", "queued"]
    assert outbox.drain().sent == 2
    assert {m["Subject"] for m in smtp.inbox.messages} == {"For your decision: Written by a doomed process"}


def test_send_mail_command_says_what_happened(mail_app, smtp, addressed, runner):
    proposals.propose_new_tip(addressed["pat"], area_slug="contact", slug=None, draft=draft())
    db.session.commit()
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "Mail: 2 sent, 0 to retry later, 0 failed." in result.output
    mail_app.config["MAIL_URL"] = f"smtp://127.0.0.1:{free_port()}"
    proposals.propose_new_tip(addressed["sam"], area_slug="contact", slug="another", draft=draft(title="Another"))
    db.session.commit()
    down = runner.invoke(args=["send-mail"])
    assert down.exit_code == 1 and "cannot reach the mail server" in down.output and "2 waiting" in down.output


def test_the_worker_sends_mail_and_reminders_until_stopped(mail_app, smtp, addressed):
    import threading
    import time

    from cafpedia import worker

    proposals.propose_new_tip(addressed["pat"], area_slug="contact", slug=None, draft=draft())
    db.session.commit()
    stop = threading.Event()

    def work():
        with mail_app.app_context():
            worker.run(interval=0.1, stop=stop)

    thread = threading.Thread(target=work)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while len(smtp.inbox.messages) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=20)
    assert not thread.is_alive()
    assert sorted(m["To"] for m in smtp.inbox.messages) == [
        "Dee Deputy <dee.deputy@example.org>",
        "Lee Lead <lee.lead@example.org>",
    ]


def test_one_bad_message_fails_alone_and_a_comma_in_a_name_is_one_person(mail_app, smtp):
    from types import SimpleNamespace

    from cafpedia.mail.outbox import Letter

    letter = Letter(subject="Hello", paragraphs=["A message."], links=[])
    people = [
        SimpleNamespace(id=None, name="Smith, Jane", email="jane.smith@example.org"),
        SimpleNamespace(
            id=None, name="Broken Row", email="broken\nBcc: x@example.org"
        ),  # a row no message can be built from
        SimpleNamespace(id=None, name="José Núñez", email="josé@example.org"),
    ]  # the test server speaks SMTPUTF8
    for person in people:
        outbox.enqueue(person, "digest", letter)
    db.session.commit()
    result = outbox.drain()
    assert (result.sent, result.failed, result.deferred) == (2, 1, 0)
    sent = rows()
    assert [r.status for r in sent] == ["sent", "failed", "sent"]
    assert sent[1].last_error.startswith("this message cannot be sent: ValueError")
    jane = smtp.inbox.to("jane.smith@example.org")[0]
    assert [(a.display_name, a.addr_spec) for a in jane["To"].addresses] == [("Smith, Jane", "jane.smith@example.org")]
    assert smtp.inbox.to("josé@example.org") and len(smtp.inbox.messages) == 2


def test_a_long_batch_keeps_its_claim_and_gives_up_rows_another_sender_took(
    mail_app, smtp, addressed, monkeypatch, clock
):
    proposals.propose_new_tip(addressed["pat"], area_slug="contact", slug=None, draft=draft())
    db.session.commit()
    first, second = rows()
    sends = []

    class SlowTransport:
        """Each send 'takes' three minutes, on the pinned clock and the lease timer."""

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return None

        def send(self, message):
            sends.append(message["To"].addresses[0].addr_spec)
            clock.advance(minutes=3)
            now[0] += 180
            if len(sends) == 1:  # meanwhile the other row's lease is stolen by another sender
                db.session.execute(
                    MailMessage.__table__.update().where(MailMessage.id == second.id).values(claim="someone-else")
                )
                db.session.commit()

    now = [0.0]
    monkeypatch.setattr(outbox, "transport", lambda: SlowTransport())
    monkeypatch.setattr(outbox.time, "monotonic", lambda: now[0])
    result = outbox.drain()
    assert sends == [first.to_addr] and result.sent == 1  # the stolen row is the other sender's to send
    assert [r.claim for r in rows()] == [None, "someone-else"]
