"""The real server in a subprocess (`cafpedia serve --workers N`), and a cookie-keeping
HTTP client that signs in like a person: for the `server` tests."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from tests.support import tiers

CAFPEDIA = str(Path(sys.executable).with_name("cafpedia"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.token = None

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict, token_from: str = "/") -> int:
        """The status of the page the form ends on (after redirects), 4xx included."""
        if self.token is None:  # one CSRF token per session, as a browser's pages carry it
            self.token = re.search(r'name="csrf_token" value="([^"]+)"', self.get(token_from)).group(1)
        body = urllib.parse.urlencode({**data, "csrf_token": self.token}, doseq=True).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            if exc.code >= 500:
                raise
            return exc.code

    def sign_in(self, username: str) -> None:
        self.post("/sign-in", {"username": username, "password": "cafpedia-demo"}, "/sign-in")
        self.token = None  # a new session after signing in: a new token


def command(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([CAFPEDIA, *args], env=env, capture_output=True, text=True, timeout=300)
    if check and done.returncode != 0:
        pytest.fail(f"cafpedia {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


@contextlib.contextmanager
def running_server(env: dict, log_path: Path, *, workers: int = 4):
    """Yields the base URL once /healthz answers; stops the server and its worker after."""
    tiers.reaching("server")
    port = free_port()
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [CAFPEDIA, "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
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
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)


def server_env(tmp_path: Path, database_url: str, **settings: str) -> dict:
    env = {**os.environ, "CAFPEDIA_INSTANCE_DIR": str(tmp_path / "instance"), "CAFPEDIA_DATABASE_URL": database_url}
    return env | {f"CAFPEDIA_{k}": v for k, v in settings.items()}
