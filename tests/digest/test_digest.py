"""The research digest: composing, publishing, corrections, suggestions, tip links,
notifications, the Atom feed, permissions, search and the content round trip."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from cafpedia.core.errors import NotAllowed, NotFound, ServiceError, ValidationError
from cafpedia.digest import composing as digest_composing
from cafpedia.digest import drafts as digest_drafts
from cafpedia.digest import reading
from cafpedia.digest import suggestions as digest_suggestions
from cafpedia.digest.models import DigestIssue, DigestItemVersion
from cafpedia.extensions import db
from cafpedia.notifications import services as notifications
from cafpedia.search import service as search

ATOM = "{http://www.w3.org/2005/Atom}"


def item_draft(title="What children say about their advisers", **kwargs):
    values = dict(
        title=title,
        source="Children's views report, 2006",
        summary="Children valued being **listened** to.",
        implications="- Explain your role.\n- Say what happens next.",
        areas=["contact"],
        tags=["children-views"],
    )
    values.update(kwargs)
    return digest_drafts.ItemDraft(**values)


@pytest.fixture
def staff(people, make_user):
    return {
        **people,
        "coord": make_user("cora.coord", ["research_coordinator"], name="Cora Coordinator"),
        "admin": make_user("ada.admin", ["admin"], name="Ada Admin"),
    }


@pytest.fixture
def draft_issue(staff):
    issue = digest_composing.create_issue(
        staff["coord"],
        digest_drafts.IssueDraft(
            number=12, quarter="2007-q1", title="Research Digest, Spring 2007", introduction="Welcome."
        ),
    )
    digest_composing.add_item(staff["coord"], issue, item_draft())
    digest_composing.add_item(
        staff["coord"], issue, item_draft("Contact centres evaluated", areas=["contact", "adoption"])
    )
    db.session.commit()
    return issue


@pytest.fixture
def published_issue(staff, draft_issue):
    digest_composing.publish(staff["coord"], draft_issue, today=date(2007, 4, 2))
    db.session.commit()
    return draft_issue


# --- Services --------------------------------------------------------------------------------


def test_a_draft_is_seen_only_by_those_who_compose(staff, draft_issue):
    assert draft_issue.quarter == "2007-Q1" and draft_issue.slug == "2007-q1"
    assert reading.get_issue(staff["coord"], "2007-q1") is draft_issue
    assert reading.get_issue(staff["admin"], "2007-q1") is draft_issue
    with pytest.raises(NotFound):
        reading.get_issue(staff["pat"], "2007-q1")
    assert reading.latest_issue() is None and reading.draft_issues(staff["pat"]) == []


def test_only_the_coordinator_and_admins_compose(staff, draft_issue):
    with pytest.raises(NotAllowed):
        digest_composing.create_issue(
            staff["pat"], digest_drafts.IssueDraft(number=13, quarter="2007-Q2", title="Summer")
        )
    with pytest.raises(NotAllowed):
        digest_composing.add_item(staff["lee"], draft_issue, item_draft())
    with pytest.raises(NotAllowed):
        digest_composing.publish(staff["pat"], draft_issue)


@pytest.mark.parametrize(
    "number, quarter, field",
    [(12, "2007-Q3", "number"), (13, "2007-Q1", "quarter"), (13, "2007-Q5", "quarter"), (None, "2007-Q3", "number")],
)
def test_duplicate_or_bad_number_and_quarter(staff, draft_issue, number, quarter, field):
    with pytest.raises(ValidationError) as caught:
        digest_composing.create_issue(
            staff["coord"], digest_drafts.IssueDraft(number=number, quarter=quarter, title="Another issue")
        )
    assert field in caught.value.errors


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"source": " "}, "source"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "ftp://example.org/x"}, "url"),
        ({"title": "x" * 201}, "title"),
        ({"areas": ["nowhere"]}, "areas"),
        ({"implications": ""}, "implications"),
        ({"tags": ["Not A Tag"]}, "tags"),
        ({"year": 1800}, "year"),
        ({"summary": "x" * 20_001}, "summary"),
    ],
)
def test_bad_items_are_refused_with_the_field_named(staff, draft_issue, changes, field):
    with pytest.raises(ValidationError) as caught:
        digest_composing.add_item(staff["coord"], draft_issue, item_draft(**changes))
    assert field in caught.value.errors
    db.session.rollback()
    assert len(reading.find_issue("2007-q1").items) == 2


def test_publishing_an_issue_with_no_items_is_refused(staff):
    issue = digest_composing.create_issue(
        staff["coord"], digest_drafts.IssueDraft(number=3, quarter="2006-Q1", title="Empty issue")
    )
    with pytest.raises(ValidationError) as caught:
        digest_composing.publish(staff["coord"], issue)
    assert "items" in caught.value.errors and issue.is_draft


def test_reorder_and_remove_in_a_draft(staff, draft_issue):
    first, second = draft_issue.items
    digest_composing.move_item(staff["coord"], second, -1)
    assert [i.slug for i in draft_issue.items] == [second.slug, first.slug] and second.position == 1
    digest_composing.remove_item(staff["coord"], first)
    db.session.commit()
    assert [i.slug for i in reading.find_issue("2007-q1").items] == [second.slug]


def test_publishing_notifies_readers_who_want_it(staff, draft_issue):
    notifications.set_deliveries(staff["sam"], {"digest": "off"})  # sam turned digest notices off
    told = digest_composing.publish(staff["coord"], draft_issue, today=date(2007, 4, 2))
    db.session.commit()
    assert told == len(staff) - 2  # not the publisher, not sam
    assert notifications.unread_count(staff["pat"]) == 1 and notifications.unread_count(staff["sam"]) == 0
    assert notifications.recent(staff["pat"])[0].url == "/digest/2007-q1"
    with pytest.raises(ServiceError):
        digest_composing.publish(staff["coord"], draft_issue)


def test_a_correction_keeps_the_earlier_text(staff, published_issue):
    item = published_issue.items[0]
    with pytest.raises(ValidationError) as caught:
        digest_composing.update_item(staff["coord"], item, item_draft(summary="Children valued being heard."))
    assert "reason" in caught.value.errors
    digest_composing.update_item(
        staff["coord"],
        item,
        item_draft(summary="Children valued being heard."),
        reason="the summary overstated the finding",
    )
    db.session.commit()
    assert (
        item.summary == "Children valued being heard." and item.correction_note == "the summary overstated the finding"
    )
    versions = db.session.query(DigestItemVersion).all()
    assert len(versions) == 1 and versions[0].summary == "Children valued being **listened** to."
    with pytest.raises(NotAllowed):
        digest_composing.remove_item(staff["coord"], item)


def test_suggestions_and_replies(staff):
    made = digest_suggestions.suggest(staff["pat"], "Outcomes of contact after domestic abuse", "Asked often in court.")
    with pytest.raises(ValidationError):
        digest_suggestions.suggest(staff["pat"], "abc")
    with pytest.raises(NotAllowed):
        digest_suggestions.decide_suggestion(staff["pat"], made, "taken_up", "Yes")
    with pytest.raises(ValidationError) as caught:
        digest_suggestions.decide_suggestion(staff["coord"], made, "taken_up", "")
    assert "reply" in caught.value.errors
    digest_suggestions.decide_suggestion(staff["coord"], made, "taken_up", "We will cover this in the summer issue.")
    db.session.commit()
    assert digest_suggestions.suggestions_by(staff["pat"])[0].reply.startswith("We will")


def test_lead_managers_link_their_tips_to_research(staff, published_issue, publish):
    tip = publish()
    item = published_issue.items[0]
    with pytest.raises(NotAllowed):
        digest_composing.link_tip(staff["other"], tip, item)  # leads another area
    digest_composing.link_tip(staff["lee"], tip, item)
    db.session.commit()
    assert reading.research_for_tip(tip) == [item] and reading.tips_for_item(item) == [tip]
    assert item in reading.items_for_area(tip.area)


# --- Pages ------------------------------------------------------------------------------------


def test_drafts_are_404_for_readers_and_actions_403(staff, draft_issue, as_user):
    client = as_user("pat.fca")
    assert client.get("/digest/2007-q1").status_code == 404
    assert client.get(f"/digest/2007-q1/{draft_issue.items[0].slug}").status_code == 404
    assert client.get("/digest/new").status_code == 403
    assert client.post_form("/digest/2007-q1/publish", {"confirmed": "yes"}).status_code == 403
    assert client.get("/digest/2007-q1/publish").status_code == 403
    assert reading.find_issue("2007-q1").is_draft


def test_the_coordinator_composes_previews_and_publishes(staff, as_user):
    client = as_user("cora.coord")
    response = client.post_form(
        "/digest/new",
        {"number": "20", "quarter": "2008-Q1", "title": "Research Digest, Spring 2008", "introduction": "Hello."},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/digest/2008-q1")
    bad = client.post_form(
        "/digest/2008-q1/items/new",
        {"title": "Item", "source": "", "summary": "S", "implications": "I", "url": "javascript:x"},
    )
    assert bad.status_code == 400 and "Say where this research comes from" in bad.get_data(as_text=True)
    assert "The link must be a web address" in bad.get_data(as_text=True)
    ok = client.post_form(
        "/digest/2008-q1/items/new",
        {
            "title": "Views of children",
            "source": "A report, 2007",
            "summary": "They want to be heard.",
            "implications": "- Listen.",
            "areas": ["contact"],
            "tags": "children-views",
        },
    )
    assert ok.status_code == 302
    preview = client.get("/digest/2008-q1").get_data(as_text=True)
    assert "Draft: preview" in preview and "Views of children" in preview and "Implications for practice" in preview
    unconfirmed = client.post_form("/digest/2008-q1/publish")  # a button that skips the confirmation page
    assert unconfirmed.status_code == 302 and unconfirmed.headers["Location"].endswith("/digest/2008-q1/publish")
    assert reading.find_issue("2008-q1").is_draft
    confirm = client.get("/digest/2008-q1/publish")
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Publish “Research Digest, Spring 2008”?" in page and "with 1 item." in page
    assert "Views of children" in page and "They want to be heard." in page
    # Everyone active but the coordinator is told (nobody here has turned the digest off).
    from cafpedia.accounts.models import User

    told = db.session.scalar(
        db.select(db.func.count(User.id)).where(User.active.is_(True), User.username != "cora.coord")
    )
    assert told > 1 and f"It tells {told} people in their notifications" in " ".join(page.split())
    assert reading.find_issue("2008-q1").is_draft
    assert client.post_form("/digest/2008-q1/publish", {"confirmed": "yes"}).status_code == 302
    assert not reading.find_issue("2008-q1").is_draft
    assert client.get("/digest/2008-q1/publish").status_code == 302  # published: nothing to confirm
    pat = as_user("pat.fca")
    page = pat.get("/digest").get_data(as_text=True)
    assert "Research Digest, Spring 2008" in page and 'Notifications <span class="count-badge">1' in page


def test_publishing_an_empty_issue_says_why(staff, as_user):
    client = as_user("cora.coord")
    client.post_form("/digest/new", {"number": "21", "quarter": "2008-Q2", "title": "Empty"})
    page = client.get("/digest/2008-q2/publish", follow_redirects=True).get_data(as_text=True)
    assert "Not published: Add at least one item" in page
    page = client.post_form("/digest/2008-q2/publish", {"confirmed": "yes"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "Not published: Add at least one item" in page


def test_correction_page_needs_a_reason_and_shows_the_note(staff, published_issue, as_user):
    item = published_issue.items[0]
    client = as_user("cora.coord")
    form = {
        "title": item.title,
        "source": item.source,
        "summary": "Corrected text.",
        "implications": item.implications,
        "areas": ["contact"],
    }
    refused = client.post_form(f"/digest/2007-q1/{item.slug}/edit", form)
    assert refused.status_code == 400 and "Say why you are correcting" in refused.get_data(as_text=True)
    client.post_form(f"/digest/2007-q1/{item.slug}/edit", {**form, "reason": "a figure was wrong"})
    page = as_user("pat.fca").get(f"/digest/2007-q1/{item.slug}").get_data(as_text=True)
    assert "Corrected on" in page and "a figure was wrong" in page and "Text before the correction" in page


def test_suggestion_pages(staff, as_user):
    client = as_user("pat.fca")
    assert client.post_form("/digest/suggestions", {"topic": ""}).status_code == 400
    client.post_form("/digest/suggestions", {"topic": "Sibling contact after adoption"})
    coord = as_user("cora.coord")
    listing = coord.get("/digest/suggestions").get_data(as_text=True)
    assert "Sibling contact after adoption" in listing
    suggestion_id = digest_suggestions.suggestions_by(staff["pat"])[0].id
    assert (
        coord.post_form(
            f"/digest/suggestions/{suggestion_id}", {"status": "declined", "reply": "Covered in issue 9."}
        ).status_code
        == 302
    )
    assert as_user("pat.fca").get(f"/digest/suggestions/{suggestion_id}").status_code == 403
    assert "Covered in issue 9." in as_user("pat.fca").get("/digest/suggestions").get_data(as_text=True)


def test_atom_feed_parses_and_lists_published_work_only(staff, published_issue, as_user, make_user):
    digest_composing.create_issue(
        staff["coord"], digest_drafts.IssueDraft(number=99, quarter="2009-Q1", title="Secret draft")
    )
    db.session.commit()
    response = as_user("pat.fca").get("/digest/feed.atom")
    assert response.content_type.startswith("application/atom+xml")
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None
    entries = root.findall(f"{ATOM}entry")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert (
        len(entries) == 3
        and "Research Digest, Spring 2007 (issue 12)" in titles
        and not any("Secret" in t for t in titles)
    )
    for entry in entries:
        assert entry.find(f"{ATOM}id").text.startswith("http") and entry.find(f"{ATOM}updated").text.endswith("Z")
        assert entry.find(f"{ATOM}link").get("href").startswith("http")


def _turned_off(user) -> list[str]:
    return [kind for kind, delivery in notifications.deliveries(user).items() if delivery == "off"]


def test_notification_settings_page(staff, as_user):
    client = as_user("pat.fca")
    page = client.get("/notifications").get_data(as_text=True)
    assert (
        'name="digest" type="radio" value="now" checked' in page
        or 'checked id="digest-0" name="digest" type="radio" value="now"' in page
    )
    assert client.post_form("/notifications/settings", {"digest": "off", "legal_review": "daily"}).status_code == 302
    assert _turned_off(staff["pat"]) == ["digest"]
    assert (
        notifications.deliveries(staff["pat"])["legal_review"] == "daily"
        and notifications.deliveries(staff["pat"])["proposal"] == "now"
    )
    refused = client.post_form("/notifications/settings", {"digest": "nonsense"})
    assert refused.status_code == 400 and "Not a valid choice" in refused.get_data(as_text=True)
    assert _turned_off(staff["pat"]) == ["digest"]  # nothing changed


def test_tip_research_page(staff, published_issue, publish, as_user):
    tip = publish()
    item = published_issue.items[0]
    assert as_user("olu.other").get(f"/tips/{tip.slug}/research").status_code == 403
    lead = as_user("lee.lead")
    assert lead.post_form(f"/tips/{tip.slug}/research", {"item": "2007-q1/nothing"}).status_code == 400
    lead.post_form(f"/tips/{tip.slug}/research", {"item": f"2007-q1/{item.slug}"})
    assert item.title in lead.get(f"/tips/{tip.slug}").get_data(as_text=True)
    assert tip.title in lead.get(f"/digest/2007-q1/{item.slug}").get_data(as_text=True)


# --- Search and content --------------------------------------------------------------------------


def test_items_reach_search_only_once_published(staff, draft_issue, as_user):
    search.follower().drain()
    assert search.search(staff["pat"], "children advisers kind:research").total == 0
    assert search.search(staff["coord"], "children advisers kind:research").total == 0  # drafts are not searchable
    digest_composing.publish(staff["coord"], draft_issue, today=date(2007, 4, 2))
    db.session.commit()
    search.follower().drain()
    found = search.search(staff["pat"], "children advisers")
    assert [h.url for h in found.results.hits][:1] == [f"/digest/2007-q1/{draft_issue.items[0].slug}"]
    assert found.results.hits[0].kind == "research"
    assert search.search(staff["pat"], "area:adoption centres").total == 1  # filed under each of its areas
    assert search.search(staff["pat"], "area:contact centres evaluated").total == 1


def test_demo_digest_round_trip(app, demo_content, tmp_path):
    from cafpedia.config import DEFAULT_CONTENT_DIR
    from cafpedia.content.loader import export_folder, load_folder

    issues = db.session.query(DigestIssue).all()
    published = [i for i in issues if not i.is_draft]
    assert len(published) >= 3 and all(len(i.items) >= 4 for i in published) and any(i.is_draft for i in issues)
    export_folder(tmp_path / "out")
    for path in sorted((DEFAULT_CONTENT_DIR / "digest").rglob("*.md")):
        exported = tmp_path / "out" / path.relative_to(DEFAULT_CONTENT_DIR)
        assert exported.read_text() == path.read_text(), path
    load_folder(tmp_path / "out")  # loading again changes nothing
    db.session.commit()
    assert db.session.query(DigestIssue).count() == len(issues)


def test_load_refuses_bad_digest_files(app, demo_content, tmp_path):
    from cafpedia.content.loader import ContentError, load_folder

    folder = tmp_path / "bad" / "digest" / "2010-q1"
    folder.mkdir(parents=True)
    (folder / "issue.md").write_text(
        "---\ntitle: Bad\nnumber: 7\nquarter: 2010-Q2\npublished_on: 2010-01-05\neditor: nobody\n---\nIntro\n"
    )
    (folder / "item.md").write_text(
        "---\ntitle: An item\nsource: x\norder: 1\nurl: 'javascript:x'\nareas: [nowhere]\n---\nNo heading\n"
    )
    with pytest.raises(ContentError) as caught:
        load_folder(tmp_path / "bad")
    text = str(caught.value)
    assert (
        "2010-Q2 belongs in the folder" in text
        and "Implications for practice" in text
        and "http:// or https://" in text
    )
    db.session.rollback()
    assert reading.find_issue("2010-q1") is None


def test_preview_as_readers_see_it(staff, draft_issue, as_user):
    client = as_user("cora.coord")
    composing = client.get("/digest/2007-q1").get_data(as_text=True)
    preview = client.get("/digest/2007-q1?view=reader").get_data(as_text=True)
    assert "Publish this issue" in composing and "Move down" in composing
    assert "Publish this issue" not in preview and "Move down" not in preview and "Back to composing" in preview
    assert draft_issue.items[0].title in preview


# --- Found by a review: each must stay fixed ------------------------------------------------------


def test_a_correction_that_changes_nothing_is_refused(staff, published_issue):
    item = published_issue.items[0]
    same = item_draft(summary=item.summary.replace("\n", "\r\n") + "\r\n", title=f"  {item.title} ", areas=["contact"])
    with pytest.raises(ValidationError) as caught:
        digest_composing.update_item(staff["coord"], item, same, reason="no reason")
    assert "Nothing has changed" in caught.value.errors["summary"]


def test_editing_keeps_the_order_of_areas(staff, draft_issue):
    item = draft_issue.items[1]  # areas contact, adoption
    digest_composing.update_item(
        staff["coord"], item, item_draft("Contact centres evaluated", areas=["adoption", "contact"])
    )
    assert item.area_slugs == ["contact", "adoption"]


@pytest.mark.parametrize(
    "text", ["Sum\n\n##  Implications for practice\n\nmore", "Sum\n\n### implications for practice\n"]
)
def test_the_dividing_heading_cannot_be_typed(staff, draft_issue, text):
    with pytest.raises(ValidationError):
        digest_composing.add_item(staff["coord"], draft_issue, item_draft(summary=text))


@pytest.mark.parametrize("quarter", ["٢٠٠٧-Q2", "２００７-Q2"])
def test_quarters_are_ascii(staff, quarter):
    with pytest.raises(ValidationError):
        digest_composing.create_issue(
            staff["coord"], digest_drafts.IssueDraft(number=50, quarter=quarter, title="Odd digits")
        )


def test_xml_illegal_characters_are_refused(staff, draft_issue, as_user):
    client = as_user("cora.coord")
    response = client.post_form(
        "/digest/2007-q1/items/new", {"title": "Bad \uffff", "source": "s", "summary": "s", "implications": "i"}
    )
    assert response.status_code == 400 and len(reading.find_issue("2007-q1").items) == 2


def test_a_suggestion_is_answered_once(staff):
    made = digest_suggestions.suggest(staff["pat"], "A topic worth studying")
    digest_suggestions.decide_suggestion(staff["coord"], made, "taken_up", "Yes.")
    with pytest.raises(ServiceError):
        digest_suggestions.decide_suggestion(staff["coord"], made, "declined", "No.")
    assert made.reply == "Yes."


def test_links_to_an_archived_tip_survive_a_round_trip(staff, published_issue, publish, tmp_path):
    from cafpedia.content.loader import export_folder, load_folder
    from cafpedia.tips import reviewing

    tip = publish()
    digest_composing.link_tip(staff["lee"], tip, published_issue.items[0])
    reviewing.archive(staff["lee"], tip, note="replaced")
    db.session.commit()
    export_folder(tmp_path / "out")
    load_folder(tmp_path / "out")  # no "not a published tip"


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("order:", "corrections: nope\norder:", "expected a list of corrections"),
        ("tips: []", "tips: [no-such-tip]", "is not a published (or archived) tip"),
    ],
)
def test_bad_item_fields_are_named_not_crashed(app, demo_content, tmp_path, old, new, expected):
    import shutil

    from cafpedia.config import DEFAULT_CONTENT_DIR
    from cafpedia.content.loader import ContentError, load_folder

    folder = tmp_path / "c"
    shutil.copytree(DEFAULT_CONTENT_DIR, folder)
    path = next((folder / "digest" / "2007-q1").glob("c*.md"))
    path.write_text(path.read_text().replace(old, new, 1))
    with pytest.raises(ContentError) as caught:
        load_folder(folder)
    assert expected in str(caught.value)


def test_issue_numbers_can_change_hands_in_a_load(app, demo_content, tmp_path):
    import shutil

    from cafpedia.config import DEFAULT_CONTENT_DIR
    from cafpedia.content.loader import load_folder

    folder = tmp_path / "c"
    shutil.copytree(DEFAULT_CONTENT_DIR, folder)
    draft = folder / "digest" / "2007-q2" / "issue.md"
    draft.write_text(draft.read_text().replace("number: 10", "number: 12"))
    (folder / "digest" / "2006-q1").mkdir()
    (folder / "digest" / "2006-q1" / "issue.md").write_text(
        "---\ntitle: Spring 2006 draft\nnumber: 10\nquarter: 2006-Q1\neditor: research.coordinator\n---\n"
    )
    load_folder(folder)
    db.session.commit()
    assert reading.find_issue("2006-q1").number == 10 and reading.find_issue("2007-q2").number == 12


def test_an_issue_s_print_stylesheet_names_it_in_every_page_s_margins_and_hides_drafts(staff, draft_issue, as_user):
    coordinator = as_user("cora.coord")
    css = coordinator.get("/digest/2007-q1/print.css")
    assert css.status_code == 200 and css.content_type.startswith("text/css")
    text = css.get_data(as_text=True)
    assert '@top-left { content: "Research digest · Issue 12: Research Digest, Spring 2007"' in text
    assert '"Draft: not yet published"' in text and "/digest/2007-q1" in text and "counter(pages)" in text
    assert as_user("pat.fca").get("/digest/2007-q1/print.css").status_code == 404  # a draft does not exist for them
    digest_composing.publish(staff["coord"], draft_issue)
    db.session.commit()
    assert '"Published 23 November 2026"' in as_user("pat.fca").get("/digest/2007-q1/print.css").get_data(as_text=True)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Spring 2007", '"Spring 2007"'),
        ('Say "hello"', '"Say \\22 hello\\22 "'),
        ("a\\b", '"a\\5c b"'),
        (
            'x"; } body { display: none } @page { content: "',
            '"x\\22 ; } body { display: none } @page { content: \\22 "',
        ),
        ("line\nbreak", '"line\\a break"'),
    ],
)
def test_text_in_a_stylesheet_cannot_end_its_string(text, expected):
    from cafpedia.core.text import css_string

    assert css_string(text) == expected


# --- Correcting a published issue's introduction -----------------------------------------------


def test_a_published_introduction_is_corrected_with_a_reason_and_its_earlier_text_kept(staff, published_issue, clock):
    from cafpedia.core.audit import AuditEntry

    coord = staff["coord"]
    with pytest.raises(NotAllowed):
        digest_composing.correct_introduction(staff["pat"], published_issue, "Hello.", "typo")
    with pytest.raises(ValidationError) as caught:
        digest_composing.correct_introduction(coord, published_issue, "Welcome.", "")
    assert set(caught.value.errors) == {"introduction", "reason"}  # unchanged, and no reason: both named
    assert "Nothing has changed" in caught.value.errors["introduction"]
    with pytest.raises(ValidationError) as caught:
        digest_composing.correct_introduction(coord, published_issue, "x" * 20_001, "r" * 501)
    assert "too long" in caught.value.errors["introduction"] and "at most 500" in caught.value.errors["reason"]
    db.session.rollback()

    digest_composing.correct_introduction(coord, published_issue, "Welcome to spring.\r\n", "  the season  was wrong ")
    db.session.commit()
    clock.advance(days=1)
    digest_composing.correct_introduction(coord, published_issue, "Welcome to the spring issue.", "clearer")
    db.session.commit()
    assert published_issue.introduction == "Welcome to the spring issue."
    versions = published_issue.introduction_versions
    assert [(v.introduction, v.reason) for v in versions] == [
        ("Welcome.", "the season was wrong"),
        ("Welcome to spring.", "clearer"),
    ]
    assert published_issue.introduction_correction is versions[-1]
    assert db.session.query(AuditEntry).filter_by(action="digest.correct_introduction").count() == 2


def test_a_draft_s_introduction_is_edited_not_corrected(staff, draft_issue, as_user):
    with pytest.raises(NotAllowed):
        digest_composing.correct_introduction(staff["coord"], draft_issue, "Hello.", "why")
    page = as_user("cora.coord").get("/digest/2007-q1/introduction")
    assert page.status_code == 302 and page.headers["Location"].endswith("/digest/2007-q1/edit")


def test_readers_see_that_and_why_an_introduction_was_corrected_and_the_text_before(staff, published_issue, as_user):
    coordinator = as_user("cora.coord")
    issue_page = coordinator.get("/digest/2007-q1").get_data(as_text=True)
    assert "Correct the introduction" in issue_page and "Introduction corrected" not in issue_page
    form = coordinator.get("/digest/2007-q1/introduction")
    assert form.status_code == 200 and "Welcome." in form.get_data(as_text=True)
    refused = coordinator.post_form("/digest/2007-q1/introduction", {"introduction": "Welcome, all.", "reason": ""})
    assert refused.status_code == 400
    assert "Say why you are correcting the introduction" in refused.get_data(as_text=True)
    assert published_issue.introduction == "Welcome."  # nothing was kept
    done = coordinator.post_form(
        "/digest/2007-q1/introduction", {"introduction": "Welcome, all.", "reason": "a warmer welcome"}
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/digest/2007-q1#introduction")

    page = as_user("pat.fca").get("/digest/2007-q1").get_data(as_text=True)
    assert "Welcome, all." in page and "Correct the introduction" not in page
    assert "Introduction corrected on 23 November 2026</strong> because a warmer welcome" in page
    assert "The introduction before the correction of 23 November 2026 (a warmer welcome)" in page
    assert as_user("pat.fca").get("/digest/2007-q1/introduction").status_code == 403


def test_a_corrected_introduction_goes_through_export_and_load_unchanged(staff, published_issue, make_app, tmp_path):
    from cafpedia.content.loader import export_folder, load_folder

    digest_composing.correct_introduction(staff["coord"], published_issue, "Welcome, all.", "a warmer welcome")
    db.session.commit()
    export_folder(tmp_path / "out")
    issue_file = (tmp_path / "out" / "digest" / "2007-q1" / "issue.md").read_text()
    assert "corrections:\n- at: 2026-11-23 10:00:" in issue_file
    assert "  by: cora.coord\n  reason: a warmer welcome\n  previous: Welcome.\n---\nWelcome, all.\n" in issue_file

    other = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'other.sqlite3'}")
    with other.app_context():
        from cafpedia.cli.installation import upgrade_database

        upgrade_database()
        load_folder(tmp_path / "out")
        db.session.commit()
        loaded = reading.find_issue("2007-q1")
        assert loaded.introduction == "Welcome, all."
        assert [(v.introduction, v.reason) for v in loaded.introduction_versions] == [("Welcome.", "a warmer welcome")]
        export_folder(tmp_path / "again")
        db.session.remove()
    assert (tmp_path / "again" / "digest" / "2007-q1" / "issue.md").read_text() == issue_file


def test_a_draft_issue_file_with_introduction_corrections_is_refused(app, tmp_path, make_user):
    from cafpedia.content.loader import ContentError, load_folder

    folder = tmp_path / "bad" / "digest" / "2010-q1"
    folder.mkdir(parents=True)
    (folder / "issue.md").write_text(
        "---\ntitle: Draft\nnumber: 70\nquarter: 2010-Q1\neditor: nobody\ncorrections:\n"
        "- at: 2010-01-05 10:00:00\n  by: nobody\n  reason: why\n  previous: Before.\n"
        "- at: not a date\n  by: nobody\n  previous: Before.\n---\nIntro\n"
    )
    with pytest.raises(ContentError) as refused:
        load_folder(tmp_path / "bad")
    db.session.rollback()
    found = {(p.line, p.field) for p in refused.value.problems}
    # a draft has no corrections; the second one's date is not one, and it gives no reason
    assert {(6, "corrections"), (11, "at"), (11, "reason")} <= found, refused.value.problems
