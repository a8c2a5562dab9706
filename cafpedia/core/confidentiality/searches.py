"""The guard's extra care for a search text: a few words typed into the search box, with none
of the context (an age, a role, "lives at") that the guard's recognisers wait for in a tip.

`looks_personal(text, terms)` says why a short text looks as if it names a person or a place
(a kind from KIND_LABELS), or None. It is stricter than `find_case_details`, on purpose: a
search text that is dropped costs one line of a count, while one that names a child would be
kept for 90 days. A search text is kept (for the areas' "What people need" lists) only when
neither finds anything. It looks for:
- a run of five digits or more ("case 123456"), and a postcode;
- a house number (at the start, or after a comma, "at", "flat" or "number") followed by a
  capitalised word or, within three words, a street word ("12 Parkway Leeds", "4 acacia avenue");
- a known first name: a name that is no English word in any case ("harper"), one that is also
  a word ("Poppy", "Grace") when capitalised, unless it merely starts a sentence ("Will the
  judge...");
- a capitalised word before a family noun ("Smith family", "the Jones children").
A word of the synonym list (`terms`, lower case) or a word that is never a name (the lexicon's
common words) is none of these.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from . import identifiers
from .lexicon import lexicon

WORD = re.compile(r"[^\W\d_][\w'’-]*")
LONG_NUMBER = re.compile(r"\d{5,}")
HOUSE_NUMBER = re.compile(
    r"(?:^|[,;(]|\b(?:at|flat|no\.?|number|of)\s)\s*(\d{1,4}[A-Za-z]?)\s+((?:[^\W\d_][\w'’.-]*\s*){1,3})", re.I
)


def _postcode(text: str) -> bool:
    for m in identifiers.POSTCODE.finditer(text):
        if identifiers.POSTCODE_OUTWARD.match(m.group(1).upper()) and identifiers.POSTCODE_INWARD.match(
            m.group(2).upper()
        ):
            return True
    return False


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and not word.isupper()


def looks_personal(text: str | None, terms: Collection[str] = ()) -> str | None:
    """Why `text` (a search) looks as if it names a person, a case or an address (a kind of
    KIND_LABELS), or None."""
    if not text:
        return None
    if LONG_NUMBER.search(text):
        return "case_number"
    if _postcode(text):
        return "postcode"
    lex = lexicon()

    def plain(word: str) -> bool:  # a word that is no name, whatever its case
        low = word.lower().removesuffix("'s").removesuffix("’s")
        return low in terms or lex.is_common(low)

    for m in HOUSE_NUMBER.finditer(text):
        after = m.group(2).split()
        if (_capitalised(after[0]) and not plain(after[0])) or any(
            w.lower().strip(".,") in lex.street_words for w in after
        ):
            return "street_address"
    words = [m.group(0) for m in WORD.finditer(text)]
    for n, word in enumerate(words):
        if plain(word):
            continue
        low = word.lower().removesuffix("'s").removesuffix("’s")
        following = words[n + 1] if n + 1 < len(words) else ""
        if low in lex.first_names:
            return "named_person"
        if low in lex.word_names and _capitalised(word):
            starts_a_sentence = n == 0 and following and not _capitalised(following)
            if not starts_a_sentence:
                return "named_person"
        if _capitalised(word) and following.lower() in lex.family_nouns:
            return "named_person"
    return None
