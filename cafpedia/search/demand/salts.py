"""Who searched, as no one: a searcher is recorded as HMAC-SHA256(the day's salt, account id),
cut to 32 hex characters. The salt is random (never derived from the app's secret key), one a UK
day, made by whichever process first needs it. Once a day's salt is deleted (with its events,
after KEEP_DAYS), nobody can tell whose that day's hashes were, not even with the database and
the code."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cafpedia.extensions import db
from cafpedia.search.demand.models import SearchSalt

KEEP_DAYS = 90  # raw events and salts: a day `KEEP_DAYS` old is the oldest kept


def oldest_kept(today: date) -> date:
    return today - timedelta(days=KEEP_DAYS)


def person_hash(salt: bytes, user_id: int) -> str:
    return hmac.new(salt, str(user_id).encode(), hashlib.sha256).hexdigest()[:32]


def kept_salts(today: date) -> dict[date, bytes]:
    """Every salt still kept (at most KEEP_DAYS + 1), by day."""
    rows = db.session.execute(select(SearchSalt.day, SearchSalt.salt).where(SearchSalt.day >= oldest_kept(today)))
    return {day: bytes(salt) for day, salt in rows}


def _read(day: date) -> bytes | None:
    salt = db.session.scalar(select(SearchSalt.salt).where(SearchSalt.day == day))
    return bytes(salt) if salt is not None else None


def salt_for(day: date) -> bytes:
    """The day's salt, made now if no process has made it yet. Several processes may ask at
    once: each inserts a random one (in a savepoint of this session's transaction), and one
    that finds the day taken reads the salt that won."""
    existing = _read(day)
    if existing is not None:
        return existing
    try:
        with db.session.begin_nested():
            db.session.add(SearchSalt(day=day, salt=secrets.token_bytes(32)))
    except IntegrityError:  # another process made the day's salt meanwhile: use theirs
        pass
    salt = _read(day)
    if salt is None:
        raise RuntimeError("the day's search salt could not be made or read")
    return salt
