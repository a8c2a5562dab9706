"""Signed-in sessions, held in the database so that they can be ended from anywhere: starting
one, reading the person back from the cookie, ending one or all, and listing them."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache

from flask import current_app, g, has_request_context, request
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import joinedload

from cafpedia.accounts.models import User, UserSession
from cafpedia.core import audit, content_version
from cafpedia.core.clock import utcnow
from cafpedia.core.permissions import ADMIN
from cafpedia.extensions import db


def load_user_from_session(session_id: str) -> User | None:
    """Flask-Login's user loader: the account's current session version, and a session row
    that is neither revoked nor expired."""
    try:
        user_id, version, token = session_id.split(":", 2)
        user_id, version = int(user_id), int(version)
    except ValueError:
        return None
    if not token:
        return None
    found = (
        db.session.execute(
            _user_query(),
            {"user_id": user_id, "version": version, "token_hash": token_hash(token), "now": utcnow()},
        )
        .unique()
        .one_or_none()
    )
    if found is None:
        return None
    user, number, *along = found
    content_version.known(number)
    if has_request_context() and request.method == "GET":  # a GET changes none of them
        for name, value in zip(READ_WITH_USER, along, strict=True):
            g.setdefault(name, value)
    user._session_token = token
    return user


# What other packages show on every page of a signed-in person (the header's count of unread
# notifications), read in the same statement as the person: name -> a function of the person's
# id (a bound parameter) giving a one-value query. On a GET each lands in `g` under its name.
READ_WITH_USER: dict[str, Callable] = {}


def read_with_user(name: str, query_for: Callable) -> None:
    """Read `query_for(user_id)` with the person of the session, into `g.<name>` (GET only)."""
    READ_WITH_USER[name] = query_for
    _user_query.cache_clear()


@lru_cache(maxsize=1)
def _user_query():
    """The person of a session: built once (on every request, building it cost more than the
    database's answer)."""
    user_id = bindparam("user_id")
    return (
        select(
            User,
            content_version.read_along(),  # the page reads the content version too: in the same query
            *(query_for(user_id).scalar_subquery() for query_for in READ_WITH_USER.values()),
        )
        .join(UserSession, UserSession.user_id == User.id)
        .options(joinedload(User.role_rows))  # the roles every permission check reads, in the same query
        .where(
            User.id == bindparam("user_id"),
            User.active.is_(True),
            User.session_version == bindparam("version"),
            UserSession.token_hash == bindparam("token_hash"),
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > bindparam("now"),
        )
    )


def token_hash(token: str) -> str:
    """What is stored of a secret token (a session's, an invitation's): its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, *, remember: bool = False, user_agent: str = "") -> None:
    """A new server-side session for this person (call before `login_user`, then commit)."""
    now = utcnow()
    config = current_app.config
    lifetime = config["REMEMBER_COOKIE_DURATION"] if remember else config["PERMANENT_SESSION_LIFETIME"]
    db.session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at < now - timedelta(days=30))
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            user_id=user.id,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + lifetime,
            remember=remember,
            user_agent=(user_agent or "")[:200],
        )
    )
    user._session_token = token


def note_sign_in(user: User, how: str, address: str) -> None:
    """An administrator's sign-in goes into the audit trail (theirs is the power to change it all)."""
    if ADMIN in user.roles:
        audit.record(
            user,
            "user.sign_in",
            "user",
            user.username,
            summary=f"Administrator signed in with {how} from {address[:64] or 'an unknown address'}.",
        )


def end_session(user) -> None:
    """Sign-out: this session's row is revoked, so a copy of its cookie stops working."""
    token = getattr(user, "_session_token", None)
    if token:
        db.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == token_hash(token), UserSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def end_all_sessions(user: User) -> int:
    """Sign out everywhere: every session and remember cookie of this person ends."""
    ended = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ).rowcount
    user.session_version += 1
    db.session.flush()
    audit.record(
        user, "user.sign_out_everywhere", "user", user.username, summary=f"Signed out everywhere ({ended} session(s))."
    )
    return ended


def session_hash(user) -> str | None:
    token = getattr(user, "_session_token", None)
    return token_hash(token) if token else None


def active_sessions(user: User) -> list[UserSession]:
    return list(
        db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None), UserSession.expires_at > utcnow())
            .order_by(UserSession.created_at.desc())
        )
    )
