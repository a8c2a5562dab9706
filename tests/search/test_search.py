"""Search: relevance on the demo content, filters and facets, visibility, language, robustness."""

from __future__ import annotations

import pytest

from cafpedia.accounts.people import find_user
from cafpedia.extensions import db
from cafpedia.search import service
from cafpedia.tips import moderation, reading, reviewing
from cafpedia.tips.models import CHECKLIST
from tests.conftest import Client

# Query → what must come first for a practitioner.
RELEVANCE = [
    ("s7 report", "/tips/writing-focused-s7-reports-with-clear-recommendations"),
    ("section 7 report", "/tips/writing-focused-s7-reports-with-clear-recommendations"),
    ("EDR", "/tips/running-extended-dispute-resolution-sessions"),
    ("extended dispute resolution", "/tips/running-extended-dispute-resolution-sessions"),
    ("FGC", "/tips/family-group-conferences-in-private-law"),
    ("interpreters", "/tips/booking-approved-interpreters-for-interviews"),
    ("welfare checklist", "/tips/applying-the-welfare-checklist-in-your-analysis"),
    ("EWCA Civ 1199", "/legal/2004-05-10-re-m-reporting-concerns-without-the-courts-permission"),  # the case itself
    ("sharing concerns police", "/tips/re-m-sharing-concerns-with-police-and-childrens-services"),
    ("lone working home visits", "/tips/risk-assessing-home-visits-and-lone-working"),
    ("in-court conciliation", "/tips/in-court-conciliation-at-the-first-hearing"),
    ("reporting officer consent", "/tips/reporting-officer-witnessing-consent"),
    ("complaints timescales", "/tips/responding-to-complaints-within-procedure-timescales"),
]


@pytest.fixture
def fca(app, demo_content):
    return find_user("demo.fca")


def urls(found) -> list[str]:
    return [h.url for h in found.results.hits]


@pytest.mark.parametrize("query, first", RELEVANCE)
def test_the_right_tip_comes_first(fca, query, first):
    found = service.search(fca, query)
    assert found.problem is None
    assert urls(found)[:1] == [first], (query, urls(found)[:3])


def test_title_matches_rank_first(fca):
    found = service.search(fca, "supervision")
    assert "supervis" in found.results.hits[0].title.lower()  # a title match, by stem


def test_stemming(fca):
    assert service.search(fca, "interviewing").total == service.search(fca, "interview").total > 0


@pytest.mark.parametrize(
    "one, other",
    [
        ("s7", "section 7"),
        ("s.7", "s7"),
        ("EDR", "extended dispute resolution"),
        ("CAF/CASS", "Cafcass"),
        ("FGC", "family group conference"),
        ("guardian ad litem", "children's guardian"),
        ("IRO", "independent reviewing officer"),
        ("SGO", "special guardianship order"),
        ("CP", "child protection"),
        ("PR", "parental responsibility"),
        ("FAO", "family assistance order"),
        ("FHDRA", '"first hearing dispute resolution appointment"'),
    ],
)
def test_synonyms_find_the_same_things(fca, one, other):
    a, b = service.search(fca, one), service.search(fca, other)
    assert a.total > 0 and set(urls(a)) == set(urls(b))


def test_the_synonym_list_is_read_as_search_reads_it():
    from cafpedia.search.query import SYNONYMS_FILE
    from cafpedia.search.synonyms import parse_groups

    groups, problems = parse_groups("# comment\nLooked after child |  LAC \n\nsingle\n")
    assert groups == (("looked after child", "lac"),) and problems[0].startswith("line 4:")
    groups, problems = parse_groups(SYNONYMS_FILE.read_text(encoding="utf-8"))  # the built-in list
    assert problems == [] and ("special guardianship order", "sgo") in groups


@pytest.mark.parametrize("acronym", ["SGO", "CP", "CAO", "PR", "LAC", "FAO", "PLO", "FHDRA", "EDR", "FCA"])
def test_a_known_acronym_is_never_corrected(fca, acronym):
    assert service.search(fca, acronym).corrected_from is None


