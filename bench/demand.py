"""Search demand: what recording a search adds to the search page, and a year of demand for the
gaps pages' benchmark.

    .venv/bin/python bench/demand.py [--rounds 20] [--fill-people 2000 --fill-days 365]

On a throwaway installation with the demo content (SQLite, Whoosh), signed in as demo.fca,
each query of bench/search.py's QUERIES is asked through the app's WSGI callable ROUNDS times
with recording and ROUNDS times without (the two interleaved, so that drift hits both alike):
- the search page, request in to last byte out, p50 and p95 of each, and the difference
  (target: at most 1 ms added: `note_search` only appends to a buffer);
- the flush that follows each response (`response.close()`, after the reader has the page):
  guard, meaning, hash and insert, p50 and p95 (the reader never waits for it);
- `note_search` alone, by timeit.
Then `fill(people, days)` writes a year of demand and reports its rows and time. It asserts
nothing.

`fill` is for other benchmarks (bench/gaps.py): inside an app context on a database with the
areas loaded, `from demand import fill` (with bench/ on sys.path) and call it.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
import timeit
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search import QUERIES, bench_app, percentile  # noqa: E402  (bench/search.py)

PASSWORD = "cafpedia-demo"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _vocabulary(rng: random.Random) -> list[tuple[str, str]]:
    """(stem, a word written with it) for the demo tips' words, most used first."""
    from cafpedia.config import DEFAULT_CONTENT_DIR
    from cafpedia.search.meaning import QUESTION_WORDS
    from cafpedia.search.text import tokens

    counts: Counter = Counter()
    written: dict[str, str] = {}
    for path in sorted((DEFAULT_CONTENT_DIR / "tips").rglob("*.md")):
        for word in re.findall(r"[a-z][a-z-]{3,}", path.read_text(encoding="utf-8").lower()):
            for stem in tokens(word):
                if stem not in QUESTION_WORDS:
                    counts[stem] += 1
                    written.setdefault(stem, word)
    return [(stem, written[stem]) for stem, _ in counts.most_common(1500)]


def _meanings(rng: random.Random, how_many: int) -> list[tuple[str, str]]:
    """(meaning key, an example as typed): one to three of the tips' words, common ones most often."""
    vocabulary = _vocabulary(rng)
    weights = [1 / (rank + 10) for rank in range(len(vocabulary))]
    found: dict[str, str] = {}
    while len(found) < how_many:
        picked = {stem: word for stem, word in rng.choices(vocabulary, weights=weights, k=rng.choice((1, 2, 2, 3)))}
        key = " ".join(sorted(picked))
        found.setdefault(key, " ".join(picked.values()))
    return list(found.items())


def fill(
    people: int = 2000,
    days: int = 365,
    *,
    meanings: int = 4000,
    per_day: float = 5.0,
    seed: int = 1,
    until: date | None = None,
) -> int:
    """Write a year (`days`, up to and including `until`, default the clock's today) of
    `search_demand_days` as `people` readers would make it, and commit; the rows written.

    Call it in an app context on a database whose practice areas exist (the demo content). Rows
    already there for those days are replaced. The shape:
    - each person works in one area (spread over the areas, the first ones larger) and searches
      on working days only (Monday to Friday, not England's bank holidays), `per_day` searches on
      average (0 to twice as many);
    - what they search for is one of `meanings` distinct meanings (one to three of the demo tips'
      words), drawn with a long tail (Zipf-like: a few meanings very often, most once or twice);
    - 80% of searches are counted in the searcher's area, the rest in another area;
    - a meaning far down the tail finds nothing more often (5% for the most common, up to 60%),
      and 55% of the searches that find something have a result opened;
    - `people` counts a person once per meaning and area, as recording does: again only after
      90 days (their hashes can no longer be matched)."""
    from sqlalchemy import delete, insert, select

    from cafpedia.areas.models import PracticeArea
    from cafpedia.core import clock
    from cafpedia.extensions import db
    from cafpedia.search.demand.models import SearchDemandDay

    rng = random.Random(seed)
    until = until or clock.today()
    first = until - timedelta(days=days - 1)
    areas = list(db.session.scalars(select(PracticeArea.id).order_by(PracticeArea.position)))
    if not areas:
        raise RuntimeError("fill needs the practice areas (load the demo content first)")
    home = rng.choices(areas, weights=[1 / (n + 2) for n in range(len(areas))], k=people)
    keys = _meanings(rng, meanings)
    cumulative, total = [], 0.0
    for rank in range(len(keys)):
        total += 1 / (rank + 1) ** 1.05
        cumulative.append(total)
    nothing_rate = [0.05 + 0.55 * rank / len(keys) for rank in range(len(keys))]
    last_counted: dict[tuple[int, int, int], date] = {}
    rows = []
    day = first
    while day <= until:
        if day.weekday() < 5 and day not in clock.bank_holidays(day.year):
            cells: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
            for person in range(people):
                searches = rng.randint(0, int(per_day * 2))
                for rank in rng.choices(range(len(keys)), cum_weights=cumulative, k=searches):
                    area = home[person] if rng.random() < 0.8 else rng.choice(areas)
                    cell = cells[area, rank]
                    cell[0] += 1
                    seen = last_counted.get((person, rank, area))
                    if seen is None or (day - seen).days > 90:
                        cell[1] += 1
                        last_counted[person, rank, area] = day
                    if rng.random() < nothing_rate[rank]:
                        cell[2] += 1
                    elif rng.random() < 0.55:
                        cell[3] += 1
            for (area, rank), (searches, new, nothing, opened) in cells.items():
                key, example = keys[rank]
                rows.append(
                    {
                        "day": day,
                        "area_id": area,
                        "meaning_key": key,
                        "example": example,
                        "searches": searches,
                        "people": new,
                        "found_nothing": nothing,
                        "opened": opened,
                    }
                )
        day += timedelta(days=1)
    db.session.execute(delete(SearchDemandDay).where(SearchDemandDay.day.between(first, until)))
    for start in range(0, len(rows), 20_000):
        db.session.execute(insert(SearchDemandDay), rows[start : start + 20_000])
    db.session.commit()
    return len(rows)


