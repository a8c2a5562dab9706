"""Citation parsing: real citation forms that must parse, near misses that must not."""

from __future__ import annotations

import pytest

from cafpedia.legal.citations import CitationError, parse

GOOD = [
    ("[2002] EWCA Civ 1199", "neutral", "[2002] EWCA Civ 1199"),
    ("[2002]  ewca   civ 1199", "neutral", "[2002] EWCA Civ 1199"),
    ("[2004] EWHC 1234 (Fam)", "neutral", "[2004] EWHC 1234 (Fam)"),
    ("[2004] EWHC 1234 (fam)", "neutral", "[2004] EWHC 1234 (Fam)"),
    ("[2005] UKHL 33", "neutral", "[2005] UKHL 33"),
    ("[2013] UKSC 33", "neutral", "[2013] UKSC 33"),
    ("[2017] EWFC 48", "neutral", "[2017] EWFC 48"),
    ("[2019] EWFC B12", "neutral", "[2019] EWFC B12"),
    ("[2002] EWCA Crim 2", "neutral", "[2002] EWCA Crim 2"),
    ("[2002] 2 FLR 893", "report", "[2002] 2 FLR 893"),
    ("[1996] AC 563", "report", "[1996] AC 563"),
    ("(1993) 1 FCR 45", "report", "(1993) 1 FCR 45"),
    ("[2004] 1 All ER 1", "report", "[2004] 1 All ER 1"),
    ("[2005] Fam Law 12", "report", "[2005] Fam Law 12"),
    ("Children Act 1989 s7", "statute", "Children Act 1989 s7"),
    ("Children Act 1989, s.1(3)", "statute", "Children Act 1989 s1(3)"),
    ("Children Act 1989 section 14A", "statute", "Children Act 1989 s14A"),
    ("Adoption and Children Act 2002 s52", "statute", "Adoption and Children Act 2002 s52"),
    ("Children and Adoption Act 2006", "statute", "Children and Adoption Act 2006"),
    ("Family Proceedings Rules 1991 r4.11", "statute", "Family Proceedings Rules 1991 r4.11"),
    ("Children Act 1989 sch 2", "statute", "Children Act 1989 Sch 2"),
    ("Private Law Programme guidance (2004)", "document", "Private Law Programme guidance (2004)"),
]

BAD = [
    "[2002] EWCA 1199",  # which division of the Court of Appeal?
    "2002 EWCA Civ 1199",  # no brackets
    "[02] EWCA Civ 1199",  # two-digit year
    "[2002] EWHC 1234",  # High Court without its division
    "[2002] EWCA Civ 1199 (Fam)",  # Court of Appeal with a division
    "[2002] EWCA Civ",  # no number
    "[2002] UKHL B3",  # B numbers are for the Family and High Courts
    "[2002] 2 FLR",  # no page
    "[2002] 2 XYZ 893",  # unknown series
    "[2002) 2 FLR 893",  # mixed brackets
    "Children Act s7",  # no year
    "Children Act 1989 7",  # a section without s
    "Children Act 89",
    "[2090] EWCA Civ 1",  # a year to come
    "",
    "hello",
]


@pytest.mark.parametrize("text, kind, written", GOOD)
def test_real_citations_parse(text, kind, written):
    citation = parse(text, this_year=2026)
    assert (citation.kind, citation.text) == (kind, written)


@pytest.mark.parametrize("text", BAD)
def test_near_misses_are_refused_with_a_reason(text):
    with pytest.raises(CitationError) as caught:
        parse(text, this_year=2026)
    assert str(caught.value)


@pytest.mark.parametrize(
    "one, other, same",
    [
        ("Children Act 1989 s7", "Children Act 1989 s.7", True),
        ("Children Act 1989", "Children Act 1989 s1(3)", True),  # the Act covers its sections
        ("Children Act 1989 s1", "Children Act 1989 s1(3)", True),
        ("Children Act 1989 s1", "Children Act 1989 s10", False),
        ("Children Act 1989 s7", "Children Act 2004 s7", False),
        ("[2002] EWCA Civ 1199", "[2002] ewca civ 1199", True),
        ("[2002] EWCA Civ 1199", "[2002] 2 FLR 893", False),  # a second citation is listed, not guessed
    ],
)
def test_same_law(one, other, same):
    assert parse(one).same_law(parse(other)) is same