@pytest.mark.parametrize("typed", ["MIAM", "MARAC", "IDVA", "SPIP", "CAMHS", "GAL", "NFA", "SAFGUARDING"])
def test_a_word_in_capitals_is_never_corrected(fca, typed):
    """A word typed in capitals is an acronym, perhaps one the list does not know: never
    "corrected" into some word the index holds (MIAM is not a misspelt "miah")."""
    assert service.search(fca, typed).corrected_from is None
    found = service.search(fca, f"{typed} safguarding")  # the other word is corrected, this one kept
    assert found.corrected_from == f"{typed} safguarding"
    assert f"{typed} safeguarding" in (found.relaxed_from, found.showing)


# Family-court acronyms and what they stand for, as a tip would spell them out.
ACRONYMS = {
    "MIAM": "mediation information and assessment meeting",
    "FFH": "fact-finding hearing",
    "PD12J": "Practice Direction 12J",
    "CAP": "Child Arrangements Programme",
    "GAL": "guardian ad litem",
    "LA": "local authority",
    "SPIP": "Separated Parents Information Programme",
    "CAMHS": "child and adolescent mental health services",
    "MARAC": "multi-agency risk assessment conference",
    "IDVA": "independent domestic violence adviser",
    "ICPC": "initial child protection conference",
    "LSCB": "Local Safeguarding Children Board",
    "s47": "section 47",
    "CIAF": "Child Impact Assessment Framework",
}


def test_family_court_acronyms_find_what_they_stand_for(app, people, publish):
    body = "\n".join(f"- Ask about the {words} early." for words in ACRONYMS.values())
    publish("acronyms-spelt-out", title="Words in full", body=body)
    reader = find_user("sam.fca")
    for acronym in ACRONYMS:
        found = service.search(reader, acronym)
        assert "/tips/acronyms-spelt-out" in urls(found), acronym
        assert found.rewrite is None


def test_a_misspelt_word_is_corrected_in_place(fca):
    found = service.search(fca, "safguarding checks")
    assert found.total > 0 and found.corrected_from == "safguarding checks" and found.showing == "safeguarding checks"
    assert set(urls(found)) == set(urls(service.search(fca, "safeguarding checks")))
    assert service.search(fca, "safeguarding").rewrite is None
    as_typed = service.search(fca, "safguarding", as_typed=True)
    assert as_typed.total == 0 and as_typed.rewrite is None


def test_all_words_required_and_phrases(fca):
    relaxed = service.search(fca, "conciliation xylophone")  # every word required; relaxed if none has all
    assert relaxed.relaxed_from == "conciliation xylophone" and relaxed.showing == "conciliation"
    phrase = service.search(fca, '"seeing children"')
    loose = service.search(fca, "seeing children")
    assert 0 < phrase.total <= loose.total


def test_filters_in_the_query_and_as_parameters(fca):
    guidance = service.search(fca, "kind:guidance")
    assert guidance.total >= 3 and {h.kind for h in guidance.results.hits} == {"guidance"}
    assert (
        service.search(fca, "handover", filters={"area": "contact"}).total
        == service.search(fca, "handover area:contact").total
        >= 1
    )
    by_clause = service.search(fca, "standard:5.1")
    assert by_clause.total >= 2
    by_tag = service.search(fca, "tag:edr")
    assert "/tips/running-extended-dispute-resolution-sessions" in urls(by_tag)


def test_facets_count_kinds_and_areas(fca):
    found = service.search(fca, "children")
    kinds, areas = found.results.facets["kind"], found.results.facets["area"]
    assert sum(kinds.values()) == found.total
    assert kinds["tip"] > 0 and areas and all(count > 0 for count in areas.values())


def test_pagination(fca):
    first, second = service.search(fca, "children", page=1), service.search(fca, "children", page=2)
    assert first.total > 10 and len(first.results.hits) == 10
    assert not set(urls(first)) & set(urls(second))
    far = service.search(fca, "children", page=1_000_000)
    assert far.results.hits == [] and far.page == service.MAX_PAGE


def test_snippets_highlight_the_words(fca):
    found = service.search(fca, "safeguarding checks")
    assert "<mark" in found.results.hits[0].snippet


