"""Search relevance on the demo content: nDCG@10, the share of queries with the right document
first and the share with no results, per backend (issue 30).

    .venv/bin/python bench/relevance.py [--backend whoosh postgres] [--show-failures] [--json FILE]

Loads content/ into a throwaway database for each backend (as bench/search.py does; postgres
needs PostgreSQL on 127.0.0.1:5432), runs every query of bench/relevance_queries.yml through the
real search service as the demo family court adviser (demo.fca), and scores the first ten hits
against the query's judgments: 3 = the document that should come first, 2 = clearly relevant,
1 = partly relevant, anything unjudged 0. Gains are 2^grade - 1; the ideal ranking is the judged
documents by grade. "Right first" means the first hit has grade 3.

A hit is judged by `identifier(key)`: its search key (`tip:<slug>`, `digest:<issue>:<item>`,
`legal:<slug>`, `expert:<slug>`, `area:<slug>`, `clause:<version>:<code>`), which is made from
slugs and so is the same after a fresh load on either database; a pending proposal the reader
wrote (`proposal:<slug>:<n>`) counts as its tip. It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from collections import defaultdict
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

QUERIES_FILE = Path(__file__).with_name("relevance_queries.yml")
CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
READER = "demo.fca"  # a family court adviser: sees published content and their own proposals
K = 10
FAILING = 0.5  # --show-failures lists queries below this nDCG@10


def load_queries(path: Path = QUERIES_FILE) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]


def identifier(key: str) -> str:
    """What a judgment names for a hit with this search key."""
    kind, _, rest = key.partition(":")
    return f"tip:{rest.rsplit(':', 1)[0]}" if kind == "proposal" else key


def _front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---", 2)[1]) or {}


def content_identifiers(content_dir: Path = CONTENT_DIR, reader: str = READER) -> set[str]:
    """Every identifier the reader can find in a content folder: published tips and the reader's
    own proposals, items of published digest issues, legal updates, active experts, areas, and
    the clauses of the standards."""
    found = set()
    for path in content_dir.glob("tips/*/*.md"):
        meta = _front_matter(path)
        if meta.get("status") == "published" or meta.get("author") == reader:
            found.add(f"tip:{path.stem}")
    for issue in content_dir.glob("digest/*/issue.md"):
        if _front_matter(issue).get("published_on"):
            found |= {f"digest:{issue.parent.name}:{p.stem}" for p in issue.parent.glob("*.md") if p.name != "issue.md"}
    found |= {f"legal:{p.stem}" for p in content_dir.glob("legal/*.md")}
    found |= {f"expert:{p.stem}" for p in content_dir.glob("experts/*.md") if _front_matter(p).get("active", True)}
    found |= {f"area:{a['slug']}" for a in yaml.safe_load((content_dir / "areas.yml").read_text(encoding="utf-8"))}
    standards = yaml.safe_load((content_dir / "standards.yml").read_text(encoding="utf-8"))
    found |= {f"clause:{standards['version']}:{c['code']}" for c in standards["clauses"]}
    return found


def ndcg(ranked: list[str], judgments: dict[str, int], k: int = K) -> float:
    """nDCG@k of a ranking (identifiers, best first) against graded judgments."""

    def dcg(grades):
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades[:k]))

    ideal = dcg(sorted(judgments.values(), reverse=True))
    return dcg([judgments.get(doc, 0) for doc in ranked]) / ideal if ideal else 0.0


def ranked_identifiers(hits) -> list[str]:
    """The hits' identifiers in order, each once (a tip and the reader's proposal of it are one)."""
    seen: list[str] = []
    for hit in hits:
        doc = identifier(hit.key)
        if doc not in seen:
            seen.append(doc)
    return seen


def run(backend: str, queries: list[dict]) -> list[dict]:
    """One row per query: its nDCG@10, whether the first hit has grade 3, whether nothing was found."""
    from search import bench_app, drop_bench_database  # bench/search.py

    from cafpedia.accounts.people import find_user
    from cafpedia.extensions import db
    from cafpedia.search import service

    logging.disable(logging.INFO)  # the migrations' log lines
    app, pg_name, admin = bench_app("cafpedia_bench_relevance", backend)
    logging.disable(logging.NOTSET)
    rows = []
    with app.app_context():
        service.follower().rebuild()  # the whole demo content indexed before the first query
        reader = find_user(READER)
        for query in queries:
            found = service.search(reader, query["q"])
            if found.problem:
                raise SystemExit(f"search failed on {backend}: {found.problem}")
            ranked = ranked_identifiers(found.results.hits if found.results else [])
            rows.append(
                {
                    "q": query["q"],
                    "type": query["type"],
                    "ndcg": ndcg(ranked, query["relevant"]),
                    "right_first": bool(ranked) and query["relevant"].get(ranked[0]) == 3,
                    "no_results": not ranked,
                    "hits": ranked[:K],
                    "showing": found.showing,
                    "relaxed": found.relaxed_from is not None,
                }
            )
        db.engine.dispose()
    drop_bench_database(pg_name, admin)
    return rows


def figures(rows: list[dict]) -> dict:
    n = len(rows)
    return {
        "queries": n,
        "ndcg_at_10": sum(r["ndcg"] for r in rows) / n,
        "right_first": sum(r["right_first"] for r in rows) / n,
        "no_results": sum(r["no_results"] for r in rows) / n,
        "corrected": sum(bool(r["showing"]) and not r["relaxed"] for r in rows) / n,
        "relaxed": sum(r["relaxed"] for r in rows) / n,
    }


def by_type(rows: list[dict]) -> dict[str, dict]:
    groups = defaultdict(list)
    for row in rows:
        groups[row["type"]].append(row)
    return {kind: figures(group) for kind, group in sorted(groups.items())}


def report(backend: str, rows: list[dict], show_failures: bool) -> None:
    total = figures(rows)
    print(
        f"\n== {backend}: {total['queries']} queries ==\n"
        f"nDCG@10 {total['ndcg_at_10']:.3f}   right first {total['right_first']:.1%}   "
        f"no results {total['no_results']:.1%}   (shown corrected {total['corrected']:.1%}, relaxed "
        f"{total['relaxed']:.1%})"
    )
    print(f"  {'type':<12} {'queries':>7} {'nDCG@10':>8} {'first':>7} {'none':>7}")
    for kind, f in by_type(rows).items():
        print(
            f"  {kind:<12} {f['queries']:>7} {f['ndcg_at_10']:>8.3f} {f['right_first']:>7.1%} {f['no_results']:>7.1%}"
        )
    if show_failures:
        failures = sorted((r for r in rows if r["no_results"] or r["ndcg"] < FAILING), key=lambda r: r["ndcg"])
        print(f"  {len(failures)} queries with nDCG@10 < {FAILING} or no results:")
        for r in failures:
            came = ", ".join(r["hits"][:3]) if r["hits"] else "(no results)"
            hint = f"  [showing results for: {r['showing']}]" if r["showing"] else ""
            print(f"    {r['ndcg']:.2f}  {r['q']!r} ({r['type']}): {came}{hint}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["whoosh", "postgres"], nargs="+", default=["whoosh", "postgres"])
    parser.add_argument("--show-failures", action="store_true", help="list queries with nDCG@10 < 0.5 or no results")
    parser.add_argument("--json", metavar="FILE", help="save the figures, per backend and per query, to FILE")
    args = parser.parse_args()

    queries = load_queries()
    print(f"{len(queries)} queries from {QUERIES_FILE.name}, judged over {CONTENT_DIR}")
    results = {}
    for backend in args.backend:
        rows = run(backend, queries)
        report(backend, rows, args.show_failures)
        results[backend] = {"overall": figures(rows), "by_type": by_type(rows), "queries": rows}
    if len(results) > 1:
        print("\n== side by side ==")
        for name in ("ndcg_at_10", "right_first", "no_results"):
            values = {b: r["overall"][name] for b, r in results.items()}
            spread = max(values.values()) - min(values.values())
            print(
                f"{name:<11} " + "  ".join(f"{b} {v:.3f}" for b, v in values.items()) + f"  (difference {spread:.3f})"
            )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
        print(f"figures saved to {args.json}")


if __name__ == "__main__":
    main()
