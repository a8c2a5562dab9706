"""Export → load into an empty installation → export, on a large knowledge base: the demo
content plus N synthetic tips (bench/search.py's corpus), each file compared byte for byte,
and the time each step takes.

    .venv/bin/python bench/content_round_trip.py [--tips 2000]

It prints figures (and exits 1 if any file differs); it asserts nothing else.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search import bench_app, populate, vocabulary  # noqa: E402


def approve_synthetic_tips(app) -> None:
    """bench/search.py publishes its tips without an approval and without the confidentiality
    guard's flags, which the app never does: a tip's file names who approved it, an approval is
    the tip's last review too (as tips.moderation does), and a proposal keeps what the guard
    found in it (as tips.proposals does)."""
    from datetime import datetime

    from sqlalchemy import insert, select, update

    from cafpedia.accounts.people import find_user
    from cafpedia.extensions import db
    from cafpedia.tips.models import CHECKLIST, Revision, Tip, TipEvent
    from cafpedia.tips.proposals import Draft

    with app.app_context():
        lead = find_user("priya.chandran")
        published = db.session.scalars(select(Tip.id).where(Tip.slug.like("synthetic-%"), Tip.status == "published"))
        rows = [
            {
                "tip_id": tip_id,
                "revision_number": 1,
                "action": "approved",
                "actor_id": lead.id,
                "at": datetime(2026, 6, 1),
            }
            | {"comment": "", "checklist": list(CHECKLIST), "confidentiality_confirmed": False}
            for tip_id in published
        ]
        db.session.execute(insert(TipEvent), rows)
        for revision in db.session.scalars(select(Revision).join(Tip).where(Tip.slug.like("synthetic-%"))):
            revision.flags = [f.as_dict() for f in Draft(title=revision.title, body=revision.body).findings()]
        db.session.execute(
            update(Tip)
            .where(Tip.slug.like("synthetic-%"), Tip.status == "published")
            .values(last_reviewed_at=Tip.published_at)
        )
        db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tips", type=int, default=2000)
    args = parser.parse_args()
    from cafpedia.cli.installation import upgrade_database
    from cafpedia.config import DEFAULT_CONTENT_DIR
    from cafpedia.content.loader import export_folder, load_folder
    from cafpedia.extensions import db

    out = Path(tempfile.mkdtemp(prefix="round-trip-"))
    app, _, _ = bench_app("round-trip-first", "whoosh")
    populate(app, args.tips, random.Random(7), vocabulary(DEFAULT_CONTENT_DIR))
    approve_synthetic_tips(app)
    with app.app_context():
        started = time.perf_counter()
        first = export_folder(out / "first")
        exported = time.perf_counter() - started
    empty, _, _ = bench_app("round-trip-second", "whoosh")  # the demo loaded: start again from nothing
    empty.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{out / 'empty.sqlite3'}"
    from cafpedia import create_app

    other = create_app({**empty.config, "INSTANCE_PATH": str(out / "instance")})
    with other.app_context():
        upgrade_database()
        started = time.perf_counter()
        ctx = load_folder(out / "first")
        db.session.commit()
        loaded = time.perf_counter() - started
        second = export_folder(out / "second")
    differ = [n for n in first if (out / "first" / n).read_bytes() != (out / "second" / n).read_bytes()]
    tips = sum(n.startswith("tips/") for n in first)
    print(
        f"{len(first):,} files ({tips:,} tips): export {exported:.1f} s, load into an empty installation {loaded:.1f} s"
    )
    print(f"loaded: {ctx.counts[('tips', 'new')]:,} tips new")
    print(f"files in the second export: {len(second):,}; differing: {len(differ)} {differ[:5]}")
    sys.exit(1 if differ or sorted(first) != sorted(second) else 0)


if __name__ == "__main__":
    main()
