"""Recognisers for people: a child's name with an age, a name next to a family or professional role,
a title and surname, "the <Surname> children", a full name, a first name, and initials with an age.

A known first name (data/names.yml) counts in any case; a capitalised word that is no common word,
role, people, place or public name counts next to a role or an age. Names in the shapes of case
law, judges, authors with years and organisations are left out by the caller (public.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .doc import Doc, bare
from .identifiers import Hit
from .lexicon import Lexicon

NUM_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
    r"eighteen"
)
NUM = rf"(?:\d{{1,2}}|{NUM_WORDS})"
UNIT = r"(?:\s*-?\s*(?:y/?o|yo|yrs?|years?|yr)(?:[\s\-]*old)?|\s*-?\s*(?:months?|mths?|weeks?)(?:[\s\-]*old)?)"
NAME = r"(?P<name>[A-Za-z][\w'’]*(?:-[A-Za-z][\w'’]*)?)"
VERBS = (
    r"and|but|has|had|is|was|who|said|says|told|tells|wants|wanted|lives|attends|refused|refuses|drew|seen|goes|"
    r"went|keeps|needs|disclosed|cried|won't|doesn't|isn't|can't|stays|asked|likes|loves|hates|spoke|showed"
)
# What may follow a name to give an age: "Poppy, 5, told", "Lily (3)", "Leo aged 9", "Mason is 11",
# "kayden 7 said".
AGE_AFTER = re.compile(
    r"(?i:"
    rf"(?P<f1>,\s*(?:who\s+is\s+|(?P<a1>aged?\s+)|now\s+)?{NUM}(?P<u1>{UNIT})?\s*(?=[,.;:)\]]|\s[-–—]|\s+(?:{VERBS})\b|$))"
    rf"|(?P<f2>\s*[(\[]\s*(?:aged?\s*)?{NUM}(?P<u2>{UNIT})?\s*[)\]])"
    rf"|(?P<f3>\s*(?:[,–—-]\s*)?(?:aged?|age)\s*[:\-–]?\s*{NUM}\b)"
    rf"|(?P<f4>,?\s+(?:who\s+is|who\s+was|is|was|is\s+now|turned|turns|is\s+nearly|is\s+almost|is\s+only|is\s+just"
    rf"|will\s+be|has\s+just\s+turned|now)\s+{NUM}(?P<u4>{UNIT})?\b"
    r"(?!\s*(?:%|per\b|percent|times|of\b|out\b|hours|days|am\b|pm\b|[.:/]\d|weeks?\b)))"
    rf"|(?P<f5>\s+\d{{1,2}}(?P<u5>{UNIT})?(?=\s+[a-z]))"
    r"|(?P<f6>(?:'s|’s|\s+is)\s+in\s+(?:yr|year|y)\s?\d{1,2}\b))"
)
AGE_BEFORE = re.compile(
    rf"(?i:\b{NUM}\s*(?:-|\s)?(?:y/?o|yo|yrs?|years?|yr|months?)[\s\-]*(?:old)?\s*,?\s*"
    r"(?:(?:boy|girl|child|son|daughter|brother|sister|baby)\s*,?\s*)?(?P<called>called\s+|named\s+)?)"
    rf"{NAME}"
)
TITLE_WORDS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr"})
TITLE = re.compile(
    r"\b(?P<title>Mr|Mrs|Ms|Miss|Mx|Dr|mr|mrs|ms|dr)\.?\s+(?:(?:and|&)\s+(?:Mr|Mrs|Ms|Miss|Dr|mr|mrs)\.?\s+)?"
    r"(?P<name>[A-Za-z][\w'’\-]+)"
)
FAMILY = re.compile(
    r"\b(?i:the)\s+(?P<name>[A-Z][\w'’\-]+?)(?:s'|'s|’s|s’)?\s+(?:[a-z]+\s+)?"
    r"(?P<noun>children|family|kids|boys|girls|twins|siblings|brothers|sisters|household|parents|grandparents)\b"
)
INITIALS = (
    r"(?P<ini>(?:[A-Z]\.\s?){2,3}|[A-Z]\.\s?[A-Z]'[A-Z]\.?|[a-z]\.[a-z]\.(?:[a-z]\.)?|[A-Z]{2,3}"
    r"|(?:[A-Z]\s*&\s*)+[A-Z]\.?\s+[A-Z])"
)
INITIALS_AGE = re.compile(
    rf"(?<![\w.]){INITIALS}['’\"]?(?i:"
    rf"\s*[(\[]\s*(?:aged?\s*)?{NUM}{UNIT}?\s*[)\]]"
    rf"|\s*,\s*{NUM}{UNIT}?\s*(?=[,.;:)]|\s[-–—]|\s+(?:in|from|of|at|lives|living)\b|$)"
    rf"|\s*(?:[,–—-]\s*)?(?:aged?|age)\s*[:\-–]?\s*{NUM}\b"
    rf"|\s+\d{{1,2}}{UNIT})"
)
INITIALS_SAID = re.compile(r"\binitials?\s*(?:are|is|:)?\s*['’\"]?[A-Z]\.?\s?[A-Z]\.?(?:\s?[A-Z]\.?)?")
ROLE_GAP = re.compile(r"\s*(?:[,(:\-–—]\s*|\s(?:is|was|called|named|known\s+as)\s+)?\s*$")
MULTI_ROLES = {
    ("social", "worker"), ("health", "visitor"), ("foster", "carer"), ("kinship", "carer"), ("kinship", "carers"),
    ("probation", "officer"), ("contact", "supervisor"), ("support", "worker"), ("dv", "worker"), ("key", "worker"),
    ("family", "support"), ("youth", "worker"), ("foster", "carers"), ("police", "officer"),
}  # fmt: skip


def is_capital(word: str) -> bool:
    return word[:1].isupper() and not (len(word) > 1 and word.isupper())


def plausible(word: str, lex: Lexicon, *, context: bool) -> bool:
    """Is `word` a person's name? Known names always; an unknown capitalised word only in context."""
    word = bare(word)
    low = word.lower()
    if low in lex.first_names:
        return True
    if low in lex.word_names:
        return context and word[:1].isupper()
    return context and is_capital(word) and not lex.is_common(word) and not lex.is_town(word) and len(word) > 1


