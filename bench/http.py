"""HTTP benchmark (issue 33, "Pages and search at the speed of the machine"): CAFpedia's pages
and search through gunicorn, against a Flask "Hello, World!" under the same settings.

    .venv/bin/python bench/http.py [--tips 1000 10000] [--backend whoosh postgres]
                                   [--seconds 6] [--rounds 3] [--connections 16]
                                   [--django-wiki]

For each backend and size it builds a throwaway instance with bench/search.py's helpers (the
demo content plus N synthetic tips, on SQLite with Whoosh or on a throwaway PostgreSQL
database) and its search index, then starts `python -m cafpedia serve --workers 2 --no-worker`
on it (gunicorn, 2 sync workers, as `cafpedia serve` runs; no background worker beside it) with
CAFPEDIA_PUBLIC_READ=1. "Hello, World!" runs beside it under `gunicorn -w 2` (sync), and the
tip pages are loaded in rounds (--rounds, 3): hello world, then signed out, then signed in;
each share is of its own round's hello world figure (the machine's speed moves by a fifth
from one minute to the next, with others' work on it), and the median share is the figure,
each round's beside it. The loads are `wrk -t2 -c{connections} -d{seconds}s --timeout 10s`
(wrk is installed with apt-get if missing), each after a 2 s warm-up of the same load, with
the load average printed beside:

- tip page, anonymous and signed in (demo.fca): requests/s (the median) and its share of
  hello world's, rotating over TIP_PATHS tips picked at random (seeded) among the published
  ones, demo and synthetic alike, by a wrk Lua script;
- search page, signed in, rotating over 30 of bench/search.py's QUERIES (every type): req/s,
  p50 and p95 latency under that load (wrk's: waiting for a free worker included).
Then, one request at a time, signed in: the server time of the tip pages (200 requests, p50)
and of the 30 searches (each 3 times, p50 and p95; the issue's search target is set beside
this). The app sends no X-Response-Time header: it is the `duration_ms` of CAFpedia's own JSON
log line for each request (found by the X-Request-Id sent; from its first before_request to
its last after_request), the client's round trip beside. Then the resident memory of each
gunicorn worker, after all of that: RSS (the issue's measure: every page the worker touches,
those shared with the master and the other worker included, the Whoosh index's mapped
files among them), PSS (its share of the shared pages) and its private pages; and the PSS
of the whole server, master included; and the SQL statements per request (tip page, home
page, a search), signed in, in process with the Flask test client, each after one warm-up
request of the same page.

With --django-wiki, django-wiki (bench/django_wiki.py: installed once into a virtual
environment of its own, ~/.cache/cafpedia-bench/django-wiki) is given the same published tips
as articles, for each size, and its search page is loaded as CAFpedia's (anonymous, its
default; 2 sync gunicorn workers), then asked each query once: its p95 is set beside
CAFpedia's (the issue's target: at least 10 times shorter).

It prints a table per backend and size, each figure beside the issue's target; it asserts
nothing. It exits non-zero, with the reason, only when something fails to start.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# This file is named http.py: with bench/ first on sys.path it would hide the standard library's
# http package (urllib, werkzeug and gunicorn import it). bench/search.py is imported by name.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from http.cookiejar import CookieJar

from bench import django_wiki
from bench.search import QUERIES, bench_app, drop_bench_database, percentile, populate, vocabulary

WRK_TIMEOUT = "10s"  # wrk's 2 s default would drop the slowest requests from the percentiles
TIP_PATHS = 20  # tips the tip-page loads rotate over
SEARCH_QUERIES = [q for i, (q, _) in enumerate(QUERIES) if i % 3 != 2]  # 30, every type
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"  # as bench_app's
PEER_FOLDER = Path.home() / ".cache" / "cafpedia-bench" / "django-wiki"  # its venv is kept between runs
USER_AGENT = "cafpedia-bench"  # the same for urllib and wrk: a session is tied to nothing else
HELLO = 'from flask import Flask\n\napp = Flask(__name__)\napp.get("/")(lambda: "Hello, World!")\n'
LUA = """local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  local f = math.floor
  io.write(string.format("BENCH %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write, e.timeout, e.status, f(latency:percentile(50)), f(latency:percentile(95))))
end
"""


class StartFailed(RuntimeError):  # a server, wrk or signing in: the run stops with this message
    pass


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"] if shutil.which("sudo") else None
    if sudo is not None and shutil.which("apt-get"):  # as scripts/_python.sh's ensure_debian_packages
        print("Installing wrk with apt-get...", flush=True)
        env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run([*sudo, "apt-get", "update", "-qq"], env=env)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], env=env, stdout=subprocess.DEVNULL)
    if not shutil.which("wrk"):
        raise StartFailed("wrk is missing and could not be installed here: install it (Debian: apt-get install wrk).")
    return shutil.which("wrk")


def smaps(pid) -> dict:
    """A process's resident memory in MB from /proc/PID/smaps_rollup: RSS, PSS and USS."""
    text = Path(f"/proc/{pid}/smaps_rollup").read_text()

    def kb(name):
        return int(re.search(rf"^{name}:\s+(\d+) kB", text, re.M).group(1)) / 1024

    return {"rss": kb("Rss"), "pss": kb("Pss"), "uss": kb("Private_Clean") + kb("Private_Dirty")}


class Server:
    """A gunicorn master on a free port, in its own process group (killed as one), output in a file."""

    def __init__(self, name: str, command, env: dict, cwd: str):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.name, self.url = name, f"http://127.0.0.1:{port}"
        self.log = Path(tempfile.mkstemp(prefix=f"{name}-", suffix=".log")[1])
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                command(str(port)), env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_ready(self, timeout: float = 90) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end and self.proc.poll() is None:
            try:
                urllib.request.urlopen(self.url + "/", timeout=2).read()
                return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                time.sleep(0.2)
        tail = self.log.read_text(errors="replace")[-2000:]
        raise StartFailed(f"{self.name} did not answer on {self.url} (exit code {self.proc.poll()}):\n{tail}")

    def memory_mb(self) -> dict:
        """Each gunicorn worker's resident memory, three ways (smaps_rollup, in MB): `rss`, every
        page it touches, those it shares with the master and the other worker included; `pss`,
        its proportional share (a page shared by three processes counts a third); `uss`, the
        pages only it holds (what one more worker adds). And `server`: the PSS of the master
        and all its workers together, the memory the whole server takes."""
        out = subprocess.run(["ps", "--ppid", str(self.proc.pid), "-o", "pid="], capture_output=True, text=True)
        found = {"rss": [], "pss": [], "uss": []}
        server = smaps(self.proc.pid)["pss"]
        for pid in out.stdout.split():
            figures = smaps(pid)
            server += figures["pss"]
            for key in found:
                found[key].append(figures[key])
        return found | {"server": server}

    def stop(self) -> None:
        """Stop it (idempotent) and remove its log."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        with contextlib.suppress(ProcessLookupError):  # any worker that outlived its master
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.unlink(missing_ok=True)


def wrk(args, url: str, paths: list[str], headers: dict, seconds: int) -> dict:
    """One wrk run rotating over `paths`: req/s, p50 and p95 latency in ms, what went wrong (timeouts
    after WRK_TIMEOUT, answers not 2xx/3xx, socket errors), in words or ""."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % ", ".join(json.dumps(p) for p in paths))
    command = [args.wrk, "-t2", f"-c{args.connections}", f"-d{seconds}s", "--timeout", WRK_TIMEOUT, "-s", script.name]
    for name, value in (headers | {"User-Agent": USER_AGENT}).items():
        command += ["-H", f"{name}: {value}"]
    try:
        out = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60)
    finally:
        os.unlink(script.name)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise StartFailed(f"wrk gave no figures: {out.stdout[-1000:]} {out.stderr[-1000:]}")
    n, duration, socket_errors, timeouts, status_errors, p50, p95 = (int(v) for v in line.split()[1:])
    wrong = (("timeouts", timeouts), ("not 2xx/3xx", status_errors), ("socket errors", socket_errors))
    errors = ", ".join(f"{k} {v}" for k, v in wrong if v)
    return {"rps": n / (duration / 1e6), "p50": p50 / 1000, "p95": p95 / 1000, "errors": errors}


def load(args, url, paths, headers=None) -> dict:
    wrk(args, url, paths, headers or {}, 2)  # warm-up: every worker has served these pages
    return wrk(args, url, paths, headers or {}, args.seconds)


def csrf_token(html: str) -> str:
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html)
    value = re.search(r'value="([^"]+)"', tag.group(0)) if tag else None
    if not value:
        raise StartFailed("no CSRF token on the sign-in page")
    return value.group(1)