def _signed_in_cookie(app) -> str:
    client = app.test_client()
    token = CSRF_RE.search(client.get("/sign-in").get_data(as_text=True)).group(1)
    answer = client.post("/sign-in", data={"username": "demo.fca", "password": PASSWORD, "csrf_token": token})
    assert answer.status_code in (302, 303), answer.status_code
    name = app.config["SESSION_COOKIE_NAME"]
    return f"{name}={client.get_cookie(name).value}"


def _ask(app, cookie: str, query: str) -> tuple[float, float]:
    """(seconds to the page's last byte, seconds of what runs when the response is closed)."""
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path="/search", query_string={"q": query}, headers={"Cookie": cookie}).get_environ()
    started = time.perf_counter()
    body = app(environ, lambda status, headers, exc_info=None: None)
    b"".join(body)
    answered = time.perf_counter()
    body.close()
    return answered - started, time.perf_counter() - answered


def measure(rounds: int) -> None:
    from cafpedia.search import routes
    from cafpedia.search.demand.recording import note_search

    app, _, _ = bench_app("bench-demand", "whoosh")
    cookie = _signed_in_cookie(app)
    queries = [q for q, _ in QUERIES]
    real_note = routes._note
    timings: dict[str, list[float]] = {"with": [], "without": [], "flush": []}
    with app.app_context():
        for q in queries:  # warm: every query once each way
            _ask(app, cookie, q)
        for n in range(rounds):
            for q in queries:
                for mode in ("with", "without") if n % 2 == 0 else ("without", "with"):
                    routes._note = real_note if mode == "with" else (lambda found: None)
                    page, closing = _ask(app, cookie, q)
                    timings[mode].append(page)
                    if mode == "with":
                        timings["flush"].append(closing)
        routes._note = real_note

        class Reader:
            id = 1

        note = timeit.timeit(lambda: note_search(Reader, "SGO report", {}, 3, {"private-law": 3}), number=10_000)
        app.extensions["cafpedia_search_demand"].clear()
    ms = {k: (statistics.median(v) * 1000, percentile(v, 95) * 1000) for k, v in timings.items()}
    print(f"{len(queries)} queries x {rounds} rounds each way, demo content, Whoosh on SQLite, as demo.fca")
    print(f"search page without recording: p50 {ms['without'][0]:.2f} ms, p95 {ms['without'][1]:.2f} ms")
    print(f"search page with recording:    p50 {ms['with'][0]:.2f} ms, p95 {ms['with'][1]:.2f} ms")
    print(f"added: p50 {ms['with'][0] - ms['without'][0]:+.3f} ms, p95 {ms['with'][1] - ms['without'][1]:+.3f} ms")
    print(
        f"flush after each response (the reader does not wait): p50 {ms['flush'][0]:.2f} ms, "
        f"p95 {ms['flush'][1]:.2f} ms"
    )
    print(f"note_search alone: {note / 10_000 * 1e6:.2f} µs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--fill-people", type=int, default=2000)
    parser.add_argument("--fill-days", type=int, default=365)
    parser.add_argument("--no-fill", action="store_true")
    args = parser.parse_args()
    measure(args.rounds)
    if not args.no_fill:
        app, _, _ = bench_app("bench-demand-fill", "whoosh")
        with app.app_context():
            started = time.perf_counter()
            rows = fill(args.fill_people, args.fill_days)
            print(f"fill({args.fill_people}, {args.fill_days}): {rows:,} rows in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