# A number, or a number written as a word, close after a word: the cheap test before the full one.
NUMBER_NEAR = re.compile(rf"\d|(?i:\b(?:{NUM_WORDS})\b)")
UNIT_WORDS = frozenset(
    {"yo", "y", "o", "yrs", "yr", "year", "years", "old", "month", "months", "mths", "year-old", "years-old", "yr-old",
     "month-old", "months-old"}
)  # fmt: skip


def child_ages(doc: Doc, lex: Lexicon) -> Iterator[Hit]:
    text, first, words_as_names, common = doc.text, lex.first_names, lex.word_names, lex.common
    lower_names = [n for n in doc.where(lex.names) if not doc.words[n][2][0].isupper()]
    for n in sorted({*doc.caps, *lower_names}):
        start, end, word, low = doc.words[n]
        if low in first or "-" in low and low.split("-")[0] in first or low in words_as_names and not word[0].isupper():
            known = True
        elif low in common:
            continue
        else:
            known = low in words_as_names and is_capital(word)
        if not NUMBER_NEAR.search(text, end, end + 24):
            continue
        m = AGE_AFTER.match(text, end)
        if m is None or m.group("f5") and not known:
            continue
        if low not in first and not word[0].isupper() and not any(m.group(g) for g in ("f3", "u1", "u2", "a1")):
            continue  # "ruby, aged 4" but not "summer, 5"
        # An unknown capitalised word counts as a name before any age but a bare number after "is"
        # ("Stage is 2"): "Thandiwe, 5, said", "Zbigniew (3)", "Jadwiga, aged 15".
        shaped = any(m.group(g) for g in ("u4", "f1", "f2", "f3", "f6"))
        if known or shaped and plausible(word, lex, context=True):
            yield "named_child_age", start, m.end(), f"a name ('{bare(word)}') with an age"
    seen = set()
    for n in doc.where(UNIT_WORDS):  # "12 y/o Alfie", "a 7-year-old called Ruby": from each unit word
        m = AGE_BEFORE.search(text, max(0, doc.words[n][0] - 14), doc.words[n][1] + 45)
        if m is None or m.start() in seen:
            continue
        seen.add(m.start())
        name = m.group("name")
        low = bare(name).lower()
        if low in lex.first_names or plausible(name, lex, context=True) or (m.group("called") and lex.is_name(name)):
            yield "named_child_age", m.start(), m.end(), f"an age with a name ('{bare(name)}')"


