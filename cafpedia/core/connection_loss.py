"""The database lost while answering (PostgreSQL restarting, a connection cut): a plain 503
page with Retry-After on every path, never gunicorn's own 500.

Wherever the loss is met (loading the person signed in, the view, its commit, drawing an error
page, an after_request function), the answer is drawn without asking the database anything
again, logged and counted like every other answer (core.observability). If the request's
commit had gone through before the loss, the page says the change was saved, so that nobody
sends an approval twice. The session's end, after the answer is made, never raises: its
rollback on a dead connection would otherwise replace a finished answer with a 500.
"""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, g, has_request_context, render_template, request
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from cafpedia.extensions import db, login_manager

log = logging.getLogger(__name__)
RETRY_AFTER = "30"
SAVED_KEY = "cafpedia.change_saved"
TITLE = "CAFpedia cannot reach its database just now"
NOT_SAVED = (
    "What you were doing may not have been saved: wait a minute, then check and try again. "
    "If it keeps happening, tell the CAFpedia team."
)
SAVED = (
    "Your change was saved, but CAFpedia lost its database just after saving it and cannot show "
    "the next page. Do not send it again: wait a minute, then open the page to see your change."
)


def is_lost(error: BaseException | None) -> bool:
    """The database is unreachable, or SQLAlchemy found the connection dead (and discarded it)."""
    return isinstance(error, (OperationalError, InterfaceError)) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


@event.listens_for(Session, "after_commit")
def _note_saved(session) -> None:
    """The commit point of a request that sends something: after it, a loss must not say
    "try again". A savepoint's release (`begin_nested`) fires this event too, and saves nothing."""
    if session.in_nested_transaction():
        return
    if has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS"):
        request.environ[SAVED_KEY] = True  # the request's own, as `g` is not in tests


def forget_session() -> None:
    """End the request's session without raising. On a dead connection its rollback fails;
    SQLAlchemy has then discarded that connection, and the pool makes a new one next time."""
    try:
        db.session.remove()
    except SQLAlchemyError:
        with contextlib.suppress(SQLAlchemyError):
            db.session().invalidate()  # the Session itself: scoped_session does not pass invalidate on
        db.session.registry.clear()


def unavailable_page(error: BaseException):
    """The 503 answer, drawn as for someone not signed in: no query for the header."""
    forget_session()
    g._login_user = login_manager.anonymous_user()
    saved = request.environ.get(SAVED_KEY, False)
    orig = getattr(error, "orig", None) or error
    log.error(
        "database unavailable during %s %s: %s%s",
        request.method,
        request.endpoint,  # never the path: it may hold a token
        type(orig).__name__,
        " (after its change was saved)" if saved else "",
    )
    if request.path.startswith("/healthz"):
        return {"status": "down", "database": {"status": "down"}}, 503
    title = f"Your change was saved, but {TITLE}" if saved else TITLE
    page = render_template("errors/error.html", status=503, title=title, detail=SAVED if saved else NOT_SAVED)
    return page, 503, {"Retry-After": RETRY_AFTER}


def _end_session(_exc: BaseException | None = None) -> None:
    """Replaces Flask-SQLAlchemy's teardown: the answer already made stands."""
    try:
        db.session.remove()
    except SQLAlchemyError as error:
        log.warning(
            "database connection lost after the answer was made (%s): the answer stands",
            type(getattr(error, "orig", None) or error).__name__,
            extra={"request_id": g.get("request_id")},
        )
        forget_session()


def init_app(app: Flask) -> None:
    app.teardown_appcontext_funcs.remove(db._teardown_session)  # registered by db.init_app
    app.teardown_appcontext(_end_session)