def sign_in(base: str) -> str:
    """Sign demo.fca in over HTTP; the Cookie header that carries the session."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    token = csrf_token(opener.open(base + "/sign-in").read().decode())
    form = urllib.parse.urlencode({"username": "demo.fca", "password": "cafpedia-demo", "csrf_token": token})
    opener.open(base + "/sign-in", form.encode()).read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    check = urllib.request.Request(base + "/", headers={"Cookie": cookie, "User-Agent": USER_AGENT})
    if "/sign-out" not in urllib.request.urlopen(check).read().decode():
        raise StartFailed(f"signing in as demo.fca at {base} did not work")
    return cookie


def server_time(server: Server, paths: list[str], cookie: str, tag: str, n: int) -> dict:
    """n sequential signed-in requests rotating over `paths`, one at a time: p50 and p95 in ms of
    the app's own duration_ms (its JSON log line, found by the X-Request-Id sent) and of the
    client's round trip."""
    trips = []
    for i in range(n):
        headers = {"Cookie": cookie, "User-Agent": USER_AGENT, "X-Request-Id": f"bench{tag}-{i:05d}"}
        t = time.perf_counter()
        request = urllib.request.Request(server.url + paths[i % len(paths)], headers=headers)
        urllib.request.urlopen(request).read()
        trips.append((time.perf_counter() - t) * 1000)
    time.sleep(0.5)  # the last lines reach the log
    durations = []
    for line in server.log.read_text(errors="replace").splitlines():
        if f'"bench{tag}-' in line and '"duration_ms"' in line:
            try:
                durations.append(json.loads(line)["duration_ms"])
            except ValueError:
                continue  # two processes' lines run together: skipped
    if len(durations) < n // 2:
        raise StartFailed(f"only {len(durations)} of {n} request log lines with duration_ms in {server.log}")
    return {
        "p50": percentile(durations, 50),
        "p95": percentile(durations, 95),
        "trip_p50": percentile(trips, 50),
        "trip_p95": percentile(trips, 95),
    }


