"""Signed-in sessions, held in the database so that they can be ended from anywhere: starting
one, reading the person back from the cookie, ending one or all, and listing them."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from flask import current_app, g, has_request_context, request
from sqlalchemy import bindparam, delete, func, select, update

from cafpedia.accounts.models import User, UserRole, UserSession
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
    params = {"user_id": user_id, "version": version, "token_hash": token_hash(token), "now": utcnow()}
    reading = has_request_context() and request.method == "GET"  # a GET changes none of what is read along
    page = READ_ON_PAGE.get(request.endpoint) if reading else None
    if page is not None:
        params |= {name: (request.view_args or {}).get(name) for name in page.url_values}
    found = db.session.execute(_user_query(request.endpoint if page else None), params).one_or_none()
    if found is None:
        return None
    user, number, roles, *along = found
    user.roles_read(roles)
    content_version.known(number)
    if reading:
        for name, value in zip(READ_WITH_USER, along, strict=False):
            g.setdefault(name, value)
        if page is not None:
            g.setdefault(page.name, tuple(along[len(READ_WITH_USER) :]))
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


@dataclass(frozen=True)
class PageRead:
    """What one page reads of its signed-in reader (`read_on_page`)."""

    name: str
    url_values: tuple[str, ...]
    build: Callable


# What one page shows of its signed-in reader, read in the same statement as the person on a
# GET of that page (the tip page: the reader's answer, report, proposals and watch): endpoint ->
# what to read. It lands in `g.<name>` as a tuple; the page reads it afresh if it is missing.
READ_ON_PAGE: dict[str, PageRead] = {}


def read_on_page(endpoint: str, name: str, url_values: tuple[str, ...], build: Callable) -> None:
    """On a GET of `endpoint`, read with the person of the session what `build(user_id)` gives:
    (a table, the condition it is joined on, the columns read from it and beside it), with the
    page's URL values named in `url_values` as bound parameters of the same names. The table is
    joined whether or not a row matches (its columns are then None)."""
    READ_ON_PAGE[endpoint] = PageRead(name, url_values, build)
    _user_query.cache_clear()


@cache  # one statement per endpoint in READ_ON_PAGE, and one for every other page
def _user_query(endpoint: str | None):
    """The person of a session: built once (on every request, building it cost more than the
    database's answer)."""
    user_id = bindparam("user_id")
    table, on, columns = READ_ON_PAGE[endpoint].build(user_id) if endpoint else (None, None, ())
    query = (
        select(
            User,
            content_version.read_along(),  # the page reads the content version too: in the same query
            # the roles every permission check reads, as one value (loading their rows was a
            # third of the cost of reading the person)
            select(func.aggregate_strings(UserRole.role, ",")).where(UserRole.user_id == User.id).scalar_subquery(),
            *(query_for(user_id).scalar_subquery() for query_for in READ_WITH_USER.values()),
            *columns,
        )
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            User.id == bindparam("user_id"),
            User.active.is_(True),
            User.session_version == bindparam("version"),
            UserSession.token_hash == bindparam("token_hash"),
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > bindparam("now"),
        )
    )
    return query if table is None else query.outerjoin(table, on)


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
