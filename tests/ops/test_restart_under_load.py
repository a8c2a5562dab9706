"""The real server (gunicorn, two workers) under a few concurrent clients while the test
database's connections are cut again and again, as a PostgreSQL restart cuts them (only this
test's database: the shared server is never restarted). No answer is a 500: every lost
connection is a 503 page with Retry-After, a line in the JSON log and a count in /metrics, and
every proposal answered as sent or as saved is in the database afterwards."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookiejar import CookieJar

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_ADMIN_URL
from tests.search.live_server import command, running_server, server_env

pytestmark = [pytest.mark.server, pytest.mark.postgres]

CLIENTS = 4
CUTS = 6
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None  # the 302 itself is the answer to look at


@dataclass
class Answer:
    method: str
    path: str
    status: int
    body: str
    retry_after: str | None
    title: str = ""


@dataclass
class Reader:
    base: str
    number: int
    answers: list[Answer] = field(default_factory=list)

    def __post_init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect())

    def send(self, path: str, data: dict | None = None, title: str = "") -> Answer:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                status, text_, retry = response.status, response.read().decode(), response.headers["Retry-After"]
        except urllib.error.HTTPError as exc:
            status, text_, retry = exc.code, exc.read().decode(), exc.headers["Retry-After"]
        answer = Answer("POST" if data is not None else "GET", path, status, text_, retry, title)
        self.answers.append(answer)
        return answer

    def token(self, path: str) -> str | None:
        found = TOKEN_RE.search(self.send(path).body)
        return found.group(1) if found else None

    def sign_in(self) -> None:
        token = self.token("/sign-in")
        answer = self.send("/sign-in", {"username": "demo.fca", "password": "cafpedia-demo", "csrf_token": token})
        assert answer.status == 302, answer.body[:500]

    def work(self, until: float) -> None:
        n, token = 0, None
        while time.monotonic() < until:
            self.send("/areas/contact")
            self.send("/search?q=contact")
            token = token or self.token("/tips/new")
            if token:
                n += 1
                title = f"Restart check {self.number} {n}"
                self.send("/tips/new", {**PROPOSAL, "title": title, "csrf_token": token}, title)


PROPOSAL = {
    "area": "contact",
    "kind": "tip",
    "body": "- Meet at the door.\n- Keep it short.",
    "tags": "contact-centres",
    "standards": "",
    "legal_refs": "",
    "submit": "Send for approval",
}


def test_cut_connections_under_load_give_503s_never_500s(tmp_path, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("cutting PostgreSQL's connections")
    name = database_url.rsplit("/", 1)[1]
    env = server_env(tmp_path, database_url)
    command(env, "init")
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")

    def cut(refuse_for: float) -> None:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> "
                    "pg_backend_pid()"
                ),
                {"n": name},
            )
            time.sleep(refuse_for)
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))

    try:
        with running_server(env, tmp_path / "server.log", workers=2) as base:
            readers = [Reader(base, number) for number in range(CLIENTS)]
            for reader in readers:
                reader.sign_in()
            until = time.monotonic() + 1.0 + CUTS * 1.0 + 1.0
            threads = [threading.Thread(target=reader.work, args=(until,)) for reader in readers]
            for thread in threads:
                thread.start()
            time.sleep(1.0)
            for i in range(CUTS):
                cut(refuse_for=0.3 if i % 2 else 0.0)
                time.sleep(0.7)
            for thread in threads:
                thread.join(timeout=60)
            scraped = urllib.request.urlopen(base + "/metrics", timeout=10).read().decode()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()

    answers = [a for reader in readers for a in reader.answers]
    lost = [a for a in answers if a.status == 503]
    assert [a for a in answers if a.status >= 500 and a.status != 503] == []
    assert lost, "no request met a cut connection: the test proved nothing"
    for answer in lost:
        assert answer.retry_after == "30" and "cannot reach its database just now" in answer.body, answer.path
        assert ("Your change was saved" in answer.body) == ("try again" not in answer.body)
    # Every proposal answered as sent (302) or as saved (503 saying so) is in the database.
    answered_saved = {a.title for a in answers if a.title and (a.status == 302 or "Your change was saved" in a.body)}
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            stored = set(
                conn.execute(text("SELECT title FROM tip_revisions WHERE title LIKE 'Restart check %'")).scalars()
            )
    finally:
        engine.dispose()
    assert answered_saved <= stored, [(a.status, a.body[:3000]) for a in answers if a.title in answered_saved - stored]
    # Each 503 is a line of the JSON log and a count in /metrics (gunicorn answered none itself).
    log = (tmp_path / "server.log").read_text()
    assert "Error handling request" not in log, log[-3000:]
    logged_503 = [
        line
        for line in (json.loads(raw) for raw in log.splitlines() if raw.startswith("{"))
        if line.get("logger") == "cafpedia.request" and line.get("status") == 503
    ]
    assert len(logged_503) == len(lost)
    counted = sum(
        float(value)
        for value in re.findall(r'cafpedia_http_requests_total\{[^}]*status="503"[^}]*\} ([0-9.]+)', scraped)
    )
    assert counted == len(lost)
    admin.dispose()
