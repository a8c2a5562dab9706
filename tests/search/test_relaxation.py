"""No dead end when something relevant exists: acronyms find their expansion's distinctive words,
a misspelt word is corrected in place, and a query nothing matches in full is relaxed, saying
so. Each test runs on both backends (see conftest.py): they must behave the same."""

from __future__ import annotations

import pytest

from cafpedia.extensions import db
from cafpedia.search import service
from cafpedia.search.plan import plan_query
from cafpedia.search.query import parse_query
from cafpedia.search.rescue import nearest_word
from cafpedia.search.synonyms import current_groups


def urls(found) -> list[str]:
    return [h.url for h in found.results.hits]


@pytest.fixture
def tips(people, publish):
    publish(
        "kinship-carers",
        title="Assessing kinship carers for special guardianship",
        body="- Special guardianship suits a grandparent who can parent long term.\n- Check support.",
    )
    publish(
        "family-assistance",
        title="When family assistance helps",
        body="- Family assistance lasts up to twelve months.\n- Ask the parents to agree first.",
    )
    publish("handovers", title="Calm handovers", body="- A grandmother can do the handover at the centre.")
    publish("grandmother-contact", title="Grandparents and contact", body="- A grandmother may ask for contact.")
    publish("contact-one", title="Contact notes", body="- Contact should be safe.")
    publish("contact-two", title="Contact reviews", body="- Review contact after a month.")
    publish("safeguarding", title="Safeguarding checks first", body="- Run the safeguarding checks before the FHDRA.")
    return people


@pytest.mark.parametrize("typed", ["SGO", "sgo", "special guardianship order", "special guardianship orders"])
def test_an_acronym_finds_what_uses_its_expansions_distinctive_words(tips, typed):
    found = service.search(tips["sam"], typed)
    assert urls(found)[:1] == ["/tips/kinship-carers"] and found.rewrite is None


def test_a_query_nothing_matches_in_full_is_relaxed_and_says_so(tips):
    found = service.search(tips["sam"], "family assistance order report")
    assert found.relaxed_from == "family assistance order report"
    assert found.showing == "family assistance" and found.corrected_from is None
    assert urls(found) == ["/tips/family-assistance"]
    assert service.search(tips["sam"], "FAO report").showing == "FAO"  # an acronym is shown as typed


def test_the_most_common_word_is_left_out_first_and_what_holds_more_ranks_first(tips):
    found = service.search(tips["sam"], "grandmother contact handover")  # no tip holds all three
    assert found.showing == "grandmother handover"  # "contact" is in four tips, the others in two
    assert urls(found) == ["/tips/handovers"]
    found = service.search(tips["sam"], "grandmother contact handover xylophones")  # in no tip at all: out first
    assert found.showing == "grandmother handover"


def test_weak_words_go_before_any_other(tips):
    found = service.search(tips["sam"], "handover grandparents need")  # "need" is never required
    assert found.showing in ("handover", "grandparents")
    found = service.search(tips["sam"], "I need help with a handover")
    assert found.rewrite is None and urls(found) == ["/tips/handovers"]
    found = service.search(tips["sam"], "safeguarding checks report")
    assert found.showing == "safeguarding checks"


def test_one_word_is_never_relaxed_away(tips):
    found = service.search(tips["sam"], "xylophones")
    assert found.total == 0 and found.rewrite is None


def test_a_whole_question_finds_what_its_words_ask_about(tips):
    found = service.search(tips["sam"], "how do I do a handover with a grandmother?")
    assert urls(found)[:1] == ["/tips/handovers"] and found.rewrite is None


