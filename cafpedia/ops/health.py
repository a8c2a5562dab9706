"""What /healthz and /metrics report about this machine's parts: the database, this machine's
search index and how far it lags behind the change log, the mail outbox, and Redis."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import text

from cafpedia.extensions import db
from cafpedia.mail.outbox import counts
from cafpedia.ops import shared
from cafpedia.search.backends import SearchUnavailable
from cafpedia.search.follower import follower

log = logging.getLogger(__name__)


@dataclass
class Health:
    parts: dict[str, dict] = field(default_factory=dict)

    @property
    def down(self) -> list[str]:
        """Parts this machine cannot serve without: a load balancer should send it nothing."""
        return [name for name in ("database", "search") if self.parts.get(name, {}).get("status") != "ok"]

    @property
    def status(self) -> str:
        if self.down:
            return "down"
        return "degraded" if any(part.get("status") != "ok" for part in self.parts.values()) else "ok"

    def as_json(self, *, detail: bool = True) -> dict:
        """With `detail` (for the monitoring addresses), every part's figures and errors;
        without, only each part's state: nothing about the index, the mail or the network."""
        if not detail:
            return {"status": self.status} | {name: {"status": part["status"]} for name, part in self.parts.items()}
        return {"status": self.status, **self.parts}


def _database() -> dict:
    try:
        db.session.execute(text("SELECT 1"))
        return {"status": "ok"}
    except Exception as exc:  # down, or restarting: say so, plainly
        db.session.rollback()
        return {"status": "down", "error": type(exc).__name__}


def _search() -> dict:

    index = follower()
    backend = index.backend
    status = backend.check_now()
    if status != "ok":
        return {
            "status": "rebuilding" if status in ("missing", "outdated") else "down",
            "backend": current_app.config["SEARCH_BACKEND"],
            "detail": status,
        }
    try:
        lag = index.lag()
    except SearchUnavailable as exc:  # gone since this process last looked: the worker rebuilds it
        backend.close()
        return {"status": "down", "backend": current_app.config["SEARCH_BACKEND"], "detail": str(exc)}
    return {
        "status": "ok",
        "backend": current_app.config["SEARCH_BACKEND"],
        "index": lag.index,
        "documents": backend.document_count(),
        "lag_rows": lag.rows,
        "lag_seconds": round(lag.seconds, 1),
        "logged_rows": lag.logged,
    }


def _mail() -> dict:

    found = counts()
    return {
        "status": "ok",
        "waiting": found["queued"] + found["sending"],
        "failed": found["failed"],
        "sent": found["sent"],
    }


def _redis() -> dict | None:

    if not current_app.config.get("REDIS_URL"):
        return None
    problem = shared.ping()
    return (
        {"status": "ok"}
        if problem is None
        else {
            "status": "down",
            "error": problem,
            "fallback": "rate limits are counted in each process until it is back",
        }
    )


def check() -> Health:
    health = Health()
    health.parts["database"] = _database()
    if health.parts["database"]["status"] != "ok":
        return health  # nothing else can be read
    for name, reader in (("search", _search), ("mail", _mail)):
        try:
            health.parts[name] = reader()
        except Exception as exc:  # a part that cannot even be read is down, and logged
            log.exception("health check of %s failed", name)
            db.session.rollback()
            health.parts[name] = {"status": "down", "error": type(exc).__name__}
    redis = _redis()
    if redis is not None:
        health.parts["redis"] = redis
    return health
