""" "As at" benchmark: a tip with many revisions, its current page against its page as at a date.

    .venv/bin/python bench/as_at.py [--revisions 200] [--rounds 40] [--backend sqlite|postgres]

On a throwaway installation with the demo content, one published tip gets REVISIONS more
revisions (each proposed by a practitioner and approved by its lead manager a day after the
last, with a review between some), then each page is fetched ROUNDS times through Flask's
test client (the whole request: sign-in session, permission rules, queries, templates):
- the tip's current page;
- the tip as at a day in the middle of its history (target: within 2x of the current page);
- the record as a PDF (WeasyPrint), for information.
It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search import bench_app, drop_bench_database, percentile  # noqa: E402  (bench/search.py)

SLUG = "family-assistance-orders-when-and-how-to-recommend"


def add_revisions(count: int) -> datetime:
    """`count` approved edits, a day apart, from October 2025; returns the moment of the middle one."""
    from cafpedia.accounts.people import find_user
    from cafpedia.core import clock
    from cafpedia.extensions import db
    from cafpedia.tips import moderation, proposals, reading, reviewing
    from cafpedia.tips.models import CHECKLIST

    tip = reading.find_tip(SLUG)
    author, lead = find_user("demo.fca"), tip.area.lead
    start, middle = datetime(2025, 10, 1, 10, 0), None  # after the demo revision (approved 22 September 2025)
    for n in range(count):
        clock.pin(start + timedelta(days=n))
        current = tip.current
        draft = proposals.draft_from(current)
        draft.body, draft.change_note, draft.confirm_safe = (
            current.body.split("\n\nEdit ")[0] + f"\n\nEdit {n + 1}: one more point.",
            f"Edit {n + 1}",
            True,
        )
        revision = proposals.propose_edit(author, tip, based_on=tip.current_number, draft=draft)
        clock.pin(start + timedelta(days=n, hours=3))
        moderation.approve(lead, revision, checklist=list(CHECKLIST), confidentiality_confirmed=False)
        if n % 10 == 5:
            reviewing.mark_reviewed(lead, tip, note="Still holds")
        db.session.commit()
        if n == count // 2:
            middle = start + timedelta(days=n, hours=6)
    clock.unpin()
    return middle


def timed(client, path: str, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return times


def run(revisions: int, rounds: int, backend: str) -> None:
    from cafpedia.extensions import db

    app, pg_name, admin = bench_app(
        f"cafpedia_bench_as_at_{revisions}", "postgres" if backend == "postgres" else "whoosh"
    )
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        with app.app_context():
            t = time.perf_counter()
            middle = add_revisions(revisions)
            print(f"\n== {SLUG}: {revisions} more revisions ({backend}) ==  written in {time.perf_counter() - t:.1f} s")
            db.session.remove()
        gc.collect()
        gc.freeze()  # as each gunicorn worker does once its app is built (cafpedia/server.py)
        client = app.test_client()
        client.post("/sign-in", data={"username": "demo.fca", "password": "cafpedia-demo"})
        day = middle.date().isoformat()
        pages = {"current page": f"/tips/{SLUG}", f"as at {day}": f"/tips/{SLUG}?as_at={day}"}
        for path in pages.values():
            timed(client, path, 3)  # warm up
        results = {name: timed(client, path, rounds) for name, path in pages.items()}
        for name, times in results.items():
            print(f"{name:>22}: p50 {percentile(times, 50):6.1f} ms, p95 {percentile(times, 95):6.1f} ms")
        ratio = percentile(results[f"as at {day}"], 50) / percentile(results["current page"], 50)
        print(f"as at / current (p50): {ratio:.2f}x (target: within 2x)")
        pdf = timed(client, f"/tips/{SLUG}/record?as_at={day}", max(3, rounds // 8))
        print(f"{'record PDF':>22}: p50 {percentile(pdf, 50):6.1f} ms")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        drop_bench_database(pg_name, admin)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--revisions", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    run(args.revisions, args.rounds, args.backend)


if __name__ == "__main__":
    main()
