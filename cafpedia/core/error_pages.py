"""Plain error pages that say what happened and what to do next."""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from cafpedia.core import connection_loss
from cafpedia.core.text import has_control_characters
from cafpedia.extensions import db

MESSAGES = {
    400: ("The request could not be understood", "Something in what was sent was not right. Go back and try again."),
    403: ("You do not have permission to see this page", "If you think you should, ask a CAFpedia administrator."),
    404: ("Page not found", "Check the web address, or use the search box or the navigation above."),
    405: ("That cannot be done here", "This page does not accept that kind of request."),
    413: ("What you sent is too large", "Send less at once and try again."),
    429: ("Too many tries", "Too many attempts have come from here in a short time. Wait a minute, then try again."),
    500: (
        "Sorry, something went wrong on our side",
        "Your change was not saved. Try again in a moment; if it keeps happening, tell the CAFpedia team.",
    ),
}


def refuse_control_characters():
    """before_request: 400 for a query, form or address holding control characters."""
    # Every value, repeated ones included (`areas=a&areas=b%00c`): `.values()` gives only the first.
    values = [*(v for vs in request.args.listvalues() for v in vs), *(request.view_args or {}).values()]
    if request.method == "POST":
        values.extend(v for vs in request.form.listvalues() for v in vs)
    if any(isinstance(v, str) and has_control_characters(v) for v in values):
        abort(400, "control characters")
    return None


def render_error(status: int, title: str | None = None, detail: str | None = None):
    default_title, default_detail = MESSAGES.get(status, MESSAGES[400])
    return (
        render_template(
            "errors/error.html", status=status, title=title or default_title, detail=detail or default_detail
        ),
        status,
    )


def _unless_database_lost(handler):
    """An error page drawn with the database gone (its header asks who is signed in) is the
    503 page, not a 500."""

    @wraps(handler)
    def answer(error):
        try:
            return handler(error)
        except Exception as exc:
            if connection_loss.is_lost(exc):
                return connection_loss.unavailable_page(exc)
            raise

    return answer


def init_app(app: Flask) -> None:
    connection_loss.init_app(app)

    @app.errorhandler(CSRFError)
    @_unless_database_lost
    def csrf_error(error):
        db.session.rollback()
        return render_error(
            400,
            "The form could not be sent",
            "Its security token was missing or out of date, so nothing was saved. Go back, "
            "reload the page and send the form again.",
        )

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error):
        """The database went away (restarting, or unreachable): a plain 503 page, no
        traceback. The next request reconnects once it is back (core.connections)."""
        return connection_loss.unavailable_page(error)

    @app.errorhandler(HTTPException)
    @_unless_database_lost
    def http_error(error: HTTPException):
        # A 500 for an error no handler took: a connection lost in an after_request
        # function, or a disconnect SQLAlchemy reports otherwise (SQLite's closed database).
        if connection_loss.is_lost(getattr(error, "original_exception", None)):
            return connection_loss.unavailable_page(error.original_exception)
        db.session.rollback()
        if request.path.startswith("/healthz"):
            return {"status": "error", "code": error.code}, error.code
        if error.code == 413:
            return render_error(413, detail=too_large(app.config.get("MAX_CONTENT_LENGTH")))
        return render_error(error.code or 500)


def too_large(most: int | None) -> str:
    """What a 413 page says: the limit, that nothing was saved, and how to get the text back."""
    limit = f"at most {most / 1048576:.1f} MB at once" if most else "less at once"
    return (
        f"CAFpedia accepts {limit}, and what you sent was more, so nothing was saved. Go back with your "
        "browser's Back button: what you typed is usually still in the form. Copy it somewhere safe, "
        "shorten it (each field says its limit beside it), and send it again."
    )
