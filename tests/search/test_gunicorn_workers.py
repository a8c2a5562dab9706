"""The real server with four gunicorn workers: concurrent changes all reach search, and
nobody sees a lock error."""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

pytestmark = pytest.mark.server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """A cookie-keeping HTTP client that signs in like a person."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict, token_from: str) -> int:
        page = self.get(token_from)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({**data, "csrf_token": token}, doseq=True).encode()
        with self.opener.open(self.base + path, data=body, timeout=30) as response:
            return response.status

    def sign_in(self, username: str) -> None:
        self.post("/sign-in", {"username": username, "password": "cafpedia-demo"}, "/sign-in")


def test_four_workers_lose_no_index_update(tmp_path):
    port = free_port()
    env = {**os.environ, "CAFPEDIA_INSTANCE_DIR": str(tmp_path / "instance"), "CAFPEDIA_DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite3'}"}
    script = Path(sys.executable).with_name("cafpedia")
    log = open(tmp_path / "server.log", "w")
    server = subprocess.Popen([str(script), "serve", "--port", str(port), "--workers", "4"], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if json.loads(urllib.request.urlopen(base + "/healthz", timeout=2).read())["status"] == "ok":
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")

        def propose(n: int) -> int:
            author = Browser(base)
            author.sign_in("demo.fca")
            return author.post("/tips/new", {"area": "contact", "title": f"Wombat handover idea {n}", "kind": "tip",
                                             "body": f"- Wombat idea number {n}.", "submit": "Send for approval"}, "/tips/new")

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
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    text = (tmp_path / "server.log").read_text()
    assert "LockError" not in text and "Traceback" not in text, text[-3000:]