def test_snippets_escape_the_text(app, people, publish):
    publish("angle-brackets", title="Escaping test", body="Write <script>alert(1)</script> never; zebra crossing.")
    found = service.search(find_user("sam.fca"), "zebra")
    assert "<script>" not in found.results.hits[0].snippet and ">zebra</mark>" in found.results.hits[0].snippet


# --- Visibility ----------------------------------------------------------------------------


def test_pending_proposals_only_for_their_author_and_moderators(app, demo_content):
    # The pending new tip in contact, written by demo.fca; contact is moderated by fiona.mackenzie (lead) and
    # priya.chandran.
    query = "handover arrangements contact centres"
    author = service.search(find_user("demo.fca"), query)
    moderator = service.search(find_user("fiona.mackenzie"), query)
    other = service.search(find_user("demo.expert"), query)
    stranger_lead = service.search(find_user("helen.whitfield"), query)
    key = "/tips/handover-arrangements-at-contact-centres/revisions/1"
    assert key in urls(author) and key in urls(moderator)
    assert key not in urls(other) and key not in urls(stranger_lead)
    hit = next(h for h in author.results.hits if h.url == key)
    assert hit.status == "pending"


def test_approving_makes_a_tip_findable_and_archived_tips_only_on_request(app, demo_content):
    lead = find_user("fiona.mackenzie")
    tip = reading.find_tip("handover-arrangements-at-contact-centres")
    moderation.approve(lead, tip.revision(1), checklist=list(CHECKLIST), confidentiality_confirmed=True)
    db.session.commit()
    service.follower().drain()
    reader = find_user("demo.expert")
    assert "/tips/handover-arrangements-at-contact-centres" in urls(service.search(reader, "handover arrangements"))
    reviewing.archive(lead, reading.find_tip("handover-arrangements-at-contact-centres"), note="Test")
    db.session.commit()
    assert "/tips/handover-arrangements-at-contact-centres" not in urls(service.search(reader, "handover arrangements"))
    archived = service.search(reader, "handover arrangements", include_archived=True)
    assert "/tips/handover-arrangements-at-contact-centres" in urls(archived)
    assert service.search(reader, "handover arrangements status:archived").total == 1


def test_anonymous_readers_with_public_read_see_published_only(make_app, demo_content):
    app = make_app(PUBLIC_READ=True)
    client = app.test_client()
    data = client.get("/api/search?q=handover").get_json()
    assert data["total"] >= 1
    assert all(r["status"] == "published" for r in data["results"])


# --- The index follows the database ----------------------------------------------------------


@pytest.mark.both_databases
def test_changes_reach_the_index_through_the_queue(app, demo_content):
    from cafpedia.areas.services import find_area, update_area

    area = find_area("staff-safety")
    update_area(
        None,
        area,
        title="Staff safety and lone working",
        summary="Keeping FCAs safe: zyzzyva drills.",
        lead=area.lead,
        deputies=area.deputies,
    )
    db.session.commit()
    assert service.follower().queue_length() >= 1
    found = service.search(find_user("demo.fca"), "zyzzyva")
    assert found.total == 1 and service.follower().queue_length() == 0


@pytest.mark.both_databases
def test_a_rolled_back_change_is_not_queued(app, demo_content):
    from cafpedia.areas.services import find_area

    before = service.follower().queue_length()
    find_area("staff-safety").title = "Changed"
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert service.follower().queue_length() == before


@pytest.mark.both_databases
def test_missing_and_outdated_indexes_are_rebuilt_automatically(app, demo_content, whoosh_only):
    from pathlib import Path

    backend = service.follower().backend
    fca = find_user("demo.fca")
    assert service.search(fca, "conciliation").total > 0
    backend.close()
    (Path(backend.directory) / "cafpedia_schema_version").write_text("0")
    assert backend.status() == "outdated"
    assert service.search(fca, "conciliation").total > 0
    backend.close()
    import shutil

    shutil.rmtree(backend.directory)
    assert service.search(fca, "conciliation").total > 0