def statements(app, paths: dict[str, str]) -> dict[str, int]:
    """SQL statements per request, signed in, each after one warm-up request of the same page."""
    from sqlalchemy import event

    from cafpedia.extensions import db

    client = app.test_client()
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    client.post("/sign-in", data={"username": "demo.fca", "password": "cafpedia-demo", "csrf_token": token})
    with app.app_context():
        engine = db.engine
    found = {}
    for name, path in paths.items():
        client.get(path)
        seen = []

        def record(conn, cursor, statement, *rest, seen=seen):
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            response = client.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        if response.status_code != 200 or "/sign-out" not in response.get_data(as_text=True):
            raise StartFailed(f"in process, {path} answered {response.status_code} (or not signed in)")
        found[name] = len(seen)
        if os.environ.get("BENCH_SHOW_SQL"):  # which statements: BENCH_SHOW_SQL=1
            print(f"  {name}:", *(f"    {' '.join(s.split())[:150]}" for s in seen), sep="\n")
    return found


def prepare(size: int, backend: str, words: list[str]):
    """(the app with N synthetic tips and its index, TIP_PATHS tip paths, bench_app's pg_name and admin)."""
    from sqlalchemy import select

    from cafpedia.extensions import db
    from cafpedia.search import service
    from cafpedia.tips.models import Tip

    name, pg_name, admin = f"cafpedia_http_{size}_{os.getpid()}", None, None
    try:
        app, pg_name, admin = bench_app(name, backend)
        t = time.perf_counter()
        populate(app, size, random.Random(size), words)
        with app.app_context():
            count = service.follower().rebuild()
            slugs = sorted(db.session.scalars(select(Tip.slug).where(Tip.status == "published")))
            db.engine.dispose()
    except BaseException:  # Ctrl+C included: the throwaway database goes, even half made
        if backend == "postgres":
            from sqlalchemy import create_engine

            admin = admin or create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
            drop_bench_database(name, admin)
        raise
    tips = [f"/tips/{s}" for s in random.Random(33).sample(slugs, TIP_PATHS)]
    print(f"{count:,} documents indexed in {time.perf_counter() - t:.0f} s; tip pages {tips[0]} and others")
    return app, tips, pg_name, admin


