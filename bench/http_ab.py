"""Before and after, side by side: the tip page's throughput of two checkouts of CAFpedia on one
instance, their servers alternated round by round, so that both meet the same moments of a
shared machine (whose speed moves by half within an hour).

    .venv/bin/python bench/http_ab.py BEFORE_CHECKOUT AFTER_CHECKOUT [--tips 1000]
                                      [--backend whoosh] [--rounds 4] [--seconds 6]

Each checkout is a folder holding a CAFpedia (a `git worktree add` of the older commit, say);
its server runs that folder's code (`python -m cafpedia serve --workers 2 --no-worker`, as
bench/http.py starts it), on an instance bench/http.py's `prepare` builds once with this
checkout's code and migrations (so the older commit must read the same schema). Each round
starts one checkout's server, loads its tip pages signed out and then signed in (wrk, as
bench/http.py), stops it, then does the same for the other. It prints each round and the
medians; it asserts nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]  # as bench/http.py
sys.path.insert(0, str(HERE.parent))

import argparse
import os
import shutil
import statistics

from bench import http as bench_http
from bench.search import drop_bench_database, vocabulary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkouts", nargs=2, help="the two checkouts: before, then after")
    parser.add_argument("--tips", type=int, default=1000)
    parser.add_argument("--backend", choices=["whoosh", "postgres"], default="whoosh")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    args.wrk = bench_http.ensure_wrk()
    from cafpedia.config import DEFAULT_CONTENT_DIR

    app, tips, pg_name, admin = bench_http.prepare(args.tips, args.backend, vocabulary(DEFAULT_CONTENT_DIR))
    found = {checkout: {"anon": [], "signed": []} for checkout in args.checkouts}
    try:
        for n in range(args.rounds):
            for checkout in args.checkouts:
                env = os.environ | bench_http.instance_env(app, args.backend) | {"PYTHONPATH": checkout}
                command = [sys.executable, "-m", "cafpedia", "serve", "--workers", "2", "--no-worker", "--port"]
                server = bench_http.Server("cafpedia", lambda port, c=command: [*c, port], env, checkout)
                try:
                    server.wait_ready()
                    cookie = bench_http.sign_in(server.url)
                    anon = bench_http.load(args, server.url, tips)
                    signed = bench_http.load(args, server.url, tips, {"Cookie": cookie})
                finally:
                    server.stop()
                found[checkout]["anon"].append(anon["rps"])
                found[checkout]["signed"].append(signed["rps"])
                errors = ", ".join(e for e in (anon["errors"], signed["errors"]) if e)
                figures = f"signed out {anon['rps']:,.0f}/s, signed in {signed['rps']:,.0f}/s"
                print(f"round {n + 1}  {checkout}: {figures} {errors}", flush=True)
    finally:
        drop_bench_database(pg_name, admin)
        shutil.rmtree(app.instance_path, ignore_errors=True)
    load = f"wrk -c{args.connections} -d{args.seconds}s"
    print(f"\n{args.tips:,} tips, {args.backend}: medians of {args.rounds} rounds ({load})")
    for checkout, loads in found.items():
        medians = {key: statistics.median(values) for key, values in loads.items()}
        print(f"  {checkout}: signed out {medians['anon']:,.0f}/s, signed in {medians['signed']:,.0f}/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
