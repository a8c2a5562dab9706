"""Redis, where state must be shared between app machines (CAFPEDIA_REDIS_URL): today the
sign-in rate limits, through Flask-Limiter's storage. When Redis is down, Flask-Limiter
counts in each process instead (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED) and goes back to Redis
once it answers; sign-in keeps working either way. Sessions need no Redis: they are rows
in the database, and their cookies are signed with the key every machine shares."""

from __future__ import annotations

from flask import current_app

from cafpedia.config import REDIS_TIMEOUT as TIMEOUT


def client():
    import redis  # loaded only by installations that set CAFPEDIA_REDIS_URL

    clients = current_app.extensions.setdefault("cafpedia_redis", {})
    url = current_app.config["REDIS_URL"]
    if url not in clients:
        clients[url] = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT)
    return clients[url]


def ping() -> str | None:
    """None if Redis answers; else what went wrong, in a few words."""
    try:
        client().ping()
        return None
    except Exception as exc:  # refused, timed out, or a wrong address: all "down"
        return f"{type(exc).__name__}: {exc}"[:200]
