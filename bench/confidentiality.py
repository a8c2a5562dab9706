"""Confidentiality guard benchmark: what it catches, what it wrongly flags, and how fast it answers.

    .venv/bin/python bench/confidentiality.py [--rounds 200] [--show-missed] [--show-alarms]

It runs `find_case_details` (cafpedia/core/confidentiality.py), the guard's public check, on
the labelled set in tests/confidentiality/ and prints:
- recall by kind of slip (caught/tried; a slip is caught when the guard finds anything in it),
  with how many of those it named with the same kind, and overall recall (target: >= 90%);
- false alarms by shape of legitimate passage (flagged/tried) and overall (target: <= 10%);
- the speed of one check, p50 and p95 over ROUNDS rounds, on a 2,000-word tip made of the demo
  tips' text (target: p95 <= 20 ms), on empty text, on 2,000 words of Arabic, Polish and
  Chinese, on 2,000 groups of digits, and one timing each on 1 MB of tip text and 1 MB of
  digits (target: under a second); an exception anywhere is reported, never raised;
- any published demo tip, digest item, legal update or expert entry (content/) that the
  guard flags, with what it found: those are false alarms users would see.
It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search import percentile  # noqa: E402  (bench/search.py)

from cafpedia.content.markdown_files import split_front_matter  # noqa: E402
from cafpedia.core.confidentiality import find_case_details  # noqa: E402

SET_DIR = ROOT / "tests" / "confidentiality"
# The set the guard was built with (tests/confidentiality), a second written separately by another
# hand (second/: its misses were looked at once, so it is a development set now), and a third
# written separately that nobody working on the guard has read (third/: its figures only).
SETS = [SET_DIR, SET_DIR / "second", SET_DIR / "third"]
CONTENT = ROOT / "content"

# The fields of each kind of content file that go through the guard when they are written in the app
# (an expert's own work phone and email are meant to be there and are not checked).
CONTENT_FIELDS = {
    "tips": ("title", "legal_refs"),
    "digest": ("title", "source"),
    "legal": ("title", "summary", "citation"),
    "experts": ("job_title", "skills", "away_note"),
}

OTHER_SCRIPTS = {
    "Arabic": "يجب أن يكون رفاه الطفل هو الاعتبار الأول للمحكمة عند اتخاذ أي قرار بشأن ترتيبات رعايته ",
    "Polish": "Dobro dziecka jest najważniejsze, gdy sąd podejmuje decyzję o tym, z kim dziecko zamieszka ",
    "Chinese": "法院在决定儿童的居住和探视安排时 必须把儿童的福利作为首要考虑 ",
}


def load_set(folder: Path = SET_DIR) -> tuple[list[dict], list[dict]]:
    slips = yaml.safe_load((folder / "slips.yml").read_text(encoding="utf-8"))
    legitimate = yaml.safe_load((folder / "legitimate.yml").read_text(encoding="utf-8"))
    return slips, legitimate


def check(text: str) -> tuple[list, str | None]:
    """(findings, the exception's description if the guard raised one)."""
    try:
        return find_case_details(text), None
    except Exception as exc:  # the benchmark reports it rather than stopping
        return [], f"{type(exc).__name__}: {exc}"


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def report_recall(slips: list[dict], show_missed: bool) -> list[str]:
    tried, caught, same_kind, missed = defaultdict(int), defaultdict(int), defaultdict(int), defaultdict(list)
    errors = []
    for slip in slips:
        kind, text = slip["kind"], slip["text"]
        findings, error = check(text)
        tried[kind] += 1
        if error:
            errors.append(f"slip ({kind}) {text[:60]!r}: {error}")
        if findings:
            caught[kind] += 1
            same_kind[kind] += any(f.kind == kind for f in findings)
        else:
            missed[kind].append(text)
    print("Recall by kind of slip (caught = any finding; same kind = named as that kind)")
    print(f"  {'kind':<22} {'caught/tried':>13} {'recall':>7} {'same kind':>10}")
    for kind in tried:
        rate = pct(caught[kind], tried[kind])
        print(f"  {kind:<22} {caught[kind]:>6}/{tried[kind]:<6} {rate:>7} {same_kind[kind]:>10}")
    total, hit = sum(tried.values()), sum(caught.values())
    print(f"  {'overall':<22} {hit:>6}/{total:<6} {pct(hit, total):>7}   (target >= 90%)")
    if show_missed:
        for kind, texts in missed.items():
            for text in texts:
                print(f"    missed {kind}: {text!r}")
    return errors


def report_false_alarms(legitimate: list[dict], show_alarms: bool) -> list[str]:
    tried, flagged, alarms = defaultdict(int), defaultdict(int), []
    errors = []
    for passage in legitimate:
        shape, text = passage["shape"], passage["text"]
        findings, error = check(text)
        tried[shape] += 1
        if error:
            errors.append(f"passage ({shape}) {text[:60]!r}: {error}")
        if findings:
            flagged[shape] += 1
            alarms.append((shape, text, findings))
    print("\nFalse alarms by shape of legitimate passage (flagged = any finding)")
    print(f"  {'shape':<22} {'flagged/tried':>14} {'rate':>7}")
    for shape in tried:
        print(f"  {shape:<22} {flagged[shape]:>7}/{tried[shape]:<6} {pct(flagged[shape], tried[shape]):>7}")
    total, hit = sum(tried.values()), sum(flagged.values())
    print(f"  {'overall':<22} {hit:>7}/{total:<6} {pct(hit, total):>7}   (target <= 10%)")
    if show_alarms:
        for shape, text, findings in alarms:
            found = "; ".join(f"{f.kind}: {f.text!r}" for f in findings)
            print(f"    {shape}: {text[:70]!r} -> {found}")
    return errors


def demo_tip_text() -> str:
    """The bodies of the published demo tips, joined (pending ones hold slips on purpose)."""
    bodies = []
    for path in sorted((CONTENT / "tips").rglob("*.md")):
        parts = split_front_matter(path.read_text(encoding="utf-8"))
        if parts and (yaml.safe_load(parts[0]) or {}).get("status") == "published":
            bodies.append(parts[1])
    return "\n\n".join(bodies)


def words(source: str, count: int) -> str:
    """The first `count` words of `source` repeated, keeping its lines."""
    tokens = source.split(" ")
    out = []
    while len(out) < count:
        out.extend(tokens)
    return " ".join(out[:count])


def timings(text: str, rounds: int) -> tuple[list[float], str | None]:
    times, error = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        _, error = check(text)
        times.append((time.perf_counter() - start) * 1000)
        if error:
            break
    return times, error


def report_speed(rounds: int) -> list[str]:
    rng = random.Random(29)
    tips = demo_tip_text()
    digits = " ".join(str(rng.randrange(10 ** rng.randint(1, 12))) for _ in range(2000))
    cases = [("2,000-word tip", words(tips, 2000), rounds), ("empty text", "", rounds)]
    for name, sample in OTHER_SCRIPTS.items():
        cases.append((f"2,000 words of {name}", words(sample * 50, 2000), rounds))
    cases.append(("2,000 groups of digits", digits, rounds))
    mega = 1_000_000
    cases.append(("1 MB of tip text (once)", (tips * (mega // len(tips) + 1))[:mega], 1))
    cases.append(("1 MB of digits (once)", (digits * (mega // len(digits) + 1))[:mega], 1))
    errors = []
    print(f"\nSpeed of one check (ms), over {rounds} rounds (target: p95 <= 20 ms; 1 MB under 1,000 ms)")
    print(f"  {'text':<28} {'chars':>9} {'p50':>9} {'p95':>9} {'findings':>9}")
    for name, text, n in cases:
        times, error = timings(text, n)
        findings, _ = check(text)
        if error:
            errors.append(f"{name}: {error}")
        p50, p95 = percentile(times, 50), percentile(times, 95)
        print(f"  {name:<28} {len(text):>9,} {p50:>9.2f} {p95:>9.2f} {len(findings):>9}")
    return errors


def content_texts() -> list[tuple[str, str]]:
    """(file, the text the guard sees) for every published demo tip, digest item, legal update and expert entry."""
    out = []
    for folder, fields in CONTENT_FIELDS.items():
        for path in sorted((CONTENT / folder).rglob("*.md")):
            parts = split_front_matter(path.read_text(encoding="utf-8"))
            if parts is None:
                continue
            front = yaml.safe_load(parts[0]) or {}
            if front.get("status", "published") != "published":
                continue
            pieces = []
            for field in fields:
                value = front.get(field)
                pieces.extend(value if isinstance(value, list) else [value] if value else [])
            out.append((str(path.relative_to(ROOT)), "\n".join([*map(str, pieces), parts[1]])))
    log = CONTENT / "experts" / "advice-log.yml"
    if log.exists():
        for n, entry in enumerate(yaml.safe_load(log.read_text(encoding="utf-8")) or [], start=1):
            text = "\n".join(str(entry.get(field) or "") for field in ("question", "advice"))
            out.append((f"{log.relative_to(ROOT)} entry {n}", text))
    return out


def report_content() -> list[str]:
    texts, flagged, errors = content_texts(), [], []
    for name, text in texts:
        findings, error = check(text)
        if error:
            errors.append(f"{name}: {error}")
        if findings:
            flagged.append((name, findings))
    print(f"\nPublished demo content flagged: {len(flagged)} of {len(texts)} texts")
    for name, findings in flagged:
        print(f"  {name}: " + "; ".join(f"{f.kind}: {f.text!r}" for f in findings))
    return errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=200, help="checks timed per text (default 200)")
    parser.add_argument("--show-missed", action="store_true", help="list every slip the guard missed")
    parser.add_argument("--show-alarms", action="store_true", help="list every legitimate passage it flagged")
    parser.add_argument(
        "--set", type=Path, action="append", help="a folder with slips.yml and legitimate.yml (default: both sets)"
    )
    parser.add_argument("--only-set", action="store_true", help="the labelled set only: no speed or demo content")
    args = parser.parse_args()

    errors = []
    for folder in args.set or SETS:
        slips, legitimate = load_set(folder)
        where = folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder
        print(f"Labelled set: {len(slips)} slips, {len(legitimate)} legitimate passages ({where})\n")
        errors += report_recall(slips, args.show_missed)
        errors += report_false_alarms(legitimate, args.show_alarms)
        print()
    if not args.only_set:
        errors += report_speed(args.rounds)
        errors += report_content()
    print(f"\nExceptions raised by the guard: {len(errors)}")
    for error in errors:
        print(f"  {error}")


if __name__ == "__main__":
    main()
