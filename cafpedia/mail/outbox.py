"""Putting messages in the outbox (callers commit, with their change) and sending them.

Sending: a sender claims a batch of due rows with one UPDATE (a random claim token and a
lease), sends each through one connection, and commits each outcome at once. Two senders
never claim the same row. A sender killed mid-batch leaves its rows claimed until the lease
ends; then any sender takes them again (so a message whose sending was cut off may arrive
twice, with the same Message-ID: never lost). A refusal or a server that is down puts the
row back with a later `next_attempt_at` (1, 2, 4 ... minutes, at most 6 hours) and the
error; after MAX_ATTEMPTS, or at once on a permanent (5xx) refusal, it is marked failed,
for an administrator to see and send again.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, timedelta
from email.message import EmailMessage
from email.policy import default as email_policy
from email.utils import format_datetime as rfc2822_date
from email.utils import make_msgid
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, render_template
from sqlalchemy import func, insert, literal, select, update

from cafpedia.core.clock import utcnow
from cafpedia.core.errors import ServiceError
from cafpedia.core.urls import path_for
from cafpedia.extensions import db
from cafpedia.mail.models import FAILED, QUEUED, SENDING, SENT, MailMessage
from cafpedia.mail.settings import parse_base_url, parse_mail_url, parse_sender
from cafpedia.mail.transport import (
    FileTransport,
    PermanentMailError,
    ServerUnavailable,
    SmtpTransport,
    TransientMailError,
)

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10
LEASE = timedelta(minutes=5)
BATCH = 200


def backoff(attempts: int) -> timedelta:
    """How long to wait after the n-th failed attempt: 1, 2, 4 ... minutes, at most 6 hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), timedelta(hours=6))


# --- Writing messages ----------------------------------------------------------------------


SETTINGS_FOOTER = "You can choose what CAFpedia tells you, and how, on your notifications page."
SIGN_IN_FIRST_FOOTER = (
    "Once you have signed in to CAFpedia, you can choose what it tells you, and how, on your notifications page."
)


@dataclass
class Letter:
    """What a message says: a subject, short paragraphs, and links (titles and addresses
    only: never a tip's text, so nothing sensitive leaves CAFpedia by email)."""

    subject: str
    paragraphs: list[str]
    links: list[tuple[str, str]]  # (title, path or absolute URL)
    footer: str | None = None  # None: where to choose what CAFpedia tells you
    # False for someone who cannot sign in yet (invited, or imported without a password): the
    # notification settings would not open for them, so the letter does not send them there.
    settings_link: bool = True

    def render(self, greeting_name: str | None) -> tuple[str, str]:
        base = base_url()
        links = [(title, url if urlsplit(url).scheme else base + url) for title, url in self.links]
        values = {
            "greeting_name": greeting_name,
            "letter": self,
            "links": links,
            "footer": self.footer or (SETTINGS_FOOTER if self.settings_link else SIGN_IN_FIRST_FOOTER),
            "settings_url": base + path_for("notifications.index", _anchor="settings") if self.settings_link else None,
            "base_url": base,
        }
        return render_template("mail/message.txt", **values), render_template("mail/message.html", **values)


def base_url() -> str:
    return parse_base_url(current_app.config.get("BASE_URL"))


