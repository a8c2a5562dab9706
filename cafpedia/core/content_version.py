"""The content version: one number in the database that moves with every committed change to
what readers are shown, on whichever machine made it; and what a process keeps while it stands.

Every transaction that writes to a table readers' pages are drawn from (anything not listed in
NOT_CONTENT) adds one to `content_version.n` as it commits, in that same transaction: the
engine's own events note the write (whatever made it: the ORM, a bulk statement, an import,
a command) and add the one just before the commit goes to the database. A change and the
number that announces it are committed together, so a reader who reads the number and then
the content sees content at least as new as the number.

`kept(key, make)` keeps a value made from content (a tip's rendered parts, a whole page for
people signed out) for as long as the number stands: a page reads the number once (one
statement) instead of everything behind it. When the number moves, everything kept goes.
Nothing kept depends on who reads it: what differs by reader is drawn fresh on every request.
Values that depend on the day carry the day in their key.

Writes that change nothing a kept value shows (view counts, sessions, search's own index,
notifications, the audit log) leave the number alone: their tables are in NOT_CONTENT, or the
statement carries the execution option NOT_CONTENT_OPTION. A table that is not listed counts as
content: a new table moves the number until someone decides otherwise
(tests/core/test_content_version.py makes them decide)."""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import current_app, g, has_request_context, request, session
from flask_login import current_user
from sqlalchemy import BigInteger, Column, Integer, Table, event, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from cafpedia.extensions import Base, db

T = TypeVar("T")

content_version = Table(
    "content_version",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("n", BigInteger, nullable=False),
)

# Writes to these tables change nothing a kept value shows. Each says why.
NOT_CONTENT = frozenset(
    {
        "content_version",  # the number itself
        "alembic_version",
        # Search keeps its own state, and search pages are not kept here.
        "search_queue",  # written in the same transaction as the content it announces
        "search_cursors",
        "search_documents",
        "search_texts",
        "search_words",
        "search_salts",
        "search_events",
        "search_demand_days",
        "gap_marks",  # a lead manager's marks on "What people need", drawn fresh
        # A person's own state, drawn fresh on every page.
        "user_sessions",
        "sign_in_failures",
        "form_keys",
        "invitations",
        "access_requests",
        "notifications",
        "notification_preferences",
        "notification_marks",
        "watches",
        "legal_feed_visits",
        "mail_outbox",
        # The audit log and its chain: written beside the changes they record.
        "audit_entries",
        "audit_chain_head",
        "audit_verifications",
    }
)
NOT_CONTENT_OPTION = "cafpedia_not_content"
# Set on a connection that must not move the number (the migrations, before the table exists).
QUIET = "cafpedia.content_version.quiet"
_WROTE = "cafpedia.content_version.wrote"
_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)
_BUMP = "UPDATE content_version SET n = n + 1 WHERE id = 1"
EXTENSION = "cafpedia_kept"
REQUEST_KEY = "cafpedia_content_version"


def install(engine: Engine) -> None:
    """Make `engine`'s commits move the number when they carry a write to content."""
    if not event.contains(engine, "before_cursor_execute", _note_write):
        event.listen(engine, "before_cursor_execute", _note_write)
        event.listen(engine, "commit", _move_on_commit)
        event.listen(engine, "rollback", _forget)
        event.listen(engine.pool, "checkin", _forget_checked_in)


def _note_write(conn, _cursor, statement, _parameters, context, _executemany) -> None:
    info = conn.info
    if info.get(_WROTE) or info.get(QUIET):
        return
    match = _WRITE.match(statement)
    if match is None or match.group(1).lower() in NOT_CONTENT:
        return
    if context is not None and context.execution_options.get(NOT_CONTENT_OPTION):
        return
    info[_WROTE] = True


def _move_on_commit(conn) -> None:
    # On the commit's own connection and transaction, just before the database commits: the
    # change and the number's move are one commit. The DB-API cursor is used directly, so this
    # adds no event, no statement cache entry and no ORM state to the commit under way.
    # A failure (the database gone at that moment) comes out as SQLAlchemy's own error, as the
    # commit's would, so that it is answered as a lost database (core.connection_loss), not a 500.
    if conn.info.pop(_WROTE, False) and not conn.info.get(QUIET):
        dbapi_connection = conn.connection.dbapi_connection
        cursor = None
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute(_BUMP)
            cursor.close()
        except conn.dialect.loaded_dbapi.Error as exc:
            gone = conn.dialect.is_disconnect(exc, dbapi_connection, cursor)
            if gone:
                conn.invalidate(exc)
            raise DBAPIError.instance(
                _BUMP,
                None,
                exc,
                conn.dialect.loaded_dbapi.Error,
                hide_parameters=True,
                connection_invalidated=gone,
                dialect=conn.dialect,
            ) from exc


