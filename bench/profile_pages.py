"""Where a page's time goes (issue 33): cProfile over the pages a reader opens most, in process
with the Flask test client, so the figures are the app's own (no gunicorn, no network).

    .venv/bin/python bench/profile_pages.py [--tips 1000] [--backend whoosh] [--requests 200]
                                            [--top 25]

It builds a throwaway instance as bench/http.py does (the demo content plus N synthetic tips and
their index), signs in as demo.fca, opens each page once to warm it, then profiles REQUESTS
requests of each page, rotating over 20 published tips (or 30 searches). For each page it prints
the mean milliseconds per request, the share of the time spent in each part of the stack (by the
package a function lives in: SQLAlchemy and the database driver, Jinja, Markdown and bleach,
Whoosh, Werkzeug and Flask, CAFpedia's own code) and the functions with the most cumulative
time. It asserts nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]  # bench/http.py would hide http
sys.path.insert(0, str(HERE.parent))

import argparse
import cProfile
import io
import pstats
import random
import shutil
import time
from collections import defaultdict

from bench.search import QUERIES, bench_app, drop_bench_database, populate, vocabulary

PARTS = (  # (label, a piece of the file's path); the first that matches names the part
    ("database (SQLAlchemy, driver)", ("sqlalchemy", "sqlite3", "psycopg")),
    ("templates (Jinja)", ("jinja2", "markupsafe")),
    ("Markdown and sanitising", ("markdown", "bleach", "html5lib", "tinycss2", "webencodings")),
    ("search engine (Whoosh)", ("whoosh",)),
    ("Flask, Werkzeug, Flask-Login/WTF", ("werkzeug", "flask", "wtforms", "itsdangerous")),
    ("CAFpedia", ("/cafpedia/",)),
)


def part_of(filename: str) -> str:
    for label, pieces in PARTS:
        if any(piece in filename for piece in pieces):
            return label
    return "other (standard library, …)"


def parts(stats: pstats.Stats) -> dict[str, float]:
    """Own time (tottime) summed by part of the stack, in seconds."""
    found = defaultdict(float)
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        found[part_of(filename)] += tottime
    return found


def sign_in(client) -> None:
    import re

    html = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    response = client.post("/sign-in", data={"username": "demo.fca", "password": "cafpedia-demo", "csrf_token": token})
    assert response.status_code in (302, 303), response.status_code


def profile(client, paths: list[str], n: int, top: int) -> None:
    for path in paths:
        assert client.get(path).status_code == 200, path
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for i in range(n):
        client.get(paths[i % len(paths)])
    profiler.disable()
    elapsed = time.perf_counter() - started
    stats = pstats.Stats(profiler)
    total = sum(parts(stats).values()) or 1
    print(f"  {elapsed / n * 1000:.1f} ms a request in process, under the profiler ({n} requests)")
    for label, seconds in sorted(parts(stats).items(), key=lambda kv: -kv[1]):
        print(f"    {label:38} {seconds / total:6.1%}  {seconds / n * 1000:6.2f} ms")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    lines = [line for line in out.getvalue().splitlines() if line.strip()][-top - 1 :]
    print("\n".join("    " + line for line in lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tips", type=int, default=1000)
    parser.add_argument("--backend", default="whoosh", choices=["whoosh", "postgres"])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    from sqlalchemy import select

    from cafpedia.config import DEFAULT_CONTENT_DIR
    from cafpedia.extensions import db
    from cafpedia.search import service
    from cafpedia.tips.models import Tip

    name = f"cafpedia_profile_{args.tips}"
    app, pg_name, admin = bench_app(name, args.backend)
    try:
        populate(app, args.tips, random.Random(args.tips), vocabulary(DEFAULT_CONTENT_DIR))
        with app.app_context():
            service.follower().rebuild()
            slugs = sorted(db.session.scalars(select(Tip.slug).where(Tip.status == "published")))
        tips = [f"/tips/{s}" for s in random.Random(33).sample(slugs, 20)]
        searches = [f"/search?q={q}" for q in QUERIES[:30]]
        anonymous = app.test_client()
        app.config["PUBLIC_READ"] = True
        client = app.test_client()
        sign_in(client)
        for label, who, paths in (
            ("tip page, signed in", client, tips),
            ("tip page, anonymous (public reading)", anonymous, tips),
            ("home page, signed in", client, ["/"]),
            ("search page, signed in", client, searches),
        ):
            print(f"\n== {label} ({args.tips:,} synthetic tips, {args.backend}) ==")
            profile(who, paths, args.requests, args.top)
    finally:
        with app.app_context():
            db.engine.dispose()
        drop_bench_database(pg_name, admin)
        shutil.rmtree(app.instance_path, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
