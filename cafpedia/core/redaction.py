"""What a log line may not hold: a query string (a search text, the identity provider's code),
a token in an address (an invitation), or what someone typed into a form.

Every log record, whoever writes it (CAFpedia, Flask, gunicorn, werkzeug's development
server), passes through `Redact` before it is written: an address in it becomes its route
with placeholders (`GET /invitation/<token>`), a query string becomes `?…`, and during a
request the values of its query and its form (and the token of a page whose address holds
one) are left out of the message and of any traceback. gunicorn's access lines are dropped:
CAFpedia logs each request itself, by endpoint (cafpedia.core.observability).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote, quote_plus, urlsplit

from flask import Flask, current_app, has_request_context, request
from werkzeug.exceptions import HTTPException

LEFT_OUT = "…"
DROPPED_LOGGERS = ("gunicorn.access",)
# Lines made only of a method, an endpoint and a status (cafpedia.core.observability): nothing to
# leave out, and a search for "search" must not blank out "search.results".
BUILT_SAFE = ("cafpedia.request",)
# An address followed by a query: everything from the ? to the next space or quote goes.
QUERY = re.compile(r"""((?:[a-z][a-z0-9+.-]*://[^\s/?#"'<>]*)?/[^\s?#"'<>]*)\?[^\s#"'<>]*""", re.IGNORECASE)
# A request line (gunicorn's and werkzeug's) or Flask's and gunicorn's "which request failed".
METHODS = "GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS"
REQUEST_TARGET = re.compile(
    rf"""(?:\b(?:Exception on|Error handling request)\s+(?:(?P<said>{METHODS})\s+)?|\b(?P<method>{METHODS})\s+)"""
    r"""(?P<target>(?:[a-zA-Z][a-zA-Z0-9+.-]*://|/)[^\s"']*)"""
)
PLACEHOLDER = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")
SHORTEST_VALUE = 3  # shorter form values ("on", "1") are left alone: they would blank out ordinary words

_routes = None  # the app's URL map, once an app is built
_secret_paths: list[tuple[re.Pattern, str]] = []  # a page whose address holds a token: (pattern, rule)


def learn_routes(app: Flask) -> None:
    """Remember the app's routes, for addresses in lines written outside a request."""
    global _routes, _secret_paths
    _routes = app.url_map
    _secret_paths = [
        (_rule_pattern(rule.rule), rule.rule)
        for rule in app.url_map.iter_rules()
        if getattr(app.view_functions.get(rule.endpoint), "holds_a_secret", False)
    ]


def _rule_pattern(rule: str) -> re.Pattern:
    parts = PLACEHOLDER.split(rule)  # literal, name, literal, name, ...
    return re.compile(
        "".join(re.escape(part) if n % 2 == 0 else r"[^/?#\s\"'<>]+" for n, part in enumerate(parts))
        + r"(?=[/?#\s\"'<>]|$)"
    )


def route_of(target: str, method: str | None = None) -> str:
    """An address as its route (`/tips/<slug>`), without its query; its first part and "/…"
    when no route matches."""
    path = urlsplit(target).path or "/"
    if _routes is not None:
        try:
            rule, _ = _routes.bind("localhost").match(path, method=method or "GET", return_rule=True)
            return rule.rule
        except HTTPException:
            pass
    first = path.split("/")[1] if path.count("/") else ""
    return f"/{first}" + ("/" + LEFT_OUT if path.rstrip("/") != f"/{first}" else "")


def redact(text: str, left_out: tuple[tuple[str, str], ...] = ()) -> str:
    """`text` without query strings or tokens in addresses, and with each value of `left_out`
    (value, what to write instead) replaced."""
    if not text:
        return text
    for value, instead in left_out:
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", lambda _, instead=instead: instead, text)
    text = REQUEST_TARGET.sub(_as_route, text)
    text = QUERY.sub(lambda m: m.group(1) + "?" + LEFT_OUT, text)
    for pattern, rule in _secret_paths:
        text = pattern.sub(rule, text)
    return text


def _as_route(found: re.Match) -> str:
    target = found.group("target")
    if "<" in target:  # a route already
        return found.group(0)
    method = (found.group("method") or found.group("said") or "GET").upper()
    return found.group(0)[: found.start("target") - found.start(0)] + route_of(target, method)


def _this_request() -> tuple[tuple[str, str], ...]:
    """What this request carries that a log must not, and what to write instead: its address
    (as its route), the values of its query and of its form (if already read), and any token
    in its address."""
    if not has_request_context():
        return ()
    route = request.url_rule.rule if request.url_rule else route_of(request.path, request.method)
    found = {address: route for address in (request.url, request.base_url, request.full_path, request.path)}
    values = [v for vs in request.args.listvalues() for v in vs]
    form = vars(request._get_current_object()).get("form")  # never read the body for a log line
    if form is not None:
        values += [v for vs in form.listvalues() for v in vs]
    if request.url_rule and getattr(_view(request.url_rule.endpoint), "holds_a_secret", False):
        values += [str(v) for v in (request.view_args or {}).values()]
    for value in values:
        if isinstance(value, str) and len(value) >= SHORTEST_VALUE:
            found |= {value: LEFT_OUT, quote(value, safe=""): LEFT_OUT, quote_plus(value): LEFT_OUT}
    found.pop("/", None)
    # Longest first, so that a whole address goes before a value inside it.
    return tuple(sorted(found.items(), key=lambda pair: len(pair[0]), reverse=True))


def _view(endpoint: str):
    return current_app.view_functions.get(endpoint)


class Redact(logging.Filter):
    """Rewrites a record's message, traceback and stack without what must not be logged;
    drops gunicorn's access lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name in DROPPED_LOGGERS:
            return False
        if getattr(record, "_redacted", False) or record.name in BUILT_SAFE:
            return True
        left_out = _this_request()
        record.msg, record.args = redact(record.getMessage(), left_out), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, left_out)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, left_out)
        record._redacted = True
        return True


def init_app(app: Flask) -> None:
    """Every line through the loggers a development server or Flask writes to directly (the
    JSON handler of `serve` and `worker` has its own `Redact`)."""
    learn_routes(app)
    # By name: `app.logger` would give the logger Flask's own handler while none is configured.
    for logger in (logging.getLogger("werkzeug"), logging.getLogger(app.name), logging.getLogger("gunicorn.error")):
        if not any(isinstance(f, Redact) for f in logger.filters):
            logger.addFilter(Redact())
