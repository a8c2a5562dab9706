"""Two app machines: two `cafpedia serve` processes on one PostgreSQL database, each with an
instance folder of its own (and, with Whoosh, an index of its own), each with its worker.
A change made through one is found through the other; a sign-in on one holds on the other;
each machine's /healthz shows its own index following the change log."""

from __future__ import annotations

import json
import secrets
import shutil
import time
import urllib.error
import urllib.request

import pytest

from tests.search.live_server import Browser, command, running_server, server_env

pytestmark = [pytest.mark.server, pytest.mark.postgres]


def health(base: str) -> dict:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
            return json.loads(response.read()) | {"code": response.status}
    except urllib.error.HTTPError as exc:
        return json.loads(exc.read()) | {"code": exc.code}


def eventually(check, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


@pytest.mark.parametrize("backend", ["whoosh", "postgres"])
def test_a_change_through_one_machine_is_found_through_the_other(tmp_path, database_url, backend):
    if not database_url.startswith("postgresql"):
        pytest.skip("several machines share a PostgreSQL database")
    secret = secrets.token_hex(16)  # every machine signs cookies with the same key
    one = server_env(tmp_path / "one", database_url, SEARCH_BACKEND=backend, SECRET_KEY=secret)
    two = server_env(tmp_path / "two", database_url, SEARCH_BACKEND=backend, SECRET_KEY=secret)
    command(one, "init")
    with (
        running_server(one, tmp_path / "one.log", workers=2) as base_one,
        running_server(two, tmp_path / "two.log", workers=2) as base_two,
    ):
        indexes = {health(base_one)["search"]["index"], health(base_two)["search"]["index"]}
        assert len(indexes) == (2 if backend == "whoosh" else 1)  # a Whoosh index on each machine
        admin = Browser(base_one)
        admin.sign_in("demo.admin")
        # The same cookie, sent to the other machine: still signed in there.
        admin.base = base_two
        assert "demo.admin" in admin.get("/account")
        admin.base = base_one
        status = admin.post(
            "/admin/areas/new",
            {"slug": "quokka-welfare", "title": "Quokka welfare", "summary": "Zyzzyva checks.", "lead": ""},
            "/admin/areas/new",
        )
        assert status == 200
        # Machine two's worker applies the change to its own index without being asked...
        assert eventually(lambda: health(base_two)["search"]["lag_rows"] == 0)
        reader = Browser(base_two)
        reader.sign_in("demo.fca")
        # ...and a search there finds it.
        assert "Quokka welfare" in reader.get("/search?q=zyzzyva")
        assert "Quokka welfare" in reader.get("/search?q=quokka")
        # Each machine's metrics add up all its gunicorn workers (multiprocess files).
        scraped = urllib.request.urlopen(base_two + "/metrics", timeout=10).read().decode()
        assert 'cafpedia_http_requests_total{endpoint="search.results",method="GET",status="200"} 2.0' in scraped
        assert "cafpedia_search_outbox_lag_rows 0.0" in scraped
        if backend == "whoosh":
            # Machine two loses its index: it says so (503) while its worker rebuilds it;
            # machine one keeps serving throughout.
            shutil.rmtree(tmp_path / "two" / "instance" / "search" / "whoosh")
            assert health(base_two)["code"] == 503 or health(base_two)["search"]["index"] not in indexes
            assert health(base_one)["code"] == 200
            assert eventually(lambda: health(base_two)["code"] == 200)
            assert health(base_two)["search"]["index"] not in indexes  # a new index, under a new name
            assert "Quokka welfare" in reader.get("/search?q=zyzzyva")
    for log in ("one.log", "two.log"):
        text = (tmp_path / log).read_text()
        assert "Traceback" not in text and "CAFPEDIA_SECRET_KEY is not set" not in text, text[-3000:]
        request_lines = [
            json.loads(line) for line in text.splitlines() if line.startswith("{") and '"cafpedia.request"' in line
        ]
        assert request_lines and all(
            {"request_id", "endpoint", "status", "duration_ms"} <= set(line) for line in request_lines
        )