def enqueue(user, kind: str, letter: Letter) -> MailMessage | None:
    """One message to one person, in the caller's transaction. None if they have no address."""
    address = (getattr(user, "email", "") or "").strip()
    if not address:
        return None
    text, html = letter.render(user.name)
    message = MailMessage(
        user_id=user.id,
        to_addr=address,
        to_name=user.name[:120],
        kind=kind,
        subject=letter.subject[:250],
        body_text=text,
        body_html=html,
        status=QUEUED,
        created_at=utcnow(),
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    return message


def enqueue_for(recipients_query, kind: str, letter: Letter) -> int:
    """The same message to every person the query selects (user id, email, name), in one
    INSERT ... SELECT: the same cost for ten people or ten thousand."""
    text, html = letter.render(None)
    now = utcnow()
    rows = recipients_query.subquery()
    statement = insert(MailMessage).from_select(
        [
            "user_id",
            "to_addr",
            "to_name",
            "kind",
            "subject",
            "body_text",
            "body_html",
            "status",
            "created_at",
            "next_attempt_at",
            "attempts",
            "last_error",
        ],
        select(
            rows.c.id,
            rows.c.email,
            func.substr(rows.c.name, 1, 120),
            literal(kind),
            literal(letter.subject[:250]),
            literal(text),
            literal(html),
            literal(QUEUED),
            literal(now),
            literal(now),
            literal(0),
            literal(""),
        ).where(rows.c.email != ""),
    )
    return db.session.execute(statement).rowcount or 0


def _recipient(name: str, address: str) -> str:
    """The To header: the name always quoted, so "Smith, Jane" is one person, not two addresses.
    (A string rather than an `Address`, which refuses a non-ASCII local part outright.)"""
    if not name:
        return address
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{address}>'


def as_email(row: MailMessage, sender=None) -> EmailMessage:
    sender = sender or parse_sender(current_app.config.get("MAIL_FROM"))
    # An address with non-ASCII characters needs a server that speaks SMTPUTF8 (else that
    # message fails, alone, saying so).
    message = EmailMessage(policy=email_policy if row.to_addr.isascii() else email_policy.clone(utf8=True))
    message["From"] = sender
    message["To"] = _recipient(row.to_name, row.to_addr)
    message["Subject"] = row.subject
    message["Date"] = rfc2822_date(row.created_at.replace(tzinfo=UTC))
    # The same Message-ID every time this row is sent, so a repeat after a crash is recognisable.
    message["Message-ID"] = make_msgid(
        idstring=f"cafpedia.{row.id}.{int(row.created_at.replace(tzinfo=UTC).timestamp())}", domain=sender.domain
    )
    message["X-CAFpedia-Outbox-Id"] = str(row.id)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.body_text)
    message.add_alternative(row.body_html, subtype="html")
    return message


# --- Sending -------------------------------------------------------------------------------


def transport():
    settings = parse_mail_url(current_app.config.get("MAIL_URL"))
    if settings is None:
        return FileTransport(Path(current_app.config.get("MAIL_DIR") or Path(current_app.instance_path) / "mail"))
    return SmtpTransport(settings)


def _lease() -> timedelta:
    """How long a claim lasts: longer than a few sends can take at the configured timeout."""
    settings = parse_mail_url(current_app.config.get("MAIL_URL"))
    return max(LEASE, timedelta(seconds=4 * settings.timeout)) if settings else LEASE


