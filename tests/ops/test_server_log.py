"""The real server's log (gunicorn, its workers and CAFpedia's own JSON lines) holds neither
an invitation's token nor a search text: each request is logged by its endpoint."""

from __future__ import annotations

import json
import re
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from cafpedia import create_app
from tests.search.live_server import Browser, command, running_server, server_env

pytestmark = pytest.mark.server

SEARCH = "quokka-custody-handover-detail"


def invitation_path(tmp_path, database_url: str) -> str:
    """Invite a new person, as an administrator's button does, and read the link from the mail."""
    from cafpedia.accounts import invitations, people
    from cafpedia.core import clock

    clock.unpin()  # the server runs on the real clock: the link must be valid by it
    from cafpedia.extensions import db
    from cafpedia.mail.models import MailMessage

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(tmp_path / "instance")})
    with app.app_context():
        person = people.create_user(
            None,
            username="new.starter",
            name="New Starter",
            email="new.starter@example.org",
            roles=["practitioner"],
            password=None,
        )
        invitations.invite(None, person)
        db.session.commit()
        mail = db.session.query(MailMessage).filter_by(kind="invitation").one()
        path = urlsplit(re.search(r"https?://\S+/invitation/[A-Za-z0-9_-]+", mail.body_text).group(0)).path
        db.session.remove()
        db.engine.dispose()
    return path


def status_of(url: str, data: bytes | None = None) -> int:
    try:
        with urllib.request.urlopen(url, data=data, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_log_holds_no_token_and_no_search_text(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    env = server_env(tmp_path, database_url)
    command(env, "init")
    path = invitation_path(tmp_path, database_url)
    token = path.rsplit("/", 1)[1]
    log = tmp_path / "server.log"
    with running_server(env, log, workers=2) as base:
        assert status_of(base + path) == 200
        assert status_of(base + path + f"?from={SEARCH}") == 200
        assert status_of(base + path, b"password=short") == 400  # no CSRF token: refused, still logged
        assert status_of(base + f"/search?q={SEARCH}") == 200  # sent to sign in, with the search in ?next=
        reader = Browser(base)
        reader.sign_in("demo.fca")
        reader.get(f"/search?q={SEARCH}&kind=tip")
        reader.get(f"/api/search?q={SEARCH}")
        assert status_of(base + f"/sign-in/organisation/return?code={SEARCH}&state={token}") == 404
        # A request line gunicorn cannot read: it says so in its log, with the line.
        with socket.create_connection(("127.0.0.1", urlsplit(base).port)) as raw:
            raw.sendall(f"GET /search?q={SEARCH} HTTP/1.1 extra\r\nHost: x\r\n\r\n".encode())
            raw.recv(1000)
    text = log.read_text()
    assert token not in text and SEARCH not in text, text[-3000:]
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["logger"] == "cafpedia.request"]
    endpoints = {(line["endpoint"], line["status"]) for line in requests}
    assert {("accounts.invitation", 200), ("search.results", 200), ("search.api", 200)} <= endpoints, endpoints
    assert not [line for line in lines if line["logger"] == "gunicorn.access"]  # the whole request line: never
    assert any("Invalid request" in line["message"] for line in lines if line["logger"] == "gunicorn.error")
