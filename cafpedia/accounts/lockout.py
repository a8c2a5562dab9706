"""Locking a username after failed password sign-ins, per username and place.

After `SIGNIN_MAX_FAILURES` failures in a row for one username from one place (an IPv4
address, or an IPv6 /64 network: one machine's addresses), that username is locked for
`SIGNIN_LOCK_MINUTES` from that place only. Somebody guessing from elsewhere can therefore
not lock the real person out. Usernames that do not exist are counted and locked in the same
way, so a lock tells nobody which accounts exist. Failures "in a row": one after a quiet spell
as long as the lock starts the count again. Counts are rows in the database, updated with one
UPDATE, so every worker process on every machine counts every failure.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.exc import IntegrityError

from cafpedia.accounts.models import SignInFailures
from cafpedia.extensions import db

USERNAME_MAX = 64


def place_of(address: str | None) -> str:
    """Where a sign-in comes from, as the lock counts it: the IPv4 address, or the IPv6 /64."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return (address or "unknown")[:64]
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def username_key(username: str | None) -> str:
    return (username or "").strip().lower()[:USERNAME_MAX]


def locked(username: str, place: str, now: datetime) -> bool:
    until = db.session.scalar(
        select(SignInFailures.locked_until).where(SignInFailures.username == username, SignInFailures.source == place)
    )
    return until is not None and until > now


def count_failure(username: str, place: str, now: datetime, *, max_failures: int, lock_minutes: int) -> bool:
    """One more failure for this username from this place; True if it now locks them."""
    quiet_since = now - timedelta(minutes=lock_minutes)
    # Rows nobody has failed on for a whole lock go: a guesser's usernames do not pile up.
    db.session.execute(delete(SignInFailures).where(SignInFailures.last_failed_at < quiet_since))
    if not _add_one(username, place, now, quiet_since):
        try:
            with db.session.begin_nested():
                db.session.add(SignInFailures(username=username, source=place, failures=1, last_failed_at=now))
        except IntegrityError:  # another process added it at the same moment
            _add_one(username, place, now, quiet_since)
    row = db.session.scalar(
        select(SignInFailures).where(SignInFailures.username == username, SignInFailures.source == place)
    )
    db.session.refresh(row)
    if row.failures < max_failures:
        return False
    row.failures, row.locked_until = 0, now + timedelta(minutes=lock_minutes)
    return True


def _add_one(username: str, place: str, now: datetime, quiet_since: datetime) -> bool:
    done = db.session.execute(
        update(SignInFailures)
        .where(SignInFailures.username == username, SignInFailures.source == place)
        .values(
            failures=case((SignInFailures.last_failed_at < quiet_since, 1), else_=SignInFailures.failures + 1),
            last_failed_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def forget(username: str, place: str | None = None) -> None:
    """A sign-in worked from `place` (its count starts again), or, without a place, the
    password was reset or set: every lock on the username ends."""
    query = delete(SignInFailures).where(SignInFailures.username == username_key(username))
    if place is not None:
        query = query.where(SignInFailures.source == place)
    db.session.execute(query.execution_options(synchronize_session=False))


def locks_of(username: str, now: datetime) -> list[SignInFailures]:
    """The places this username is locked from now (for the administrators' person page)."""
    return list(
        db.session.scalars(
            select(SignInFailures)
            .where(SignInFailures.username == username_key(username), SignInFailures.locked_until > now)
            .order_by(SignInFailures.locked_until.desc())
        )
    )