LOWER_INITIALS = re.compile(r"(?<![\w.])[a-z]\.[a-z]\.")


def _parts(word: str) -> list[int]:
    return [k for k in range(len(word)) if k == 0 or word[k - 1] in "-'’"]


def initials(doc: Doc, lex: Lexicon) -> Iterator[Hit]:
    text = doc.text
    short = [doc.words[n] for n in doc.caps if len(doc.words[n][2]) <= 5]
    starts = [
        s + k
        for s, e, w, _ in short
        if (w.isupper() or text.startswith(".", e)) and NUMBER_NEAR.search(text, e, e + 30)
        for k in _parts(w)
    ]
    starts += [m.start() for m in LOWER_INITIALS.finditer(text)]
    for m in (m for s in starts if (m := INITIALS_AGE.match(text, s))):
        letters = re.sub(r"[^A-Za-z]", "", m.group("ini"))
        if "." not in m.group("ini") and "&" not in m.group("ini") and letters.lower() in lex.acronyms:
            continue
        yield "initials_age_town", m.start(), m.end(), "initials with an age"
    for m in INITIALS_SAID.finditer(text) if doc.has_any({"initials", "initial"}) else ():
        yield "initials_age_town", m.start(), m.end(), "a person's initials"


def titled(doc: Doc, lex: Lexicon) -> Iterator[Hit]:
    text = doc.text
    starts = [doc.words[n][0] for n in doc.where(TITLE_WORDS)]
    for m in (m for start in starts if (m := TITLE.match(text, start))):
        name = m.group("name")
        if not (m.group("title")[0].isupper() or name[0].isupper()) or lex.is_common(name):
            continue
        kind = "named_professional" if m.group("title").lower() == "dr" else "named_person"
        yield kind, m.start(), m.end(), f"a name after '{m.group('title')}'"


def families(doc: Doc, lex: Lexicon) -> Iterator[Hit]:
    text = doc.text
    for m in FAMILY.finditer(text):
        name = m.group("name")
        if lex.is_common(name) or lex.is_town(name) or name.lower().rstrip("s") in lex.group_words:
            continue
        yield "named_person", m.start("name"), m.end(), f"a family name ('the {name} {m.group('noun')}')"


def _role_at(words: list, i: int, lex: Lexicon) -> tuple[str, str, int] | None:
    """The role that ends at word i, as (kind, role text, index of its first word)."""
    low = words[i][3]
    if i > 0 and (words[i - 1][3], low) in MULTI_ROLES:
        return "named_professional", f"{words[i - 1][2]} {words[i][2]}", i - 1
    if low in lex.family_roles and low not in {"maternal", "paternal", "middle", "child"}:
        return "named_person", words[i][2], i
    if low in lex.professional_roles and low not in {"officer", "worker", "head", "manager", "practitioner"}:
        return "named_professional", words[i][2], i
    return None


def role_names(doc: Doc, lex: Lexicon) -> Iterator[Hit]:
    text, words = doc.text, doc.words
    for i in doc.where(lex.roles):
        if i + 1 >= len(words):
            continue
        role = _role_at(words, i, lex)
        if role is None:
            continue
        kind, role_text, _ = role
        j = i + 1
        gap = text[words[i][1] : words[j][0]]
        if "\n" in gap or not ROLE_GAP.match(gap):
            continue
        name = words[j][2]
        if not plausible(name, lex, context=True):
            continue
        after = words[j + 1][2] if j + 1 < len(words) else ""
        heading = all(w[:1].isupper() for w in role_text.split()) and after[:1].isupper()
        if heading and bare(name).lower() not in lex.first_names and doc.sentence(words[i][0])[0] != words[i][0]:
            continue  # a Title Case Heading ("Foster Carer Support Groups"), not a name
        end = words[j][1]
        if after and after[:1].isupper() and not lex.is_common(after) and text[end : words[j + 1][0]] == " ":
            end = words[j + 1][1]  # and the surname
        if "(" in gap and text.startswith(")", end):
            end += 1  # "mum (Kerry)", not "mum (Kerry"
        yield kind, words[i][0], end, f"a name next to '{role_text}'"


