"""How search reads text: the stemmed words of a text, and adjacent words as pairs.

The Whoosh index holds these (see backends/whoosh_index.py), and the advice line's report
groups questions by them: two questions with the same stemmed words ask the same thing.
"""

from __future__ import annotations

import re

from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter import stem as porter_stem

# The same steps as Whoosh's StemmingAnalyzer (its default word pattern, lower case, English
# stop words, Porter stems), written as one loop: four times faster than Whoosh's chain of
# generators, which matters when a rebuild analyses every document.
# tests/search/test_whoosh_backend.py checks that both give the same words.
WORD_PATTERN = re.compile(r"\w+(?:\.?\w+)*")
_stems: dict[str, str] = {}


def tokens(text: str) -> list[str]:
    """The stemmed words of a text, as the index holds them."""
    out = []
    for word in WORD_PATTERN.findall(text):
        word = word.lower()
        if word in STOP_WORDS:
            continue
        stemmed = _stems.get(word)
        if stemmed is None:
            if len(_stems) > 200_000:
                _stems.clear()
            stemmed = _stems[word] = porter_stem(word)
        out.append(stemmed)
    return out


def pair_tokens(words: list[str]) -> list[str]:
    """Adjacent words as single terms: ["first", "hear"] → ["first+hear"]."""
    return [f"{a}+{b}" for a, b in zip(words, words[1:], strict=False)]
