"""The confidentiality guard: does a text look as if it holds case details?

CAFpedia holds knowledge, never case records (National Standards 5.8 and 8.3).
`find_case_details(text)` returns each stretch of a text that looks as if it could identify a
child or family, with its kind, its exact text, its position and a short reason, so the writer is
warned before saving and the moderator must confirm it is safe before approving.

It looks for (each a `kind`, see KIND_LABELS): numbers and handles that point at one person
(identifiers.py: phone, email, postcode, NHS and NI numbers checked by their rules, case and
local-authority references, vehicle registrations, social-media handles, dates of birth written
every way people write them); people (people.py: a name with an age, a name next to a family or
professional role, a title and surname, "the <Surname> children", full and first names from a
list of names, initials with an age); and places (places.py: a house number and street, a named
school, a hearing with a date and a person or a court's town).

It leaves out what a tip legitimately names (public.py): case law, judges, authors with years,
public phrases, public numbers (0300, 0800, 0808, 0845, 0870, 111, 999...) and the published
addresses of courts and national bodies. Names, places and public numbers are data
(data/*.yml), for the team to extend without touching the code.

A search text, a few words with none of a tip's context, also passes `looks_personal`
(searches.py), which is stricter: a capitalised first name, a long number, a house number.

Recall matters more than a quiet screen here: a missed name is published to the whole
organisation, while a false alarm costs the writer a tick. The labelled set in
tests/confidentiality/ and bench/confidentiality.py measure both.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from . import identifiers, people, places
from .doc import Doc
from .lexicon import lexicon
from .public import public_address_spans, public_spans
from .searches import looks_personal

__all__ = ["Finding", "describe", "find_case_details", "looks_personal"]

KIND_LABELS = {
    "case_number": "a case or reference number",
    "date_of_birth": "a date of birth",
    "postcode": "a postcode",
    "phone": "a phone number",
    "email": "an email address",
    "ni_number": "a National Insurance number",
    "nhs_number": "an NHS number",
    "named_child_age": "a name with an age",
    "street_address": "a street address",
    "named_person": "a person's name",
    "named_professional": "a named carer or professional",
    "hearing": "a hearing",
    "school": "a school",
    "initials_age_town": "initials with an age",
    "vehicle_registration": "a vehicle registration",
    "social_media": "a social-media name",
}

PEOPLE = {"named_child_age", "named_person", "named_professional", "initials_age_town"}
ADDRESSES = {"street_address", "postcode"}
RECOGNISERS = (*identifiers.RECOGNISERS, *people.RECOGNISERS[:2], *places.RECOGNISERS, *people.RECOGNISERS[2:])
MAX_CHARS = 2_000_000  # beyond this, the rest of a text is not read (a tip is at most a few thousand words)


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


class Taken:
    """The stretches already reported, kept sorted and apart, so that an overlap is found by
    looking at two neighbours (a text of digits can hold thousands of findings)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        n = bisect_left(self.starts, start)
        return (n < len(self.starts) and self.starts[n] < end) or (n > 0 and self.ends[n - 1] > start)

    def add(self, start: int, end: int) -> None:
        n = bisect_left(self.starts, start)
        self.starts.insert(n, start)
        self.ends.insert(n, end)


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def find_case_details(text: str | None) -> list[Finding]:
    """Everything in `text` that looks like case details, in the order it appears."""
    if not text:
        return []
    text = text[:MAX_CHARS]
    lex = lexicon()
    doc = Doc.read(text)
    public: list | None = None  # worked out only when a person or address is found
    addresses: list | None = None
    taken = Taken()
    findings: list[Finding] = []
    for recogniser in RECOGNISERS:
        for kind, start, end, reason in recogniser(doc, lex):
            while end > start and (
                text[end - 1] in " \t\n,;:–—-(" or text[end - 1] == "." and kind != "initials_age_town"
            ):
                end -= 1
            while start < end and text[start] in " \t\n,;:":
                start += 1
            if end <= start or taken.overlaps(start, end):
                continue  # one warning per stretch of text
            if kind in PEOPLE:
                public = public_spans(text, lex) if public is None else public
                if _inside(start, end, public):
                    continue
            if kind in ADDRESSES:
                addresses = public_address_spans(text, lex) if addresses is None else addresses
                if _inside(start, end, addresses):
                    continue
            taken.add(start, end)
            findings.append(Finding(kind, text[start:end], start, reason))
    return sorted(findings, key=lambda f: f.start)


def describe(findings: list[Finding]) -> str:
    return "; ".join(f"{f.label}: “{f.text}”" for f in findings)
