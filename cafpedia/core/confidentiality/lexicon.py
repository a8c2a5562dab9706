"""The word lists the guard reads, loaded once from data/*.yml (the team extends the data, not the code)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data"

# Words that appear inside multi-word town names ("Hebden Bridge", "Milton Keynes") but are no
# town on their own.
TOWN_PARTS = {
    "bay", "bridge", "port", "heath", "vale", "oak", "wells", "haven", "side", "east", "west", "small", "kings",
    "high", "st", "hemel", "milton", "colwyn", "bishop", "tunbridge", "merthyr", "ellesmere", "moss", "ebbw",
    "selly", "milford", "under", "lyne", "super", "mare", "north", "south", "new", "upon", "on", "sea", "green",
}  # fmt: skip

# A word ending like an English place name: "Morley", "Pudsey", "Greenhill", "Cleckheaton".
PLACE_ENDING = re.compile(
    r"(?:ley|ton|field|fields|ford|by|ham|wood|brook|dale|bridge|side|moor|lands|bank|gate|wick|worth|thorpe|"
    r"croft|well|mead|combe|stead|bury|borough|burgh|mouth|port|minster|cliffe|cliff|holme|royd|shaw|thwaite|"
    r"den|don|hurst|land|hill|grove|acre|acres|mount|lea|leigh|ridge|stone|water|wich|caster|chester|cester|"
    r"ington|ingham)$"
)


def _words(text: str | list | None) -> frozenset[str]:
    if not text:
        return frozenset()
    items = text if isinstance(text, list) else text.split()
    return frozenset(str(item).lower() for item in items)


@dataclass(frozen=True)
class Lexicon:
    first_names: frozenset[str]  # names in any case, anywhere
    word_names: frozenset[str]  # names that are also words: only in context
    towns: frozenset[str]
    family_roles: frozenset[str]
    professional_roles: frozenset[str]
    titles: frozenset[str]
    honorifics: frozenset[str]
    judge_suffixes: frozenset[str]
    family_nouns: frozenset[str]
    group_words: frozenset[str]
    not_names: frozenset[str]
    acronyms: frozenset[str]
    hearing_words: frozenset[str]
    school_words: frozenset[str]
    street_words: frozenset[str]
    public_number_prefixes: tuple[str, ...]
    public_postcodes: frozenset[str]  # without spaces, upper case
    public_streets: frozenset[str]  # lower case, letters and digits only
    public_body_words: frozenset[str]
    public_handles: frozenset[str]
    public_people: frozenset[str]  # full names, lower case
    public_surnames: frozenset[str]
    public_phrases: tuple[str, ...]
    # Unions the recognisers look up, made once: everything is_common looks in, every name, every
    # role, and the words after a first name that make it a place's ("Clive House").
    common: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    place_words: frozenset[str] = frozenset()

    def is_name(self, word: str) -> bool:
        """A known first name, whether or not it is also a word."""
        low = word.lower()
        return low in self.first_names or low in self.word_names

    def is_town(self, word: str) -> bool:
        low = word.lower()
        return low in self.towns or (
            len(low) > 4
            and bool(PLACE_ENDING.search(low))
            and low not in self.not_names
            and low not in self.group_words
        )

    def is_common(self, word: str) -> bool:
        """A word that is not a name wherever it stands: a stop word, a role, a people or a public name."""
        return word.lower().removesuffix("'s").removesuffix("’s") in self.common


def squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


@cache
def lexicon() -> Lexicon:
    names = yaml.safe_load((DATA / "names.yml").read_text(encoding="utf-8"))
    places = yaml.safe_load((DATA / "places.yml").read_text(encoding="utf-8"))
    words = yaml.safe_load((DATA / "words.yml").read_text(encoding="utf-8"))
    public = yaml.safe_load((DATA / "public.yml").read_text(encoding="utf-8"))
    word_names = _words(names["word_names"])
    addresses = public.get("public_addresses") or []
    lex = Lexicon(
        first_names=_words(names["first_names"]) - word_names,
        word_names=word_names,
        towns=_words(places["towns"]) - TOWN_PARTS,
        family_roles=_words(words["family_roles"]),
        professional_roles=_words(words["professional_roles"]),
        titles=_words(words["titles"]),
        honorifics=_words(words["honorifics"]),
        judge_suffixes=_words(words["judge_suffixes"]),
        family_nouns=_words(words["family_nouns"]),
        group_words=_words(words["group_words"]),
        not_names=_words(words["not_names"]),
        acronyms=_words(words["acronyms"]),
        hearing_words=_words(words["hearing_words"]),
        school_words=_words(words["school_words"]),
        street_words=_words(words["street_words"]),
        public_number_prefixes=tuple(str(p) for p in public["public_number_prefixes"]),
        public_postcodes=frozenset(a["postcode"].replace(" ", "").upper() for a in addresses if a.get("postcode")),
        public_streets=frozenset(squash(part) for a in addresses for part in str(a.get("street", "")).split(",")),
        public_body_words=_words(public["public_body_words"]),
        public_handles=_words(public["public_handles"]),
        public_people=frozenset(" ".join(n.lower().split()) for n in public["public_people"]),
        public_surnames=_words(public["public_surnames"]),
        public_phrases=tuple(public["public_phrases"]),
    )
    common = frozenset().union(
        lex.not_names, lex.group_words, lex.family_roles, lex.professional_roles, lex.titles, lex.honorifics,
        lex.public_surnames, lex.public_body_words, lex.school_words, lex.acronyms,
    )  # fmt: skip
    return replace(
        lex,
        common=common,
        names=lex.first_names | lex.word_names,
        roles=lex.family_roles | lex.professional_roles,
        place_words=lex.street_words | lex.school_words | lex.public_body_words,
    )
