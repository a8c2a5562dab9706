"""/healthz for a load balancer, /metrics for Prometheus."""

from __future__ import annotations

from flask import Blueprint, Response

from cafpedia.core.observability import registry
from cafpedia.core.permissions import allowed, requires
from cafpedia.ops import health
from cafpedia.ops.collector import StateCollector

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@requires("anyone")
def healthz():
    """200 with every part's state; 503 when this machine cannot serve (its database or its
    search index is down or being rebuilt). Redis down is "degraded", still 200: every
    machine shares it, and each keeps working with its own counts meanwhile. The figures
    (the index, the mail, errors) only to the addresses that may read /metrics."""
    found = health.check()
    return found.as_json(detail=allowed("monitoring_address")), 503 if found.down else 200


@bp.get("/metrics")
@requires("monitoring_address")
def metrics():
    # Imported here, not above: prometheus-client must first be imported by
    # core.observability, after `serve` has set the multiprocess folder.
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    scraped = registry()
    state = StateCollector()
    scraped.register(state)
    try:
        return Response(generate_latest(scraped), mimetype=CONTENT_TYPE_LATEST)
    finally:
        scraped.unregister(state)