def instance_env(app, backend: str) -> dict:
    """The settings `cafpedia serve` needs to serve the instance `prepare` built."""
    return {
        "CAFPEDIA_INSTANCE_DIR": app.instance_path,
        "CAFPEDIA_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "CAFPEDIA_SEARCH_DIR": app.config["SEARCH_DIR"],
        "CAFPEDIA_SEARCH_BACKEND": backend,
        "CAFPEDIA_PUBLIC_READ": "1",
        "CAFPEDIA_SECRET_KEY": "bench-http",
    }


def hello_world(folder: str) -> Server:
    """Flask's "Hello, World!" under the same gunicorn settings, started (the caller stops it)."""
    Path(folder, "hello.py").write_text(HELLO)
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "hello:app", "-b"]
    server = Server("hello", lambda port: [*command, f"127.0.0.1:{port}"], dict(os.environ), folder)
    server.wait_ready()
    return server


def rounds_of(args, hello: Server, server: Server, tips: list[str], cookie: str) -> dict:
    """`args.rounds` rounds of three loads in turn: hello world, the tip pages signed out, signed
    in. Each share is of the hello world figure of its own round (the machine's speed moves by
    a fifth from one minute to the next, with others' work on it); the median share is the
    figure, the others are shown beside it."""
    found = {"hello": [], "anon": [], "signed": []}
    for _ in range(args.rounds):
        found["hello"].append(load(args, hello.url, ["/"]))
        found["anon"].append(load(args, server.url, tips))
        found["signed"].append(load(args, server.url, tips, {"Cookie": cookie}))
    row = {"hello": statistics.median(h["rps"] for h in found["hello"])}
    for key in ("anon", "signed"):
        shares = [r["rps"] / h["rps"] for r, h in zip(found[key], found["hello"], strict=True)]
        row[key] = {
            "rps": statistics.median(r["rps"] for r in found[key]),
            "share": statistics.median(shares),
            "shares": shares,
            "errors": ", ".join(r["errors"] for r in found[key] if r["errors"]),
        }
    return row


def measure(args, size: int, backend: str, words: list[str], folder: str) -> dict:
    from cafpedia.extensions import db
    from cafpedia.tips import readings

    print(f"\n== {size:,} synthetic tips ({backend}) ==", flush=True)
    app, tips, pg_name, admin = prepare(size, backend, words)
    server, articles = None, None
    try:
        # this checkout's cafpedia, whatever the venv installed
        env = os.environ | instance_env(app, backend) | {"PYTHONPATH": str(HERE.parent)}
        command = [sys.executable, "-m", "cafpedia", "serve", "--workers", "2", "--no-worker", "--port"]
        server = Server("cafpedia", lambda port: [*command, port], env, str(HERE.parent))
        server.wait_ready()
        cookie = sign_in(server.url)
        hello = hello_world(folder)
        load_before = os.getloadavg()[0]
        searches = [f"/search?{urllib.parse.urlencode({'q': q})}" for q in SEARCH_QUERIES]
        try:
            row = rounds_of(args, hello, server, tips, cookie)
            row["hello_memory"] = hello.memory_mb()
        finally:
            hello.stop()
        row["search"] = load(args, server.url, searches, {"Cookie": cookie})
        row["page_time"] = server_time(server, tips, cookie, "page", 200)
        row["search_time"] = server_time(server, searches, cookie, "search", 3 * len(searches))
        row["memory"] = server.memory_mb()
        row["refused"] = refused(server)
        row["load"] = (load_before, os.getloadavg()[0])  # others' work on the machine shows here
        server.stop()
        row["sql"] = statements(app, {"tip": tips[0], "home": "/", "search": "/search?q=children"})
        articles = published_texts(app) if args.django_wiki and backend == args.backend[0] else None
        with app.app_context():
            readings.write_pending()  # the tip pages it read, written now: its database goes next
            db.session.commit()
            db.engine.dispose()
    finally:
        if server is not None:
            server.stop()  # before its database is dropped
        drop_bench_database(pg_name, admin)
        shutil.rmtree(app.instance_path, ignore_errors=True)
    if articles is not None:
        row["peer"] = peer(args, articles, searches)
    return row


