"""The labelled set that bench/confidentiality.py measures the confidentiality guard on
(tests/confidentiality/): it is well formed. It does not test the guard's recall or false
alarms; the benchmark prints those."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

SET_DIR = Path(__file__).resolve().parent.parent / "confidentiality"

# The kinds of slip in issue 29's table.
KINDS = {
    "phone",
    "email",
    "postcode",
    "nhs_number",
    "ni_number",
    "date_of_birth",
    "case_number",
    "street_address",
    "named_child_age",
    "named_person",
    "hearing",
    "school",
    "named_professional",
    "initials_age_town",
    "vehicle_registration",
    "social_media",
}
COMMON_KINDS = {"named_person", "named_child_age", "date_of_birth", "street_address", "hearing"}
NHS_NUMBER = re.compile(r"(?<![\d-])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d-])")


def load(name: str) -> list[dict]:
    return yaml.safe_load((SET_DIR / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def slips() -> list[dict]:
    return load("slips.yml")


@pytest.fixture(scope="module")
def legitimate() -> list[dict]:
    return load("legitimate.yml")


def nhs_check_digit_ok(digits: str) -> bool:
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def test_entries_have_exactly_their_fields_and_non_empty_text(slips, legitimate):
    for entry in slips:
        assert set(entry) == {"kind", "text"}, entry
    for entry in legitimate:
        assert set(entry) == {"shape", "text"}, entry
    for entry in slips + legitimate:
        assert isinstance(entry["text"], str) and entry["text"].strip(), entry


def test_there_are_enough_of_each():
    assert len(load("slips.yml")) >= 200
    assert len(load("legitimate.yml")) >= 150


def test_every_kind_of_the_table_has_at_least_eight_slips_and_no_other_kind(slips):
    counts = Counter(entry["kind"] for entry in slips)
    assert set(counts) == KINDS
    assert {kind: n for kind, n in counts.items() if n < 8} == {}
    assert {kind: counts[kind] for kind in COMMON_KINDS if counts[kind] < 20} == {}


def test_legitimate_passages_have_varied_shapes(legitimate):
    counts = Counter(entry["shape"] for entry in legitimate)
    assert len(counts) >= 10
    assert all(isinstance(shape, str) and shape for shape in counts)


def test_no_text_is_there_twice(slips, legitimate):
    texts = Counter(" ".join(entry["text"].split()).lower() for entry in slips + legitimate)
    assert [text for text, n in texts.items() if n > 1] == []


def test_every_nhs_number_in_the_slips_passes_modulus_11(slips):
    numbers = [
        "".join(match.groups())
        for entry in slips
        if entry["kind"] == "nhs_number"
        for match in NHS_NUMBER.finditer(entry["text"])
    ]
    assert len(numbers) >= sum(entry["kind"] == "nhs_number" for entry in slips)
    assert [n for n in numbers if not nhs_check_digit_ok(n)] == []


def test_the_check_digit_rule_is_right():
    assert nhs_check_digit_ok("9434765919")  # the NHS's published example
    assert not nhs_check_digit_ok("9434765918")
