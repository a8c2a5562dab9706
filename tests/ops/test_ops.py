"""What an operator watches: /healthz, /metrics, the JSON request log, and Redis for the state
every app machine shares (with each process's own counts while Redis is down)."""

from __future__ import annotations

import json
import logging
import uuid

import pytest

from cafpedia.config import parse_networks
from cafpedia.core.observability import JsonFormatter
from cafpedia.extensions import db
from cafpedia.search import service
from tests.conftest import Client

REDIS = "redis://127.0.0.1:6379/15"
NO_REDIS = "redis://127.0.0.1:1/0"  # nothing listens there: Redis "down"
# Flask-Limiter keeps the first key prefix it is given for the life of the process.
PREFIX = f"test-{uuid.uuid4().hex}"


def redis_problem() -> str | None:
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=0.5).ping()
        return None
    except Exception as exc:
        return f"no Redis at {REDIS}: {exc}"


def test_health_reports_each_part(client, make_area):
    service.follower().ensure()
    make_area("quokka-law", "Quokka law")
    db.session.commit()
    health = client.get("/healthz")
    assert health.status_code == 200
    found = health.get_json()
    assert found["status"] == "ok" and found["database"] == {"status": "ok"}
    assert (
        found["search"]["status"] == "ok" and found["search"]["lag_rows"] == 1 and found["search"]["lag_seconds"] >= 0
    )
    assert found["mail"] == {"status": "ok", "waiting": 0, "failed": 0, "sent": 0}
    assert "redis" not in found  # not configured
    service.follower().drain()
    assert client.get("/healthz").get_json()["search"]["lag_rows"] == 0


def test_health_tells_others_only_the_states_and_the_monitoring_addresses_the_detail(app, client, make_area):
    service.follower().ensure()
    make_area("quokka-law", "Quokka law")
    db.session.commit()
    outside = app.test_client().get("/healthz", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert outside.status_code == 200
    assert outside.get_json() == {
        "status": "ok",
        "database": {"status": "ok"},
        "search": {"status": "ok"},
        "mail": {"status": "ok"},
    }  # no index name, no documents, no mail counts
    app.config["METRICS_ALLOW"] = parse_networks("203.0.113.0/24")
    allowed = app.test_client().get("/healthz", environ_base={"REMOTE_ADDR": "203.0.113.9"}).get_json()
    assert allowed["search"]["index"] and "documents" in allowed["search"] and "waiting" in allowed["mail"]


def test_health_is_503_while_the_index_is_missing(app, client):
    if app.config["SEARCH_BACKEND"] != "whoosh":
        pytest.skip("a Whoosh index on this machine")
    service.follower().backend.close()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["status"] == "down" and health.get_json()["search"]["status"] == "rebuilding"
    service.follower().drain()  # what the worker's next round does
    assert client.get("/healthz").status_code == 200


@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_health_notices_an_index_damaged_in_place(app, client, make_area, caplog):
    from pathlib import Path

    if app.config["SEARCH_BACKEND"] != "whoosh":
        pytest.skip("a Whoosh index on this machine")
    make_area("quokka-law", "Quokka law")
    db.session.commit()
    service.follower().drain()
    assert client.get("/healthz").status_code == 200  # this process now knows the index as sound
    for path in Path(service.follower().backend.directory).glob("_MAIN_*.toc"):
        path.write_bytes(b"garbage")
    with caplog.at_level(logging.CRITICAL):
        health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["search"]["status"] == "down"
    service.follower().drain()  # the worker's next round rebuilds it
    assert client.get("/healthz").status_code == 200


def test_health_is_503_when_the_database_is_down(make_app):
    app = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://postgres@127.0.0.1:1/nothing")
    with app.app_context():
        health = app.test_client().get("/healthz")
        assert health.status_code == 503
        assert health.get_json() == {"status": "down", "database": {"status": "down", "error": "OperationalError"}}


def test_metrics_only_from_allowed_addresses(app, client, make_user):
    service.follower().ensure()
    make_user("jo.smith")
    client.sign_in("jo.smith")
    client.get("/search?q=quokka")
    page = client.get("/metrics")
    assert page.status_code == 200 and page.mimetype == "text/plain"
    text = page.get_data(as_text=True)
    assert 'cafpedia_http_requests_total{endpoint="search.results",method="GET",status="200"}' in text
    assert 'cafpedia_http_request_duration_seconds_bucket{endpoint="search.results",le="0.5"}' in text
    assert f'cafpedia_search_duration_seconds_count{{backend="{app.config["SEARCH_BACKEND"]}"}}' in text
    for name in (
        "cafpedia_search_outbox_lag_rows",
        "cafpedia_search_outbox_lag_seconds",
        "cafpedia_search_index_documents",
        'cafpedia_mail_messages{state="failed"}',
        'cafpedia_mail_messages{state="sent"}',
        'cafpedia_up{part="database"} 1.0',
    ):
        assert name in text, name
    elsewhere = app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert elsewhere.status_code == 403  # refused, not sent to sign in


def test_metrics_allow_list_is_checked_at_start(make_app):
    from cafpedia.config import ConfigError

    app = make_app(METRICS_ALLOW="10.0.0.0/8, 127.0.0.1")
    with app.app_context():
        assert app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    with pytest.raises(ConfigError, match="'nonsense' is not an address"):
        make_app(METRICS_ALLOW="127.0.0.1, nonsense")


def test_each_request_is_one_json_log_line(client, make_user, caplog):
    user = make_user("jo.smith", name="Jo Smith")
    client.sign_in("jo.smith")
    with caplog.at_level(logging.INFO, logger="cafpedia.request"):
        response = client.get("/areas", headers={"X-Request-Id": "proxy-id-12345"})
        bad_id = client.get("/areas", headers={"X-Request-Id": "<script>"})
    assert response.headers["X-Request-Id"] == "proxy-id-12345"
    assert bad_id.headers["X-Request-Id"] != "<script>" and len(bad_id.headers["X-Request-Id"]) == 32
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "cafpedia.request"]
    first = lines[0]
    assert (
        first["request_id"] == "proxy-id-12345" and first["user_id"] == user.id and first["endpoint"] == "areas.index"
    )
    assert (
        first["status"] == 200 and first["method"] == "GET" and first["duration_ms"] >= 0 and first["level"] == "info"
    )
    assert "Jo Smith" not in json.dumps(lines) and "jo.smith" not in json.dumps(lines)