def _claim(limit: int) -> tuple[str, list[MailMessage]]:
    now = utcnow()
    token = secrets.token_hex(12)
    due = (
        select(MailMessage.id)
        .where(
            ((MailMessage.status == QUEUED) & (MailMessage.next_attempt_at <= now))
            | ((MailMessage.status == SENDING) & (MailMessage.claimed_until < now))
        )
        .order_by(MailMessage.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(due))
    if not ids:
        db.session.rollback()
        return token, []
    db.session.execute(
        update(MailMessage)
        .where(
            MailMessage.id.in_(ids),
            ((MailMessage.status == QUEUED) | ((MailMessage.status == SENDING) & (MailMessage.claimed_until < now))),
        )
        .values(status=SENDING, claim=token, claimed_until=now + _lease())
    )
    db.session.commit()
    rows = list(db.session.scalars(select(MailMessage).where(MailMessage.claim == token).order_by(MailMessage.id)))
    return token, rows


def _renew(token: str, pending: list[MailMessage]) -> list[MailMessage]:
    """Extend this sender's claim on what it has still to send; drop any row whose claim ran
    out and was taken by another sender (it sends that one)."""
    db.session.execute(
        update(MailMessage)
        .where(MailMessage.claim == token, MailMessage.id.in_([r.id for r in pending]))
        .values(claimed_until=utcnow() + _lease())
    )
    db.session.commit()
    still = set(db.session.scalars(select(MailMessage.id).where(MailMessage.claim == token)))
    return [row for row in pending if row.id in still]


def _settle(row: MailMessage, token: str, **values) -> None:
    db.session.execute(
        update(MailMessage)
        .where(MailMessage.id == row.id, MailMessage.claim == token)
        .values(claim=None, claimed_until=None, **values)
    )
    db.session.commit()


def _defer(row: MailMessage, token: str, error: str) -> None:
    attempts = row.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        _settle(
            row, token, status=FAILED, attempts=attempts, last_error=f"gave up after {attempts} attempts: {error}"[:500]
        )
    else:
        _settle(
            row,
            token,
            status=QUEUED,
            attempts=attempts,
            last_error=error[:500],
            next_attempt_at=utcnow() + backoff(attempts),
        )


@dataclass
class DrainResult:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    error: str = ""


def drain(*, limit: int | None = None) -> DrainResult:
    """Send what is due: batches until nothing is due (or `limit` messages were handled)."""
    result = DrainResult()
    handled = 0
    while limit is None or handled < limit:
        token, rows = _claim(min(BATCH, limit - handled) if limit is not None else BATCH)
        if not rows:
            break
        handled += len(rows)
        if not _send_batch(token, rows, result):
            break  # the server is down: the rest waits for its back-off
    return result


def _send_batch(token: str, rows: list[MailMessage], result: DrainResult) -> bool:
    """Send a claimed batch; False if the server could not be reached (the rest is deferred)."""
    pending = list(rows)
    sender_address = parse_sender(current_app.config.get("MAIL_FROM"))  # once per batch, not per message
    renewed = time.monotonic()
    try:
        with transport() as sender:
            while pending:
                if time.monotonic() - renewed > LEASE.total_seconds() / 3:
                    pending, renewed = _renew(token, pending), time.monotonic()
                    if not pending:
                        break
                _send_one(sender, pending[0], token, sender_address, result)
                pending.pop(0)
    except ServerUnavailable as exc:
        log.warning("mail: %s; %d message(s) wait for the next attempt", exc, len(pending))
        result.error = str(exc)
        for row in pending:
            _defer(row, token, str(exc))
            result.deferred += 1
        return False
    return True


def _send_one(sender, row: MailMessage, token: str, sender_address, result: DrainResult) -> None:
    """One message, its outcome committed at once. Anything wrong with this message alone
    fails it, and only it; a server that went away is the caller's to handle."""
    try:
        sender.send(as_email(row, sender_address))
    except ServerUnavailable:
        raise
    except TransientMailError as exc:
        _defer(row, token, str(exc))
        result.deferred += 1
    except Exception as exc:  # PermanentMailError, or a message that cannot even be built
        if not isinstance(exc, PermanentMailError):
            log.exception("mail: message %s cannot be sent", row.id)
        problem = (
            str(exc)
            if isinstance(exc, PermanentMailError)
            else f"this message cannot be sent: {type(exc).__name__}: {exc}"
        )
        _settle(row, token, status=FAILED, attempts=row.attempts + 1, last_error=problem[:500])
        result.failed += 1
    else:
        _settle(row, token, status=SENT, sent_at=utcnow(), attempts=row.attempts + 1, last_error="")
        result.sent += 1


# --- Looking and retrying -------------------------------------------------------------------


def counts() -> dict[str, int]:
    rows = db.session.execute(select(MailMessage.status, func.count(MailMessage.id)).group_by(MailMessage.status)).all()
    found = {status: 0 for status in (QUEUED, SENDING, SENT, FAILED)}
    found.update({status: count for status, count in rows})
    return found


def problems(limit: int = 200) -> list[MailMessage]:
    """Failed messages, and queued ones that have failed at least once: newest first."""
    return list(
        db.session.scalars(
            select(MailMessage)
            .where((MailMessage.status == FAILED) | ((MailMessage.status == QUEUED) & (MailMessage.attempts > 0)))
            .order_by(MailMessage.id.desc())
            .limit(limit)
        )
    )


def retry(message: MailMessage) -> None:
    """Send a failed (or waiting) message again at once; the caller commits."""
    if message.status not in (FAILED, QUEUED):
        raise ServiceError("That message is not waiting or failed: it was sent, or is being sent now.")
    message.status, message.next_attempt_at, message.attempts = QUEUED, utcnow(), 0
