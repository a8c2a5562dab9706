"""The National Standards: every clause of the 2007 draft, as versioned reference data."""

from __future__ import annotations

from cafpedia.standards import services

EXPECTED_COUNTS = {1: 4, 2: 6, 3: 5, 4: 10, 5: 9, 6: 3, 7: 7, 8: 7, 9: 5, 10: 8}


def test_demo_content_holds_every_clause_of_the_draft(app, demo_content):
    version = services.current_version()
    assert version.version == "2007-draft"
    groups = services.grouped_clauses(version)
    assert {number: len(clauses) for number, _, clauses in groups} == EXPECTED_COUNTS
    assert [title for _, title, _ in groups][4] == "Children's active involvement"
    # The draft prints 7.3 twice; the second is kept, with its own code and a note.
    assert version.clause("7.3a").note
    assert version.clause("5.1").starts_on.isoformat() == "2007-04-01"
    assert version.clause("1.4").starts_on.isoformat() == "2009-04-01"
    assert version.clause("11.1") is None


def test_standards_page_lists_every_clause(client, make_user, demo_content):
    make_user("pat.fca")
    client.sign_in("pat.fca")
    page = client.get("/standards").get_data(as_text=True)
    assert page.count('class="clause"') == 64
    assert 'id="clause-5.1"' in page and 'id="clause-10.8"' in page
    assert "Standard 7: CAFCASS as a public sector business" in page
    assert client.get("/standards/2007-draft").status_code == 200
    assert client.get("/standards/1999").status_code == 404


def test_standards_page_without_standards_says_so(client, make_user):
    make_user("pat.fca")
    client.sign_in("pat.fca")
    assert "have not been loaded yet" in client.get("/standards").get_data(as_text=True)


def test_search_finds_areas_and_clauses(client, make_user, demo_content):
    make_user("pat.fca")
    client.sign_in("pat.fca")
    page = client.get("/search?q=adoption").get_data(as_text=True)
    assert "Practice area" in page and "/areas/adoption" in page
    page = client.get("/search?q=5.1").get_data(as_text=True)
    assert '&amp;to=/standards/2007-draft/5.1"' in page  # through /search/go, which notes a result opened
    page = client.get("/search?q=100%25_").get_data(as_text=True)
    assert "Nothing matched" in page
