"""A text read once into words, so that each recogniser looks only where its words are."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, count
from operator import itemgetter
from re import Match

LETTER = r"[^\W\d_]"
# A word in any alphabet, with its apostrophes and hyphens: "Leon's", "Mia-Rose", "O'Connor", "Oisín".
WORD = re.compile(rf"{LETTER}+(?:['’]{LETTER}+)*(?:-{LETTER}+(?:['’]{LETTER}+)*)*")
DIGIT = re.compile(r"\d")
PLURAL_POSSESSIVE = re.compile(r"s['’](?![^\W\d_])")
SENTENCE_END = re.compile(r"[.!?](?!\d)|\n")


def bare(word: str) -> str:
    """The word without a possessive: "Leon's" -> "Leon"."""
    if word.endswith(("'s", "’s")):
        return word[:-2]
    if word.endswith(("'", "’")):
        return word[:-1]
    return word


@lru_cache(maxsize=20_000)
def fold(word: str) -> str:
    """Without accents, for looking up in the word lists: "oisín" -> "oisin"."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


class Words(Sequence):
    """The words of a text as (start, end, word, bare lower case), made only when asked for: a
    megabyte holds 170,000 words, and most recognisers look at a few of them."""

    __slots__ = ("starts", "ends", "raw", "lows")

    def __init__(self, starts: list[int], ends: list[int], raw: list[str], lows: list[str]):
        self.starts, self.ends, self.raw, self.lows = starts, ends, raw, lows

    def __len__(self) -> int:
        return len(self.raw)

    def __getitem__(self, n):
        if isinstance(n, slice):
            return [self[i] for i in range(*n.indices(len(self.raw)))]
        return self.starts[n], self.ends[n], self.raw[n], self.lows[n]


@dataclass
class Doc:
    text: str
    words: Words | list = field(default_factory=list)  # (start, end, word, bare lower case) by number
    lowset: set[str] = field(default_factory=set)  # every word in bare lower case
    caps: list[int] = field(default_factory=list)  # the numbers of the words that start with a capital
    possessives: list[int] = field(default_factory=list)  # ... and of the words ending in 's or s'
    has_digits: bool = False

    @classmethod
    def read(cls, text: str) -> Doc:
        """Read `text` into words. The work is done in list comprehensions and C loops (regular
        expressions, zip) rather than a Python loop of many steps per word: a megabyte is 170,000 words."""
        doc = cls(text, has_digits=DIGIT.search(text) is not None)
        matches = list(WORD.finditer(text))
        starts = list(map(Match.start, matches))
        ends = list(map(Match.end, matches))
        raw = list(map(Match.group, matches))
        del matches
        lows = list(map(str.lower, raw))
        if "'" in text or "’" in text:
            for n in [n for n, w in enumerate(lows) if "'" in w or "’" in w]:
                if lows[n].endswith(("'s", "’s")):
                    doc.possessives.append(n)
                    lows[n] = lows[n][:-2]
            for m in PLURAL_POSSESSIVE.finditer(text):
                n = bisect_left(ends, m.start() + 1)
                if n < len(ends) and ends[n] == m.start() + 1:
                    doc.possessives.append(n)
            doc.possessives.sort()
        if not text.isascii():
            for n in [n for n, w in enumerate(lows) if not w.isascii()]:
                lows[n] = fold(lows[n])
        doc.words = Words(starts, ends, raw, lows)
        doc.caps = list(compress(count(), map(str.isupper, map(itemgetter(0), raw))))
        doc.lowset = set(lows)
        return doc

    def has_any(self, words: frozenset[str] | set[str]) -> bool:
        return not self.lowset.isdisjoint(words)

    def where(self, words: frozenset[str] | set[str]) -> list[int]:
        """The numbers of the words in `words` (lower case), in order."""
        found = self.lowset & words
        if not found:
            return []
        return [n for n, w in enumerate(self.words.lows) if w in found]

    def sentence(self, pos: int) -> tuple[int, int]:
        """The bounds of the sentence (or line) around `pos`."""
        text = self.text
        start = max(text.rfind(".", 0, pos), text.rfind("!", 0, pos), text.rfind("?", 0, pos), text.rfind("\n", 0, pos))
        while start > 0 and text[start] == "." and start + 1 < len(text) and text[start + 1].isdigit():
            start = max(text.rfind(".", 0, start), text.rfind("\n", 0, start))
        end_match = SENTENCE_END.search(text, pos)
        return start + 1, end_match.end() if end_match else len(text)
