"""What a search (or an advice-line question) is about, as a key: texts that mean the same give
the same key, so the areas' "What people need" lists count them together.

`meaning_key(text, groups)` reads the text as search does (query.parse_query, then
plan.plan_query with the synonym groups in use) and keeps the stemmed words of its clauses
(text.tokens), sorted and each once. A clause the synonym list knows stands for its group: the
stems of the group's first variant of more than one word, without its optional words ("order",
"report"), so "SGO report", "special guardianship reports" and "Special Guardianship Order
report" share the key "guardianship report special". Stop words, question words ("how",
"should") and, beside other words, a question's filler ("need", "help") are left out: "how do I
get an SGO" and "SGO" ask the same. A text of stop words only has the empty key (nothing to
count).
"""

from __future__ import annotations

from cafpedia.search.plan import OPTIONAL_WORDS, Clause, is_stop_word, plan_query
from cafpedia.search.query import parse_query
from cafpedia.search.text import tokens

KEY_MAX = 200  # characters (search_events.meaning_key); a longer key keeps its first whole words

# Question words that say nothing about what was asked, as stems (Whoosh's stop words already
# drop "can", "when", "is"...).
QUESTION_WORDS = frozenset(
    [
        "about",
        "anyon",
        "could",
        "did",
        "do",
        "doe",
        "how",
        "i",
        "me",
        "must",
        "my",
        "our",
        "should",
        "so",
        "their",
        "them",
        "there",
        "thei",
        "what",
        "where",
        "which",
        "who",
        "why",
        "would",
    ]
)


def question_words(question: str) -> frozenset[str]:
    """The stemmed words that carry a question's meaning, in any order."""
    return frozenset(t for t in tokens(question.replace("'s ", " ")) if t not in QUESTION_WORDS)


def _group_words(clause: Clause) -> str:
    """The words a synonym clause stands for: its group's first variant of several words
    without the optional ones (the variants are the group's members first, in the list's order)."""
    for variant in clause.variants:
        words = variant.split()
        if len(words) > 1:
            kept = [w for w in words if w not in OPTIONAL_WORDS]
            return " ".join(kept or words)
    return clause.variants[0] if clause.variants else clause.typed


def _clause_words(clause: Clause) -> str:
    if clause.synonym or (clause.quoted and len(clause.variants) > 1):
        return _group_words(clause)
    return clause.typed


def meaning_key(text: str | None, groups: tuple[tuple[str, ...], ...]) -> str:
    """The sorted stems of what `text` asks for, space-separated, at most KEY_MAX characters
    ("" when it asks for nothing but stop words)."""
    plan = plan_query(parse_query(text), groups)
    clauses = [c for c in plan.words if c.quoted or c.synonym or not is_stop_word(c.typed)]
    if not all(c.filler for c in clauses):
        clauses = [c for c in clauses if not c.filler]
    stems = {s for c in clauses for s in tokens(_clause_words(c).replace("'s ", " ")) if s not in QUESTION_WORDS}
    key = ""
    for stem in sorted(stems):
        longer = f"{key} {stem}" if key else stem
        if len(longer) > KEY_MAX:
            break
        key = longer
    return key