def refused(server: Server) -> str:
    """The answers of 400 and above in the server's request log, by status and endpoint (wrk
    counts them, but says neither what nor where), and any error lines."""
    found = Counter()
    for line in server.log.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("level") == "error" or (entry.get("status") or 0) >= 400:
            found[
                f"{entry.get('status', entry.get('level'))} {entry.get('endpoint', entry.get('message', ''))[:80]}"
            ] += 1
    return ", ".join(f"{what} ×{n}" for what, n in found.most_common())


def published_texts(app) -> list[tuple[str, str, str]]:
    """(slug, title, Markdown) of every published tip: the same corpus for django-wiki."""
    from sqlalchemy import select

    from cafpedia.extensions import db
    from cafpedia.tips.models import PUBLISHED, Revision, Tip

    with app.app_context():
        rows = db.session.execute(
            select(Tip.slug, Revision.title, Revision.body)
            .join(Revision, (Revision.tip_id == Tip.id) & (Revision.number == Tip.current_number))
            .where(Tip.status == PUBLISHED)
        ).all()
        db.session.rollback()
    return [tuple(r) for r in rows]


def peer(args, articles: list[tuple[str, str, str]], cafpedia_searches: list[str]) -> dict:
    """django-wiki with the same articles, under the same gunicorn settings: its search page
    over the same 30 queries (anonymous: its default lets anyone search), under the same load
    and one at a time (each query once: the round trip; it logs no server time)."""
    t = time.perf_counter()
    print("django-wiki: installing (once) and setting up...", flush=True)
    project = django_wiki.setup(PEER_FOLDER)
    django_wiki.populate(project, articles)
    print(f"django-wiki: {len(articles):,} articles in {time.perf_counter() - t:.0f} s", flush=True)
    searches = [django_wiki.search_path(q) for q in SEARCH_QUERIES]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    server = Server("django-wiki", lambda port: django_wiki.command(project, int(port)), env, str(project))
    try:
        server.wait_ready()
        found = load(args, server.url, searches)
        trips = []
        for path in searches:
            t = time.perf_counter()
            urllib.request.urlopen(server.url + path, timeout=60).read()
            trips.append((time.perf_counter() - t) * 1000)
        found |= {"trip_p50": percentile(trips, 50), "trip_p95": percentile(trips, 95)}
        return found | {"memory": server.memory_mb(), "articles": len(articles)}
    finally:
        server.stop()


