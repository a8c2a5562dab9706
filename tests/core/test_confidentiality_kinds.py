"""Issue 29: the guard finds each kind of case detail as people write it, checks numbers that have a
check, leaves public names, numbers and addresses alone, says what and where, and never fails."""

from __future__ import annotations

import pytest

from cafpedia.core.confidentiality import KIND_LABELS, find_case_details
from cafpedia.core.confidentiality.identifiers import nhs_valid
from cafpedia.core.confidentiality.lexicon import lexicon

FOUND = [
    # names in context: a family role, a professional role, a title, a family name, an age
    ("mum (Kerry) and her partner Wayne came", "named_person", "Kerry"),
    ("spoke to nan Brenda after school", "named_person", "Brenda"),
    ("Mr and Mrs Adeyemi did not attend", "named_person", "Adeyemi"),
    ("The Nowicki children are in foster care.", "named_person", "Nowicki"),
    ("mum's partner jason has moved in", "named_person", "jason"),
    ("SW Jo Bates said the plan has changed", "named_professional", "Jo Bates"),
    ("foster carer Jan Hollis has both boys", "named_professional", "Jan Hollis"),
    ("Poppy, 5, told me she was scared", "named_child_age", "Poppy, 5"),
    ("12 y/o Alfie says he hates it", "named_child_age", "Alfie"),
    ("Oisín is 4 and at nursery", "named_child_age", "Oisín is 4"),
    ("a man called Dean has been sending threats", "named_person", "Dean"),
    ("Precious's mum is against the move", "named_person", "Precious's mum"),
    # hearings, schools, initials, vehicles, social media
    ("Leon's IRH at Doncaster on 2 May", "hearing", "IRH at Doncaster on 2 May"),
    ("she goes to Oakfield Primary in Pudsey", "school", "Oakfield Primary"),
    ("tyler attends greenhill academy", "school", "greenhill academy"),
    ("R.T., 6, in Keighley", "initials_age_town", "R.T., 6"),
    ("dad's car FD19 XKR", "vehicle_registration", "FD19 XKR"),
    ("the partner drives a white van yx68 bnf", "vehicle_registration", "yx68 bnf"),
    ("insta @mummy_of_3_xo posted photos", "social_media", "@mummy_of_3_xo"),
    ("his snap is jaydenw_07", "social_media", "jaydenw_07"),
    # numbers in any case and spacing, dates every way
    ("new address is in hx1 4pq", "postcode", "hx1 4pq"),
    ("father's postcode WF178AZ", "postcode", "WF178AZ"),
    ("nhs no 9991856609 from the red book", "nhs_number", "9991856609"),
    ("mum gave her ni no as np123456c", "ni_number", "np123456c"),
    ("dob 2nd of May 2014", "date_of_birth", "dob 2nd of May 2014"),
    ("Child b. 1.6.2013, lives with mum", "date_of_birth", "b. 1.6.2013"),
    ("DoB – 03/04/2016, attends nursery", "date_of_birth", "DoB – 03/04/2016"),
    ("Mum is pregnant again, EDD 14.2.27.", "date_of_birth", "EDD 14.2.27"),
    ("zw24p01234 listed for FHDRA", "case_number", "zw24p01234"),
    ("CCD ref 1702-4863-9921-0375 issued", "case_number", "1702-4863-9921-0375"),
    ("Local authority case reference CS-2024-11873", "case_number", "CS-2024-11873"),
    ("Dad is now living at 9 Parkway, Morley", "street_address", "9 Parkway, Morley"),
    ("mum moved to 14 acacia avenue last month", "street_address", "14 acacia avenue"),
    ("Flat 3, Ashdown Court is where it happened", "street_address", "Flat 3"),
    ("letters c/o 7 Heol y Nant, Llanelli", "street_address", "7 Heol y Nant, Llanelli"),
]

