"""The relevance set that bench/relevance.py measures search on (bench/relevance_queries.yml):
it is well formed and judges only documents the demo content has, and the script's nDCG is
right. It does not measure search; the benchmark prints that. No database."""

from __future__ import annotations

import math
import sys
from collections import Counter
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
TYPES = {"acronym", "case-name", "section", "phrase", "typo", "one-word", "question", "multi-word"}


@pytest.fixture(scope="module")
def relevance():
    sys.path.insert(0, str(BENCH))
    try:
        import relevance  # bench/relevance.py
    finally:
        sys.path.pop(0)
    return relevance


@pytest.fixture(scope="module")
def queries(relevance):
    return relevance.load_queries()


def test_at_least_eighty_queries_of_every_type(queries):
    assert len(queries) >= 80
    assert {q["type"] for q in queries} == TYPES
    assert min(Counter(q["type"] for q in queries).values()) >= 8


def test_each_query_has_its_fields_and_a_document_that_should_come_first(queries):
    for query in queries:
        assert set(query) <= {"q", "type", "relevant", "note"}, query
        assert query["q"].strip() == query["q"] and query["q"], query
        assert query["type"] in TYPES, query
        assert set(query["relevant"].values()) <= {1, 2, 3}, query
        assert 3 in query["relevant"].values(), query["q"]


def test_no_query_is_there_twice(queries):
    typed = Counter(" ".join(q["q"].lower().split()) for q in queries)
    assert [q for q, n in typed.items() if n > 1] == []


def test_every_judged_document_is_in_the_demo_content_and_findable(relevance, queries):
    findable = relevance.content_identifiers()
    assert {"tip:writing-focused-s7-reports-with-clear-recommendations", "area:adoption", "clause:2007-draft:5.1"} <= (
        findable
    )
    assert "expert:margaret-ellis" not in findable  # retired
    assert "tip:responding-when-a-child-discloses-abuse" not in findable  # another writer's proposal
    assert "digest:2007-q2:family-support-workers-in-practice" not in findable  # a draft issue's item
    unknown = {(q["q"], doc) for q in queries for doc in q["relevant"] if doc not in findable}
    assert unknown == set()


def test_the_readers_own_proposal_is_never_the_answer(relevance, queries):
    own = {
        f"tip:{p.stem}"
        for p in relevance.CONTENT_DIR.glob("tips/*/*.md")
        if relevance._front_matter(p).get("status") != "published"
    }
    assert [(q["q"], d) for q in queries for d, g in q["relevant"].items() if d in own and g == 3] == []


def test_a_hit_is_judged_by_its_key_and_a_proposal_by_its_tip(relevance):
    assert relevance.identifier("tip:writing-a-s16a-risk-assessment-for-the-court") == (
        "tip:writing-a-s16a-risk-assessment-for-the-court"
    )
    assert relevance.identifier("proposal:handover-arrangements-at-contact-centres:2") == (
        "tip:handover-arrangements-at-contact-centres"
    )
    assert relevance.identifier("clause:2007-draft:5.1") == "clause:2007-draft:5.1"

    class Hit:
        def __init__(self, key):
            self.key = key

    hits = [Hit("proposal:a:2"), Hit("tip:a"), Hit("legal:b")]
    assert relevance.ranked_identifiers(hits) == ["tip:a", "legal:b"]


def test_ndcg_on_hand_made_rankings(relevance):
    judged = {"a": 3, "b": 2, "c": 1}
    assert relevance.ndcg(["a", "b", "c"], judged) == pytest.approx(1.0)
    assert relevance.ndcg(["a", "b", "c", "x", "y"], judged) == pytest.approx(1.0)
    reversed_ = relevance.ndcg(["c", "b", "a"], judged)
    assert 0 < reversed_ < 1
    ideal = 7 + 3 / math.log2(3) + 1 / 2
    assert reversed_ == pytest.approx((1 + 3 / math.log2(3) + 7 / 2) / ideal)
    assert relevance.ndcg(["x", "a"], judged) == pytest.approx((7 / math.log2(3)) / ideal)
    assert relevance.ndcg([], judged) == 0.0
    assert relevance.ndcg(["x"] * 10 + ["a"], judged) == 0.0  # only the first ten count
