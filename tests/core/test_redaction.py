"""No log line holds a query string, a token in an address, or what someone typed: whoever
writes it (CAFpedia, Flask, gunicorn, werkzeug's development server)."""

from __future__ import annotations

import io
import json
import logging

import pytest

from cafpedia.core.observability import JsonFormatter, configure_logging
from cafpedia.core.redaction import Redact, redact, route_of

TOKEN = "Zx9_secretTokenQ2w3e4r5t6y7u8i9o0pLkJhGf"
SEARCH = "wombat-contact-case-detail"


@pytest.mark.parametrize(
    ("line", "written"),
    [
        (f'127.0.0.1 - - "GET /invitation/{TOKEN} HTTP/1.1" 200 -', '127.0.0.1 - - "GET /invitation/<token> HTTP/1.1"'),
        (f'"POST /invitation/{TOKEN}?again=1 HTTP/1.1" 400', '"POST /invitation/<token> HTTP/1.1" 400'),
        (f'"GET /search?q={SEARCH}&kind=tip HTTP/1.1" 200', '"GET /search HTTP/1.1" 200'),
        (f"Error handling request /api/search?q={SEARCH}", "Error handling request /api/search"),
        (f"Exception on /invitation/{TOKEN} [GET]", "Exception on /invitation/<token> [GET]"),
        (
            "GET /sign-in/organisation/return?code=Abc123Code&state=St4te HTTP/1.1",
            "GET /sign-in/organisation/return HTTP/1.1",
        ),
        (f"GET /tips/contact-centres?as_at=2026-03-03&q={SEARCH}", "GET /tips/<slug>"),
        (f"GET /no/such/place/{TOKEN}?q={SEARCH}", "GET /no/…"),
        # Not a request line: an address in an error's words.
        (f"could not fetch https://cafpedia.example/search?q={SEARCH} (timeout)", "https://cafpedia.example/search?…"),
        (f"redirect to /invitation/{TOKEN}. Done", "redirect to /invitation/<token> Done"),
        (f"Invalid HTTP request line: 'GET /search?q={SEARCH} HTTP/1.1'", "'GET /search HTTP/1.1'"),
    ],
)
def test_addresses_become_their_routes_without_queries_or_tokens(app, line, written):
    said = redact(line)
    assert TOKEN not in said and SEARCH not in said and "Abc123Code" not in said and "St4te" not in said
    assert written in said, said


def test_an_address_no_route_matches_keeps_only_its_first_part(app):
    assert route_of(f"/invitation/{TOKEN}/more") == "/invitation/…"
    assert route_of("/") == "/"
    assert route_of("/tips/contact-centres/history") == "/tips/<slug>/history"


def test_words_and_paths_that_are_not_addresses_are_left_alone(app):
    line = 'File "/work/cafpedia/search/service.py", line 12, in search: is it here? yes'
    assert redact(line) == line


def record(name: str, message: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord(name, logging.ERROR, __file__, 1, message, args, exc_info)


def test_gunicorns_access_lines_are_dropped_and_its_error_lines_redacted(app):
    redact_filter = Redact()
    assert not redact_filter.filter(record("gunicorn.access", '"GET /search?q=%s HTTP/1.1" 200', SEARCH))
    error = record("gunicorn.error", "Error handling request %s", f"/invitation/{TOKEN}?x={SEARCH}")
    assert redact_filter.filter(error)
    assert error.getMessage() == "Error handling request /invitation/<token>"


def test_a_traceback_during_a_request_loses_its_address_its_query_and_its_form(app):
    """The values of this request's query and form are left out wherever they appear (an
    error's words, a database's message), as is a token in the page's address."""
    with app.test_request_context(
        f"/invitation/{TOKEN}?q={SEARCH}", method="POST", data={"password": "hunter2-hunter2"}
    ):
        from flask import request

        request.form  # noqa: B018 - read, as the view would have
        try:
            raise ValueError(f"bad {SEARCH!r} at {request.url} with hunter2-hunter2 for {TOKEN}")
        except ValueError:
            import sys

            failed = record("cafpedia", "Exception on %s [%s]", request.path, "POST", exc_info=sys.exc_info())
        Redact().filter(failed)
        line = JsonFormatter().format(failed)
    assert TOKEN not in line and SEARCH not in line and "hunter2" not in line
    entry = json.loads(line)
    assert entry["message"] == "Exception on /invitation/<token> [POST]"
    assert "ValueError: bad '…' at /invitation/<token> with … for …" in entry["error"]


def test_flask_werkzeug_and_the_json_log_all_leave_them_out(app, client, make_user, caplog, monkeypatch):
    """Flask's own "Exception on ..." line with its traceback, the development server's
    request line, and the JSON lines of `serve` and `worker`."""
    from cafpedia.accounts import invitations

    def broken(token):
        from flask import request

        raise RuntimeError(f"cannot open {request.url}")

    monkeypatch.setattr(invitations, "open_invitation", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: logged, then the 500 page
    stream = io.StringIO()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging()
    root.handlers[0].stream = stream
    root.addHandler(caplog.handler)
    try:
        assert client.get(f"/invitation/{TOKEN}?q={SEARCH}").status_code == 500
        logging.getLogger("werkzeug").info('%s - - "%s" %s -', "127.0.0.1", f"GET /search?q={SEARCH} HTTP/1.1", 200)
    finally:
        root.handlers[:], root.level = handlers, level
    written = stream.getvalue() + caplog.text
    assert TOKEN not in written and SEARCH not in written, written
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert any(
        line["message"] == "Exception on /invitation/<token> [GET]" and "RuntimeError" in line["error"]
        for line in lines
    )
    assert any(line["message"] == '127.0.0.1 - - "GET /search HTTP/1.1" 200 -' for line in lines)
    assert any(line.get("endpoint") == "accounts.invitation" and line["status"] == 500 for line in lines)


def test_gunicorns_error_line_with_method_and_address(app):
    said = redact(f"Error handling request POST /invitation/{TOKEN}?q={SEARCH}")
    assert said == "Error handling request POST /invitation/<token>"
    said = redact(f"Invalid request from ip=10.0.0.1: Invalid HTTP request line: 'GET /search?q={SEARCH} HTTP/1.1 x'")
    assert said == "Invalid request from ip=10.0.0.1: Invalid HTTP request line: 'GET /search HTTP/1.1 x'"
