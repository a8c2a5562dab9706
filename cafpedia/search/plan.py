"""What a search looks for, the same for both backends: the typed words and phrases as clauses,
each with the ways of writing it that the synonym list knows, and which clauses are required.

`plan_query(parsed)` reads a `ParsedQuery` against the synonym groups in use:
- the longest run of typed words that is a synonym (up to four: "section 7") is one clause whose
  variants are every member of its group, and each member without its optional words ("special
  guardianship order" is also found as "special guardianship", since a tip on special
  guardianship may never say "order"), so an acronym finds what uses its expansion's
  distinctive words, and "special guardianship" typed is read as the group too;
- a quoted phrase is one clause (with its group's variants if it is a synonym);
- any other word is a clause of its own, except a word so common in questions that it says
  nothing ("how", "do", "I"): PostgreSQL's English configuration ignores those, so both
  backends leave them out and find the same documents for a whole question; and a question's
  filler ("need", "help", "happens") is optional: it ranks what holds it first, and is not
  required of a match.

Each backend turns the clauses into its own query; `rescue.py` corrects and relaxes a plan that
finds nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from cafpedia.search.query import ParsedQuery

WORDS = yaml.safe_load(Path(__file__).with_name("query_words.yml").read_text(encoding="utf-8"))
OPTIONAL_WORDS = frozenset(WORDS["optional"].split())  # in an expansion: "order", "report"
STOP_WORDS = frozenset(WORDS["stop"].split())  # not searched for as typed words
FILLER_WORDS = frozenset(WORDS["filler"].split())  # left out first when nothing matches
SPELLABLE = re.compile(r"[^\W\d_][^\W\d_']+")
CONTRACTION = re.compile(r"\w+(n't|'re|'ll|'ve|'d|'m)", re.I)  # "won't", "I'm": as little as stop words
EDGE_PUNCTUATION = "?!,;:()[]{}<>…"


def typed_word(part: str) -> str:
    """A typed word without the punctuation around it ("SGO?" → "SGO"), curly apostrophes made
    straight as the synonym list writes them."""
    word = part.replace("’", "'").replace("‘", "'").strip(EDGE_PUNCTUATION).rstrip(".")
    return word or part


@dataclass(frozen=True)
class Clause:
    """One thing to find: a typed word, a quoted phrase, or a run of words the synonym list knows."""

    typed: str  # as typed
    variants: tuple[str, ...]  # the texts any one of which it matches (a word, or words in order)
    quoted: bool = False
    synonym: bool = False

    @property
    def spellable(self) -> bool:
        """A single word that may be misspelt: letters only, not typed in capitals (an acronym,
        perhaps one the list does not know: MIAM is not a misspelt "miah"), not a synonym."""
        plain = not (self.quoted or self.synonym or self.typed.isupper())
        return plain and SPELLABLE.fullmatch(self.typed) is not None

    @property
    def filler(self) -> bool:
        """A word a question carries that narrows nothing ("need", "help"): never required."""
        return not (self.quoted or self.synonym) and self.typed.lower() in FILLER_WORDS

    @property
    def weak(self) -> bool:
        """Says little about what is wanted: dropped before other words when nothing matches."""
        word = self.typed.lower()
        return not (self.quoted or self.synonym) and (word in OPTIONAL_WORDS or word in FILLER_WORDS)

    @property
    def as_typed(self) -> str:
        return f'"{self.typed}"' if self.quoted else self.typed

    @property
    def shown(self) -> str:
        """How the clause reads in "showing results for ...": as typed, a phrase in quotes, and a
        spelt-out synonym without its optional words (the words its matches are sure to hold)."""
        if self.quoted:
            return f'"{self.typed}"'
        if self.synonym and " " in self.typed:
            kept = [w for w in self.typed.split() if w.lower() not in OPTIONAL_WORDS]
            return " ".join(kept) or self.typed
        return self.typed


@dataclass(frozen=True)
class SearchPlan:
    """Required clauses (all must match), optional ones (rank what holds them first), filters."""

    clauses: tuple[Clause, ...] = ()
    optional: tuple[Clause, ...] = ()
    filters: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.clauses and not self.filters

    @property
    def words(self) -> tuple[Clause, ...]:
        return self.clauses + self.optional

    def text(self, *, shown: bool = False, filters: bool = True) -> str:
        """The query as text: the required clauses (`shown`: as "showing results for" reads
        them), then the filters."""
        parts = [c.shown if shown else c.as_typed for c in self.clauses]
        if filters:
            parts += [f"{k}:{v}" for k, values in self.filters.items() for v in values]
        return " ".join(parts)

    def requiring(self, kept: list[Clause]) -> SearchPlan:
        """The same words, only `kept` required; the rest still rank."""
        return replace(self, clauses=tuple(kept), optional=tuple(c for c in self.words if c not in kept))

    def only(self, clause: Clause) -> SearchPlan:
        return replace(self, clauses=(clause,), optional=())


def is_stop_word(typed: str) -> bool:
    return typed.lower() in STOP_WORDS or CONTRACTION.fullmatch(typed) is not None


def loosened(variant: str) -> str | None:
    """A synonym's variant without its optional words, if what is left still says what it is
    (two words or more, or a hyphenated one: "fact-finding")."""
    words = variant.split()
    kept = [w for w in words if w not in OPTIONAL_WORDS]
    distinctive = len(kept) >= 2 or (len(kept) == 1 and "-" in kept[0])
    return " ".join(kept) if len(kept) != len(words) and distinctive else None


def group_variants(group: tuple[str, ...]) -> tuple[str, ...]:
    found = list(group)
    found += [short for v in group if (short := loosened(v))]
    return tuple(dict.fromkeys(found))


def plan_query(parsed: ParsedQuery, groups: tuple[tuple[str, ...], ...]) -> SearchPlan:
    by_variant = {short: g for g in groups for v in g if (short := loosened(v))}  # "special guardianship"
    by_variant |= {v: g for g in groups for v in g}  # a group's own variant comes first
    clauses: list[Clause] = []
    parts, i = [p if n in parsed.phrases else typed_word(p) for n, p in enumerate(parsed.parts)], 0
    while i < len(parts):
        if i in parsed.phrases:
            group = by_variant.get(" ".join(parts[i].lower().replace("’", "'").split()))
            clauses.append(Clause(parts[i], group_variants(group) if group else (parts[i],), quoted=True))
            i += 1
            continue
        for j in range(min(len(parts), i + 4), i, -1):  # the longest run of typed words that is a synonym
            if any(k in parsed.phrases for k in range(i, j)):
                continue
            typed = " ".join(parts[i:j])
            group = by_variant.get(typed.lower())
            if group:
                clauses.append(Clause(typed, group_variants(group), synonym=True))
                i = j
                break
        else:
            clauses.append(Clause(parts[i], (parts[i],)))
            i += 1
    meaningful = [c for c in clauses if c.quoted or c.synonym or not is_stop_word(c.typed)] or clauses
    # A question's filler ("need", "help") ranks what holds it first but is not required of a match.
    required = [c for c in meaningful if not c.filler] or meaningful
    return SearchPlan(
        clauses=tuple(required),
        optional=tuple(c for c in meaningful if c not in required),
        filters=dict(parsed.filters),
    )
