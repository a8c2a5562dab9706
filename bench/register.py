"""Register of Experts benchmark: how long the advice-line pages take, on the demo register and
on a register of N experts (synthetic, written from the demo entries).

    .venv/bin/python bench/register.py [--experts 500] [--rounds 20]

Loads the demo content into a throwaway SQLite database, optionally adds synthetic experts
with varied slots and a rota, then times each page through Flask's test client (the whole
request: permission rules, queries, availability, templates). It prints figures; it asserts
nothing. The issue sets no speed target: these figures are for comparison over time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAGES = [
    "/",
    "/experts",
    "/experts?area=adoption&now=y",
    "/experts?q=special+guardianship",
    "/experts/nasreen-akhtar",
    "/areas/adoption",
    "/advice-line/report",
    "/experts/register",
    "/experts/rota",
]
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat")


def add_experts(count: int) -> None:
    from cafpedia.areas.services import list_areas
    from cafpedia.core import clock
    from cafpedia.experts.models import REGIONS, Expert, ExpertArea, RotaDay, RotaShift
    from cafpedia.extensions import db

    rng = random.Random(7)
    areas = list_areas()
    for n in range(count):
        start = rng.choice([8, 9, 10, 13, 14, 17])
        slots = sorted({f"{day} {start:02d}:00-{start + 3:02d}:00" for day in rng.sample(DAYS, 3)})
        expert = Expert(
            slug=f"bench-expert-{n}",
            name=f"Bench Expert {n}",
            job_title="Family Court Adviser",
            region=rng.choice(REGIONS),
            skills=["adoption", f"skill {n % 40}"],
            languages=["English"],
            phone="0113 496 0000",
            email=f"bench{n}@example.org",
            availability=slots,
            about="Synthetic entry.",
            active=True,
            review_by=clock.today() + timedelta(days=rng.randint(-30, 300)),
        )
        expert.area_links = [ExpertArea(area=a, position=i) for i, a in enumerate(rng.sample(areas, 2))]
        db.session.add(expert)
    db.session.flush()
    monday = clock.today() - timedelta(days=clock.today().weekday())
    ids = [e.id for e in db.session.query(Expert)]
    for offset in (2, 9):
        day = monday + timedelta(days=offset)
        if db.session.get(RotaDay, day) is None:
            db.session.add(
                RotaDay(
                    day=day,
                    note="Bench rota",
                    shifts=[RotaShift(expert_id=i, starts="09:00", ends="17:00") for i in ids[:20]],
                )
            )
    db.session.commit()


def measure(app, rounds: int) -> None:
    client = app.test_client()
    client.post("/sign-in", data={"username": "register.admin", "password": "cafpedia-demo"})
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(f"  {url:38} median {statistics.median(times):6.1f} ms   p95 {times[int(len(times) * 0.95) - 1]:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--experts", type=int, nargs="*", default=[0, 500], help="synthetic experts to add to the demo register"
    )
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    from cafpedia import create_app
    from cafpedia.config import DEFAULT_CONTENT_DIR
    from cafpedia.content.loader import load_folder
    from cafpedia.extensions import db

    for extra in args.experts:
        folder = Path(tempfile.mkdtemp(prefix="cafpedia-bench-register-"))
        app = create_app(
            {
                "SECRET_KEY": "bench",
                "INSTANCE_PATH": str(folder / "instance"),
                "SEARCH_DIR": str(folder / "search"),
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
                "WTF_CSRF_ENABLED": False,
            }
        )
        with app.app_context():
            from cafpedia.cli.installation import upgrade_database

            upgrade_database()
            load_folder(DEFAULT_CONTENT_DIR)
            db.session.commit()
            add_experts(extra)
            print(
                f"Demo register plus {extra} synthetic experts ({18 + extra} entries), {args.rounds} requests a page:"
            )
        measure(app, args.rounds)


if __name__ == "__main__":
    main()
