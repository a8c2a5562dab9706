"""The text helpers every domain's forms share (cafpedia/core/text.py)."""

from __future__ import annotations

from cafpedia.core.text import keep_order, normalise_tag, split_on_commas_or_lines


def test_a_typed_list_splits_on_commas_and_new_lines_alike():
    """One rule for tags, skills and languages: a list pasted one item a line is read as
    the same list typed with commas."""
    assert split_on_commas_or_lines("Welsh, British Sign Language") == ["Welsh", "British Sign Language"]
    assert split_on_commas_or_lines("domestic abuse\r\ncoercive control\n, ,\n") == [
        "domestic abuse",
        "coercive control",
    ]
    assert split_on_commas_or_lines(None) == []
    assert split_on_commas_or_lines("  ") == []


def test_a_tag_is_stored_in_one_form():
    assert normalise_tag("  Contact_Centres  ") == "contact-centres"
    assert normalise_tag("child  arrangements") == "child-arrangements"


def test_keep_order_keeps_what_was_chosen_first():
    assert keep_order(["b", "a"], ["a", "c", "b"]) == ["b", "a", "c"]
    assert keep_order(["b", "a"], ["c"]) == ["c"]
