"""Recognisers for where a family is: a street address, a named school, and a hearing (a court or
hearing with a date, and a person or a court's town)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .identifiers import DATE, MONTH, Hit
from .lexicon import Lexicon
from .people import WORD, bare, plausible

HOUSE = r"(?:no\.?\s*)?\d{1,3}[a-zA-Z]?(?:\s*[-/]\s*\d{1,3}[a-zA-Z]?)?"
NOT_HOUSE_BEFORE = re.compile(
    r"(?i:\b(?:section|sections|s|ss|para|paragraph|paragraphs|page|pages|p|pp|standard|standards|clause|rule|r|"
    r"pd|part|chapter|schedule|article|step|stage|level|grade|year|years|table|figure|no|number|of|about|£|\$|"
    r"and|to|or|the|aged?|under|over|by|for|every|within|than|at\s+least|last|first|next))\s*\.?\s*$|[£$%.,]\s*$"
)
STREET = re.compile(
    rf"(?<![\w/.£$-])(?P<house>{HOUSE}),?\s+(?P<street>(?:[A-Za-z][A-Za-z'’\-]*\s+){{0,3}}?)"
    r"(?P<suffix>[A-Za-z]+)\b\.?"
)
FLAT = re.compile(r"\b(?i:flat|apt|apartment|maisonette)\.?\s*(?:no\.?\s*)?\d{1,3}[a-zA-Z]?\b(?:,?\s+\d{1,3}[a-z]?\b)?")
PLACE_AFTER = re.compile(r",\s*(?P<town>[A-Z][A-Za-z'’\-]+)")
HOUSE_NAME_TOWN = re.compile(
    rf"(?<![\w/.£$-])(?P<house>{HOUSE}),?\s+(?P<street>[A-Z][A-Za-z'’\-]+(?:\s+[A-Z][A-Za-z'’\-]+)?),\s*"
    r"(?P<town>[A-Z][A-Za-z'’\-]+)"
)
ADDRESS_CUE = re.compile(
    r"(?i:\b(?:at|to|in|on|from|address|lives|living|live|moved|visit|is|flat|house|home|stays|staying|of|near)"
    r"\s*:?\s*$|[,:(]\s*$|^\s*$)"
)

SCHOOL_WORD = r"(?:Primary|Junior|Juniors|Infant|Infants|Academy|High|Grammar|Secondary|Nursery|Middle|Prep|School|PRU)"
SCHOOL = re.compile(
    r"(?P<name>(?:(?:St\.?|Saint|Holy|Our|Lady|Sacred|Heart|Blessed|C\s+of\s+E|CE|RC|R\.C\.|Catholic|Church|"
    r"[A-Z][A-Za-z'’\-]+)\s+){1,5})"
    rf"(?P<word>{SCHOOL_WORD})\b(?P<rest>(?:\s+School)?)"
)
LOWER_SCHOOL = re.compile(
    r"\b(?P<name>[a-z][a-z'’\-]{2,})\s+(?P<word>academy|primary|juniors?|infants?|nursery|high\s+school|primary\s+school)\b"
)
SCHOOL_CUE = re.compile(
    r"(?i:\b(?:nursery|school|academy|playgroup|pre-?school|college|childminder)\s*(?:[(:]|is|called|named|—|–|-)\s*)"
    r"(?P<name>[A-Z][A-Za-z'’\-]+(?:\s+[A-Z][A-Za-z'’\-]+){0,3})"
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
SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?](?!\d)|\n|$)")


def _house_ok(text: str, start: int) -> bool:
    return not NOT_HOUSE_BEFORE.search(text, max(0, start - 14), start)


def streets(text: str, lex: Lexicon) -> Iterator[Hit]:
    for m in STREET.finditer(text):
        if m.group("suffix").lower() not in lex.street_words or not _house_ok(text, m.start()):
            continue
        words = m.group("street").split()
        capital = all(w[:1].isupper() or w.lower() == "the" for w in words) and m.group("suffix")[:1].isupper()
        if any(w.lower() in lex.not_names and w.lower() not in {"the", "low", "high", "new", "old"} for w in words):
            continue
        if not words and m.group("suffix").lower() in {"court", "house", "park", "hill", "green", "way", "side"}:
            continue  # "3 Court", "2 Way": a count, not an address
        if capital or ADDRESS_CUE.search(text, max(0, m.start() - 14), m.start()):
            yield "street_address", m.start(), m.end(), "a house number and street"
    for m in HOUSE_NAME_TOWN.finditer(text):
        street = m.group("street").split()
        if not _house_ok(text, m.start()) or any(lex.is_common(w) for w in street) or not lex.is_town(m.group("town")):
            continue
        yield "street_address", m.start(), m.end(), "a house number, street and town"
    for m in FLAT.finditer(text):
        yield "street_address", m.start(), m.end(), "a flat number"


def schools(text: str, lex: Lexicon) -> Iterator[Hit]:
    for m in SCHOOL.finditer(text):
        words = m.group("name").split()
        while words and words[0].lower().rstrip(".") in NOT_SCHOOL_NAMES | lex.not_names:
            words = words[1:]
        if not words or any(w.lower() in lex.public_body_words for w in words):
            continue
        if m.group("word") == "High" and not (m.group("rest") or re.match(r"\s*(?:,|\bin\b|\)|$)", text[m.end() :])):
            continue
        start = m.end("name") - len(" ".join(words)) - 1
        yield "school", start, m.end(), f"a school's name ('{' '.join(words)} {m.group('word')}')"
    for m in LOWER_SCHOOL.finditer(text):
        if lex.is_town(m.group("name")) and m.group("name") not in lex.not_names:
            yield "school", m.start(), m.end(), f"a school's name ('{m.group('name')} {m.group('word')}')"
    for m in SCHOOL_CUE.finditer(text):
        name = m.group("name").split()
        if name[0].lower() not in NOT_SCHOOL_NAMES and not lex.is_common(name[0]):
            yield "school", m.start("name"), m.end("name"), "the name of a child's nursery or school"


def _person_in(sentence: str, lex: Lexicon) -> str | None:
    for m in WORD.finditer(sentence):
        word = m.group(0)
        low = bare(word).lower()
        if low in lex.first_names or (word.endswith(("'s", "’s")) and plausible(word, lex, context=True)):
            return bare(word)
        if low in {"mum", "dad", "mother", "father", "baby", "nan", "gran", "grandparents", "twins", "children"}:
            return low
        if word in {"Mr", "Mrs", "Ms", "Miss"}:
            return word
    return None


def _town_in(sentence: str, lex: Lexicon) -> str | None:
    for m in re.finditer(r"\b(?:at|in|to)\s+(?P<town>[A-Z][a-z'’\-]+)|(?P<bare>[A-Z][a-z'’\-]+)\s+(?:CJC|FC|court)\b", sentence):
        town = m.group("town") or m.group("bare")
        if town.lower() in lex.towns:
            return town
    return None


def hearings(text: str, lex: Lexicon) -> Iterator[Hit]:
    """A hearing with a date, and a person or a court's town, in one sentence."""
    for s in SENTENCE.finditer(text):
        sentence = s.group(0)
        hearing = HEARING.search(sentence)
        when = hearing and WHEN.search(sentence)
        if not (hearing and when):
            continue
        who = _person_in(sentence, lex)
        where = _town_in(sentence, lex)
        if not (who or where):
            continue
        start, end = min(hearing.start(), when.start()), max(hearing.end(), when.end())
        what = " and ".join(x for x in (f"'{who}'" if who else "", f"a court at {where}" if where else "") if x)
        yield "hearing", s.start() + start, s.start() + end, f"a hearing with a date and {what}"


RECOGNISERS = (streets, schools, hearings)