# --- Citations as legal editors and law reports write them (read: never refused) ------------------

from cafpedia.legal.citations import read  # noqa: E402

AS_WRITTEN = [
    (
        "Re L (A Child) (Contact: Domestic Violence) [2000] 2 FLR 334",
        [("report", "Re L (A Child) (Contact: Domestic Violence) [2000] 2 FLR 334")],
    ),
    ("Children Act 2004 (c. 31)", [("statute", "Children Act 2004 (c. 31)")]),
    ("Children Act 2004 c.31 s11", [("statute", "Children Act 2004 (c. 31) s11")]),
    ("Cm 6932", [("command", "Cm 6932")]),
    ("Cmnd 8427", [("command", "Cmnd 8427")]),
    ("Every Child Matters, Cm 5860", [("command", "Every Child Matters (Cm 5860)")]),
    (
        "President's Direction (Family Proceedings: Court Bundles) [2006] 2 FLR 199",
        [("report", "President's Direction (Family Proceedings: Court Bundles) [2006] 2 FLR 199")],
    ),
    (
        "DfES, Getting the Best from Complaints, September 2006",
        [("document", "DfES, Getting the Best from Complaints, September 2006")],
    ),
    ("SI 2010/2955", [("si", "SI 2010/2955")]),
    ("The Family Procedure Rules 2010 (SI 2010/2955)", [("si", "The Family Procedure Rules 2010 (SI 2010/2955)")]),
    ("[2002] EWCA Civ 1199; [2002] 2 FLR 893", [("neutral", "[2002] EWCA Civ 1199"), ("report", "[2002] 2 FLR 893")]),
    (
        "Re W (Children) [2002] EWCA Civ 1199, [2002] 2 FLR 893",
        [("neutral", "Re W (Children) [2002] EWCA Civ 1199"), ("report", "Re W (Children) [2002] 2 FLR 893")],
    ),
    ("Children Act 1989, s.1(3)", [("statute", "Children Act 1989 s1(3)")]),
    ("A note from the old intranet, no date", [("unrecognised", "A note from the old intranet, no date")]),
    (
        "[2002] EWCA 1199",
        [("unrecognised", "[2002] EWCA 1199")],
    ),  # a near miss is kept as written, for a person to confirm
]


@pytest.mark.parametrize("text, expected", AS_WRITTEN)
def test_citations_as_written_are_read(text, expected):
    assert [(c.kind, c.text) for c in read(text, this_year=2026)] == expected


@pytest.mark.parametrize(
    "one, other, same",
    [
        (
            "Re L (A Child) (Contact: Domestic Violence) [2000] 2 FLR 334",
            "Re L (Contact: Domestic Violence)",
            True,
        ),  # by case name
        ("Re W (Children) [2002] EWCA Civ 1199", "Re W (Children) [2002] 2 FLR 893", True),  # parallel citations
        ("Children Act 2004 (c. 31)", "Children Act 2004 s11", True),
        ("The Family Procedure Rules 2010 (SI 2010/2955)", "Family Procedure Rules 2010 r12.3", True),
        ("SI 2010/2955", "The Family Procedure Rules 2010 (SI 2010/2955)", True),
        ("Cm 6932", "Cm 6933", False),
        ("Re L (A Child) (Contact: Domestic Violence) [2000] 2 FLR 334", "Re M (Contact: Domestic Violence)", False),
    ],
)
def test_same_law_as_written(one, other, same):
    assert read(one)[0].same_law(read(other)[0]) is same


def test_read_never_refuses_and_keeps_long_or_odd_text_as_written():
    long = "x" * 5000
    assert [c.kind for c in read(long)] == ["unrecognised"] and read(long)[0].text == long
    assert read("") == [] and read("   ") == []