def test_a_misspelt_word_is_corrected_in_place(tips):
    found = service.search(tips["sam"], "safegaurding")  # two letters swapped
    assert found.corrected_from == "safegaurding" and found.showing == "safeguarding"
    assert found.relaxed_from is None and urls(found)[0] == "/tips/safeguarding"
    found = service.search(tips["sam"], "safegaurding cheks")
    assert found.showing == "safeguarding checks" and urls(found)[0] == "/tips/safeguarding"
    as_typed = service.search(tips["sam"], "safegaurding", as_typed=True)
    assert as_typed.total == 0 and as_typed.rewrite is None


@pytest.mark.parametrize("typed", ["SAFEGAURDING", "FHDAR", "xyzzy", "hte"])
def test_capitals_and_words_with_no_near_word_are_not_corrected(tips, typed):
    assert service.search(tips["sam"], typed).corrected_from is None


def test_a_correction_comes_only_from_what_the_reader_may_see(tips, propose):
    propose(slug="quetzal", title="A quetzalcoatl tip", body="- Only a proposal mentions quetzalcoatl.")
    assert service.search(tips["sam"], "quetzelcoatl").corrected_from is None  # sam may not see the proposal
    found = service.search(tips["pat"], "quetzelcoatl")  # its author may
    assert found.showing == "quetzalcoatl" and urls(found) == ["/tips/quetzal/revisions/1"]


def test_the_page_says_what_it_shows_and_offers_the_query_as_typed(tips, as_user):
    client = as_user("sam.fca")
    page = client.get("/search?q=safegaurding").get_data(as_text=True)
    assert "Showing results for <strong>safeguarding</strong>" in page
    assert 'href="/search?q=safegaurding&amp;as_typed=1">safegaurding</a>' in page
    assert "Safeguarding checks first" in page
    assert client.get("/search?q=safegaurding").status_code == 200
    page = client.get("/search?q=safegaurding&as_typed=1").get_data(as_text=True)
    assert "Showing results for" not in page and "0 results" in page
    page = client.get("/search?q=family+assistance+order+report").get_data(as_text=True)
    assert "No results for all of <em>family assistance order report</em>; showing results for" in page
    data = client.get("/api/search?q=safegaurding+cheks").get_json()
    assert data["showing_results_for"] == data["suggestion"] == "safeguarding checks"
    assert data["corrected_from"] == "safegaurding cheks" and data["relaxed_from"] is None
    assert data["results"][0]["url"] == "/tips/safeguarding"


def test_filters_stay_when_a_query_is_rescued(tips):
    found = service.search(tips["sam"], "safegaurding", filters={"kind": "guidance"})
    assert found.total == 0
    found = service.search(tips["sam"], "grandmother contact handover kind:tip")
    assert found.showing == "grandmother handover" and urls(found) == ["/tips/handovers"]


def test_the_plan_of_a_query(app):
    def plan(text):
        return plan_query(parse_query(text), current_groups())

    sgo = plan("SGO?").clauses
    assert len(sgo) == 1 and "special guardianship" in sgo[0].variants and sgo[0].synonym
    assert [c.typed for c in plan("how do I write a s7 report").clauses] == ["write", "s7", "report"]
    assert [c.typed for c in plan("the").clauses] == ["the"]  # only stop words: kept
    assert plan('"family assistance order"').clauses[0].shown == '"family assistance order"'
    assert plan("family assistance order").clauses[0].shown == "family assistance"
    assert [c.spellable for c in plan("safegaurding MIAM fao in-court").clauses] == [True, False, False, False]
    db.session.rollback()


def test_the_nearest_word():
    words = ["safeguarding", "safeguard", "supervision", "contact", "contract", "court"]
    held = {"contact": 40, "contract": 2, "court": 50}.get
    assert nearest_word("safegaurding", words, lambda w: 1) == "safeguarding"
    assert nearest_word("contct", words, lambda w: held(w, 0)) == "contact"
    assert nearest_word("contacts", words, lambda w: 0) is None  # nothing the reader may see holds it
    assert nearest_word("cort", words, lambda w: held(w, 0)) == "court"
    assert nearest_word("hte", words, lambda w: 1) is None  # too short to guess
