"""Search benchmark: index build rate, query latency at 10,000 and 50,000 documents, and
the time from approving a tip to finding it.

    .venv/bin/python bench/search.py [--sizes 10000 50000] [--backend whoosh postgres]

Builds a synthetic knowledge base of N tips (150-600 words each, written from the demo
content's own vocabulary) in a throwaway SQLite database (or, with --backend postgres, a
throwaway PostgreSQL database), then measures through the real search service, snippets
and permission filtering included. It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUERIES = [
    "s7 report",
    "seeing children",
    "domestic violence",
    "EDR",
    "family group conference",
    "interpreters",
    "welfare checklist",
    "contact centre handover",
    "safeguarding checks",
    "care plan",
    "children's guardian",
    "risk assessment",
    "complaints",
    "supervision",
    "lone working",
    "court conciliation",
    "wishes and feelings",
    "adoption consent",
    "special guardianship",
    "section 31",
    "IRO",
    "local authority",
    "coaching",
    "kind:guidance",
    "area:private-law report",
    "standard:5.1",
    "tag:edr",
    '"first hearing"',
    "safguarding",
    "CAF/CASS",
]


def vocabulary(content_dir: Path) -> list[str]:
    words = []
    for path in sorted(content_dir.glob("tips/*/*.md")):
        body = path.read_text().split("---", 2)[-1]
        words.extend(re.findall(r"[A-Za-z][A-Za-z'-]+", body))
    return words


def make_text(rng: random.Random, words: list[str], n_words: int) -> str:
    start = rng.randrange(0, len(words) - 60)
    out, i = [], start
    while len(out) < n_words:
        if rng.random() < 0.08:  # jump elsewhere: text that reads like practice guidance, not a copy
            i = rng.randrange(0, len(words) - 1)
        out.append(words[i % len(words)])
        i += 1
    sentences, line = [], []
    for w in out:
        line.append(w)
        if len(line) > rng.randint(8, 20):
            sentences.append("- " + " ".join(line).capitalize() + ".")
            line = []
    return "\n".join(sentences + [" ".join(line)])


def populate(app, n: int, rng: random.Random, words: list[str]) -> None:
    from sqlalchemy import insert, select

    from cafpedia.accounts.models import User
    from cafpedia.areas.models import PracticeArea
    from cafpedia.extensions import db
    from cafpedia.tips.models import Revision, Tip

    with app.app_context():
        areas = list(db.session.scalars(select(PracticeArea.id)))
        authors = list(db.session.scalars(select(User.id)))
        first_id = (db.session.scalar(select(Tip.id).order_by(Tip.id.desc()).limit(1)) or 0) + 1
        now = datetime(2026, 6, 1)
        for start in range(0, n, 1000):
            tips, revisions = [], []
            for k in range(start, min(n, start + 1000)):
                tip_id = first_id + k
                pending = rng.random() < 0.03
                title = " ".join(rng.sample(words, rng.randint(4, 9))).capitalize()
                tips.append(
                    {
                        "id": tip_id,
                        "slug": f"synthetic-{tip_id}",
                        "area_id": rng.choice(areas),
                        "status": "pending" if pending else "published",
                        "current_number": None if pending else 1,
                        "review_by": date(2027, 6, 1),
                        "views": rng.randint(0, 500),
                        "created_at": now - timedelta(days=rng.randint(0, 900)),
                        "published_at": None if pending else now,
                    }
                )
                revisions.append(
                    {
                        "tip_id": tip_id,
                        "number": 1,
                        "title": title,
                        "kind": "guidance" if rng.random() < 0.15 else "tip",
                        "body": make_text(rng, words, rng.randint(150, 600)),
                        "tags": [rng.choice(["edr", "private-law", "contact", "s7"])],
                        "legal_refs": [],
                        "author_id": rng.choice(authors),
                        "created_at": now,
                        "status": "pending" if pending else "published",
                        "flags": [],
                        "author_confirmed_safe": False,
                    }
                )
            db.session.execute(insert(Tip), tips)
            db.session.execute(insert(Revision), revisions)
            db.session.commit()
        if db.engine.dialect.name == "postgresql":  # explicit ids do not move the sequence on
            from sqlalchemy import text

            db.session.execute(text("SELECT setval(pg_get_serial_sequence('tips', 'id'), (SELECT max(id) FROM tips))"))
            db.session.commit()


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bench_app(name: str, backend: str):
    """(an app on a throwaway database with the demo content loaded, the PostgreSQL database's
    name or None, the admin engine that drops it or None)."""
    from cafpedia import create_app
    from cafpedia.cli.installation import upgrade_database
    from cafpedia.config import DEFAULT_CONTENT_DIR
    from cafpedia.content.loader import load_folder
    from cafpedia.extensions import db

    folder = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    config = {
        "INSTANCE_PATH": str(folder),
        "SECRET_KEY": "bench",
        "SEARCH_DIR": str(folder / "search"),
        "SEARCH_BACKEND": backend,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }
    pg_name, admin = None, None
    if backend == "postgres":
        from sqlalchemy import create_engine, text

        pg_name = name
        admin = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/test", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
        config["SQLALCHEMY_DATABASE_URI"] = f"postgresql+psycopg://postgres@127.0.0.1:5432/{pg_name}"
    else:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app(config)
    with app.app_context():
        upgrade_database()
        load_folder(DEFAULT_CONTENT_DIR)
        db.session.commit()
    return app, pg_name, admin


def drop_bench_database(pg_name: str | None, admin) -> None:
    if pg_name:
        from sqlalchemy import text

        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
        admin.dispose()


def run(size: int, backend: str, words: list[str]) -> float:
    """The query latency's p95 in ms (and prints the rest)."""
    from cafpedia.accounts.people import find_user
    from cafpedia.extensions import db
    from cafpedia.search import service
    from cafpedia.tips.models import CHECKLIST
    from cafpedia.tips.moderation import approve
    from cafpedia.tips.proposals import Draft, propose_new_tip

    app, pg_name, admin = bench_app(f"cafpedia_bench_{size}", backend)
    rng = random.Random(size)
    t = time.perf_counter()
    populate(app, size, rng, words)
    print(f"\n== {size:,} synthetic tips ({backend}) ==  database filled in {time.perf_counter() - t:.1f} s")

    with app.app_context():
        t = time.perf_counter()
        count = service.rebuild()
        elapsed = time.perf_counter() - t
        print(f"full rebuild: {count:,} documents in {elapsed:.1f} s = {count / elapsed:,.0f} documents/s")

    with app.app_context():
        reader, lead = find_user("demo.fca"), find_user("priya.chandran")
        cold = []
        for q in QUERIES:  # the first search of each query after the index was opened
            t = time.perf_counter()
            service.search(reader, q)
            cold.append((time.perf_counter() - t) * 1000)
        print(
            f"first run of each query, caches cold: p50 {percentile(cold, 50):.1f} ms, p95 {percentile(cold, 95):.1f} "
            f"ms, "
            f"max {max(cold):.1f} ms"
        )
        times = []
        for _ in range(3):
            for i, q in enumerate(QUERIES):
                user = lead if i % 5 == 0 else reader  # some searches by a moderator, who also sees proposals
                t = time.perf_counter()
                found = service.search(user, q)
                times.append((time.perf_counter() - t) * 1000)
                assert found.problem is None, found.problem
        print(
            f"query latency, as a running server answers, over {len(times)} searches ({len(QUERIES)} queries x 3): p50 "
            f"{percentile(times, 50):.1f} ms, "
            f"p95 {percentile(times, 95):.1f} ms, max {max(times):.1f} ms"
        )

        draft = Draft(title="Benchmark quetzalcoatl tip", body="- A tip with the unique word quetzalcoatl.")
        revision = propose_new_tip(find_user("demo.fca"), area_slug="private-law", slug=None, draft=draft)
        db.session.commit()
        service.drain()
        t = time.perf_counter()
        approve(lead, revision, checklist=list(CHECKLIST), confidentiality_confirmed=False)
        db.session.commit()
        service.drain(timeout=2.0)  # what the approving request does after its response is built
        while not service.search(reader, "quetzalcoatl").total:
            time.sleep(0.01)
        print(f"approve to findable: {(time.perf_counter() - t) * 1000:.0f} ms")
        db.engine.dispose()
    drop_bench_database(pg_name, admin)
    return percentile(times, 95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument(
        "--backend",
        choices=["whoosh", "postgres"],
        nargs="+",
        default=["whoosh"],
        help="one or both: with both, the same corpus is measured on each, and compared",
    )
    args = parser.parse_args()
    from cafpedia.config import DEFAULT_CONTENT_DIR

    words = vocabulary(DEFAULT_CONTENT_DIR)
    print(f"vocabulary: {len(words):,} words from the demo tips; {len(QUERIES)} typical queries")
    p95 = {(size, backend): run(size, backend, words) for size in args.sizes for backend in args.backend}
    if len(args.backend) > 1:
        print("\n== p95 query latency, side by side ==")
        for size in args.sizes:
            figures = ", ".join(f"{b} {p95[size, b]:.1f} ms" for b in args.backend)
            ratio = p95[size, "postgres"] / p95[size, "whoosh"] if {"postgres", "whoosh"} <= set(args.backend) else None
            print(f"{size:,} documents: {figures}" + (f"; PostgreSQL/Whoosh {ratio:.1f}x" if ratio else ""))


if __name__ == "__main__":
    main()
