"""Search outbox benchmark: what a drain costs.

    .venv/bin/python bench/drain.py [--size 5000] [--backend whoosh|postgres] [--processes 4]

On a synthetic knowledge base of SIZE tips (bench/search.py builds it), it measures through
the real search service:
- one change, one drain, as the request that made the change does it (p50, p95);
- a bulk drain: every tip queued at once, as after `cafpedia load` (documents per second);
- PROCESSES processes each making 50 changes and draining after each, at the same time:
  the wall time, and what was left queued when they finished.
It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search import bench_app, drop_bench_database, percentile, populate, vocabulary  # noqa: E402  (bench/search.py)

CHANGER = textwrap.dedent("""
    import json, sys, time
    from sqlalchemy import select
    from cafpedia import create_app
    from cafpedia.extensions import db
    from cafpedia.search import service
    from cafpedia.tips.models import Revision, Tip

    config, worker, count = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    app = create_app(config)
    with app.app_context():
        ids = list(db.session.scalars(select(Tip.id).where(Tip.status == "published").order_by(Tip.id).limit(40)))
        for n in range(count):
            tip_id = ids[(worker + n) % len(ids)]
            revision = db.session.scalars(select(Revision).where(Revision.tip_id == tip_id)).first()
            kept = revision.body.split(chr(10) + "Changed by")[0]
            revision.body = f"{kept}\\nChanged by worker {worker}, change {n}."
            db.session.commit()
            service.follower().drain(timeout=2.0)
        db.engine.dispose()
""")


def change_one(db, Revision, rng, ids) -> None:
    revision = db.session.get(Revision, rng.choice(ids))
    revision.body = revision.body + f"\n- Changed {rng.random()}."
    db.session.commit()


def run(size: int, backend: str, processes: int, words: list[str]) -> None:
    from sqlalchemy import select

    from cafpedia.extensions import db
    from cafpedia.search import service
    from cafpedia.search.models import SearchQueueEntry
    from cafpedia.tips.models import Revision, Tip

    app, pg_name, admin = bench_app(f"cafpedia_drain_{size}", backend)
    config = app.config
    rng = random.Random(size)
    populate(app, size, rng, words)
    with app.app_context():
        service.follower().rebuild()
        print(f"\n== {size:,} synthetic tips, {backend} backend ==")
        revision_ids = list(db.session.scalars(select(Revision.id).join(Tip).where(Tip.status == "published")))

        times = []
        for _ in range(200):
            change_one(db, Revision, rng, revision_ids)
            t = time.perf_counter()
            service.follower().drain(timeout=2.0)
            times.append((time.perf_counter() - t) * 1000)
        print(
            f"one change, one drain (200 times): p50 {percentile(times, 50):.1f} ms, p95 {percentile(times, 95):.1f} ms"
        )

        keys = sorted(
            {k for tip in db.session.scalars(select(Tip)) for k in service.follower().sources.keys_for(tip, db.session)}
        )
        db.session.add_all(SearchQueueEntry(key=k) for k in keys)
        db.session.commit()
        t = time.perf_counter()
        done = service.follower().drain(timeout=10.0)
        elapsed = time.perf_counter() - t
        print(
            f"bulk drain: {done:,} documents in {elapsed:.2f} s = {done / elapsed:,.0f} documents/s; left queued: "
            f"{service.follower().queue_length()}"
        )
        db.engine.dispose()

    child = {
        k: config[k]
        for k in ("SECRET_KEY", "SEARCH_DIR", "SEARCH_BACKEND", "PASSWORD_HASH_METHOD", "SQLALCHEMY_DATABASE_URI")
    }
    child["INSTANCE_PATH"] = app.instance_path
    t = time.perf_counter()
    procs = [
        subprocess.Popen([sys.executable, "-c", CHANGER, json.dumps(child), str(w), "50"]) for w in range(processes)
    ]
    for proc in procs:
        proc.wait()
    elapsed = time.perf_counter() - t
    with app.app_context():
        left = service.follower().queue_length()
        t = time.perf_counter()
        service.follower().drain(timeout=10.0)
        final = (time.perf_counter() - t) * 1000
        print(
            f"{processes} processes x 50 changes, each drained at once: {elapsed:.1f} s wall; {left} left queued, "
            f"drained after in {final:.0f} ms"
        )
        db.engine.dispose()
    drop_bench_database(pg_name, admin)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--backend", choices=["whoosh", "postgres"], default="whoosh")
    parser.add_argument("--processes", type=int, default=4)
    args = parser.parse_args()
    from cafpedia.config import DEFAULT_CONTENT_DIR

    run(args.size, args.backend, args.processes, vocabulary(DEFAULT_CONTENT_DIR))


if __name__ == "__main__":
    main()
