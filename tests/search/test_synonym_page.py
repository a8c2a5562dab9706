"""Lead managers and administrators keep the synonym list on a page; search follows at once."""

from __future__ import annotations

import pytest

from cafpedia.accounts.people import find_user
from cafpedia.core.audit import AuditEntry
from cafpedia.extensions import db
from cafpedia.search import service
from cafpedia.search.synonyms import parse_groups
from tests.conftest import Client


def signed_in(app, username) -> Client:
    client = Client(app.test_client())
    assert client.sign_in(username, "cafpedia-demo").status_code == 302
    return client


@pytest.mark.both_databases
def test_a_new_group_applies_at_the_next_search_and_is_audited(app, demo_content):
    reader = find_user("demo.fca")
    assert service.search(reader, "handover swap").relaxed_from == "handover swap"  # no tip says "swap"
    lead = signed_in(app, "priya.chandran")
    page = lead.raw.get("/search/synonyms").get_data(as_text=True)
    assert "special guardianship order | sgo" in page
    text = page.split('name="text"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    import html

    current = html.unescape(text)
    assert lead.post_form("/search/synonyms", {"text": current + "\nhandover swap | handover\n"}).status_code == 302
    found = service.search(reader, "handover swap")
    assert found.rewrite is None and found.total == service.search(reader, "handover").total > 0
    assert db.session.query(AuditEntry).filter_by(action="search.synonyms").count() == 1


def test_problems_are_named_by_line_and_nothing_is_saved(app, demo_content):
    lead = signed_in(app, "priya.chandran")
    refused = lead.post_form("/search/synonyms", {"text": "section 7 | s7\nlonely\ns7 | s.7\n"})
    text = refused.get_data(as_text=True)
    assert (
        refused.status_code == 400
        and "line 2: a group needs at least two variants" in text
        and "line 3: “s7” is already in the group on line 1" in text
    )
    assert db.session.query(AuditEntry).filter_by(action="search.synonyms").count() == 0


def test_only_lead_managers_and_administrators(app, demo_content):
    assert signed_in(app, "demo.fca").raw.get("/search/synonyms").status_code == 403
    assert signed_in(app, "demo.admin").raw.get("/search/synonyms").status_code == 200


def test_the_built_in_list_parses_cleanly():
    from cafpedia.search.query import SYNONYMS_FILE

    groups, problems = parse_groups(SYNONYMS_FILE.read_text(encoding="utf-8"))
    assert problems == [] and len(groups) > 30
