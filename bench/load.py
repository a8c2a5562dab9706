"""Two-machine load test: two `cafpedia serve` processes on one PostgreSQL database, each with
its own instance folder (and its own Whoosh index, with --backend whoosh) and its own worker,
under concurrent clients for a fixed time.

    .venv/bin/python bench/load.py [--clients 50] [--seconds 60] [--backend whoosh|postgres] [--workers 2]

Each client signs in (its session cookie works on both machines) and, for each request,
picks a machine at random and an action: 70% reading (home, areas, tips, the expert finder),
20% searching, 10% proposing a new tip and having the area's lead manager approve it. After
each approval it times how long until a search on the *other* machine finds the new tip.
At the end it waits for both machines' indexes to apply every change, then searches for every
approved tip on both machines. It prints figures (and exits 1 if any response was 500 or
above, or an approved tip is not found on a machine); it asserts nothing else.

Needs PostgreSQL (CAFPEDIA_TEST_PG_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/test,
used to create and drop a throwaway database).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from http.cookiejar import CookieJar
from pathlib import Path

from sqlalchemy import create_engine, text

CAFPEDIA = str(Path(sys.executable).with_name("cafpedia"))
ADMIN_URL = os.environ.get("CAFPEDIA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "cafpedia-demo"
READS = [
    "/",
    "/areas",
    "/areas/private-law",
    "/areas/adoption",
    "/experts",
    "/legal",
    "/digest",
    "/tips/writing-focused-s7-reports-with-clear-recommendations",
    "/tips/running-extended-dispute-resolution-sessions",
]
QUERIES = [
    "s7 report",
    "domestic violence",
    "safeguarding checks",
    "wishes and feelings",
    "special guardianship",
    "contact centre",
    "risk assessment",
    "kind:guidance",
    "area:private-law report",
    '"first hearing"',
    "safguarding",
    "interpreters",
]
READERS = ["demo.fca", "demo.expert", "amara.okafor", "daniel.osei", "research.coordinator", "legal.editor"]
PROPOSER, APPROVER = "demo.fca", "priya.chandran"  # priya.chandran leads private law
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Session:
    """One person's cookie-keeping HTTP client, for both machines (cookies are per host)."""

    def __init__(self, jar: CookieJar | None = None):
        self.jar = jar or CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, url: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(url, data=body, timeout=60) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, url, exc.read().decode(errors="replace")

    def post_form(self, base: str, form_page: str, action: str, data: dict) -> tuple[int, str, str]:
        status, _, page = self.request(base + form_page)
        token = TOKEN_RE.search(page)
        if status != 200 or not token:
            return status, form_page, page
        return self.request(base + action, {**data, "csrf_token": token.group(1)})

    def sign_in(self, base: str, username: str) -> None:
        status, url, _ = self.post_form(base, "/sign-in", "/sign-in", {"username": username, "password": PASSWORD})
        if status != 200 or "/sign-in" in url:
            raise SystemExit(f"could not sign in as {username} ({status})")


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)
        self.statuses = Counter()
        self.errors: list[str] = []
        self.approved: list[tuple[str, str]] = []  # (slug, unique word)
        self.visible_after: list[float] = []
        self.first_search = 0  # found by the very first search on the other machine

    def record(self, kind: str, status: int, seconds: float, where: str) -> None:
        with self.lock:
            self.latency[kind].append(seconds)
            self.statuses[status] += 1
            if status >= 500:
                self.errors.append(f"{status} on {where}")


def timed(results: Results, kind: str, where: str, call, *args):
    started = time.perf_counter()
    status, url, page = call(*args)
    results.record(kind, status, time.perf_counter() - started, where)
    return status, url, page


def client(number: int, machines: list[str], until: float, results: Results, rng: random.Random) -> None:
    reader, proposer, approver = Session(), Session(), Session()
    reader.sign_in(rng.choice(machines), rng.choice(READERS))
    proposer.sign_in(rng.choice(machines), PROPOSER)
    approver.sign_in(rng.choice(machines), APPROVER)
    made = 0
    while time.monotonic() < until:
        base = rng.choice(machines)
        roll = rng.random()
        if roll < 0.7:
            path = rng.choice(READS)
            timed(results, "read", path, reader.request, base + path)
        elif roll < 0.9:
            path = "/search?" + urllib.parse.urlencode({"q": rng.choice(QUERIES)})
            timed(results, "search", path, reader.request, base + path)
        else:
            made += 1
            word = f"loadword{number}x{made}x{secrets.token_hex(3)}"
            slug = f"load-{number}-{made}-{secrets.token_hex(2)}"
            form = {
                "title": f"Load test tip {number}.{made} {word}",
                "kind": "tip",
                "area": "private-law",
                "slug": slug,
                "body": f"A tip written by the load test ({word}): check the safeguarding letter before the first "
                f"hearing.",
                "tags": "load test",
                "standards": "",
                "legal_refs": "",
                "change_note": "Load test.",
                "confirm_safe": "y",
                "submit": "Send for approval",
            }
            status, url, _ = timed(
                results, "propose", "/tips/new", proposer.post_form, base, "/tips/new", "/tips/new", form
            )
            if status != 200 or f"/tips/{slug}/revisions/1" not in url:
                continue
            decide = {
                "checklist": ["corporate", "legal", "plain_language", "no_identifying_information"],
                "confidentiality_confirmed": "y",
            }
            base = rng.choice(machines)
            status, url, page = timed(
                results,
                "approve",
                "approve",
                approver.post_form,
                base,
                f"/tips/{slug}/revisions/1",
                f"/tips/{slug}/revisions/1/approve",
                decide,
            )
            if status != 200 or "is published" not in page:
                continue
            approved_at = time.perf_counter()
            other = machines[1 - machines.index(base)]
            with results.lock:
                results.approved.append((slug, word))
            for attempt in range(400):  # the time until the other machine's search finds it
                _, _, found = reader.request(other + "/search?" + urllib.parse.urlencode({"q": word}))
                if f"/tips/{slug}" in found:
                    with results.lock:
                        results.visible_after.append(time.perf_counter() - approved_at)
                        results.first_search += attempt == 0
                    break
                time.sleep(0.02)


