"""One-time form keys: a form that creates something (a proposal, a tip, a legal update, a
digest item ...) carries a random key, issued when the form is shown. Its POST claims the key
in the same transaction as the creation, so a form sent twice (a double click, a resend after
a slow answer) creates once: the second sending finds the key claimed and is answered with
where the first one went.

The claim is a row with the key as its primary key: two requests at once, in any processes,
cannot both insert it. The second one's insert waits for the first's transaction (a row lock
on PostgreSQL, the write lock on SQLite) and then clashes, or finds the row already there.
Keys are kept for a day (`KEEP_FOR`); the worker's minute jobs purge older ones.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from flask import abort, flash, redirect
from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import HiddenField

from cafpedia.core.clock import utcnow
from cafpedia.extensions import db

T = TypeVar("T")
KEEP_FOR = timedelta(days=1)
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
SENT_TWICE = "You sent this twice; it was saved once."
SENT_BEFORE = "This form was sent already. Open the page again to start afresh."


class FormKey(db.Model):
    """A form key claimed by a submission that created something, and where that went."""

    __tablename__ = "form_keys"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    result_url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(index=True)


def new_key() -> str:
    return secrets.token_urlsafe(24)


class FormKeyField(HiddenField):
    """The hidden one-time key: a new one each time the form is shown afresh; the one sent
    when it is shown again with errors or a preview (nothing was saved with it yet)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, default=new_key, **kwargs)


def claim(key: str | None, user) -> FormKey | None:
    """Claim `key` for `user` in this transaction, before anything else is written in it.
    A key claimed already (by a submission that finished, or that finishes while this waits)
    ends the request: the first one's result, with a message. No key, or a malformed one (a
    client that sends none): nothing is claimed, and the form works as any other."""
    if not key or not KEY_RE.match(key):
        return None
    earlier = _claimed(key)
    if earlier is None:
        row = FormKey(key=key, user_id=user.id, created_at=utcnow())
        db.session.add(row)
        try:
            db.session.flush()
            return row
        except IntegrityError:  # another request claimed it at the same moment, and has committed
            db.session.rollback()
            earlier = _claimed(key)
    db.session.rollback()
    if earlier is not None and earlier.user_id == user.id and earlier.result_url:
        flash(SENT_TWICE, "success")
        abort(redirect(earlier.result_url))
    flash(SENT_BEFORE, "error")
    abort(redirect(earlier.result_url if earlier is not None and earlier.user_id == user.id else "/"))


def _claimed(key: str) -> FormKey | None:
    return db.session.scalar(select(FormKey).where(FormKey.key == key).execution_options(populate_existing=True))


def once(form, user, call: Callable[[], T], result_url: Callable[[T], str]) -> Callable[[], T]:
    """`call` made one-time by the form's key: claims the key, creates, and records where the
    creation is to be seen (`result_url(result)`), all in the caller's one transaction."""

    def run() -> T:
        row = claim(form.form_key.data, user)
        result = call()
        if row is not None:
            row.result_url = result_url(result)
        return result

    return run


def purge() -> int:
    """Forget keys older than KEEP_FOR; how many."""
    deleted = db.session.execute(delete(FormKey).where(FormKey.created_at < utcnow() - KEEP_FOR)).rowcount
    db.session.commit()
    return deleted
