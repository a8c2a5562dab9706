"""A search text is a few words with no context: `looks_personal` is stricter than the guard."""

from __future__ import annotations

import pytest

from cafpedia.core.confidentiality import find_case_details, looks_personal


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Poppy Smith", "named_person"),
        ("Poppy", "named_person"),
        ("harper", "named_person"),  # a name that is no English word, in any case
        ("Smith family", "named_person"),
        ("the Jones children", "named_person"),
        ("12 Parkway Leeds", "street_address"),
        ("lives at 4 acacia avenue", "street_address"),
        ("case 123456", "case_number"),
        ("ZE12C34567", "case_number"),
        ("LS1 4AB contact", "postcode"),
        ("ls14ab", "postcode"),
    ],
)
def test_a_name_a_number_or_an_address_looks_personal(text, kind):
    assert looks_personal(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "SGO report",
        "Section 7 report",
        "section 7 report",
        "child arrangements order",
        "Will the judge read my report",  # a name that is a word, starting a sentence
        "Grace period for an appeal",
        "What is a MIAM",
        "7 day rule",
        "Domestic abuse Practice Direction 12J",
        "Rule 16.4 guardian",
        "Children Act 1989 s.8",
        "Family Court",
        "Working Together 2023",
        "poppy seeds",  # a name that is a word, in lower case
    ],
)
def test_ordinary_searches_do_not(text):
    assert looks_personal(text) is None


def test_a_synonym_term_is_never_a_name():
    assert looks_personal("report on Rose") == "named_person"
    assert looks_personal("report on Rose", terms={"rose"}) is None


def test_the_guard_alone_misses_what_looks_personal_finds():
    """Why search texts need more than the guard: without context it lets these through."""
    assert [t for t in ("Poppy Smith", "12 Parkway Leeds", "case 123456") if not find_case_details(t)]
