"""What a worker keeps in memory to make pages fast (rendered Markdown, search snippets, a tip's
parts and a signed-out reader's whole page) is kept by its whole input or while the content
version stands, so a change shows at once, on every machine: two apps on one database (two
machines, each with its own Whoosh index and its own memory), a change made through one, the
page read through the other, which read the same page before the change."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from cafpedia.accounts.people import find_user
from cafpedia.areas import services as areas
from cafpedia.extensions import db
from cafpedia.legal.citing import citing_tips, flag_tips
from cafpedia.legal.models import LegalUpdate
from cafpedia.tips import moderation, proposals, reading, reviewing
from cafpedia.tips.models import CHECKLIST
from tests.conftest import Client

LINKING = "writing-focused-s7-reports-with-clear-recommendations"  # links to LINKED
LINKED = "applying-the-welfare-checklist-in-your-analysis"


@pytest.fixture
def other_machine(app, make_app, demo_content, tmp_path):
    other = make_app(SEARCH_DIR=str(tmp_path / "machine-b"), INSTANCE_PATH=str(tmp_path / "instance-b"))
    reader = Client(other.test_client())
    reader.sign_in("demo.fca", "cafpedia-demo")
    return reader


def page(reader, slug: str) -> str:
    response = reader.get(f"/tips/{slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def approve_edit(slug: str, **changes) -> None:
    tip = reading.find_tip(slug)
    draft = proposals.draft_from(tip.current)
    for name, value in changes.items():
        setattr(draft, name, value)
    draft.change_note = "Clearer wording."
    revision = proposals.propose_edit(find_user("demo.fca"), tip, based_on=tip.current_number, draft=draft)
    db.session.commit()
    moderation.approve(tip.area.lead, revision, checklist=list(CHECKLIST), confidentiality_confirmed=False)
    db.session.commit()


def test_a_linked_tip_renamed_or_archived_shows_at_once_in_the_tips_that_link_to_it(other_machine):
    old_title = reading.find_tip(LINKED).title
    assert f">{old_title}</a>" in page(other_machine, LINKING)  # rendered, and kept, with the old title

    approve_edit(LINKED, title="Applying the welfare checklist, factor by factor")
    assert ">Applying the welfare checklist, factor by factor</a>" in page(other_machine, LINKING)
    assert f">{old_title}</a>" not in page(other_machine, LINKING)

    linked = reading.find_tip(LINKED)
    reviewing.archive(linked.area.lead, linked, note="Replaced by the new guidance.")
    db.session.commit()
    body = page(other_machine, LINKING)
    assert ">Applying the welfare checklist, factor by factor</a>" in body  # an archived tip is still read


def test_a_correction_and_an_area_renamed_show_at_once(other_machine):
    assert "Report writing and court skills" in page(other_machine, LINKING)
    approve_edit(LINKING, body=reading.find_tip(LINKING).current.body + "\n\nA sentence added by the correction.")
    assert "A sentence added by the correction." in page(other_machine, LINKING)

    area = reading.find_tip(LINKING).area
    areas.update_area(
        find_user("demo.admin"),
        area,
        title="Reports and the court",
        summary=area.summary,
        lead=area.lead,
        deputies=list(area.deputies),
    )
    db.session.commit()
    body = page(other_machine, LINKING)
    assert "Reports and the court" in body and "Report writing and court skills" not in body


def test_a_search_snippet_follows_the_text_on_the_other_machine(other_machine):
    found = other_machine.get("/search?q=statements+already+filed").get_data(as_text=True)
    assert re.search(r"<mark[^>]*>filed</mark>\. Separate", found)  # the snippet, now kept by that machine
    tip = reading.find_tip(LINKING)
    approve_edit(LINKING, body=tip.current.body.replace("already filed", "already filed (by either party)"))
    found = other_machine.get("/search?q=statements+already+filed").get_data(as_text=True)
    assert re.search(r"<mark[^>]*>filed</mark> \(by either party\)", found)


@pytest.fixture
def signed_out_machine(app, make_app, demo_content, tmp_path):
    """A second machine that lets people read signed out: it keeps their whole page."""
    other = make_app(
        SEARCH_DIR=str(tmp_path / "machine-c"), INSTANCE_PATH=str(tmp_path / "instance-c"), PUBLIC_READ=True
    )
    return Client(other.test_client())


def _an_update_and_a_tip_citing_it():
    for update in db.session.scalars(select(LegalUpdate).where(LegalUpdate.current_number.is_not(None))):
        tips = citing_tips(update)
        if tips:
            return update, tips[0]
    raise AssertionError("the demo content has no legal update that a tip cites")


def _a_legal_flag_shows_at_once(reader):
    update, tip = _an_update_and_a_tip_citing_it()
    assert "Under review after" not in page(reader, tip.slug)  # drawn, and kept
    flag_tips(find_user("demo.admin"), update, [tip.slug])
    db.session.commit()
    assert f'Under review after <a href="/legal/{update.slug}">' in page(reader, tip.slug)


def test_a_legal_flag_shows_at_once_signed_in(other_machine):
    _a_legal_flag_shows_at_once(other_machine)


def test_a_legal_flag_shows_at_once_signed_out(signed_out_machine):
    _a_legal_flag_shows_at_once(signed_out_machine)


def test_a_signed_out_page_follows_an_approval_a_correction_and_an_archive(signed_out_machine):
    reader = signed_out_machine
    assert "A sentence added by the correction." not in page(reader, LINKING)
    approve_edit(LINKING, body=reading.find_tip(LINKING).current.body + "\n\nA sentence added by the correction.")
    assert "A sentence added by the correction." in page(reader, LINKING)

    assert reader.get("/tips/meeting-the-child-before-the-first-hearing").status_code == 404
    draft = proposals.Draft(
        title="Meeting the child before the first hearing",
        body="Plan the first meeting with the child around their school day.",
        kind="tip",
        tags=[],
        standards=[],
        legal_refs=[],
        confirm_safe=False,
        change_note="",
    )
    author = find_user("demo.fca")
    revision = proposals.propose_new_tip(author, area_slug=reading.find_tip(LINKING).area.slug, slug=None, draft=draft)
    db.session.commit()
    assert reader.get(f"/tips/{revision.tip.slug}").status_code == 404  # a proposal is never shown
    moderation.approve(revision.tip.area.lead, revision, checklist=list(CHECKLIST), confidentiality_confirmed=False)
    db.session.commit()
    assert "around their school day" in page(reader, revision.tip.slug)

    linked = reading.find_tip(LINKING)
    reviewing.archive(linked.area.lead, linked, note="Replaced by the new guidance.")
    db.session.commit()
    assert "Archived on" in page(reader, LINKING)


def _the_home_page_follows_a_correction_and_an_area_renamed(reader):
    home = reader.get("/").get_data(as_text=True)
    newest = re.search(r'<ul class="recent-list">\s*<li><a href="/tips/([^"]+)">', home).group(1)
    assert "Report writing and court skills" in home  # drawn, and kept
    approve_edit(newest, title="Focused s7 reports, with recommendations the court can act on")
    assert "Focused s7 reports, with recommendations the court can act on" in reader.get("/").get_data(as_text=True)
    tip = reading.find_tip(LINKING)
    area = tip.area
    areas.update_area(
        find_user("demo.admin"), area, title="Reports and the court", summary=area.summary, lead=area.lead,
        deputies=list(area.deputies),
    )  # fmt: skip
    db.session.commit()
    home = reader.get("/").get_data(as_text=True)
    assert "Reports and the court" in home and "Report writing and court skills" not in home


def test_the_home_page_follows_changes_signed_in(other_machine):
    _the_home_page_follows_a_correction_and_an_area_renamed(other_machine)


def test_the_home_page_follows_changes_signed_out(signed_out_machine):
    _the_home_page_follows_a_correction_and_an_area_renamed(signed_out_machine)


def test_a_signed_out_reader_who_has_the_page_gets_304_until_it_changes(signed_out_machine):
    reader = signed_out_machine
    for url in ("/", f"/tips/{LINKING}"):
        etag = reader.get(url).headers["ETag"]
        again = reader.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.get_data() == b""
    approve_edit(LINKING, body=reading.find_tip(LINKING).current.body + "\n\nA sentence added by the correction.")
    changed = reader.get(f"/tips/{LINKING}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "A sentence added by the correction." in changed.get_data(as_text=True)
