"""What a tip legitimately names: case law ("Re C (Children)", "Smith v Jones"), judges ("Baker J",
"Sir James Munby P"), authors with years ("Masson (2012)", "Trinder et al. 2006"), public phrases
("Clare's Law", "Child A") and the published addresses of courts and national bodies.

`public_spans(text)` returns the stretches where a name is public; `public_address_spans(text)` the
sentences that give a court's or national body's address. The guard drops people findings inside
the first and address findings inside the second.
"""

from __future__ import annotations

import re

from .lexicon import Lexicon, squash

CAP = r"[A-Z][\w'’\-]*"
CASE_LAW = re.compile(
    rf"\b(?:[Rr]e|In\s+re|In\s+the\s+matter\s+of)\s+{CAP}(?:\s+(?:and|&)\s+{CAP})?(?:\s*\([^)\n]{{0,80}}\))*"
    rf"|\b{CAP}(?:\s+{CAP}){{0,4}}\s+(?:v|vs|v\.)\s+{CAP}(?:\s+{CAP}){{0,4}}"
    r"|\[(?:19|20)\d{2}\]\s+[A-Za-z ]{2,12}\s+\d+"
)
JUDGE = re.compile(
    rf"\b(?:Sir|Dame|Lady|Lord|Baroness|Baron|HHJ|His\s+Honour\s+Judge|Her\s+Honour\s+Judge|DDJ|Mr\s+Justice|"
    rf"Mrs\s+Justice|Lord\s+Justice|Lady\s+Justice|Professor|Prof\.?|Judge)\s+(?:{CAP}\s*){{1,3}}"
    rf"|\b(?:{CAP}\s+){{0,2}}[A-Z][\w'’\-]+\s+(?:J|LJ|P|MR|JJ|LJJ|JSC|PFD)\b"
)
AUTHOR_YEAR = re.compile(
    rf"\b{CAP}(?:(?:,\s*|\s+and\s+|\s*&\s*){CAP}){{0,4}}(?:\s+et\s+al\.?|\s+and\s+colleagues)?,?\s*"
    r"(?:\((?:19|20)\d{2}[a-z]?[),;]|(?:19|20)\d{2}[a-z]?\b)"
    rf"|\b{CAP}\s+(?:et\s+al\b|and\s+colleagues\b|and\s+others\b)"
)
# A made-up example says so: "Case study (invented for training): 'Mr Smith' and 'Ms Jones'".
INVENTED = re.compile(
    r"(?i:\b(?:invented|fictional|fictitious|made-up|hypothetical|role[\s-]?play|scenario|vignette|pseudonyms?|"
    r"not\s+(?:their|her|his)\s+real\s+names?)\b)"
)
COURT_PHRASE = re.compile(
    r"\b(?:Court\s+Centre|Family\s+Court|Combined\s+Court|Justice\s+Centre|Hearing\s+Centre|Law\s+Courts|"
    r"Magistrates'?\s+Court|Crown\s+Court|County\s+Court|Court\s+of\s+Appeal|Supreme\s+Court|High\s+Court|"
    r"Courts\s+of\s+Justice|Civil\s+and\s+Family|Business\s+Centre|Ministry\s+of|Department\s+for|"
    r"Commissioner|Ofsted|NSPCC|Cafcass|Barnardo'?s|Coram)"
)
SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?](?!\d)|\n|$)")


def public_spans(text: str, lex: Lexicon) -> list[tuple[int, int]]:
    spans = []
    for pattern in (CASE_LAW, JUDGE, AUTHOR_YEAR):
        spans.extend(m.span() for m in pattern.finditer(text))
    if INVENTED.search(text):
        for s in SENTENCE.finditer(text):
            if INVENTED.search(s.group(0)):
                spans.append(s.span())
    lower = text.lower()
    for phrase in lex.public_phrases:
        start = lower.find(phrase.lower())
        while start != -1:
            spans.append((start, start + len(phrase)))
            start = lower.find(phrase.lower(), start + 1)
    return spans


def public_address_spans(text: str, lex: Lexicon) -> list[tuple[int, int]]:
    spans = []
    for s in SENTENCE.finditer(text):
        sentence = s.group(0)
        squashed = squash(sentence)
        if (
            COURT_PHRASE.search(sentence)
            or any(pc.lower() in squashed for pc in lex.public_postcodes)
            or any(street and len(street) > 6 and street in squashed for street in lex.public_streets)
        ):
            spans.append(s.span())
    return spans