def show(size: int, backend: str, row: dict) -> None:
    whoosh = backend == "whoosh"
    anon_target, signed_target = (0.30, 0.15) if whoosh else (0.20, 0.10)
    search_target = (12 if size <= 1000 else 20) * (1 if whoosh else 2)
    lines = []

    def add(measure, figure, target, met):
        lines.append(f"  {measure:<38}{figure:<54}{target:<15}{'' if met is None else 'yes' if met else 'NO'}")

    for key, label, share in (("anon", "anonymous", anon_target), ("signed", "signed in", signed_target)):
        r = row[key]
        each = "/".join(f"{x:.1%}" for x in r["shares"])
        figure = f"{r['rps']:,.0f} req/s = {r['share']:.1%} of hello ({each})"
        add(
            f"tip page, {label}",
            figure + (f" ({r['errors']})" if r["errors"] else ""),
            f">= {share:.0%}",
            r["share"] >= share,
        )
    s = row["search"]
    figure = f"{s['rps']:,.0f} req/s, p50 {s['p50']:.1f} ms, p95 {s['p95']:.1f} ms"
    add("search page, signed in, under load", figure + (f" ({s['errors']})" if s["errors"] else ""), "", None)
    t = row["search_time"]
    figure = f"p50 {t['p50']:.1f} ms, p95 {t['p95']:.1f} ms (round trip p95 {t['trip_p95']:.1f} ms)"
    add("search, one at a time, server time", figure, f"p95 <= {search_target} ms", t["p95"] <= search_target)
    if "peer" in row:
        p, s = row["peer"], row["search"]
        figure = f"{p['rps']:,.0f} req/s, p50 {p['p50']:.0f} ms, p95 {p['p95']:.0f} ms" + (
            f" ({p['errors']})" if p["errors"] else f" ({p['articles']:,} articles)"
        )
        add("django-wiki search, under load", figure, "", None)
        if p["rps"]:
            ratio = p["p95"] / s["p95"]
            add("  CAFpedia's p95 under load", f"{ratio:,.1f}x shorter", ">= 10x", ratio >= 10)
        elif "timeouts" in p["errors"]:  # every search it was sent waited longer than wrk's timeout
            add("  CAFpedia's p95 under load", f"shorter: none of its answered within {WRK_TIMEOUT}", ">= 10x", True)
        else:
            add("  CAFpedia's p95 under load", "no request answered: no figure", ">= 10x", None)
        ratio = p["trip_p95"] / t["trip_p95"]
        figure = f"p95 {p['trip_p95']:.0f} ms: CAFpedia's {ratio:,.1f}x shorter"
        add("  one at a time, round trip", figure, ">= 10x", ratio >= 10)
        add("  its memory (server PSS)", f"{p['memory']['server']:.0f} MB", "", None)
    t = row["page_time"]
    figure = f"p50 {t['p50']:.1f} ms (round trip {t['trip_p50']:.1f} ms)"
    add("tip page, one at a time, server time", figure, "p50 <= 5 ms", t["p50"] <= 5)
    for name, most in (("tip", 6), ("home", 8), ("search", 4)):
        add(f"SQL statements, {name} page", str(row["sql"][name]), f"<= {most}", row["sql"][name] <= most)
    memory = row["memory"]
    rss, pss, uss = (", ".join(f"{m:.0f}" for m in memory[k]) for k in ("rss", "pss", "uss"))
    figure = f"RSS {rss} MB (PSS {pss}; private {uss})"
    add("memory per gunicorn worker", figure, "<= 100 MB", max(memory["rss"]) <= 100)
    hello = row["hello_memory"]
    figure = f"{memory['server']:.0f} MB (hello world's {hello['server']:.0f}; its workers' RSS "
    add("memory, the whole server (PSS)", figure + ", ".join(f"{m:.0f}" for m in hello["rss"]) + ")", "", None)
    if row.get("refused"):
        add("answers of 400 and above, errors", row["refused"], "none", False)
    load = "load average {:.1f}, then {:.1f}".format(*row["load"])
    print(f"\n== {size:,} tips, {backend} (hello world {row['hello']:,.0f} req/s; {load}) ==")
    print(f"  {'measure':<38}{'figure':<54}{'target':<15}met")
    print("\n".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tips", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--backend", choices=["whoosh", "postgres"], nargs="+", default=["whoosh", "postgres"])
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of hello world and tip-page loads in turn")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--django-wiki",
        action="store_true",
        help="also measure django-wiki's search on the same tips (installs it once into " + str(PEER_FOLDER) + ")",
    )
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="hello-")
    try:
        args.wrk = ensure_wrk()
        from cafpedia.config import DEFAULT_CONTENT_DIR

        words = vocabulary(DEFAULT_CONTENT_DIR)
        for size in args.tips:
            for backend in args.backend:
                show(size, backend, measure(args, size, backend, words, folder))
        print(
            f"wrk -t2 -c{args.connections} -d{args.seconds}s --timeout {WRK_TIMEOUT}, each after a 2 s warm-up; "
            f"tip pages: the median of {args.rounds} rounds; {os.cpu_count()} CPUs shared"
        )
        return 0
    except (StartFailed, OSError) as exc:  # OSError: a server that stopped answering (urllib's errors)
        print(f"bench/http.py: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
