"""How CAFpedia uses its PostgreSQL connections (issue 33: a signed-in page on PostgreSQL spent
more time in connection handling than in its two statements).

- **A transaction that only read ends with COMMIT, not ROLLBACK.** The two end it alike (it
  changed nothing), but psycopg forgets every statement it has prepared on a connection at each
  ROLLBACK, and every request ends its transaction: so no statement was ever prepared, and
  PostgreSQL planned the person's query and the page's query afresh on every page. Ended with
  COMMIT, the statements a page runs on every request are prepared after their fifth use on a
  connection (psycopg's `prepare_threshold`) and each costs a third of what it did.
  "Only read" is decided by the statements sent: every one a SELECT (or `SET LOCAL`/`RESET`
  of a setting, which the end of the transaction undoes either way). Anything else, and any
  transaction in error, is rolled back as before.
- **A connection is checked before use (a `SELECT 1`) only when it has been idle for a while
  (IDLE_PING_SECONDS) or the server has sent something on it since its last use**, where
  SQLAlchemy's `pool_pre_ping` sent a `SELECT 1` at every checkout (one more round trip on
  every page). A server that ends a session (a restart, `pg_terminate_backend`) says so on
  its socket first, so a connection it cut is found before use, without a round trip, and
  replaced. One cut without a word (a network fault) within the idle time fails at its next
  statement: that request is answered 503 (core.connection_loss), SQLAlchemy drops every
  connection of the pool made before it, and the next request reconnects.

SQLite is left as it is: no network, nothing prepared to lose."""

from __future__ import annotations

import re
import select
import time

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

IDLE_PING_SECONDS = 5.0
_CHANGED = "cafpedia.connections.changed"
_LAST_USED = "cafpedia.connections.last_used"
_READS = re.compile(r"\s*(?:SELECT\b|SET\s+LOCAL\b|RESET\b)", re.IGNORECASE)


def init_app(app) -> None:
    from cafpedia.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            install(engine)


def install(engine: Engine) -> None:
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg":
        return  # what follows is about psycopg 3's connections (the driver CAFpedia installs)
    if event.contains(engine, "before_cursor_execute", _note):
        return
    event.listen(engine, "before_cursor_execute", _note)
    event.listen(engine, "commit", _forget)
    event.listen(engine, "rollback", _commit_if_only_read)
    dialect = engine.dialect

    def ping_if_idle(dbapi_connection, record, _proxy) -> None:
        last_used = record.info.get(_LAST_USED)
        if last_used is not None and time.monotonic() - last_used < IDLE_PING_SECONDS and _quiet(dbapi_connection):
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as error:  # noqa: BLE001 - any failure means: not usable
            raise exc.DisconnectionError(f"the connection did not answer ({type(error).__name__})") from error
        if alive is False:
            raise exc.DisconnectionError("the connection did not answer")

    event.listen(engine.pool, "connect", _note_used)  # a new connection needs no check
    event.listen(engine.pool, "checkout", ping_if_idle)
    event.listen(engine.pool, "checkin", _note_checkin)


def _note(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    if not _READS.match(statement):
        conn.info[_CHANGED] = True


def _forget(conn) -> None:
    if not conn.invalidated:
        conn.info.pop(_CHANGED, None)


def _commit_if_only_read(conn) -> None:
    """Just before SQLAlchemy rolls back: COMMIT a transaction that only read (the rollback
    then finds none open and sends nothing)."""
    if conn.invalidated or conn.info.pop(_CHANGED, False):
        return
    dbapi_connection = conn.connection.dbapi_connection
    if dbapi_connection is None or dbapi_connection.info.transaction_status.name != "INTRANS":
        return
    try:
        dbapi_connection.commit()
    except Exception:  # noqa: BLE001 - the rollback that follows meets the same fault and reports it
        return


def _quiet(dbapi_connection) -> bool:
    """Nothing has arrived on the idle connection's socket. The server sends nothing unasked to
    an idle session, but when it ends one (a restart, `pg_terminate_backend`) it says so and
    closes the socket: something to read means "ask". No round trip."""
    try:
        waiting = select.poll()
        waiting.register(dbapi_connection.fileno(), select.POLLIN)
        return not waiting.poll(0)
    except (OSError, ValueError, AttributeError):
        return False


def _note_used(_dbapi_connection, record) -> None:
    record.info[_LAST_USED] = time.monotonic()


def _note_checkin(dbapi_connection, record) -> None:
    _note_used(dbapi_connection, record)
    record.info.pop(_CHANGED, None)