@pytest.fixture
def redis_url():
    problem = redis_problem()
    if problem:
        pytest.skip(problem)
    return REDIS


@pytest.fixture(autouse=True)
def limiter_as_new():
    """One Flask-Limiter serves every app in a test process: a test that found Redis down must
    not leave the next test's apps counting in memory (a real process has one app)."""
    from cafpedia.extensions import limiter

    yield
    limiter._storage_dead = False
    if getattr(limiter, "_fallback_storage", None) is not None:
        limiter._fallback_storage.reset()


def test_sign_in_limits_are_shared_by_every_machine_through_redis(make_app, make_user, redis_url):
    import redis

    prefix = PREFIX
    settings = {
        "RATELIMIT_ENABLED": True,
        "SIGNIN_RATE_LIMIT": "3 per minute",
        "REDIS_URL": redis_url,
        "RATELIMIT_KEY_PREFIX": prefix,
    }
    one, two = make_app(**settings), make_app(**settings)
    with one.app_context():
        make_user("jo.smith")
        assert Client(one.test_client()).sign_in("jo.smith", "wrong-password").status_code == 401
        assert Client(one.test_client()).sign_in("jo.smith", "wrong-password").status_code == 401
        assert one.test_client().get("/healthz").get_json()["redis"] == {"status": "ok"}
    with two.app_context():
        assert Client(two.test_client()).sign_in("jo.smith", "wrong-password").status_code == 401
        assert Client(two.test_client()).sign_in("jo.smith").status_code == 429  # the fourth try, on the other machine
    stored = redis.Redis.from_url(redis_url)
    assert stored.keys(f"*{prefix}*")  # counted in Redis, not in this process
    stored.delete(*stored.keys(f"*{prefix}*"))
    stored.close()


@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_sign_in_works_while_redis_is_down(make_app, make_user, caplog):
    app = make_app(RATELIMIT_ENABLED=True, SIGNIN_RATE_LIMIT="3 per minute", REDIS_URL=NO_REDIS)
    with app.app_context(), caplog.at_level(logging.CRITICAL):
        service.follower().ensure()
        make_user("jo.smith")
        client = Client(app.test_client())
        assert client.sign_in("jo.smith").status_code == 302  # signed in, counted in this process
        health = client.raw.get("/healthz")
        assert health.status_code == 200
        found = health.get_json()
        assert (
            found["status"] == "degraded"
            and found["redis"]["status"] == "down"
            and "each process" in found["redis"]["fallback"]
        )
        for _ in range(3):
            Client(app.test_client()).sign_in("jo.smith", "wrong-password")
        assert Client(app.test_client()).sign_in("jo.smith").status_code == 429  # limits still hold, per process
