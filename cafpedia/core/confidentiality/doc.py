"""A text read once into words, so that each recogniser looks only where its words are."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

LETTER = r"[^\W\d_]"
# A word in any alphabet, with its apostrophes and hyphens: "Leon's", "Mia-Rose", "O'Connor", "Oisín".
WORD = re.compile(rf"{LETTER}+(?:['’]{LETTER}+)*(?:-{LETTER}+(?:['’]{LETTER}+)*)*")
DIGIT = re.compile(r"\d")
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


@dataclass
class Doc:
    text: str
    words: list[tuple[int, int, str, str]] = field(default_factory=list)  # start, end, word, bare lower case
    index: dict[str, list[int]] = field(default_factory=dict)  # bare lower case -> the words' numbers
    caps: list[int] = field(default_factory=list)  # the numbers of the words that start with a capital
    possessives: list[int] = field(default_factory=list)  # ... and of the words ending in 's or s'
    has_digits: bool = False

    @classmethod
    def read(cls, text: str) -> Doc:
        doc = cls(text, has_digits=DIGIT.search(text) is not None)
        words, index, caps, possessives = doc.words, doc.index, doc.caps, doc.possessives
        append, setdefault = words.append, index.setdefault
        for n, m in enumerate(WORD.finditer(text)):
            w = m[0]
            low = w.lower()
            if "'" in low or "’" in low:
                if low.endswith(("'s", "’s")):
                    possessives.append(n)
                    low = low[:-2]
            elif low[-1] == "s" and text.startswith(("'", "’"), m.end()):
                possessives.append(n)
            if not low.isascii():
                low = fold(low)
            if w[0].isupper():
                caps.append(n)
            append((m.start(), m.end(), w, low))
            setdefault(low, []).append(n)
        return doc

    @property
    def lows(self):
        return self.index.keys()

    def has_any(self, words: frozenset[str] | set[str]) -> bool:
        return not self.index.keys().isdisjoint(words)

    def where(self, words: frozenset[str] | set[str]) -> list[int]:
        """The numbers of the words in `words`, in order."""
        found = self.index.keys() & words
        if not found:
            return []
        if len(found) == 1:
            return self.index[next(iter(found))]
        return sorted(n for low in found for n in self.index[low])

    def sentence(self, pos: int) -> tuple[int, int]:
        """The bounds of the sentence (or line) around `pos`."""
        text = self.text
        start = max(text.rfind(".", 0, pos), text.rfind("!", 0, pos), text.rfind("?", 0, pos), text.rfind("\n", 0, pos))
        while start > 0 and text[start] == "." and start + 1 < len(text) and text[start + 1].isdigit():
            start = max(text.rfind(".", 0, start), text.rfind("\n", 0, start))
        end_match = SENTENCE_END.search(text, pos)
        return start + 1, end_match.end() if end_match else len(text)
