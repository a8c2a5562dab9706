"""Watching CAFpedia: a request id for every request, one JSON log line per request, and the
Prometheus metrics that the requests and searches feed.

Log lines carry the request id, the user's id (a number, never a name), the endpoint, the
status and the duration: never the address, whose path may hold a token and whose query a
search text (cafpedia.core.redaction keeps them out of every other line too). Under
`cafpedia serve`, gunicorn's worker processes share their metrics through files
(prometheus-client's multiprocess mode, `PROMETHEUS_MULTIPROC_DIR`),
so a scrape of any worker sees the whole machine. The figures about state (the search
index's lag, the mail outbox) are read when /metrics is scraped: see `cafpedia.ops`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from sqlalchemy import inspect as sa_inspect

from cafpedia.core import clock
from cafpedia.core.redaction import Redact

log = logging.getLogger("cafpedia.request")
REQUEST_ID_HEADER = "X-Request-Id"
# A proxy's own request id is kept if it looks like one; anything else is replaced.
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LOG_FIELDS = ("request_id", "user_id", "method", "endpoint", "status", "duration_ms", "remote_addr")

_metrics = None


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, the request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": clock.utcnow().isoformat(timespec="milliseconds") + "Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in LOG_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if "request_id" not in entry and has_request_context() and "request_id" in g:
            entry["request_id"] = g.request_id
        if record.exc_info or record.exc_text:
            entry["error"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: int = logging.INFO) -> None:
    """JSON lines on standard error for every logger (for `serve` and `worker`), each without
    a query string, a token or what someone typed (cafpedia.core.redaction)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(Redact())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


class _Metrics:
    def __init__(self):
        # Imported here, not above: prometheus-client fixes how it stores values when first
        # imported, and `serve` sets the multiprocess folder only after this module is loaded.
        from prometheus_client import Counter, Histogram, values

        # The value class is chosen when prometheus-client is imported; `serve` sets the
        # multiprocess folder before its workers make their metrics, so choose again here.
        values.ValueClass = values.get_value_class()
        self.requests = Counter(
            "cafpedia_http_requests",
            "Requests answered, by endpoint, method and status.",
            ["endpoint", "method", "status"],
        )
        self.latency = Histogram(
            "cafpedia_http_request_duration_seconds",
            "Time to answer a request, by endpoint.",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
        )
        self.search = Histogram(
            "cafpedia_search_duration_seconds",
            "Time the search service takes, by backend.",
            ["backend"],
            buckets=LATENCY_BUCKETS,
        )


def metrics() -> _Metrics:
    global _metrics
    if _metrics is None:
        _metrics = _Metrics()
    return _metrics


def observe_search(backend: str, seconds: float) -> None:
    metrics().search.labels(backend).observe(seconds)


def registry():
    """The registry to scrape: this process's, or every gunicorn worker's on this machine."""
    # Imported here for the same reason as in _Metrics: after `serve` has set the folder.
    from prometheus_client import REGISTRY, CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    metrics()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        scraped = CollectorRegistry()
        MultiProcessCollector(scraped)
        return scraped
    return REGISTRY


def _start():
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = offered if REQUEST_ID_RE.match(offered) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response):
    started = g.pop("request_started", None)
    if started is None:
        return response
    seconds = time.perf_counter() - started
    endpoint = request.endpoint or "(none)"
    response.headers[REQUEST_ID_HEADER] = g.request_id
    found = metrics()
    found.requests.labels(endpoint, request.method, str(response.status_code)).inc()
    found.latency.labels(endpoint).observe(seconds)
    user = g.get("_login_user")  # only a user this request already loaded: no query for logging
    log.info(
        "%s %s %s",
        request.method,
        endpoint,
        response.status_code,
        extra={
            "request_id": g.request_id,
            "user_id": _user_id(user),
            "method": request.method,
            "endpoint": endpoint,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1),
            "remote_addr": request.remote_addr,
        },
    )
    return response


def _user_id(user) -> int | None:
    """The signed-in user's id from the session's identity map: no query, even when a commit has
    expired the user (a tip page counts its reading after it is made)."""
    state = sa_inspect(user, raiseerr=False) if user is not None else None
    return state.identity[0] if state is not None and state.identity else None


def init_app(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, _start)  # first: its id names every later line
    app.after_request(_finish)  # registered first, so it runs last: it sees the final status