def _forget(conn) -> None:
    # A connection found dead has no DB-API connection (nor its info) to forget anything on:
    # the pool drops it, and asking would replace the lost database's answer with an error.
    if not conn.invalidated:
        conn.info.pop(_WROTE, None)


def _forget_checked_in(_dbapi_connection, record) -> None:
    record.info.pop(_WROTE, None)


def move_on(connection) -> None:
    """Move the number now, in `connection`'s transaction (after the migrations have run)."""
    connection.execute(text(_BUMP))


def _is_get() -> bool:
    return has_request_context() and request.method == "GET"


def current() -> int:
    """The content version, read once per GET request (a GET changes no content)."""
    if _is_get():
        if REQUEST_KEY not in g:
            g.setdefault(REQUEST_KEY, _read())
        return g.get(REQUEST_KEY)
    return _read()


def read_along():
    """SQL, one value: the content version, for a query the request runs anyway (the loading of
    the person signed in) to read with it; hand what it read to `known`."""
    return select(content_version.c.n).where(content_version.c.id == 1).scalar_subquery()


def known(number: int | None) -> None:
    """The content version, read along with another query of this GET request."""
    if number is not None and _is_get():
        g.setdefault(REQUEST_KEY, number)


def _read() -> int:
    return db.session.execute(text("SELECT n FROM content_version WHERE id = 1")).scalar_one()


class Kept:
    """Values made from content, kept while the content version stands; the oldest go first
    beyond `limit`. A value made under an older version than the one kept is handed back but
    not kept: a process never goes back to an older number."""

    def __init__(self, limit: int):
        self.limit = limit
        self.version: int | None = None
        self.values: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable, version: int, make: Callable[[], T]) -> T:
        with self.lock:
            if version == self.version and key in self.values:
                self.values.move_to_end(key)
                return self.values[key]
        value = make()
        with self.lock:
            if self.version is None or version > self.version:
                self.version = version
                self.values.clear()
            if version == self.version:
                self.values[key] = value
                while len(self.values) > self.limit:
                    self.values.popitem(last=False)
        return value


def store() -> Kept:
    """This app's store (each app has its own database, so its own numbers)."""
    app = current_app._get_current_object()
    found = app.extensions.get(EXTENSION)
    if found is None:
        found = app.extensions.setdefault(EXTENSION, Kept(app.config.get("KEPT_VALUES", 2000)))
    return found


def kept(key: Hashable, make: Callable[[], T]) -> T:
    """`make()`, or the value it made for `key` under the content version standing now. In a
    transaction that has changed content and not yet committed (a form that saves and then
    draws a page), `make()` is asked and nothing is kept: this transaction sees its own change,
    which the number does not announce until the commit. (A GET changes no content.)"""
    if not _is_get() and _writing():
        return make()
    return store().get(key, current(), make)


def _writing() -> bool:
    session = db.session()
    if session.new or session.deleted or session.dirty:
        return True
    return session.in_transaction() and bool(session.connection().info.get(_WROTE))


def same_for_everyone() -> bool:
    """This request's page is the one everyone who asks gets: signed out, no query, and no
    message waiting to be shown; `kept_page` can keep it whole."""
    return not current_user.is_authenticated and not request.args and "_flashes" not in session


def kept_page(key: Hashable, render: Callable[[], str]):
    """A whole page that is the same for everyone who asks (people signed out), kept while the
    content version stands, with its ETag: a browser that has it already gets 304 Not Modified."""
    body, etag = kept(key, lambda: _with_etag(render()))
    response = current_app.response_class(body, mimetype="text/html")
    response.set_etag(etag)
    return response.make_conditional(request)


def _with_etag(body: str) -> tuple[str, str]:
    return body, hashlib.blake2b(body.encode(), digest_size=12).hexdigest()


def init_app(app) -> None:
    with app.app_context():
        for engine in db.engines.values():
            install(engine)
