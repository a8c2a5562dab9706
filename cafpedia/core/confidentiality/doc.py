"""A text read once into words, so that each recogniser looks only where its words are."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

LETTER = r"[^\W\d_]"
# A word in any alphabet, with its apostrophes and hyphens: "Leon's", "Mia-Rose", "O'Connor", "Oisín".
WORD = re.compile(rf"{LETTER}(?:{LETTER}|['’](?={LETTER}))*(?:-{LETTER}(?:{LETTER}|['’](?={LETTER}))*)*")
SENTENCE_END = re.compile(r"[.!?](?!\d)|\n")


def bare(word: str) -> str:
    """The word without a possessive: "Leon's" -> "Leon"."""
    if word.endswith(("'s", "’s")):
        return word[:-2]
    if word.endswith(("'", "’")):
        return word[:-1]
    return word


def fold(word: str) -> str:
    """Without accents, for looking up in the word lists: "oisín" -> "oisin"."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


@dataclass
class Doc:
    text: str
    words: list[tuple[int, int, str, str]] = field(default_factory=list)  # start, end, word, bare lower case
    lows: set[str] = field(default_factory=set)

    @classmethod
    def read(cls, text: str) -> Doc:
        words = []
        for m in WORD.finditer(text):
            w = m.group(0)
            low = w.lower()
            if low[-1] == "s" and ("'" in low or "’" in low):
                low = bare(low)
            if not low.isascii():
                low = fold(low)
            words.append((m.start(), m.end(), w, low))
        return cls(text, words, {w[3] for w in words})

    def has_any(self, words: frozenset[str] | set[str]) -> bool:
        return not self.lows.isdisjoint(words)

    def sentence(self, pos: int) -> tuple[int, int]:
        """The bounds of the sentence (or line) around `pos`."""
        text = self.text
        start = max(text.rfind(".", 0, pos), text.rfind("!", 0, pos), text.rfind("?", 0, pos), text.rfind("\n", 0, pos))
        while start > 0 and text[start] == "." and start + 1 < len(text) and text[start + 1].isdigit():
            start = max(text.rfind(".", 0, start), text.rfind("\n", 0, start))
        end_match = SENTENCE_END.search(text, pos)
        return start + 1, end_match.end() if end_match else len(text)