def first_names(doc: Doc, lex: Lexicon) -> Iterator[Hit]:
    """Known first names anywhere, with the surname after them."""
    text, words = doc.text, doc.words
    for i in doc.caps:
        start, end, word, low = words[i]
        if low not in lex.first_names and not ("-" in low and low.split("-")[0] in lex.first_names):
            continue
        if not word[0].isupper() or word.isupper() and len(word) > 1:
            continue  # lower case, a name only in context (other recognisers); "kim" is Polish for "whom"
        if i + 1 < len(words) and words[i + 1][3] in lex.place_words and words[i + 1][2][0].isupper():
            continue  # "Clive House", "Stanley Road", "Anna Freud Centre": a place, not a person
        before = words[i - 1][3] if i else ""
        if before in lex.honorifics:
            continue
        reason = f"a first name ('{bare(word)}')"
        if i + 1 < len(words) and text[end : words[i + 1][0]] == " ":
            nxt = words[i + 1][2]
            if f"{low} {words[i + 1][3]}" in lex.public_people:
                continue  # "Eileen Munro"
            if nxt[:1].isupper() and not lex.is_common(nxt):
                end, reason = words[i + 1][1], f"a full name ('{word} {bare(nxt)}')"
        yield "named_person", start, end, reason


CALLED_PERSON = re.compile(
    r"(?i:\b(?:man|woman|boy|girl|child|person|someone|partner|friend|lad|bloke|guy|lady|baby|son|daughter|sister|"
    r"brother|uncle|aunt|cousin|kid|teenager|boyfriend|girlfriend)\s+(?:who\s+is\s+|who's\s+)?)$"
)
CALLED_WORDS = frozenset({"called", "named", "known", "goes"})
CALLED = re.compile(r"\b(?i:called|named|known\s+as|goes\s+by)\s+['‘\"“]?(?P<name>[A-Za-z][\w'’\-]*)")


def called(doc: Doc, lex: Lexicon) -> Iterator[Hit]:
    """ "a man called Dean", "a girl named Summer": a known name after "called" or "named"."""
    starts = [doc.words[n][0] for n in doc.where(CALLED_WORDS)]
    for m in (m for start in starts if (m := CALLED.match(doc.text, start))):
        person = CALLED_PERSON.search(doc.text, max(0, m.start() - 24), m.start())
        if lex.is_name(m.group("name")) or person and plausible(m.group("name"), lex, context=True):
            yield "named_person", m.start(), m.end(), f"a name ('{bare(m.group('name'))}') after 'called'"


POSSESSED = frozenset(
    {"mum", "mam", "mom", "dad", "mother", "father", "nan", "nana", "gran", "grandma", "grandad", "partner",
     "boyfriend",
     "girlfriend", "sister", "brother", "aunt", "auntie", "uncle", "carer", "carers", "sw", "school", "nursery",
     "teacher", "class", "case", "hearing", "contact", "irh", "fhdra", "dra", "guardian", "dob", "birthday", "siblings",
     "brothers", "sisters", "ex", "stepdad", "step-dad", "new"}
)  # fmt: skip


def possessive_names(doc: Doc, lex: Lexicon) -> Iterator[Hit]:
    """ "Precious's mum", "Leon's IRH", "Siobhán and Pádraig's dad": a name that owns a relative or a case."""
    text, words = doc.text, doc.words
    for i in doc.possessives:
        start, end, word, low = words[i]
        if i + 1 >= len(words) or words[i + 1][3] not in POSSESSED:
            continue
        if text[end : words[i + 1][0]].strip("'’") != " " or not (word[0].isupper() or low in lex.first_names):
            continue
        if low in lex.common or lex.is_town(bare(word)) or not (lex.is_name(low) or plausible(word, lex, context=True)):
            continue
        yield "named_person", start, words[i + 1][1], f"a name ('{bare(word)}') with '{words[i + 1][2]}'"


RECOGNISERS = (child_ages, initials, titled, families, role_names, called, possessive_names, first_names)