@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_broken_index_is_reported_plainly(app, demo_content, client, whoosh_only):
    from pathlib import Path

    backend = service.follower().backend
    service.search(find_user("demo.fca"), "conciliation")
    backend.close()
    for path in Path(backend.directory).glob("*.seg"):
        path.write_bytes(b"not an index")
    for path in Path(backend.directory).glob("_MAIN_*.toc"):
        path.write_bytes(b"garbage")
    assert backend.status().startswith("broken")
    c = Client(client.raw._client)
    c.sign_in("demo.fca", "cafpedia-demo")
    page = c.get("/search?q=conciliation")
    assert page.status_code == 503 and "Search is not working at the moment" in page.get_data(as_text=True)
    assert c.get("/api/search?q=conciliation").status_code == 503
    assert c.get("/healthz").status_code == 503
    service.follower().drain()  # the worker's next round replaces the damaged index from the database
    assert backend.status() == "ok"
    assert c.get("/search?q=conciliation").status_code == 200 and c.get("/healthz").status_code == 200


@pytest.mark.both_databases
def test_reindex_command(app, runner, demo_content):
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert "Search index rebuilt:" in result.output
    assert service.follower().queue_length() == 0


# --- Robustness --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "word " * 1000,
        '"unbalanced quote',
        "kind:",
        ":",
        'kind:"',
        "title:foo bar:",
        "AND OR NOT",
        "(((",
        "*",
        "?",
        "\\",
        "%_%",
        "ü€∂",
        "kind:nonsense",
    ],
)
def test_odd_queries_get_an_answer_not_an_error(app, demo_content, query):
    client = Client(app.test_client())
    client.sign_in("demo.fca", "cafpedia-demo")
    assert client.get("/search", query_string={"q": query}).status_code == 200
    response = client.get("/api/search", query_string={"q": query, "page": "1000000"})
    assert response.status_code == 200 and "total" in response.get_json()
    assert client.get("/search", query_string={"q": "x", "page": "abc"}).status_code == 200


def test_control_characters_are_refused(app, demo_content):
    client = Client(app.test_client())
    client.sign_in("demo.fca", "cafpedia-demo")
    assert client.get("/search?q=a%00b").status_code == 400


def test_json_api_shape(app, demo_content):
    client = Client(app.test_client())
    client.sign_in("demo.fca", "cafpedia-demo")
    data = client.get("/api/search?q=s7+report&kind=tip").get_json()
    assert set(data) >= {"query", "total", "results", "facets", "suggestion"}
    first = data["results"][0]
    assert set(first) >= {"kind", "title", "url", "snippet", "area", "updated_at"}
    assert first["kind"] == "tip" and data["facets"]["kind"] == {"tip": data["total"]}


def test_opensearch_description(app, demo_content):
    client = Client(app.test_client())
    client.sign_in("demo.fca", "cafpedia-demo")
    response = client.get("/opensearch.xml")
    assert response.mimetype == "application/opensearchdescription+xml"
    assert "/search?q={searchTerms}" in response.get_data(as_text=True)
    assert 'rel="search"' in client.get("/").get_data(as_text=True)


def test_an_empty_postgres_index_is_rebuilt_automatically(app, demo_content):
    if app.config["SEARCH_BACKEND"] != "postgres":
        pytest.skip("about the PostgreSQL backend")
    from sqlalchemy import delete

    from cafpedia.search.models import SearchDocumentRow

    service.search(find_user("demo.fca"), "conciliation")
    db.session.execute(delete(SearchDocumentRow))
    db.session.commit()
    service.follower().backend.close()
    assert service.search(find_user("demo.fca"), "conciliation").total > 0


def test_renaming_an_area_refreshes_its_tips_in_search(app, demo_content):
    from cafpedia.areas.services import find_area, update_area

    area = find_area("contact")
    update_area(
        None,
        area,
        title="Contact and child arrangements",
        summary=area.summary,
        lead=area.lead,
        deputies=area.deputies,
    )
    db.session.commit()
    found = service.search(find_user("demo.expert"), "supervised contact")
    assert found.results.hits and all(
        h.area_title == "Contact and child arrangements" for h in found.results.hits if h.area == "contact"
    )
