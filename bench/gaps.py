"""An area's "What people need" page with a year of searches from 2,000 people (target: under
300 ms, SQLite and PostgreSQL).

    .venv/bin/python bench/gaps.py [--backend whoosh postgres] [--people 2000] [--days 365] [--rounds 30]

On a throwaway installation with the demo content (bench/search.py's bench_app), `fill`
(bench/demand.py) writes `days` of search demand as `people` readers make it; then, as an
administrator (who moderates every area), each area's page is asked for ROUNDS times over the
default 90 days and over 365 days, and its CSV over 365 days, through the app's WSGI callable
(request in to last byte out). It prints, per backend, the rows written and p50 and p95 for the
busiest area and for all areas together. It asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from demand import CSRF_RE, PASSWORD, fill  # noqa: E402  (bench/demand.py)
from search import bench_app, drop_bench_database, percentile  # noqa: E402  (bench/search.py)


def signed_in(app):
    client = app.test_client()
    token = CSRF_RE.search(client.get("/sign-in").get_data(as_text=True)).group(1)
    response = client.post("/sign-in", data={"csrf_token": token, "username": "demo.admin", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def timed(client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    response.get_data()
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (path, response.status_code)
    return elapsed


def run(backend: str, people: int, days: int, rounds: int) -> None:
    app, pg_name, admin = bench_app(f"bench_gaps_{backend}", backend)
    try:
        with app.app_context():
            from sqlalchemy import func, select

            from cafpedia.extensions import db
            from cafpedia.search.demand.models import SearchDemandDay

            started = time.perf_counter()
            rows = fill(people, days)
            filled = time.perf_counter() - started
            busiest = db.session.execute(
                select(SearchDemandDay.area_id, func.count())
                .group_by(SearchDemandDay.area_id)
                .order_by(func.count().desc())
            ).first()
            from cafpedia.areas.models import PracticeArea

            slugs = list(db.session.scalars(select(PracticeArea.slug).order_by(PracticeArea.id)))
            busiest_slug = db.session.get(PracticeArea, busiest[0]).slug
            if backend == "postgres":
                db.session.execute(db.text("ANALYZE"))
                db.session.commit()
        print(
            f"\n{backend}: {rows:,} rows of search demand ({people:,} people, {days} days) written in {filled:.0f} s;"
        )
        print(f"the busiest area, {busiest_slug}, has {busiest[1]:,} of them")
        client = signed_in(app)
        for path in (f"/areas/{s}/gaps" for s in slugs):  # warm: templates, caches, the index
            timed(client, path)
        print(f"{'page':44} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for label, suffix in (
            ("page, 90 days (the default)", ""),
            ("page, 365 days", "?days=365"),
            ("CSV, 365 days", ".csv?days=365"),
        ):
            for who, areas in ((f"{busiest_slug}", [busiest_slug]), ("every area", slugs)):
                times = []
                for _ in range(rounds):
                    for slug in areas:
                        times.append(timed(client, f"/areas/{slug}/gaps{suffix}"))
                times.sort()
                p50, p95 = percentile(times, 50), percentile(times, 95)
                print(f"{label + ', ' + who:44} {p50:8.1f} {p95:8.1f} {times[-1]:8.1f}")
    finally:
        drop_bench_database(pg_name, admin)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", nargs="+", default=["whoosh", "postgres"], choices=["whoosh", "postgres"])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    for backend in args.backend:
        run(backend, args.people, args.days, args.rounds)


if __name__ == "__main__":
    main()
