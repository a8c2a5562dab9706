"""The confidentiality guard: what it catches and what it must leave alone."""

from __future__ import annotations

import pytest

from cafpedia.core.confidentiality import find_case_details

CATCHES = [
    ("In case LS07P01234 the court ordered a report.", "case_number"),
    ("Case no. FD06C00123 was listed for Monday.", "case_number"),
    ("see BM 07 P 01234", "case_number"),
    ("DOB: 12/03/2001", "date_of_birth"),
    ("d.o.b. 3.4.99", "date_of_birth"),
    ("date of birth 1 April 2005", "date_of_birth"),
    ("She was born on 14th February 2010.", "date_of_birth"),
    ("born 2012-06-30", "date_of_birth"),
    ("They live near LS6 2QT.", "postcode"),
    ("the office at SW1A 1AA", "postcode"),
    ("M1 1AE", "postcode"),
    ("Ring the mother on 07700 900123.", "phone"),
    ("tel 0113 496 0000", "phone"),
    ("+44 20 7946 0000", "phone"),
    ("(0161) 496 0000", "phone"),
    ("write to mum.smith@example.com", "email"),
    ("NI number AB 12 34 56 C", "ni_number"),
    ("NHS 943 476 5919", "nhs_number"),
    ("Kayden (7) said he was scared.", "named_child_age"),
    ("Mia (aged 9) wants to stay.", "named_child_age"),
    ("Mia, aged 9, wants to stay.", "named_child_age"),
    ("Tom is 6 years old and attends nursery.", "named_child_age"),
    ("Ruby was 12 when the order was made", "named_child_age"),
    ("a 7-year-old called Ruby", "named_child_age"),
    ("the 10 year old Jayden-Lee", "named_child_age"),
    ("They moved to 14 Acacia Avenue last year.", "street_address"),
    ("at 3 Mill Lane", "street_address"),
    ("at 221b Baker Street", "street_address"),
]

LEAVES_ALONE = [
    "See children aged 9 and over before the first hearing.",
    "Children (aged 9 and over) should be seen alone.",
    "Children aged 7 to 11 often worry about loyalty.",
    "Standards 5.1 and 5.3 apply from 1 April 2007.",
    "The Children Act 1989 s7 and s16a reports.",
    "Re M [2002] EWCA Civ 1199 on disclosure of notes.",
    "[2002] 2 FLR 893",
    "Allocate within 2 days in public law cases.",
    "Records are kept until a child is 22 years old.",
    "Under 5s need a different approach; Under 10 groups too.",
    "Use the CAF/CASS domestic violence toolkit (2007).",
    "The Private Law Programme sets a first hearing within 4 to 6 weeks.",
    "Section 7 (1989) reports",
    "About 2,500 staff in 10 regions and over 100 offices.",
    "Ring the Practice Advice Line between 9 and 5.",
    "In April 2009 the rest of the standards apply.",
    "Children's guardians (s41) represent the child.",
    "The IRO (4.10) receives the plan.",
    "This is 5 minutes' work.",
    "The number was 12, so we recruited more.",
]


@pytest.mark.parametrize("text, kind", CATCHES)
def test_it_catches(text, kind):
    kinds = [f.kind for f in find_case_details(text)]
    assert kind in kinds, (text, kinds)


@pytest.mark.parametrize("text", LEAVES_ALONE)
def test_it_leaves_alone(text):
    assert find_case_details(text) == []


def test_each_stretch_of_text_is_reported_once_in_order():
    findings = find_case_details("Kayden (7) lives at LS6 2QT; case LS07P01234.")
    assert [f.kind for f in findings] == ["named_child_age", "postcode", "case_number"]
    assert findings[0].text == "Kayden (7)"


def test_empty():
    assert find_case_details("") == [] and find_case_details(None) == []
