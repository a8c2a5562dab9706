"""Legal citations: reading them, writing them one way, and telling when two name the same law.

Three forms are understood, each checked strictly (a near miss is refused with a message
saying what was expected):

- neutral citations of judgments: ``[2002] EWCA Civ 1199``, ``[2004] EWHC 1234 (Fam)``,
  ``[2005] UKHL 33``, ``[2017] EWFC 48``;
- law report citations: ``[2002] 2 FLR 893``, ``[1996] AC 563``, ``(1993) 1 FCR 45``;
- legislation, with an optional section, rule or paragraph: ``Children Act 1989 s7``,
  ``Children Act 1989, s.1(3)``, ``Adoption and Children Act 2002 section 52``,
  ``Family Proceedings Rules 1991 r4.11``.

Guidance, practice directions, consultations and inspections are cited by title and year
in brackets: ``Private Law Programme guidance (2004)``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

NEUTRAL_COURTS = {
    # court as written (upper case, single spaces) → divisions it takes (empty: none)
    "UKSC": set(), "UKHL": set(), "UKPC": set(), "EWCA CIV": set(), "EWCA CRIM": set(),
    "EWHC": {"Fam", "QB", "KB", "Ch", "Admin", "Comm", "TCC", "Pat", "IPEC", "Costs"},
    "EWFC": set(), "EWCOP": set(),
}
COURT_SPELLING = {"EWCA CIV": "EWCA Civ", "EWCA CRIM": "EWCA Crim"}
REPORTS = {"FLR": "FLR", "FCR": "FCR", "WLR": "WLR", "AC": "AC", "ALL ER": "All ER", "QB": "QB", "KB": "KB", "FAM": "Fam",
           "CH": "Ch", "CCLR": "CCLR", "FAM LAW": "Fam Law", "UKHRR": "UKHRR", "EHRR": "EHRR"}

NEUTRAL_RE = re.compile(
    r"^\[(?P<year>\d{4})\]\s+(?P<court>UKSC|UKHL|UKPC|EWCA\s+Civ|EWCA\s+Crim|EWHC|EWFC|EWCOP)\s+(?P<b>B)?(?P<number>\d{1,5})"
    r"(?:\s+\((?P<division>[A-Za-z]+)\))?$", re.I)
REPORT_RE = re.compile(
    r"^(?P<open>[\[(])(?P<year>\d{4})(?P<close>[\])])\s+(?:(?P<volume>\d{1,2})\s+)?(?P<series>[A-Za-z]+(?:\s+[A-Za-z]+)?)\s+(?P<page>\d{1,5})$")
STATUTE_RE = re.compile(
    r"^(?P<title>[A-Z][A-Za-z'’\-]*(?:\s+(?:[A-Z][A-Za-z'’\-]*|and|of|for|the|in|on|to|\(\w+\)))*?\s+(?P<type>Act|Rules|Regulations|Order))"
    r"\s+(?P<year>\d{4})"
    r"(?:,?\s+(?P<unit>(?i:s|ss|section|r|rule|reg|regulation|para|paragraph|sch|schedule|art|article|pt|part))\.?\s*(?P<number>\d+[A-Z]{0,2}(?:\.\d+)*(?:\([0-9a-z]+\))*))?$")
DOCUMENT_RE = re.compile(r"^(?P<title>\S.{3,150}?)\s+\((?P<year>\d{4})\)$")
UNITS = {"s": "s", "ss": "s", "section": "s", "r": "r", "rule": "r", "reg": "reg", "regulation": "reg", "para": "para",
         "paragraph": "para", "sch": "Sch", "schedule": "Sch", "art": "art", "article": "art", "pt": "Pt", "part": "Pt"}
EARLIEST_YEAR = 1800


class CitationError(ValueError):
    """A citation that does not parse; the message says what was expected."""


@dataclass(frozen=True)
class Citation:
    kind: str  # neutral | report | statute | document
    text: str  # written the one way CAFpedia writes it
    year: int
    law: str  # what two citations must share to name the same law: the judgment, or the Act
    section: str | None = None  # for legislation: "s7", "s1(3)", "r4.11"

    def same_law(self, other: Citation) -> bool:
        """Do these name the same judgment, document, or statute (and section)?

        An Act without a section is the same law as any section of it; s1 covers s1(3).
        """
        if self.law != other.law:
            return False
        if self.kind != "statute" or self.section is None or other.section is None:
            return True
        a, b = self.section, other.section
        return a == b or a.startswith(b + "(") or b.startswith(a + "(")


def parse(text: str, *, this_year: int | None = None) -> Citation:
    """One citation, or CitationError saying what is wrong."""
    raw = " ".join((text or "").replace("\u00a0", " ").split())
    if not raw:
        raise CitationError("the citation is empty")
    if len(raw) > 200:
        raise CitationError("a citation is at most 200 characters")
    if raw.startswith(("[", "(")):
        return _judgment(raw, this_year)
    match = STATUTE_RE.match(raw)
    if match:
        year = _year(match.group("year"), this_year)
        title = f"{match.group('title')} {year}"
        section = None
        if match.group("unit"):
            unit = UNITS[match.group("unit").lower()]
            section = unit + ("" if unit in ("s", "r") else " ") + match.group("number")
        return Citation("statute", f"{title} {section}" if section else title, year, title.lower(), section)
    match = DOCUMENT_RE.match(raw)
    if match:
        year = _year(match.group("year"), this_year)
        return Citation("document", f"{match.group('title')} ({year})", year, f"{match.group('title').lower()} ({year})")
    if re.search(r"\b(Act|Rules|Regulations|Order)\b", raw):
        raise CitationError(f"{raw!r}: write legislation as its short title and year, then any section, "
                            "for example Children Act 1989 s7")
    raise CitationError(f"{raw!r} is not a citation CAFpedia knows: use a neutral citation such as [2002] EWCA Civ 1199, "
                        "a law report such as [2002] 2 FLR 893, legislation such as Children Act 1989 s7, "
                        "or a document's title and year, such as Private Law Programme guidance (2004)")


def _year(value: str, this_year: int | None) -> int:
    year = int(value)
    if year < EARLIEST_YEAR or (this_year is not None and year > this_year):
        raise CitationError(f"the year {year} is not possible here")
    return year


def _judgment(raw: str, this_year: int | None) -> Citation:
    match = NEUTRAL_RE.match(raw)
    if match and raw.startswith("["):
        year = _year(match.group("year"), this_year)
        court = " ".join(match.group("court").upper().split())
        division = match.group("division")
        allowed = NEUTRAL_COURTS[court]
        if allowed:
            wanted = {d.lower(): d for d in allowed}
            if not division or division.lower() not in wanted:
                raise CitationError(f"{raw!r}: a High Court citation ends with its division in brackets, for example [2004] EWHC 1234 (Fam)")
            division = wanted[division.lower()]
        elif division:
            raise CitationError(f"{raw!r}: {COURT_SPELLING.get(court, court)} citations have no division in brackets")
        if match.group("b") and court not in ("EWFC", "EWHC"):
            raise CitationError(f"{raw!r}: only Family Court and High Court citations have a B number")
        number = ("B" if match.group("b") else "") + str(int(match.group("number")))
        text = f"[{year}] {COURT_SPELLING.get(court, court)} {number}" + (f" ({division})" if division else "")
        return Citation("neutral", text, year, text.lower())
    if re.match(r"^\[\d{4}\]\s+(EWCA|EWHC|UKSC|UKHL|UKPC|EWFC|EWCOP)\b", raw, re.I):
        raise CitationError(f"{raw!r}: a neutral citation is [year] court number, for example [2002] EWCA Civ 1199 "
                            "or [2004] EWHC 1234 (Fam)")
    match = REPORT_RE.match(raw)
    if match:
        series = REPORTS.get(" ".join(match.group("series").upper().split()))
        if series is None:
            raise CitationError(f"{raw!r}: unknown law report series {match.group('series')!r}; "
                                f"CAFpedia knows {', '.join(sorted(set(REPORTS.values())))}")
        if (match.group("open"), match.group("close")) not in (("[", "]"), ("(", ")")):
            raise CitationError(f"{raw!r}: the year is in square brackets, or in round brackets, not a mixture")
        year = _year(match.group("year"), this_year)
        volume = f" {int(match.group('volume'))}" if match.group("volume") else ""
        text = f"{match.group('open')}{year}{match.group('close')}{volume} {series} {int(match.group('page'))}"
        return Citation("report", text, year, text.lower().replace("(", "[").replace(")", "]"))
    raise CitationError(f"{raw!r}: a judgment is cited as [2002] EWCA Civ 1199 (neutral) or [2002] 2 FLR 893 (law report)")


@lru_cache(maxsize=8192)
def parse_loosely(text: str) -> Citation | None:
    """A tip's free-text legal reference, if it is a citation; None if not. Cached: every tip
    page matches its references against every update's citations."""
    try:
        return parse(text)
    except CitationError:
        return None
