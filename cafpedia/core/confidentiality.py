"""The confidentiality guard: does a text look as if it holds case details?

CAFpedia holds knowledge, never case records. `find_case_details(text)` returns what
in a text looks like it could identify a child or family, so the author can be warned
before submitting and the moderator must confirm it is safe before approving.

What it catches (each a `kind`):
- case_number: court case numbers such as LS07P01234, FD06C00123, BM 07 P 01234
- date_of_birth: "DOB", "d.o.b.", "date of birth" or "born" followed by a date
- postcode: UK postcodes such as LS6 2QT, SW1A 1AA, M1 1AE
- phone: UK phone numbers such as 07700 900123, 0113 496 0000, +44 20 7946 0000
- email: email addresses (advice about a named family is often sent on with one)
- ni_number: National Insurance numbers such as QQ 12 34 56 C
- nhs_number: ten-digit NHS numbers written 3-3-4, such as 943 476 5919
- named_child_age: a name with an age: "Kayden (7)", "Mia, aged 9", "Tom is 6 years old",
  "a 7-year-old called Ruby", "7-year-old Ruby"
- street_address: a house number and street: "14 Acacia Avenue", "3 Mill Lane"

What it does not catch (and does not try to): a name on its own ("the mother, Sarah"),
ages without names ("children aged 9 and over"), dates that are not said to be births
("from 1 April 2007"), school or town names, descriptions that identify a family by their
circumstances alone. The moderator's checklist is the check for those; this module only
makes the common slips impossible to miss. Precision matters more than recall here:
every warning must be worth reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KIND_LABELS = {
    "case_number": "a court case number",
    "date_of_birth": "a date of birth",
    "postcode": "a postcode",
    "phone": "a phone number",
    "email": "an email address",
    "ni_number": "a National Insurance number",
    "nhs_number": "an NHS number",
    "named_child_age": "a name with an age",
    "street_address": "a street address",
}

# Capitalised words that come before ages but are not names.
NOT_NAMES = {
    "children",
    "child",
    "young",
    "boys",
    "girls",
    "siblings",
    "those",
    "people",
    "adults",
    "anyone",
    "pupils",
    "babies",
    "teenagers",
    "infants",
    "toddlers",
    "parents",
    "carers",
    "men",
    "women",
    "families",
    "brothers",
    "sisters",
    "students",
    "under",
    "over",
    "aged",
    "age",
    "ages",
    "between",
    "from",
    "until",
    "by",
    "at",
    "when",
    "if",
    "each",
    "every",
    "all",
    "most",
    "some",
    "many",
    "few",
    "both",
    "standard",
    "section",
    "clause",
    "part",
    "schedule",
    "paragraph",
    "rule",
    "article",
    "chapter",
    "appendix",
    "page",
    "table",
    "figure",
    "step",
    "stage",
    "level",
    "year",
    "years",
    "week",
    "weeks",
    "day",
    "days",
    "month",
    "months",
    "the",
    "a",
    "an",
    "and",
    "or",
    "is",
    "was",
    "who",
    "which",
    "that",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "this",
    "it",
    "there",
    "here",
    "what",
    "she",
    "he",
    "they",
    "number",
    "total",
    "score",
    "ratio",
    "rate",
    "count",
    "cafcass",
    "fca",
    "fcas",
    "iro",
    "ico",
    "epo",
    "edr",
    "fgc",
}

DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2})"
)
NAME = r"([A-Z][a-z]{1,20}(?:-[A-Z][a-z]{1,20})?)"
AGE = r"(\d{1,2})"
STREET_SUFFIX = (
    r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Close|Drive|Dr|Way|Crescent|Grove|Gardens|Terrace|"
    r"Place|Square|Walk|Rise|Mews|Row|Hill|Park Road|View)"
)

PATTERNS: list[tuple[str, re.Pattern[str], int | None]] = [
    # (kind, pattern, group holding a name that must not be a common word, or None)
    ("case_number", re.compile(r"\b[A-Z]{2}\s?\d{2}\s?[A-Z]\s?\d{4,6}\b"), None),
    (
        "date_of_birth",
        re.compile(rf"\b(?:d\.?\s?o\.?\s?b\.?|date of birth|born(?: on)?)\s*[:\-]?\s*{DATE}", re.I),
        None,
    ),
    ("postcode", re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?)\s?\d[A-Z]{2}\b"), None),
    ("phone", re.compile(r"(?<![\w/])(?:\+44\s?\(?0?\)?\s?|\(?0)(?:\d[\s\-)]{0,2}){9,10}\b"), None),
    ("email", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"), None),
    (
        "ni_number",
        re.compile(r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b"),
        None,
    ),
    ("nhs_number", re.compile(r"\b\d{3}[\s-]\d{3}[\s-]\d{4}\b"), None),
    ("named_child_age", re.compile(rf"\b{NAME}\s*\((?:aged?\s*)?{AGE}(?:\s*(?:yrs?|years?))?\)"), 1),
    ("named_child_age", re.compile(rf"\b{NAME},?\s+(?:aged|age)\s+{AGE}\b"), 1),
    (
        "named_child_age",
        re.compile(
            rf"\b{NAME}\s+(?:is|was|who is|who was|is now|turned)\s+{AGE}"
            r"(?:\s*(?:years?|yrs?)(?:\s+old)?\b|(?=[,.;]|\s+when\b|\s+and\b|\s+but\b))"
        ),
        1,
    ),
    ("named_child_age", re.compile(rf"\b{AGE}[- ]year[- ]old\s+(?:called\s+|named\s+)?{NAME}"), 2),
    ("street_address", re.compile(rf"\b\d{{1,4}}[a-z]?,?\s+(?:[A-Z][a-z]+\s+){{1,3}}{STREET_SUFFIX}\b"), None),
]


@dataclass(frozen=True)
class Finding:
    """One stretch of text that looks like a case detail: `text == source[start:end]`."""

    kind: str
    text: str
    start: int
    reason: str = ""  # a short why, such as "a name next to 'mother'"

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def why(self) -> str:
        """The reason, or the kind's label when a recogniser gave none."""
        return self.reason or self.label

    def as_dict(self) -> dict:
        return {"kind": self.kind, "text": self.text}


def find_case_details(text: str | None) -> list[Finding]:
    """Everything in `text` that looks like case details, in the order it appears."""
    if not text:
        return []
    findings: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern, name_group in PATTERNS:
        for match in pattern.finditer(text):
            if name_group is not None and match.group(name_group).lower() in NOT_NAMES:
                continue
            span = match.span()
            if any(start < span[1] and span[0] < end for start, end in taken):
                continue  # one warning per stretch of text
            taken.append(span)
            raw = match.group(0)
            stripped = raw.strip()
            findings.append(Finding(kind, stripped, span[0] + (len(raw) - len(raw.lstrip()))))
    return sorted(findings, key=lambda f: f.start)


def describe(findings: list[Finding]) -> str:
    return "; ".join(f"{f.label}: “{f.text}”" for f in findings)
