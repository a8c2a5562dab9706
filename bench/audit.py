"""Audit chain benchmark: what verifying the whole trail costs, and what chaining adds to a write.

    .venv/bin/python bench/audit.py [--entries 1000000] [--backend sqlite|postgres]

On a throwaway installation with the demo content, it appends ENTRIES chained audit entries
(built as the app chains them, inserted in bulk), then measures:
- `audit_chain.verify()` over the whole trail, as `cafpedia audit verify` runs it (target: under
  60 s at 1,000,000 entries);
- writing one entry through `audit.record()` and committing, as a service does (p50, p95), with
  the chain's head row held for the chaining.
It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search import bench_app, drop_bench_database, percentile  # noqa: E402  (bench/search.py)

BATCH = 10_000


def fill(entries: int) -> None:
    """Append `entries` chained entries after the trail the demo load wrote."""
    from sqlalchemy import select, update

    from cafpedia.core import audit
    from cafpedia.extensions import db

    head = db.session.execute(select(audit.AuditChainHead.last_hash, audit.AuditChainHead.entries)).one()
    prev, at = head.last_hash, datetime(2026, 1, 1)
    table = audit.AuditEntry.__table__
    for start in range(0, entries, BATCH):
        rows = []
        for n in range(start, min(start + BATCH, entries)):
            at += timedelta(seconds=1)
            fields = audit.hashed_fields(
                at,
                "bench.user",
                "tip.approve",
                "tip",
                f"tip-{n % 5000}",
                f"Approved revision {n % 7 + 1}",
                {"status": "pending", "n": n},
                {"status": "published", "n": n},
            )
            digest = audit.entry_digest(prev, fields)
            rows.append(
                {
                    "at": at,
                    "actor_name": "bench.user",
                    "action": "tip.approve",
                    "object_type": "tip",
                    "object_ref": f"tip-{n % 5000}",
                    "summary": fields["summary"],
                    "before": fields["before"],
                    "after": fields["after"],
                    "prev_hash": prev,
                    "entry_hash": digest,
                }
            )
            prev = digest
        db.session.execute(table.insert(), rows)
        db.session.commit()
    db.session.execute(
        update(audit.AuditChainHead)
        .where(audit.AuditChainHead.id == 1)
        .values(last_hash=prev, entries=head.entries + entries)
    )
    db.session.commit()


def run(entries: int, backend: str) -> None:
    from cafpedia.core import audit, audit_chain
    from cafpedia.extensions import db

    app, pg_name, admin = bench_app(
        f"cafpedia_bench_audit_{entries}", "postgres" if backend == "postgres" else "whoosh"
    )
    try:
        with app.app_context():
            t = time.perf_counter()
            fill(entries)
            total = audit_chain.entry_count()
            print(f"\n== {total:,} audit entries ({backend}) ==  filled in {time.perf_counter() - t:.1f} s")

            t = time.perf_counter()
            report = audit_chain.verify()
            elapsed = time.perf_counter() - t
            print(
                f"verify the whole chain: {elapsed:.1f} s ({report.entries / elapsed:,.0f} entries/s); {report.message}"
            )

            times = []
            for n in range(200):
                t = time.perf_counter()
                audit.record(None, "bench.write", "thing", f"thing-{n}", summary="one more", after={"n": n})
                db.session.commit()
                times.append((time.perf_counter() - t) * 1000)
            print(
                f"record one entry and commit: p50 {percentile(times, 50):.2f} ms, p95 {percentile(times, 95):.2f} ms"
            )
            db.session.remove()
            db.engine.dispose()
    finally:
        drop_bench_database(pg_name, admin)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    run(args.entries, args.backend)


if __name__ == "__main__":
    main()
