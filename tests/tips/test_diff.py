"""Word-level differences."""

from cafpedia.tips.diff import changed, word_diff


def test_word_diff_marks_phrases_added_and_removed():
    pieces = word_diff("See the child alone first.", "See the child alone at the first visit.")
    assert "".join(p.text for p in pieces if p.op != "removed") == "See the child alone at the first visit."
    assert "".join(p.text for p in pieces if p.op != "added") == "See the child alone first."
    assert changed(pieces)
    assert not changed(word_diff("same text", "same text"))


def test_word_diff_of_nothing():
    assert [(p.op, p.text) for p in word_diff("", "New text")] == [("added", "New text")]
