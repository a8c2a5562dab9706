"""Legal citations: reading them, writing them one way, and telling when two name the same law.

`parse()` reads one citation in a strict form, and refuses a near miss with what it expected:

- neutral citations of judgments: ``[2002] EWCA Civ 1199``, ``[2004] EWHC 1234 (Fam)``,
  ``[2005] UKHL 33``, ``[2017] EWFC 48``;
- law report citations: ``[2002] 2 FLR 893``, ``[1996] AC 563``, ``(1993) 1 FCR 45``;
- legislation, with an optional section, rule or paragraph: ``Children Act 1989 s7``,
  ``Children Act 1989, s.1(3)``, ``Adoption and Children Act 2002 section 52``,
  ``Family Proceedings Rules 1991 r4.11``;
- a document by title and year in brackets: ``Private Law Programme guidance (2004)``.

`read()` reads a field as legal editors and law reports write it, and never refuses:

- several citations, separated by ``;`` (or a parallel citation by ``,``);
- a case name before a judgment's citation: ``Re L (A Child) (Contact: Domestic Violence)
  [2000] 2 FLR 334``; a practice direction cited by report is read the same way;
- legislation with a chapter number: ``Children Act 2004 (c. 31)``;
- statutory instruments: ``SI 2010/2955``, ``Family Procedure Rules 2010 (SI 2010/2955)``;
- command papers: ``Cm 6932``, ``Cmnd 8427`` (and ``Cmd``, ``Cd``), with or without a title;
- documents by author, title and month: ``DfES, Getting the Best from Complaints, September 2006``;
- anything else is kept exactly as written, as kind "unrecognised": the same words written
  again name the same law, and a case name in it is still matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

NEUTRAL_COURTS = {
    # court as written (upper case, single spaces) → divisions it takes (empty: none)
    "UKSC": set(),
    "UKHL": set(),
    "UKPC": set(),
    "EWCA CIV": set(),
    "EWCA CRIM": set(),
    "EWHC": {"Fam", "QB", "KB", "Ch", "Admin", "Comm", "TCC", "Pat", "IPEC", "Costs"},
    "EWFC": set(),
    "EWCOP": set(),
}
COURT_SPELLING = {"EWCA CIV": "EWCA Civ", "EWCA CRIM": "EWCA Crim"}
REPORTS = {
    "FLR": "FLR",
    "FCR": "FCR",
    "WLR": "WLR",
    "AC": "AC",
    "ALL ER": "All ER",
    "QB": "QB",
    "KB": "KB",
    "FAM": "Fam",
    "CH": "Ch",
    "CCLR": "CCLR",
    "FAM LAW": "Fam Law",
    "UKHRR": "UKHRR",
    "EHRR": "EHRR",
}

NEUTRAL_RE = re.compile(
    r"^\[(?P<year>\d{4})\]\s+(?P<court>UKSC|UKHL|UKPC|EWCA\s+Civ|EWCA\s+Crim|EWHC|EWFC|EWCOP)\s+(?P<b>B)?(?P<number>\d{1,5})"
    r"(?:\s+\((?P<division>[A-Za-z]+)\))?$",
    re.I,
)
REPORT_RE = re.compile(
    r"^(?P<open>[\[(])(?P<year>\d{4})(?P<close>[\])])\s+(?:(?P<volume>\d{1,2})\s+)?(?P<series>[A-Za-z]+(?:\s+[A-Za-z]+)?)\s+(?P<page>\d{1,5})$"
)
STATUTE_RE = re.compile(
    r"^(?P<title>[A-Z][A-Za-z'’\-]*(?:\s+(?:[A-Z][A-Za-z'’\-]*|and|of|for|the|in|on|to|\(\w+\)))*?\s+(?P<type>Act|Rules|Regulations|Order))"
    r"\s+(?P<year>\d{4})"
    r"(?:,?\s+(?P<unit>(?i:s|ss|section|r|rule|reg|regulation|para|paragraph|sch|schedule|art|article|pt|part))\.?\s*(?P<number>\d+[A-Z]{0,2}(?:\.\d+)*(?:\([0-9a-z]+\))*))?$"
)
DOCUMENT_RE = re.compile(r"^(?P<title>\S.{3,150}?)\s+\((?P<year>\d{4})\)$")
UNITS = {
    "s": "s",
    "ss": "s",
    "section": "s",
    "r": "r",
    "rule": "r",
    "reg": "reg",
    "regulation": "reg",
    "para": "para",
    "paragraph": "para",
    "sch": "Sch",
    "schedule": "Sch",
    "art": "art",
    "article": "art",
    "pt": "Pt",
    "part": "Pt",
}
EARLIEST_YEAR = 1800


class CitationError(ValueError):
    """A citation that does not parse; the message says what was expected."""


@dataclass(frozen=True)
class Citation:
    kind: str  # neutral | report | statute | si | command | document | unrecognised
    text: str  # written the one way CAFpedia writes it (an unrecognised one: exactly as written)
    year: int | None
    law: str  # what two citations must share to name the same law: the judgment, or the Act
    section: str | None = None  # for legislation: "s7", "s1(3)", "r4.11"
    name: str | None = None  # a case's name ("Re L (A Child) (Contact: Domestic Violence)"), a paper's title
    also: tuple[str, ...] = ()  # other keys for the same law: an SI's number and its title

    @property
    def recognised(self) -> bool:
        return self.kind != "unrecognised"

    @property
    def case_key(self) -> str | None:
        """The case name, for matching by name: lower case, without "(A Child)" and punctuation."""
        if not self.name or self.kind not in ("neutral", "report", "unrecognised"):
            return None
        if self.kind == "unrecognised" and not CASE_NAME_RE.match(self.name):
            return None  # a bare name counts as a case's only if it reads like one: "Re L (...)", "A v B"
        return case_key(self.name)

    def same_law(self, other: Citation) -> bool:
        """Do these name the same judgment, document, or statute (and section)?

        An Act without a section is the same law as any section of it; s1 covers s1(3). Two
        citations of a judgment with the same case name are the same judgment (a neutral
        citation and its law report); a bare case name matches the case cited with it.
        """
        if self.case_key and self.case_key == other.case_key:
            return True
        if {self.law, *self.also}.isdisjoint({other.law, *other.also}):
            return False
        if self.kind != "statute" or other.kind != "statute" or self.section is None or other.section is None:
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
        return Citation(
            "document", f"{match.group('title')} ({year})", year, f"{match.group('title').lower()} ({year})"
        )
    if re.search(r"\b(Act|Rules|Regulations|Order)\b", raw):
        raise CitationError(
            f"{raw!r}: write legislation as its short title and year, then any section, "
            "for example Children Act 1989 s7"
        )
    raise CitationError(
        f"{raw!r} is not a citation CAFpedia knows: use a neutral citation such as [2002] EWCA Civ 1199, "
        "a law report such as [2002] 2 FLR 893, legislation such as Children Act 1989 s7, "
        "or a document's title and year, such as Private Law Programme guidance (2004)"
    )


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
                raise CitationError(
                    f"{raw!r}: a High Court citation ends with its division in brackets, for example [2004] EWHC 1234 "
                    f"(Fam)"
                )
            division = wanted[division.lower()]
        elif division:
            raise CitationError(f"{raw!r}: {COURT_SPELLING.get(court, court)} citations have no division in brackets")
        if match.group("b") and court not in ("EWFC", "EWHC"):
            raise CitationError(f"{raw!r}: only Family Court and High Court citations have a B number")
        number = ("B" if match.group("b") else "") + str(int(match.group("number")))
        text = f"[{year}] {COURT_SPELLING.get(court, court)} {number}" + (f" ({division})" if division else "")
        return Citation("neutral", text, year, text.lower())
    if re.match(r"^\[\d{4}\]\s+(EWCA|EWHC|UKSC|UKHL|UKPC|EWFC|EWCOP)\b", raw, re.I):
        raise CitationError(
            f"{raw!r}: a neutral citation is [year] court number, for example [2002] EWCA Civ 1199 "
            "or [2004] EWHC 1234 (Fam)"
        )
    match = REPORT_RE.match(raw)
    if match:
        series = REPORTS.get(" ".join(match.group("series").upper().split()))
        if series is None:
            raise CitationError(
                f"{raw!r}: unknown law report series {match.group('series')!r}; "
                f"CAFpedia knows {', '.join(sorted(set(REPORTS.values())))}"
            )
        if (match.group("open"), match.group("close")) not in (("[", "]"), ("(", ")")):
            raise CitationError(f"{raw!r}: the year is in square brackets, or in round brackets, not a mixture")
        year = _year(match.group("year"), this_year)
        volume = f" {int(match.group('volume'))}" if match.group("volume") else ""
        text = f"{match.group('open')}{year}{match.group('close')}{volume} {series} {int(match.group('page'))}"
        return Citation("report", text, year, text.lower().replace("(", "[").replace(")", "]"))
    raise CitationError(
        f"{raw!r}: a judgment is cited as [2002] EWCA Civ 1199 (neutral) or [2002] 2 FLR 893 (law report)"
    )


@lru_cache(maxsize=8192)
def read_cached(text: str) -> tuple[Citation, ...]:
    """`read()`, cached: every tip page matches its references against every update's citations."""
    return tuple(read(text))


