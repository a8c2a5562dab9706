"""When a search finds nothing: no dead end while something relevant exists.

In this order, the same on both backends (each only counts matches; the choices are made here):
1. **Correction in place.** Each typed word that no document the reader may see holds, and that
   may be misspelt (letters only, not in capitals, not a synonym, and not an English word:
   "father" is never a misspelt "rather", whatever the documents hold), is replaced by the nearest
   word the documents were written with (at most one edit for words of four to seven letters, two
   for longer ones; a swap of two letters counts once), the one most documents hold among
   the nearest. If the corrected query finds something, its results are shown at once; if
   not, it is relaxed (the words corrected matched nothing as typed).
2. **Relaxation.** Words that match nothing are left out first; then, one at a time, the least
   informative word whose leaving out finds something: a word like "report" or "need" before
   any other, then the word most documents hold. The first query that finds something is shown,
   with the words left out still ranking what holds them first. One word is never relaxed away.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from cafpedia.search import backends
from cafpedia.search.plan import SearchPlan, plan_query
from cafpedia.search.query import parse_query

LOOKAHEAD = 3  # how many words relaxation tries leaving out before it leaves out the least informative
NEAREST = 12  # how many of the nearest words are weighed by how many documents hold them


@dataclass
class Rewrite:
    plan: SearchPlan
    shown: str  # what the results are for, to show
    corrected_from: str | None = None  # the query as typed, when words were corrected
    relaxed_from: str | None = None  # the query that nothing matched in full


@lru_cache(maxsize=1)
def english():
    """pyspellchecker's English word list (read once per process, when first needed: 0.3 s)."""
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1)


def max_edits(word: str) -> int:
    """One slip for a word of four to seven letters, two for a longer one; none for a shorter one
    (too many words are one edit from "to" or "am")."""
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


def nearest_word(word: str, vocabulary: list[str], held_by) -> str | None:
    """The word the documents hold that `word` most likely meant, or None."""
    edits = max_edits(word)
    if not edits:
        return None
    # Imported when a search first finds nothing (about 4 MB a worker that never needs it saves).
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    found = process.extract(word, vocabulary, scorer=OSA.distance, score_cutoff=edits, limit=None)
    found.sort(key=lambda f: (f[1], f[0][0] != word[0], f[0]))
    best = None
    for candidate, distance, _ in found[:NEAREST]:
        if best is not None and distance > best[0]:
            break
        held = held_by(candidate)
        if held and (best is None or held > best[1]):
            best = (distance, held, candidate)
    return best[2] if best else None


def corrected(plan: SearchPlan, count, vocabulary_of, groups) -> SearchPlan | None:
    """The plan with each misspelt word corrected, or None if no word needed it or could be."""
    corrections = {}
    vocabulary = None
    for clause in plan.clauses:
        if not clause.spellable or count(plan.only(clause)) or clause.typed.lower() in english():
            continue
        vocabulary = vocabulary_of() if vocabulary is None else vocabulary
        word = nearest_word(clause.typed.lower(), vocabulary, lambda w: count(_word_plan(plan, w, groups)))
        if word:
            corrections[clause] = word
    if not corrections:
        return None
    text = " ".join(corrections.get(c, c.as_typed) for c in plan.clauses)
    text += "".join(f" {k}:{v}" for k, values in plan.filters.items() for v in values)
    return plan_query(parse_query(text), groups)


def relaxed(plan: SearchPlan, count) -> SearchPlan | None:
    """The plan with the fewest and least informative words left out that finds something, or
    None. Words that match nothing go first; then, one at a time, the first word among the first
    LOOKAHEAD in the order of `_least_informative` whose leaving out finds something, or if none
    does, the very first (so a long question costs a few counts a word, not one a pair)."""
    if len(plan.clauses) < 2:
        return None
    held = {c: count(plan.only(c)) for c in plan.clauses}
    kept = [c for c in plan.clauses if held[c]]
    if not kept:
        return None
    if len(kept) < len(plan.clauses) and count(plan.requiring(kept)):
        return plan.requiring(kept)
    while len(kept) > 1:
        order = _least_informative(kept, held, plan)
        for clause in order[:LOOKAHEAD]:
            fewer = [c for c in kept if c is not clause]
            if count(plan.requiring(fewer)):
                return plan.requiring(fewer)
        kept.remove(order[0])
    return plan.requiring(kept)


def _least_informative(kept, held, plan) -> list:
    """Weak words ("report", "need") first, then the words most documents hold, the last typed first."""
    position = {c: i for i, c in enumerate(plan.clauses)}
    return sorted(kept, key=lambda c: (not c.weak, -held[c], -position[c]))


def rescue(plan: SearchPlan, typed: str, backend, visibility, groups, *, correct: bool = True) -> Rewrite | None:
    """What to show instead of nothing for a plan that matched nothing (`typed`: its words as
    typed), or None."""
    count = _counter(backend, visibility)
    corrected_from = None
    if correct and (better := corrected(plan, count, backend.vocabulary, groups)) is not None:
        corrected_from, plan = typed, better
        if count(plan):
            return Rewrite(plan, plan.text(filters=False), corrected_from=corrected_from)
    loose = relaxed(plan, count)  # of the corrected words, if any: the words they replace match nothing
    if loose is None:
        return Rewrite(plan, plan.text(filters=False), corrected_from=corrected_from) if corrected_from else None
    full = plan.text(filters=False) if corrected_from else typed
    return Rewrite(loose, loose.text(shown=True, filters=False), corrected_from=corrected_from, relaxed_from=full)


def _word_plan(plan: SearchPlan, word: str, groups) -> SearchPlan:
    found = plan_query(parse_query(word), groups)
    return SearchPlan(clauses=found.clauses, filters=plan.filters)


def _counter(backend, visibility):
    memo: dict = {}

    def count(plan: SearchPlan) -> int:
        """Matches of the plan's required clauses (its optional ones rank, and match nothing)."""
        key = (plan.clauses, tuple(sorted((k, tuple(v)) for k, v in plan.filters.items())))
        if key not in memo:
            required = replace(plan, optional=())
            memo[key] = backend.count(required, visibility, limit=backends.COUNT_LIMIT)  # enough to order words by
        return memo[key]

    return count
