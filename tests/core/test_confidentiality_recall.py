"""Issue 29's targets, held as regression tests: on each labelled set in tests/confidentiality/ the
guard catches at least 90% of the slips and flags at most 10% of the legitimate passages, and no
published demo tip, digest item, legal update or expert entry is flagged. (The figures by kind and
the speed are printed by bench/confidentiality.py; nothing here is timed.)"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from cafpedia.core.confidentiality import find_case_details

ROOT = Path(__file__).resolve().parents[2]
SETS = ["", "second", "third"]


def load(folder: str, name: str) -> list[dict]:
    return yaml.safe_load((ROOT / "tests" / "confidentiality" / folder / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("folder", SETS)
def test_at_least_nine_slips_in_ten_are_caught(folder):
    slips = load(folder, "slips.yml")
    missed = [s["text"] for s in slips if not find_case_details(s["text"])]
    assert len(missed) <= 0.10 * len(slips), missed


@pytest.mark.parametrize("folder", SETS)
def test_at_most_one_legitimate_passage_in_ten_is_flagged(folder):
    passages = load(folder, "legitimate.yml")
    flagged = [(p["text"], find_case_details(p["text"])) for p in passages if find_case_details(p["text"])]
    assert len(flagged) <= 0.10 * len(passages), flagged


def test_no_published_demo_content_is_flagged():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from confidentiality import content_texts  # bench/confidentiality.py: the texts the app checks
    finally:
        sys.path.pop(0)
    texts = content_texts()
    assert len(texts) > 150
    flagged = [(name, find_case_details(text)) for name, text in texts if find_case_details(text)]
    assert flagged == []