# --- Reading a field as written ----------------------------------------------------------------
#
# `read()` takes what an editor or an old intranet wrote and never refuses it: the forms below
# are understood; anything else is kept exactly as written, marked unrecognised, for a person
# to confirm (the form asks; a load warns).

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
SPLIT_RE = re.compile(r"\s*;\s*|,\s+(?=[\[(]\d{4}[\])])")  # ";" always; "," before a further [year] or (year)
CASE_RE = re.compile(r"^(?P<name>\S.{0,199}?)\s+(?P<cite>[\[(]\d{4}[\])]\s.*)$")
CHAPTER_RE = re.compile(
    r"^(?P<act>.+?\s(?:Act|Measure)\s+\d{4}),?\s*\(?\s*c\.?\s*(?P<chapter>\d{1,4})\s*\)?(?P<rest>.*)$", re.I
)
SI_RE = re.compile(
    r"^(?:(?P<title>\S.{2,199}?)[,\s]\s*)?\(?\s*S\.?\s?I\.?\s+(?P<year>\d{4})\s*/\s*(?P<number>\d{1,5})\s*\)?$", re.I
)
COMMAND_RE = re.compile(
    r"^(?:(?P<title>\S.{2,199}?)[,\s]\s*)?\(?\s*(?P<series>Cmnd|Cmd|Cm|Cd)\.?\s+(?P<number>\d{1,5})\s*\)?$", re.I
)
AUTHORED_RE = re.compile(
    rf"^(?P<author>[^,]{{2,120}}),\s+(?P<title>\S[^\n]{{2,200}}?),\s+(?:(?P<day>\d{{1,2}})\s+)?(?P<month>{'|'.join(MONTHS)})\s+(?P<year>\d{{4}})$",
    re.I,
)
COMMAND_SERIES = {"cm": "Cm", "cmnd": "Cmnd", "cmd": "Cmd", "cd": "Cd"}
CASE_NAME_RE = re.compile(r"^(?:re|in re|in the matter of)\s+\S|^\S.*\sv\.?\s+\S", re.I)
CHILD_WORDS = re.compile(r"\((?:a child|children|a minor|minors|a minor child)\)", re.I)


