"""How often "Tips that may say the same" (cafpedia.search.similar) shows a near-duplicate, and
how often it shows something for a tip nobody wrote: on the demo content, and on the demo
content plus 2,000 synthetic tips (bench/search.py's corpus, as bench/content_round_trip.py
makes it).

    .venv/bin/python bench/duplicates.py [--tips 2000] [--backend whoosh postgres]

- recall: for each published tip, its own title and first paragraph lightly reworded (a word
  of the title dropped or changed, "How to" put in front of some, about one word in six of
  the paragraph dropped, two neighbours swapped), proposed by a practitioner: how often the
  tip itself is in the list (and how often first). On the 2,000-tip corpus, the demo's tips
  and 200 synthetic ones.
- false alarms: for titles of tips nobody wrote (UNRELATED: outside the work; NEW_IN_PRACTICE:
  about the work, but on nothing the demo holds), how often the list shows anything.
- each at several thresholds (the one in use marked), and the time a call takes.

It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search import bench_app, drop_bench_database, percentile, populate, vocabulary  # noqa: E402

THRESHOLDS = [0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5]
UNRELATED = [
    "Parking permits for the Leeds office car park",
    "Ordering printer toner and paper",
    "Booking annual leave over Christmas",
    "Setting up a new laptop and email signature",
    "Claiming travel expenses for train tickets",
    "Fire drill and evacuation of the building",
    "Reporting a broken kettle in the staff kitchen",
    "Changing your desk phone voicemail greeting",
    "Recycling bins and confidential waste collection",
    "Using the video conference room screen",
    "Payslips, pension contributions and tax codes",
    "Planning the team away day and lunch",
    "Cycle to work scheme and bike storage",
    "Updating your mobile phone apps and passcode",
    "Ordering business cards and stationery",
    "Keeping plants alive in the open plan office",
    "Booking pool cars through the fleet desk",
    "Wellbeing walks at lunchtime",
    "Changing the password on the shared drive",
    "Writing the office newsletter each quarter",
]
NEW_IN_PRACTICE = [
    "Working with children who are home educated",
    "Reports for a relocation abroad application",
    "Surrogacy and parental orders",
    "Children's views on changing their surname",
    "Contact with a parent serving a prison sentence",
    "Young carers in private law proceedings",
    "Assessing a parent with a learning disability",
    "Children of armed forces families",
    "Travelling parents and holiday disputes",
    "Internet safety and online grooming concerns",
    "Religious upbringing disputes between parents",
    "Children with autism at interviews",
    "Gypsy, Roma and Traveller families",
    "Pets and the welfare of the child",
    "Immigration status and family proceedings",
    "Sibling contact after adoption",
    "Medical treatment disagreements between parents",
    "Social media evidence in court",
    "Grandparents applying for leave",
    "Parental alienation allegations",
]
CHANGES = {"children": "child", "child's": "children's", "parents": "parent", "using": "use", "making": "make"}


def reworded(title: str, body: str, rng: random.Random) -> tuple[str, str]:
    """A light rewording of a title and its first paragraph."""
    words = title.split()
    if len(words) > 3:
        del words[rng.randrange(1, len(words))]
    words = [CHANGES.get(w.lower(), w) for w in words]
    if rng.random() < 0.4:
        words = ["How", "to", words[0].lower(), *words[1:]]
    paragraph = re.split(r"\n\s*\n", body.strip())[0]
    kept = [w for w in paragraph.split() if rng.random() > 1 / 6]
    if len(kept) > 4:
        i = rng.randrange(0, len(kept) - 1)
        kept[i], kept[i + 1] = kept[i + 1], kept[i]
    return " ".join(words), " ".join(kept)


def published_tips(slug_like: str | None = None, sample: int | None = None, rng=None):
    """[(key, title, body)] of published tips (synthetic ones with `slug_like`)."""
    from sqlalchemy import select

    from cafpedia.extensions import db
    from cafpedia.tips.models import Revision, Tip

    query = (
        select(Tip.slug, Revision.title, Revision.body)
        .join(Revision, (Revision.tip_id == Tip.id) & (Revision.number == Tip.current_number))
        .where(Tip.status == "published")
        .order_by(Tip.id)
    )
    query = query.where(Tip.slug.like(slug_like) if slug_like else Tip.slug.not_like("synthetic-%"))
    rows = [(f"tip:{slug}", title, body) for slug, title, body in db.session.execute(query)]
    return rng.sample(rows, min(sample, len(rows))) if sample else rows


def measure(label: str, tips, reader, rng: random.Random) -> None:
    from cafpedia.search import similar as similar_module

    times, alarms = [], {"unrelated": [], "new in practice": []}
    duplicate_scores, title_only, missed = [], [], []
    for key, title, body in tips:
        t, b = reworded(title, body, rng)
        for text, into in ((b, duplicate_scores), ("", title_only)):
            started = time.perf_counter()
            found = similar_module.similar(reader, t, text, threshold=0.0)
            times.append((time.perf_counter() - started) * 1000)
            scores = {f.key: f.score for f in found}
            into.append((scores.get(key), [f.key for f in found][:1] == [key]))
            if text and key not in scores:
                missed.append(f"{title!r} as {t!r}: {[f.title for f in found[:2]]}")
    for name, titles in (("unrelated", UNRELATED), ("new in practice", NEW_IN_PRACTICE)):
        for title in titles:
            started = time.perf_counter()
            found = similar_module.similar(reader, title, "", threshold=0.0)
            times.append((time.perf_counter() - started) * 1000)
            alarms[name].append(max((f.score for f in found), default=0.0))
    n = len(duplicate_scores)
    print(f"\n== {label}: {n} reworded tips, {len(UNRELATED)} unrelated and {len(NEW_IN_PRACTICE)} new titles ==")
    print(f"time per call: p50 {percentile(times, 50):.1f} ms, p95 {percentile(times, 95):.1f} ms ({len(times)} calls)")
    print("threshold  recall: title+paragraph (first)  title only (first)  false alarms: unrelated  new in practice")
    for threshold in THRESHOLDS:
        listed, first = counted(duplicate_scores, threshold)
        listed_title, first_title = counted(title_only, threshold)
        unrelated = sum(1 for s in alarms["unrelated"] if s >= threshold)
        new = sum(1 for s in alarms["new in practice"] if s >= threshold)
        mark = " <- in use" if threshold == similar_module.THRESHOLD else ""
        print(
            f"  {threshold:<8} {listed / n:>8.0%} ({listed}/{n}) ({first / n:.0%})"
            f"  {listed_title / n:>8.0%} ({listed_title}/{n}) ({first_title / n:.0%})"
            f"   {unrelated / len(UNRELATED):>8.0%} ({unrelated}/{len(UNRELATED)})"
            f"   {new / len(NEW_IN_PRACTICE):>6.0%} ({new}/{len(NEW_IN_PRACTICE)}){mark}"
        )
    for line in missed[:5]:
        print(f"  not listed at all: {line}")


def counted(scores, threshold: float) -> tuple[int, int]:
    """(how many were in the list, how many first) at this threshold."""
    listed = sum(1 for score, _ in scores if score is not None and score >= threshold)
    first = sum(1 for score, is_first in scores if is_first and score >= threshold)
    return listed, first


def run(backend: str, n_tips: int) -> None:
    import os

    from cafpedia.accounts.people import find_user
    from cafpedia.config import DEFAULT_CONTENT_DIR
    from cafpedia.extensions import db
    from cafpedia.search import service

    app, pg_name, admin = bench_app(f"cafpedia_duplicates_{os.getpid()}", backend)
    try:
        with app.app_context():
            service.follower().ensure()
            service.follower().drain(timeout=5)
            reader = find_user("demo.fca")
            measure(f"demo content ({backend})", published_tips(), reader, random.Random(1))
        populate(app, n_tips, random.Random(7), vocabulary(DEFAULT_CONTENT_DIR))
        with app.app_context():
            service.follower().rebuild()
            reader = find_user("demo.fca")
            rng = random.Random(2)
            tips = published_tips() + published_tips("synthetic-%", 200, rng)
            measure(f"demo content + {n_tips:,} synthetic tips ({backend})", tips, reader, random.Random(1))
            db.session.remove()
            db.engine.dispose()
    finally:
        drop_bench_database(pg_name, admin)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tips", type=int, default=2000)
    parser.add_argument("--backend", choices=["whoosh", "postgres"], nargs="+", default=["whoosh", "postgres"])
    args = parser.parse_args()
    for backend in args.backend:
        run(backend, args.tips)


if __name__ == "__main__":
    main()