LEFT_ALONE = [
    "Re C (Children) [2018] EWCA Civ 1234 is a reminder to work through the checklist.",
    "In Smith v Jones the court held that the writer must say where the evidence came from.",
    "Baker J stressed that the guardian's analysis must engage with the evidence.",
    "As Sir James Munby P put it, the child's voice must be heard.",
    "Peter Jackson LJ has warned against reports that recite the history.",
    "Masson (2012) found that pre-proceedings work diverted some cases.",
    "Research by Trinder et al. (2006) found agreements often broke down.",
    "Eileen Munro's review argued for less procedure.",
    "The Victoria Climbié inquiry changed how agencies share information.",
    "Cafcass's national number is 0300 456 4000 for general enquiries.",
    "Signpost parents to the NSPCC helpline on 0808 800 5000, or call 999 or 111.",
    "Applications go to the Central Family Court, First Avenue House, 42-49 High Holborn, London WC1V 6NP.",
    "Leeds Combined Court Centre, 1 Oxford Row, Leeds LS1 3BG, hears most public law cases.",
    "Ofsted's address is Clive House, 70 Petty France, London SW1H 9EX.",
    "PD 12J (2017) sets out what the court must do where domestic abuse is alleged.",
    "Follow PD 12B 2014, the Child Arrangements Programme, at the FHDRA.",
    "The service was judged Good (2) for leadership.",
    "Toddlers aged 2 need short, frequent contact.",
    "The school leaving age in Wales is 16.",
    "Think about how a 12-year-old Sikh boy might experience the interview.",
    "A 7-year-old will often say what they think the adult wants to hear.",
    "Role-play (invented for training): 'Mr Smith' and 'Ms Jones' separate.",
    "Clare's Law lets a person ask the police about a partner's past.",
    "Dobro dziecka jest najważniejsze, z kim dziecko zamieszka, kim jest opiekun.",
    "Harm includes impairment a child suffers from seeing or hearing ill-treatment, from 31 January 2005.",
]


@pytest.mark.parametrize("text, kind, part", FOUND)
def test_it_finds_each_kind_as_people_write_it(text, kind, part):
    findings = find_case_details(text)
    assert any(f.kind == kind and part in f.text for f in findings), (text, findings)


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_public_names_numbers_and_addresses_are_left_alone(text):
    assert find_case_details(text) == []


def test_each_finding_says_what_where_and_why():
    text = "The case is about Kayden (7); mum (Kerry) lives at LS6 2QT."
    findings = find_case_details(text)
    assert [f.kind for f in findings] == ["named_child_age", "named_person", "postcode"]
    for f in findings:
        assert text[f.start : f.end] == f.text and f.kind in KIND_LABELS and f.reason
    assert findings[1].reason == "a name next to 'mum'"


def test_numbers_with_a_check_are_checked():
    assert nhs_valid("9434765919") and not nhs_valid("9434765918") and not nhs_valid("0000000000")
    assert find_case_details("stock no 943 476 5918") == []  # fails the NHS check, and no 'NHS' before it
    assert [f.kind for f in find_case_details("NHS 943 476 5918")] == ["nhs_number"]  # mistyped, but said to be one
    assert find_case_details("ref GB 12 34 56 A") == [] or all(
        f.kind != "ni_number" for f in find_case_details("GB 12 34 56 A")
    )
    assert find_case_details("a score of 3rd 2nd") == []  # an ordinal is no postcode's second half


def test_the_word_lists_are_data():
    lex = lexicon()
    assert "kerry" in lex.first_names and "summer" in lex.word_names and "keighley" in lex.towns
    assert "0300" not in lex.public_number_prefixes and "03" in lex.public_number_prefixes
    assert "WC1V6NP" in lex.public_postcodes


@pytest.mark.parametrize(
    "text",
    [
        "",
        " \n\t ",
        "يجب أن يكون رفاه الطفل هو الاعتبار الأول " * 300,
        "法院在决定儿童的居住和探视安排时 " * 300,
        " ".join(str(n * 7919 % 10**11) for n in range(3000)),
        "(((( [[[[ '''' ---- //// @@@@ " * 500,
        "Mr " * 5000,
        "a" * 200_000,
    ],
)
def test_bad_input_gets_an_answer_never_an_exception(text):
    assert isinstance(find_case_details(text), list)