def case_key(name: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", CHILD_WORDS.sub(" ", name.lower())).split())


def read(text: str, *, this_year: int | None = None) -> list[Citation]:
    """Every citation in a field as written: several may be separated by ";" (or a parallel
    citation by ","); a case name may come before a judgment's citation. Never raises."""
    raw = " ".join((text or "").replace("\u00a0", " ").split())
    if not raw:
        return []
    found: list[Citation] = []
    name = None
    for part in (p for p in SPLIT_RE.split(raw) if p):
        citation = _read_one(part, this_year)
        if citation.name is None and name and citation.kind in ("neutral", "report"):
            citation = Citation(
                citation.kind, f"{name} {citation.text}", citation.year, citation.law, name=name
            )  # a parallel citation
        name = citation.name if citation.kind in ("neutral", "report") else None
        found.append(citation)
    return found


def _read_one(part: str, this_year: int | None) -> Citation:
    try:
        return parse(part, this_year=this_year)
    except CitationError:
        pass
    for reader in (_case, _chapter, _statutory_instrument, _command_paper, _authored_document):
        try:
            citation = reader(part, this_year)
        except CitationError:
            citation = None
        if citation is not None:
            return citation
    return unrecognised(part)


def unrecognised(text: str) -> Citation:
    """Kept exactly as written; the same words written again are the same law."""
    raw = " ".join(text.split())
    name = raw if not re.search(r"[\[(]\d{4}[\])]", raw) else None
    return Citation("unrecognised", raw, None, raw.lower(), name=name)


def _case(part: str, this_year: int | None) -> Citation | None:
    match = CASE_RE.match(part)
    if not match:
        return None
    cited = _judgment(match.group("cite"), this_year)
    name = match.group("name").strip().rstrip(",")
    return Citation(cited.kind, f"{name} {cited.text}", cited.year, cited.law, name=name)


def _chapter(part: str, this_year: int | None) -> Citation | None:
    match = CHAPTER_RE.match(part)
    if not match:
        return None
    act = parse(f"{match.group('act')} {match.group('rest').strip()}".strip(), this_year=this_year)
    title = act.text[: -len(f" {act.section}")] if act.section else act.text
    text = f"{title} (c. {int(match.group('chapter'))})" + (f" {act.section}" if act.section else "")
    return Citation("statute", text, act.year, act.law, act.section)


def _statutory_instrument(part: str, this_year: int | None) -> Citation | None:
    match = SI_RE.match(part)
    if not match:
        return None
    year = _year(match.group("year"), this_year)
    number = f"SI {year}/{int(match.group('number'))}"
    title = (match.group("title") or "").strip().rstrip(",")
    also = (" ".join(title.lower().split()),) if title else ()
    if title.lower().startswith("the "):
        also += (" ".join(title[4:].lower().split()),)
    return Citation(
        "si", f"{title} ({number})" if title else number, year, number.lower(), also=also, name=title or None
    )


def _command_paper(part: str, this_year: int | None) -> Citation | None:
    match = COMMAND_RE.match(part)
    if not match:
        return None
    number = f"{COMMAND_SERIES[match.group('series').lower()]} {int(match.group('number'))}"
    title = (match.group("title") or "").strip().rstrip(",")
    return Citation("command", f"{title} ({number})" if title else number, None, number.lower(), name=title or None)


def _authored_document(part: str, this_year: int | None) -> Citation | None:
    match = AUTHORED_RE.match(part)
    if not match:
        return None
    year = _year(match.group("year"), this_year)
    month = match.group("month").capitalize()
    day = f"{int(match.group('day'))} " if match.group("day") else ""
    title = match.group("title").strip()
    text = f"{match.group('author').strip()}, {title}, {day}{month} {year}"
    return Citation("document", text, year, f"{title.lower()} ({year})", name=title)
