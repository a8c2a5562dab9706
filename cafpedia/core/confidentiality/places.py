"""Recognisers for where a family is: a street address, a named school, and a hearing (a court or
hearing with a date, and a person or a court's town)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .doc import DIGIT, WORD, Doc, bare
from .identifiers import DATE, MONTH, Hit
from .lexicon import Lexicon
from .people import plausible

HOUSE = r"(?:(?i:no)\.?\s*)?\d{1,3}[a-zA-Z]?(?:\s*[-/]\s*\d{1,3}[a-zA-Z]?)?"
NOT_HOUSE_BEFORE = re.compile(
    r"(?i:\b(?:section|sections|s|ss|para|paragraph|paragraphs|page|pages|p|pp|standard|standards|clause|rule|r|"
    r"pd|part|chapter|schedule|article|step|stage|level|grade|year|years|table|figure|of|about|£|\$|"
    r"and|or|the|aged?|under|over|by|for|every|within|than|at\s+least|last|first|next))\s*\.?\s*$|[£$%.]$|\d,$"
)
FLAT = re.compile(r"\b(?i:flat|apt|apartment|maisonette)\.?\s*(?:no\.?\s*)?\d{1,3}[a-zA-Z]?\b(?:,?\s+\d{1,3}[a-z]?\b)?")
ADDRESS_CUE = re.compile(
    r"(?i:\b(?:at|to|in|on|from|address|lives|living|live|moved|visit|is|flat|house|home|stays|staying|of|near)"
    r"\s*:?\s*$|[,:(]\s*$|^\s*$)"
)

SCHOOL_CUE = re.compile(
    r"(?i:\b(?:nursery|school|academy|playgroup|pre-?school|college|childminder)\s*(?:[(:]|is|called|named|—|–|-)\s*)"
    r"(?P<name>[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+){0,3})"
)
NOT_SCHOOL_NAMES = {
    "virtual", "national", "royal", "judicial", "open", "cafcass", "family", "special", "free", "outstanding",
    "good", "inadequate", "improvement", "requires", "local", "state", "faith", "independent", "all", "every",
    "each", "any", "your", "the", "a", "an", "which", "whose", "primary", "secondary", "junior", "high", "new",
    "old", "private", "public", "boarding", "day", "summer", "forest", "sunday", "their", "his", "her", "our",
    "community", "village", "city", "county", "grammar", "infant", "first", "middle", "upper", "lower", "church",
    "catholic", "ce", "rc", "other", "same", "mainstream", "pupil", "referral", "hospital", "residential",
    "alternative", "provision", "unit", "this", "that", "ofsted", "and", "or", "of", "in", "at", "to",
}  # fmt: skip

HEARING = re.compile(
    r"(?i:\b(?:irh|fhdra|dra|ffh|cmh|cmc|fact[\s\-]?find(?:ing)?|final\s+hearing|ico\s+hearing|epo\s+hearing|"
    r"placement\s+order\s+hearing|ground\s+rules\s+hearing|contested\s+hearing|directions\s+hearing|hearing|"
    r"listed|relisted|adjourned|vacated|trial|enforcement|review\s+hearing)\b)"
)
WHEN = re.compile(
    rf"(?i:{DATE}|\b\d{{1,2}}{'(?:st|nd|rd|th)'}?(?:\s+of)?\s+{MONTH}|\bthe\s+\d{{1,2}}(?:st|nd|rd|th)\b|\b\d{{1,2}}(?:st|nd|rd|th)\b"
    r"|\b\d{1,2}/\d{1,2}\b|\b\d{1,2}\.\d{2}\b(?!\s*%)|\b(?:mon|tues?|wed|thurs?|fri|sat|sun)(?:day)?\b|\btomorrow\b|\btoday\b"
    r"|\bthis\s+(?:morning|afternoon)\b|\bnext\s+(?:week|month|mon|tues|wed|thurs|fri)[a-z]*\b)"
)


def _house_ok(text: str, start: int) -> bool:
    return not NOT_HOUSE_BEFORE.search(text, max(0, start - 14), start)


STREET_BEFORE = re.compile(rf"(?<![\w/.£$-])(?P<house>{HOUSE}),?\s+(?P<street>(?:[A-Za-z][\w'’\-]*\s+){{0,3}})$")
HOUSE_STREET_BEFORE = re.compile(
    rf"(?<![\w/.£$-])(?P<house>{HOUSE}),?\s+(?P<street>[A-Z][\w'’\-]+(?:\s+(?:y|yr|'r|de|la|le|on|upon|the|of|St\.?|[A-Z][\w'’\-]+)){{0,3}}),\s*$"
)
# Welsh street names put the street word first: "6 Heol y Nant", "12 Ffordd Las".
WELSH_STREET = re.compile(
    rf"(?<![\w/.£$-])(?P<house>{HOUSE}),?\s+(?i:heol|ffordd|stryd|lôn|lon|rhodfa|maes|cae|bryn|plas|clos|cilgant|llys|"
    rf"penrhyn|tan|pant|cwrt|teras)\s+(?:[\w'’\-]+\s*){{1,3}}"
)
TOWN_AFTER_COMMA = re.compile(r"\d[a-zA-Z]?,?\s+[A-Z][^\n,\d]{0,40},\s*(?P<town>[A-Z][\w'’\-]+)")
WELSH_STREET_WORDS = frozenset(
    {"heol", "ffordd", "stryd", "lon", "rhodfa", "maes", "cae", "bryn", "plas", "clos", "cilgant", "llys", "penrhyn",
     "tan", "pant", "cwrt", "teras"}
)  # fmt: skip
FLAT_BEFORE = re.compile(r"(?i:\b(?:flat|apt|apartment|maisonette)\.?\s*(?:no\.?\s*)?)$")
FLAT_WORDS = frozenset({"flat", "apt", "apartment", "maisonette"})


def streets(doc: Doc, lex: Lexicon) -> Iterator[Hit]:
    text, words = doc.text, doc.words
    has_digits = doc.has_digits
    for i in doc.where(lex.street_words) if has_digits else ():
        start, end, word, _low = words[i]
        if not i:
            continue
        window = max(0, words[max(0, i - 4)][0] - 12)
        if not DIGIT.search(text, window, start):
            continue
        m = STREET_BEFORE.search(text, window, start)
        if m and _street_ok(text, m, word, lex):
            flat = FLAT_BEFORE.search(text, max(0, m.start() - 16), m.start())
            yield "street_address", flat.start() if flat else m.start(), end, "a house number and street"
    for t in TOWN_AFTER_COMMA.finditer(text) if has_digits else ():
        if not lex.is_town(t.group("town")):
            continue
        m = HOUSE_STREET_BEFORE.search(text, max(0, t.start() - 60), t.start("town"))
        if m and _house_ok(text, m.start()) and not any(lex.is_common(w) for w in m.group("street").split()):
            yield "street_address", m.start(), t.end(), "a house number, street and town"
    for m in WELSH_STREET.finditer(text) if has_digits and doc.has_any(WELSH_STREET_WORDS) else ():
        if _house_ok(text, m.start()):
            yield "street_address", m.start(), m.end(), "a house number and street"
    for m in FLAT.finditer(text) if has_digits and doc.has_any(FLAT_WORDS) else ():
        yield "street_address", m.start(), m.end(), "a flat number"


def _street_ok(text: str, m: re.Match, suffix: str, lex: Lexicon) -> bool:
    if not _house_ok(text, m.start()):
        return False
    words = m.group("street").split()
    if any(w.lower() in lex.not_names and w.lower() not in {"the", "low", "high", "new", "old"} for w in words):
        return False
    if not words and suffix.lower() in {
        "court",
        "house",
        "park",
        "hill",
        "green",
        "way",
        "side",
        "end",
        "field",
        "fields",
    }:
        return False  # "3 Court", "2 Way": a count, not an address
    capital = all(w[:1].isupper() or w.lower() == "the" for w in words) and suffix[:1].isupper()
    return capital or bool(ADDRESS_CUE.search(text, max(0, m.start() - 14), m.start()))


SCHOOL_CUES = frozenset(
    {"nursery", "school", "academy", "playgroup", "preschool", "pre-school", "college", "childminder"}
)
SCHOOL_NAME_WORD = re.compile(
    r"(?:St\.?|Saint|Holy|Our|Lady|Sacred|Heart|Blessed|of|C|E|R|CE|RC|Catholic|Church|[A-Z][\w'’\-]+)$"
)


def schools(doc: Doc, lex: Lexicon) -> Iterator[Hit]:
    text, words = doc.text, doc.words
    for i in doc.where(lex.school_words):
        start, end, word, low = words[i]
        if word[:1].isupper():
            yield from _named_school(doc, i, lex)
        elif i and low in {"academy", "primary", "junior", "juniors", "infant", "infants", "nursery", "high"}:
            name = words[i - 1]
            if (
                text[name[1] : start] == " "
                and name[2].islower()
                and lex.is_town(name[2])
                and name[3] not in lex.not_names
            ):
                if low == "high" and not text.startswith(" school", end):
                    continue
                yield "school", name[0], end, f"a school's name ('{name[2]} {word}')"
    for m in SCHOOL_CUE.finditer(text) if doc.has_any(SCHOOL_CUES) else ():
        name = m.group("name").split()
        if name[0].lower() not in NOT_SCHOOL_NAMES and not lex.is_common(name[0]):
            yield "school", m.start("name"), m.end("name"), "the name of a child's nursery or school"


def _named_school(doc: Doc, i: int, lex: Lexicon) -> Iterator[Hit]:
    """A capitalised school word with a name before it: "Oakfield Primary", "St Bede's RC High"."""
    text, words = doc.text, doc.words
    word, end = words[i][2], words[i][1]
    if word == "High" and not (
        text.startswith(" School", end) or re.match(r"\s*(?:,|\bin\b|\)|$)", text[end : end + 6])
    ):
        return
    first = i
    while first > 0 and i - first < 5:
        prev = words[first - 1]
        gap = text[prev[1] : words[first][0]]
        if gap.strip(" .") or not SCHOOL_NAME_WORD.match(prev[2]):
            break
        first -= 1
    names = [w for w in words[first:i]]
    while names and (names[0][3] in NOT_SCHOOL_NAMES or names[0][3] in lex.not_names):
        names = names[1:]
    if not names or any(w[3] in lex.public_body_words for w in names) or names[-1][3] in lex.school_words:
        return
    if text.startswith(" School", end):
        end += len(" School")
    label = text[names[0][0] : words[i][1]]
    yield "school", names[0][0], end, f"a school's name ('{label}')"


def _person_in(sentence: str, lex: Lexicon) -> str | None:
    for m in WORD.finditer(sentence):
        word = m.group(0)
        low = bare(word).lower()
        if low in lex.first_names or (word.endswith(("'s", "’s")) and plausible(word, lex, context=True)):
            return bare(word)
        if low in {"mum", "dad", "mother", "father", "baby", "nan", "gran", "grandparents", "twins"}:
            return low
        if word in {"Mr", "Mrs", "Ms", "Miss"}:
            return word
    plural = re.search(r"\bthe\s+(?P<name>[A-Z][\w'’\-]+?)(?:e?s)\b", sentence)
    if plural and not lex.is_common(plural.group("name")) and not lex.is_common(plural.group(0).split()[-1]):
        return plural.group(0)  # "the Morgans"
    return None


def _town_in(sentence: str, lex: Lexicon) -> str | None:
    for m in re.finditer(
        r"\b(?:at|in|to)\s+(?P<town>[A-Z][\w'’\-]+)|(?P<bare>[A-Z][\w'’\-]+)\s+(?:CJC|FC|court)\b", sentence
    ):
        town = m.group("town") or m.group("bare")
        if town.lower() in lex.towns:
            return town
    return None


NOT_A_HEARING = re.compile(
    r"(?i:\b(?:seeing|or|and|of|hard\s+of)\s+hearing\b|\bhearing\s+(?:loss|impair\w*|aids?|test)\b)"
)
HEARING_WORDS = frozenset(
    {"irh", "fhdra", "dra", "ffh", "cmh", "cmc", "fact", "fact-find", "fact-finding", "hearing", "listed", "relisted",
     "adjourned", "vacated", "trial", "enforcement"}
)  # fmt: skip


def hearings(doc: Doc, lex: Lexicon) -> Iterator[Hit]:
    """A hearing with a date, and a person or a court's town, in one sentence."""
    text, seen = doc.text, set()
    for n in doc.where(HEARING_WORDS):
        bounds = doc.sentence(doc.words[n][0])
        if bounds in seen:
            continue
        seen.add(bounds)
        sentence = text[bounds[0] : bounds[1]]
        hearing = HEARING.search(sentence)
        if hearing and NOT_A_HEARING.search(sentence):
            continue
        when = hearing and WHEN.search(sentence)
        if not (hearing and when):
            continue
        who = _person_in(sentence, lex)
        where = _town_in(sentence, lex)
        if not (who or where):
            continue
        first, last = min(hearing.start(), when.start()), max(hearing.end(), when.end())
        what = " and ".join(x for x in (f"'{who}'" if who else "", f"a court at {where}" if where else "") if x)
        yield "hearing", bounds[0] + first, bounds[0] + last, f"a hearing with a date and {what}"


RECOGNISERS = (streets, schools, hearings)