def health(base: str) -> dict:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=10) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return {}


def start(env: dict, port: int, workers: int, log: Path) -> subprocess.Popen:
    out = open(log, "w")  # noqa: SIM115 (closed with the process)
    server = subprocess.Popen(
        [CAFPEDIA, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(1200):
        if health(base).get("status") == "ok":
            return server
        if server.poll() is not None:
            raise SystemExit(f"the server on port {port} stopped: see {log}")
        time.sleep(0.1)
    raise SystemExit(f"the server on port {port} did not start: see {log}")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000 if ordered else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--backend", choices=["whoosh", "postgres"], default="whoosh")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers on each machine")
    args = parser.parse_args()

    name = f"cafpedia_load_{os.getpid()}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    servers = []
    try:
        with tempfile.TemporaryDirectory(prefix="cafpedia-load-") as folder:
            secret = secrets.token_hex(32)
            envs = [
                {
                    **os.environ,
                    "CAFPEDIA_DATABASE_URL": url,
                    "CAFPEDIA_INSTANCE_DIR": f"{folder}/machine-{n}",
                    "CAFPEDIA_SECRET_KEY": secret,
                    "CAFPEDIA_SEARCH_BACKEND": args.backend,
                    "CAFPEDIA_SIGNIN_RATE_LIMIT": "100000 per minute",
                }
                for n in (1, 2)
            ]
            subprocess.run([CAFPEDIA, "init"], env=envs[0], check=True, capture_output=True)
            ports = [5101 + random.randrange(0, 800) * 2, 0]
            ports[1] = ports[0] + 1
            machines = []
            for env, port, n in zip(envs, ports, (1, 2), strict=True):
                servers.append(start(env, port, args.workers, Path(folder) / f"machine-{n}.log"))
                machines.append(f"http://127.0.0.1:{port}")
            print(
                f"Two machines ({args.workers} gunicorn workers and a worker each, {args.backend} search) on "
                f"PostgreSQL; "
                f"{args.clients} clients for {args.seconds:g} s."
            )
            results = Results()
            until = time.monotonic() + args.seconds
            threads = [
                threading.Thread(target=client, args=(n, machines, until, results, random.Random(n)))
                for n in range(args.clients)
            ]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            total = sum(results.statuses.values())
            print(
                f"\n{total:,} responses in {elapsed:.0f} s = {total / elapsed:.0f}/s; statuses: "
                + ", ".join(f"{code}: {count:,}" for code, count in sorted(results.statuses.items()))
            )
            print(f"{'action':<9} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
            for kind in ("read", "search", "propose", "approve"):
                values = results.latency[kind]
                print(
                    f"{kind:<9} {len(values):>7,} {pct(values, 50):>8.0f} {pct(values, 95):>8.0f} "
                    f"{pct(values, 99):>8.0f}"
                )
            seen = results.visible_after
            print(
                f"\nApproved on one machine, found by a search on the other: {len(seen)} of {len(results.approved)}; "
                f"p50 {pct(seen, 50):.0f} ms, p95 {pct(seen, 95):.0f} ms, slowest {max(seen, default=0) * 1000:.0f} ms "
                f"(the search's own time included); found by the first search there: {results.first_search} of "
                f"{len(seen)}"
            )
            # Afterwards: both indexes follow the whole log (without a search to prompt them)...
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and any(health(m).get("search", {}).get("lag_rows", 1) for m in machines):
                time.sleep(0.2)
            lags = [health(m).get("search", {}).get("lag_rows") for m in machines]
            print(f"Changes not yet applied afterwards, per machine: {lags}")
            # ...and every approved tip is found on both.
            checker = Session()
            checker.sign_in(machines[0], "demo.fca")
            missing = [
                (m, slug)
                for slug, word in results.approved
                for m in machines
                if f"/tips/{slug}" not in checker.request(m + "/search?" + urllib.parse.urlencode({"q": word}))[2]
            ]
            print(
                f"Approved tips found on both machines: {len(results.approved) - len({s for _, s in missing})} of "
                f"{len(results.approved)}" + (f"; missing: {missing[:5]}" if missing else "")
            )
            errors = results.errors
            print(f"Responses of 500 or above: {len(errors)}" + (f" ({', '.join(errors[:5])})" if errors else ""))
            for n in (1, 2):
                log = (Path(folder) / f"machine-{n}.log").read_text()
                tracebacks = log.count("Traceback")
                if tracebacks:
                    print(f"machine {n}: {tracebacks} traceback(s) in its log")
            return 1 if errors or missing else 0
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=60)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
