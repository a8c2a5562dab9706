"""The real server with four gunicorn workers: concurrent changes all reach search, and
nobody sees a lock error."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.search.live_server import Browser, running_server, server_env

pytestmark = pytest.mark.server


def test_four_workers_lose_no_index_update(tmp_path):
    env = server_env(tmp_path, f"sqlite:///{tmp_path / 'live.sqlite3'}")
    with running_server(env, tmp_path / "server.log") as base:

        def propose(n: int) -> int:
            author = Browser(base)
            author.sign_in("demo.fca")
            return author.post(
                "/tips/new",
                {
                    "area": "contact",
                    "title": f"Wombat handover idea {n}",
                    "kind": "tip",
                    "body": f"- Wombat idea number {n}.",
                    "submit": "Send for approval",
                },
                "/tips/new",
            )

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(propose, range(16)))
        assert statuses == [200] * 16  # each ends on its proposal's page
        lead = Browser(base)
        lead.sign_in("fiona.mackenzie")
        deadline = time.monotonic() + 10
        while True:
            data = json.loads(lead.get("/api/search?q=wombat"))
            if data["total"] == 16 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert data["total"] == 16
    text = (tmp_path / "server.log").read_text()
    assert "LockError" not in text and "Traceback" not in text, text[-3000:]
