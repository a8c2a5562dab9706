"""What a search means: one key for the ways of asking the same thing (search.meaning)."""

from __future__ import annotations

import pytest

from cafpedia.experts import advice_report
from cafpedia.search import meaning
from cafpedia.search.meaning import KEY_MAX, meaning_key
from cafpedia.search.query import SYNONYMS_FILE
from cafpedia.search.synonyms import parse_groups

GROUPS = parse_groups(SYNONYMS_FILE.read_text(encoding="utf-8"))[0]


def test_an_acronym_its_expansion_and_its_plural_share_a_key():
    keys = {
        text: meaning_key(text, GROUPS)
        for text in ("SGO report", "special guardianship reports", "Special Guardianship Order report")
    }
    assert set(keys.values()) == {"guardianship report special"}, keys


@pytest.mark.parametrize(
    "text, key",
    [
        ("how do I get an SGO", "guardianship special"),  # question words and filler say nothing
        ("SGO", "guardianship special"),
        ('"special guardianship" report', "guardianship report special"),
        ("report SGO", "guardianship report special"),  # order does not matter
        ("contact contact CONTACT", "contact"),  # each stem once
        ("kind:tip contact", "contact"),  # filters are not what is asked
        ("need help", "help need"),  # filler alone is what is asked
    ],
)
def test_keys(text, key):
    assert meaning_key(text, GROUPS) == key


@pytest.mark.parametrize("text", ["", "the of and", "how to", "   ", "kind:tip"])
def test_only_stop_words_have_no_key(text):
    assert meaning_key(text, GROUPS) == ""


def test_a_new_group_changes_the_key():
    groups = (*GROUPS, ("graduated approach", "step model"))
    assert meaning_key("step model", groups) == meaning_key("graduated approach", groups) == "approach graduat"
    assert meaning_key("step model", GROUPS) != meaning_key("graduated approach", GROUPS)


def test_a_long_key_keeps_whole_words():
    text = " ".join(f"word{n}x" for n in range(80))
    key = meaning_key(text, GROUPS)
    assert 0 < len(key) <= KEY_MAX and all(w.startswith("word") and w.endswith("x") for w in key.split())


def test_the_advice_line_groups_questions_by_the_same_words():
    assert advice_report.QUESTION_WORDS is meaning.QUESTION_WORDS
    assert advice_report.question_words("How should I write an SGO report?") == frozenset({"write", "sgo", "report"})
