"""Search benchmark: index build rate, query latency at 10,000 and 50,000 documents, and
the time from approving a tip to finding it.

    .venv/bin/python bench/search.py [--sizes 10000 50000] [--backend whoosh postgres]

Builds a synthetic knowledge base of N tips (150-600 words each, written from the demo
content's own vocabulary) in a throwaway SQLite database (or, with --backend postgres, a
throwaway PostgreSQL database), then measures through the real search service, snippets
and permission filtering included, uncached (there is no result cache): a mix of one-word,
phrase and acronym queries (QUERIES, each with its type), and the first search after a process
starts, in a new process on the database and index already built. It prints figures, and a
table side by side; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Typical queries, each with its type: a mix of one word, quoted phrases, acronyms (found through
# the synonym list), several words, filters alone, and a misspelling.
QUERIES = [
    ("children", "one word"),
    ("court", "one word"),
    ("report", "one word"),
    ("family", "one word"),
    ("safeguarding", "one word"),
    ("interpreters", "one word"),
    ("complaints", "one word"),
    ("supervision", "one word"),
    ("coaching", "one word"),
    ("hearing", "one word"),
    ('"first hearing"', "phrase"),
    ('"welfare checklist"', "phrase"),
    ('"wishes and feelings"', "phrase"),
    ('"local authority"', "phrase"),
    ('"risk assessment"', "phrase"),
    ('"contact centre"', "phrase"),
    ('"the child"', "phrase"),
    ("EDR", "acronym"),
    ("IRO", "acronym"),
    ("FGC", "acronym"),
    ("SGO", "acronym"),
    ("MIAM", "acronym"),
    ("DV", "acronym"),
    ("CAF/CASS", "acronym"),
    ("s7", "acronym"),
    ("PLO", "acronym"),
    ("FHDRA", "acronym"),
    ("s7 report", "words"),
    ("seeing children", "words"),
    ("domestic violence", "words"),
    ("family group conference", "words"),
    ("contact centre handover", "words"),
    ("safeguarding checks", "words"),
    ("care plan", "words"),
    ("children's guardian", "words"),
    ("lone working", "words"),
    ("court conciliation", "words"),
    ("adoption consent", "words"),
    ("special guardianship", "words"),
    ("section 31", "words"),
    ("kind:guidance", "filter"),
    ("area:private-law report", "filter"),
    ("standard:5.1", "filter"),
    ("tag:edr", "filter"),
    ("safguarding", "typo"),
]
TYPES = ("one word", "phrase", "acronym")  # shown apart in the table
FIRST_SEARCHES = ["children", '"first hearing"', "EDR"]  # each in a fresh process


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


CONFIG_KEYS = ("SECRET_KEY", "SEARCH_DIR", "SEARCH_BACKEND", "PASSWORD_HASH_METHOD", "SQLALCHEMY_DATABASE_URI")


def first_search(config: dict, query: str) -> None:
    """In a fresh process (see `first_searches`): the first search after the app starts, on the
    database and index already built, printed in ms."""
    from cafpedia import create_app
    from cafpedia.accounts.people import find_user
    from cafpedia.search import service

    app = create_app(config)
    with app.app_context():
        reader = find_user("demo.fca")
        t = time.perf_counter()
        found = service.search(reader, query)
        elapsed = (time.perf_counter() - t) * 1000
        assert found.problem is None, found.problem
    print(f"{elapsed:.1f}")


def first_searches(app) -> list[float]:
    """The first search after a process starts, once per query of FIRST_SEARCHES, each in a new
    process (imports done, the app made, nothing searched yet), in ms."""
    config = {k: app.config[k] for k in CONFIG_KEYS} | {"INSTANCE_PATH": app.instance_path}
    found = []
    for query in FIRST_SEARCHES:
        out = subprocess.run(
            [sys.executable, __file__, "--first-search", json.dumps(config), query],
            capture_output=True,
            text=True,
            check=True,
        )
        found.append(float(out.stdout.split()[-1]))
    return found


def run(size: int, backend: str, words: list[str]) -> dict:
    """The figures in ms (and prints them): p50 and p95 over every query, p95 of each type in
    TYPES, and the slowest first search in a new process."""
    from cafpedia.accounts.people import find_user
    from cafpedia.extensions import db
    from cafpedia.search import service
    from cafpedia.tips.models import CHECKLIST
    from cafpedia.tips.moderation import approve
    from cafpedia.tips.proposals import Draft, propose_new_tip

    app, pg_name, admin = bench_app(f"cafpedia_bench_{size}_{os.getpid()}", backend)
    rng = random.Random(size)
    t = time.perf_counter()
    populate(app, size, rng, words)
    print(f"\n== {size:,} synthetic tips ({backend}) ==  database filled in {time.perf_counter() - t:.1f} s")

    with app.app_context():
        t = time.perf_counter()
        count = service.follower().rebuild()
        elapsed = time.perf_counter() - t
        print(f"full rebuild: {count:,} documents in {elapsed:.1f} s = {count / elapsed:,.0f} documents/s")
        db.engine.dispose()
    first = first_searches(app)
    shown = ", ".join(f"{q} {ms:.0f} ms" for q, ms in zip(FIRST_SEARCHES, first, strict=True))
    print(f"first search after a process starts (each in a new process): {shown}")

    with app.app_context():
        reader, lead = find_user("demo.fca"), find_user("priya.chandran")
        cold = []
        for q, _ in QUERIES:  # the first search of each query in this process
            t = time.perf_counter()
            service.search(reader, q)
            cold.append((time.perf_counter() - t) * 1000)
        print(f"first run of each query: p50 {percentile(cold, 50):.1f} ms, p95 {percentile(cold, 95):.1f} ms")
        times, by_type, bounded = [], {}, set()
        for _ in range(3):
            for i, (q, kind) in enumerate(QUERIES):
                user = lead if i % 5 == 0 else reader  # some searches by a moderator, who also sees proposals
                t = time.perf_counter()
                found = service.search(user, q)
                ms = (time.perf_counter() - t) * 1000
                assert found.problem is None, found.problem
                times.append(ms)
                by_type.setdefault(kind, []).append(ms)
                if found.results and not getattr(found.results, "total_exact", True):  # (True before the bound)
                    bounded.add(q)
        print(
            f"query latency, uncached, over {len(times)} searches ({len(QUERIES)} queries x 3): "
            f"p50 {percentile(times, 50):.1f} ms, p95 {percentile(times, 95):.1f} ms, max {max(times):.1f} ms; "
            f"{len(bounded)} queries matched more than the count's bound"
        )
        print("p95 by type: " + ", ".join(f"{k} {percentile(v, 95):.1f} ms" for k, v in by_type.items()))

        draft = Draft(title="Benchmark quetzalcoatl tip", body="- A tip with the unique word quetzalcoatl.")
        revision = propose_new_tip(find_user("demo.fca"), area_slug="private-law", slug=None, draft=draft)
        db.session.commit()
        service.follower().drain()
        t = time.perf_counter()
        approve(lead, revision, checklist=list(CHECKLIST), confidentiality_confirmed=False)
        db.session.commit()
        service.follower().drain(timeout=2.0)  # what the approving request does after its response is built
        while not service.search(reader, "quetzalcoatl").total:
            time.sleep(0.01)
        print(f"approve to findable: {(time.perf_counter() - t) * 1000:.0f} ms")
        db.engine.dispose()
    drop_bench_database(pg_name, admin)
    return {
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        **{kind: percentile(by_type[kind], 95) for kind in TYPES},
        "first": max(first),
    }


def table(figures: dict, sizes: list[int], backends: list[str]) -> None:
    """Side by side: one row per size and backend, uncached (there is no result cache)."""
    columns = ["p50", "p95", *(f"p95 {t}" for t in TYPES), "first search"]
    print("\n== query latency in ms, uncached, side by side ==")
    print(f"{'documents':>9}  {'backend':<8}" + "".join(f"{c:>16}" for c in columns) + "  PostgreSQL/Whoosh p95")
    for size in sizes:
        for backend in backends:
            row = figures[size, backend]
            values = [row["p50"], row["p95"], *(row[t] for t in TYPES), row["first"]]
            ratio = ""
            if backend == "postgres" and (size, "whoosh") in figures:
                ratio = f"  {row['p95'] / figures[size, 'whoosh']['p95']:.1f}x"
            print(f"{size:>9,}  {backend:<8}" + "".join(f"{v:>16.1f}" for v in values) + ratio)


def main() -> None:
    if sys.argv[1:2] == ["--first-search"]:
        first_search(json.loads(sys.argv[2]), sys.argv[3])
        return
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
    figures = {(size, backend): run(size, backend, words) for size in args.sizes for backend in args.backend}
    table(figures, args.sizes, args.backend)


if __name__ == "__main__":
    main()
