"""Legal updates: posting, editing, withdrawing, the feed, tips citing the same law and
sending them for review, Atom feeds, permissions, search and the content round trip."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime

import pytest

from cafpedia.core.errors import NotAllowed, ValidationError
from cafpedia.extensions import db
from cafpedia.legal import citing as legal_citing
from cafpedia.legal import feed as legal_feed
from cafpedia.legal import posting as legal_posting
from cafpedia.legal.models import LegalUpdate
from cafpedia.notifications import services as notifications
from cafpedia.search import service as search
from cafpedia.tips import reviewing

ATOM = "{http://www.w3.org/2005/Atom}"


def update_draft(**changes):
    values = dict(
        kind="case-law",
        title="Disclosure of a reporter's notes",
        citations=["[2002] EWCA Civ 1199", "[2002] 2 FLR 893"],
        made_on=date(2002, 7, 31),
        summary="When an officer may share concerns with the police.",
        briefing="The Court of Appeal considered disclosure.",
        practice="- Ask the court first.",
        areas=["contact"],
        tags=["disclosure"],
    )
    values.update(changes)
    return legal_posting.UpdateDraft(**values)


@pytest.fixture
def staff(people, make_user):
    return {**people, "lawyer": make_user("lola.lawyer", ["legal_editor"], name="Lola Lawyer")}


@pytest.fixture
def citing_tip(staff, publish):
    return publish(slug="sharing-concerns", legal_refs=["[2002] EWCA Civ 1199"])


@pytest.fixture
def posted(staff):
    update = legal_posting.post_update(staff["lawyer"], update_draft(), today=date(2026, 11, 20))
    db.session.commit()
    return update


def test_post_and_read(staff, posted):
    assert posted.slug == "2026-11-20-disclosure-of-a-reporter-s-notes" and posted.current.citations == [
        "[2002] EWCA Civ 1199",
        "[2002] 2 FLR 893",
    ]
    assert legal_feed.feed() == [posted]
    assert legal_feed.feed(legal_feed.FeedFilters(kind="legislation")) == []
    assert legal_feed.feed(legal_feed.FeedFilters(area="contact")) == [posted]
    assert legal_feed.feed(legal_feed.FeedFilters(area="adoption")) == []
    assert legal_feed.feed(legal_feed.FeedFilters(date_from=date(2003, 1, 1))) == []


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"citations": ["[2002] EWCA 1199"]}, "citations"),
        ({"citations": []}, "citations"),
        ({"citations": ["Children Act 1989 s7"]}, "citations"),  # case law must cite a judgment
        (
            {"made_on": date(2026, 11, 26)},
            "made_on",
        ),  # a judgment in the future (the tests' clock says 23 November 2026)
        ({"made_on": date(2003, 1, 1)}, "made_on"),  # a 2002 neutral citation
        ({"areas": ["nowhere"]}, "areas"),
        ({"areas": []}, "areas"),
        ({"briefing": "  "}, "briefing"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
        ({"kind": "rumour"}, "kind"),
        ({"summary": "x" * 301}, "summary"),
    ],
)
def test_bad_updates_are_refused(staff, changes, field):
    with pytest.raises(ValidationError) as caught:
        legal_posting.post_update(staff["lawyer"], update_draft(**changes))
    assert field in caught.value.errors
    db.session.rollback()
    assert db.session.query(LegalUpdate).count() == 0


def test_practitioners_cannot_post(staff):
    with pytest.raises(NotAllowed):
        legal_posting.post_update(staff["pat"], update_draft())


def test_edits_are_revisions_and_withdrawing_keeps_it(staff, posted):
    with pytest.raises(ValidationError):
        legal_posting.edit_update(staff["lawyer"], posted, update_draft())  # nothing changed
    legal_posting.edit_update(
        staff["lawyer"],
        posted,
        update_draft(title="Disclosure to the police of a reporter's notes"),
        note="clearer title",
    )
    db.session.commit()
    assert [r.number for r in posted.revisions] == [1, 2] and posted.current.title.startswith(
        "Disclosure to the police"
    )
    with pytest.raises(ValidationError):
        legal_posting.withdraw(staff["lawyer"], posted, "")
    legal_posting.withdraw(staff["lawyer"], posted, "superseded by a later judgment")
    db.session.commit()
    assert posted.status == "withdrawn" and legal_feed.feed() == []
    assert legal_feed.feed(legal_feed.FeedFilters(include_withdrawn=True)) == [posted]


def test_cited_by_and_flagging_for_review(staff, posted, citing_tip, publish):
    other = publish(slug="unrelated", legal_refs=["Children Act 1989 s7"])
    assert legal_citing.citing_tips(posted) == [citing_tip]
    assert legal_citing.updates_for_tip(citing_tip) == [posted] and legal_citing.updates_for_tip(other) == []
    with pytest.raises(ValidationError):
        legal_citing.flag_tips(staff["lawyer"], posted, ["unrelated"])  # does not cite this law
    legal_citing.flag_tips(staff["lawyer"], posted, ["sharing-concerns"], today=date(2026, 11, 20))
    db.session.commit()
    assert citing_tip.review_by == date(2026, 11, 20)
    assert citing_tip in reviewing.due_for_review(staff["lee"], today=date(2026, 11, 20))
    for person in (staff["lee"], staff["dee"]):
        assert [n.url for n in notifications.recent(person) if n.kind == "legal_review"] == ["/tips/sharing-concerns"]
    assert [f.update for f in legal_citing.open_flags([citing_tip.id])] == [posted]
    with pytest.raises(ValidationError) as refused:  # clearing a legal update's flag needs a note
        reviewing.mark_reviewed(staff["lee"], citing_tip, note="  ")
    assert "answers the legal update “Disclosure of a reporter's notes”" in refused.value.errors["note"]
    db.session.rollback()
    reviewing.mark_reviewed(
        staff["lee"], citing_tip, note="Checked against the judgment: the tip already says to ask the court first."
    )
    db.session.commit()
    assert legal_citing.open_flags([citing_tip.id]) == []
    assert citing_tip.events[-1].action == "reviewed" and citing_tip.events[-1].comment.startswith(
        "Checked against the judgment"
    )


def test_the_review_page_asks_for_a_note_when_a_legal_update_sent_the_tip_back(staff, posted, citing_tip, as_user):
    legal_citing.flag_tips(staff["lawyer"], posted, ["sharing-concerns"])
    db.session.commit()
    lead = as_user("lee.lead")
    reviews = lead.get("/reviews").get_data(as_text=True)
    assert "Review, with a note" in reviews and "/tips/sharing-concerns#mark-reviewed" in reviews
    page = lead.get("/tips/sharing-concerns").get_data(as_text=True)
    assert "This tip was sent back for review by the legal update" in page and "Note (required" in page
    refused = lead.post_form("/tips/sharing-concerns/reviewed", {"note": ""})
    assert refused.status_code == 400 and "Say what you checked" in refused.get_data(as_text=True)
    assert legal_citing.open_flags([citing_tip.id])
    done = lead.post_form("/tips/sharing-concerns/reviewed", {"note": "Read the judgment; the tip holds."})
    assert done.status_code == 302 and legal_citing.open_flags([citing_tip.id]) == []
    history = lead.get("/tips/sharing-concerns/history").get_data(as_text=True)
    assert "Read the judgment; the tip holds." in history


def test_statute_sections_match(staff, publish):
    section = publish(slug="s7-reports", legal_refs=["Children Act 1989 s7"])
    whole = publish(slug="whole-act", legal_refs=["Children Act 1989"])
    elsewhere = publish(slug="welfare", legal_refs=["Children Act 1989 s1(3)"])
    update = legal_posting.post_update(
        staff["lawyer"], update_draft(kind="legislation", citations=["Children Act 1989 s7"], made_on=date(2004, 1, 1))
    )
    assert legal_citing.citing_tips(update) == sorted(
        [section, whole], key=lambda t: t.slug
    ) and elsewhere not in legal_citing.citing_tips(update)


# --- Pages ------------------------------------------------------------------------------------


FORM = {
    "kind": "case-law",
    "title": "Disclosure ruling",
    "citations": "[2002] EWCA Civ 1199\n[2002] 2 FLR 893",
    "made_on": "2002-07-31",
    "areas": ["contact"],
    "summary": "Short.",
    "briefing": "Long.",
    "practice": "- Do this.",
}


def test_the_feed_marks_what_is_new(staff, as_user):
    client = as_user("pat.fca")
    client.get("/legal")
    as_user("lola.lawyer").post_form("/legal/new", {**FORM, "confirmed": "yes"})
    page = as_user("pat.fca").get("/legal").get_data(as_text=True)
    assert "Disclosure ruling" in page and "New since your last visit" in page
    assert "New since your last visit" not in client.get("/legal").get_data(as_text=True)


def test_posting_from_the_form(staff, as_user, citing_tip):
    client = as_user("lola.lawyer")
    bad = client.post_form(
        "/legal/new", {**FORM, "citations": "[2002] EWCA 1199", "made_on": "2099-01-01", "briefing": ""}
    )
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Not recognised: “[2002] EWCA 1199”" in text and "Write the briefing" in text
    ok = client.post_form("/legal/new", {**FORM, "confirmed": "yes"})
    assert ok.status_code == 302
    slug = db.session.query(LegalUpdate).one().slug
    page = client.get(f"/legal/{slug}").get_data(as_text=True)
    assert citing_tip.title in page and "Send for review" in page
    assert client.post_form(f"/legal/{slug}/flag", {"tips": ["sharing-concerns"]}).status_code == 302
    dashboard = as_user("lee.lead").get("/reviews").get_data(as_text=True)
    assert citing_tip.title in dashboard and "Legal update: <a" in dashboard
    tip_page = as_user("pat.fca").get(f"/tips/{citing_tip.slug}").get_data(as_text=True)
    assert tip_page.count("Disclosure ruling") == 2  # once in "Under review after ...", once in the list of updates
    assert "Under review after <a" in tip_page


def test_posting_asks_for_confirmation_with_a_preview(staff, as_user, make_user):
    make_user("wendy.watcher", ["practitioner"])
    make_user("oscar.off", ["practitioner"])
    from cafpedia.accounts.people import find_user
    from cafpedia.areas.services import find_area
    from cafpedia.notifications import services as notifications

    notifications.watch(find_user("wendy.watcher"), "legal", 0)
    notifications.watch(find_user("oscar.off"), "area", find_area("contact").id)
    notifications.set_deliveries(
        find_user("oscar.off"), {"watch": "off"}
    )  # watches, but asked not to be told: not counted
    db.session.commit()
    client = as_user("lola.lawyer")
    preview = client.post_form("/legal/new", {**FORM, "practice": "- Ask the court **first**."})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Check before posting" in page
    assert (
        "<strong>first</strong>" in page and "[2002] EWCA Civ 1199; [2002] 2 FLR 893" in page
    )  # rendered as readers will see it
    assert "the 1 person watching the legal feed or its areas" in page
    assert (
        'type="hidden" name="practice" value="- Ask the court **first**."' in page
        and 'name="areas" value="contact"' in page
    )
    assert db.session.query(LegalUpdate).count() == 0  # nothing posted yet
    change = client.post_form("/legal/new", {**FORM, "change": "yes"})
    assert (
        change.status_code == 200
        and "Check and preview" in change.get_data(as_text=True)
        and "Disclosure ruling" in change.get_data(as_text=True)
    )
    assert db.session.query(LegalUpdate).count() == 0
    refused = client.post_form("/legal/new", {**FORM, "briefing": "", "confirmed": "yes"})  # confirming checks again
    assert refused.status_code == 400 and db.session.query(LegalUpdate).count() == 0
    assert client.post_form("/legal/new", {**FORM, "confirmed": "yes"}).status_code == 302
    assert db.session.query(LegalUpdate).count() == 1


def test_withdrawing_asks_for_confirmation_with_a_preview(staff, as_user, posted):
    client = as_user("lola.lawyer")
    empty = client.post_form(f"/legal/{posted.slug}/withdraw", {"reason": " "})
    assert empty.status_code == 400 and "Say why it is withdrawn" in empty.get_data(as_text=True)
    asked = client.post_form(f"/legal/{posted.slug}/withdraw", {"reason": "overturned  on appeal"})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Withdraw “Disclosure of a reporter" in page
    assert "Withdrawn on 23 November 2026</strong> because overturned on appeal" in page
    db.session.refresh(posted)
    assert posted.status == "published"
    done = client.post_form(f"/legal/{posted.slug}/withdraw", {"reason": "overturned  on appeal", "confirmed": "yes"})
    assert done.status_code == 302
    db.session.refresh(posted)
    assert posted.status == "withdrawn" and posted.withdrawn_reason == "overturned on appeal"
    again = client.post_form(f"/legal/{posted.slug}/withdraw", {"reason": "twice"})
    assert again.status_code == 302  # already withdrawn: said on the page, nothing changes


def test_practitioners_get_403(staff, as_user, posted):
    client = as_user("pat.fca")
    assert client.get("/legal/new").status_code == 403
    assert client.post_form("/legal/new", FORM).status_code == 403
    assert client.post_form(f"/legal/{posted.slug}/withdraw", {"reason": "x"}).status_code == 403
    assert client.get(f"/legal/{posted.slug}").status_code == 200


def test_filters_with_odd_input(staff, as_user, posted):
    client = as_user("pat.fca")
    assert client.get("/legal?kind=case-law&area=contact").status_code == 200
    assert client.get("/legal?kind=nonsense").status_code == 400
    assert client.get("/legal?date_from=2030-13-45").status_code == 400
    bad_range = client.get("/legal?date_from=2005-01-01&date_to=2004-01-01")
    assert bad_range.status_code == 400 and "before its start" in bad_range.get_data(as_text=True)


def test_atom_feeds_parse(staff, as_user, posted):
    client = as_user("pat.fca")
    for url, count in (
        ("/legal/feed.atom", 1),
        ("/legal/areas/contact/feed.atom", 1),
        ("/legal/areas/adoption/feed.atom", 0),
    ):
        response = client.get(url)
        assert response.content_type.startswith("application/atom+xml")
        root = ET.fromstring(response.get_data())
        assert root.find(f"{ATOM}id").text.startswith("http") and root.find(f"{ATOM}updated").text.endswith("Z")
        entries = root.findall(f"{ATOM}entry")
        assert len(entries) == count
        for entry in entries:
            assert entry.find(f"{ATOM}title").text == "Disclosure of a reporter's notes"
    assert client.get("/legal/areas/nowhere/feed.atom").status_code == 404


def test_any_citation_finds_it(staff, posted):
    search.follower().drain()
    for query in ("EWCA Civ 1199", "2 FLR 893", '"reporter\'s notes"'):
        found = search.search(staff["pat"], query)
        assert f"/legal/{posted.slug}" in [h.url for h in found.results.hits], query


def test_demo_legal_round_trip(app, demo_content, tmp_path):
    from cafpedia.config import DEFAULT_CONTENT_DIR
    from cafpedia.content.loader import export_folder, load_folder

    assert db.session.query(LegalUpdate).count() >= 10
    export_folder(tmp_path / "out")
    for path in sorted((DEFAULT_CONTENT_DIR / "legal").glob("*.md")):
        assert (tmp_path / "out" / "legal" / path.name).read_text() == path.read_text(), path
    load_folder(tmp_path / "out")
    db.session.commit()
    cited = [u for u in legal_feed.feed() if legal_citing.citing_tips(u)]
    assert len(cited) >= 3  # demo tips cite the law of several demo updates


def test_load_names_bad_legal_files(app, demo_content, tmp_path):
    from cafpedia.content.loader import ContentError, load_folder

    folder = tmp_path / "bad" / "legal"
    folder.mkdir(parents=True)
    (folder / "2006-01-02-bad.md").write_text(
        "---\ntitle: Bad\nkind: case-law\ncitation: '[2002] EWCA 1199'\ndate: 2007-01-01\npublished_on: "
        "2006-01-02\nauthor: legal.editor\nareas: [nowhere]\n---\nNo heading\n"
    )
    with pytest.raises(ContentError) as caught:
        load_folder(tmp_path / "bad")
    text = str(caught.value)
    assert "What it means for practice" in text
    assert "EWCA 1199" not in text  # a citation not recognised is a warning, kept as written, never a refusal


FIVE_FORMS = [
    ("2006-03-01-re-l", "case-law", "Re L (A Child) (Contact: Domestic Violence) [2000] 2 FLR 334", "2000-06-19"),
    ("2006-03-02-children-act-2004", "legislation", "Children Act 2004 (c. 31)", "2004-11-15"),
    ("2006-03-03-every-child-matters", "guidance", "Cm 6932", "2006-10-01"),
    (
        "2006-03-04-court-bundles",
        "guidance",
        "President's Direction (Family Proceedings: Court Bundles) [2006] 2 FLR 199",
        "2006-02-10",
    ),
    ("2006-03-05-complaints", "guidance", "DfES, Getting the Best from Complaints, September 2006", "2006-09-01"),
    ("2006-03-06-old-note", "guidance", "Internal memo on report bundles, undated", "2006-01-01"),
]


def test_the_five_forms_of_the_old_intranet_load_as_written(app, demo_content, tmp_path, runner):
    folder = tmp_path / "intranet" / "legal"
    folder.mkdir(parents=True)
    for slug, kind, citation, made in FIVE_FORMS:
        (folder / f"{slug}.md").write_text(
            f"---\ntitle: {slug.split('-', 3)[3].replace('-', ' ').capitalize()}\nkind: {kind}\ncitation: "
            f'"{citation}"\ndate: {made}\n'
            f"published_on: {slug[:10]}\nauthor: legal.editor\nareas: [contact]\nsummary: Short.\n---\nThe "
            f"briefing.\n\n"
            f"## What it means for practice\n\n- Do this.\n"
        )
    result = runner.invoke(args=["load", str(tmp_path / "intranet")])
    assert result.exit_code == 0, result.output
    assert (
        "1 warning(s)" in result.output
        and "“Internal memo on report bundles, undated” is not a citation form" in result.output
    )
    stored = {u.slug: u.current.citations for u in db.session.query(LegalUpdate)}
    for slug, _, citation, _ in FIVE_FORMS:
        assert stored[slug] == [citation], slug
    from cafpedia.accounts.people import find_user
    from cafpedia.search import service

    found = service.search(find_user("demo.fca"), "Re L contact domestic violence")
    assert "/legal/2006-03-01-re-l" in [h.url for h in found.results.hits]  # case names are indexed


def test_revisions_and_withdrawal_survive_a_round_trip(app, staff, posted, tmp_path):
    from cafpedia.content.loader import export_folder

    legal_posting.edit_update(
        staff["lawyer"], posted, update_draft(summary="Corrected summary."), note="summary corrected"
    )
    legal_posting.withdraw(staff["lawyer"], posted, "overtaken by later guidance")
    db.session.commit()
    written = export_folder(tmp_path / "one")
    text = (tmp_path / "one" / f"legal/{posted.slug}.md").read_text()
    assert "history:" in text and "status: withdrawn" in text and "summary corrected" in text
    # Into an empty database, and out again: the same files.
    from cafpedia.content.loader import load_folder
    from cafpedia.legal.models import LegalRevision

    for model in (LegalRevision,):
        db.session.query(model).delete()
    db.session.query(LegalUpdate).delete()
    db.session.commit()
    load_folder(tmp_path / "one")
    db.session.commit()
    again = legal_feed.find_update(posted.slug)
    assert [r.number for r in again.revisions] == [1, 2] and again.status == "withdrawn"
    export_folder(tmp_path / "two")
    for relative in written:
        if relative.startswith("legal/"):
            assert (tmp_path / "two" / relative).read_text() == (tmp_path / "one" / relative).read_text()


def test_an_unchanged_edit_from_the_form_is_refused(staff, as_user):
    update = legal_posting.post_update(staff["lawyer"], update_draft(areas=["contact", "adoption"]))
    db.session.commit()
    client = as_user("lola.lawyer")
    form = {
        **FORM,
        "title": update.current.title,
        "summary": update.current.summary,
        "briefing": update.current.briefing.replace("\n", "\r\n"),
        "practice": update.current.practice,
        "areas": ["adoption", "contact"],
        "tags": "disclosure",
    }
    response = client.post_form(f"/legal/{update.slug}/edit", form)
    assert response.status_code == 400 and "Nothing has changed" in response.get_data(as_text=True)
    assert [r.number for r in legal_feed.find_update(update.slug).revisions] == [1]


def test_the_dividing_heading_cannot_be_typed(staff):
    with pytest.raises(ValidationError) as caught:
        legal_posting.post_update(staff["lawyer"], update_draft(briefing="b\n\n## What it means for practice\n\nx"))
    assert "briefing" in caught.value.errors


@pytest.mark.parametrize("front", ["history: x\n", "revised_at: notadate\n"])
def test_bad_legal_fields_are_named_not_crashed(app, demo_content, tmp_path, front):
    import shutil

    from cafpedia.config import DEFAULT_CONTENT_DIR
    from cafpedia.content.loader import ContentError, load_folder

    folder = tmp_path / "c"
    shutil.copytree(DEFAULT_CONTENT_DIR, folder, ignore=shutil.ignore_patterns("digest"))
    path = sorted((folder / "legal").glob("*.md"))[0]
    text = path.read_text()
    path.unlink()
    (folder / "legal" / "2006-01-02-new-one.md").write_text(
        text.replace(f"published_on: {path.name[:10]}", front + "published_on: 2006-01-02", 1)
    )
    with pytest.raises(ContentError):
        load_folder(folder)


def test_a_law_not_yet_in_force_is_recorded_and_the_tips_citing_it_say_so(staff, as_user, publish, clock):
    tip = publish(slug="reports-to-court", legal_refs=["Children Act 1989 s7"])
    client = as_user("lola.lawyer")
    form = {
        **FORM,
        "kind": "legislation",
        "title": "Welfare reports amended",
        "citations": "Children Act 1989 s7",
        "confirmed": "yes",
    }
    before = client.post_form("/legal/new", {**form, "in_force_on": "2002-01-01"})
    assert before.status_code == 400 and "cannot come into force before it was made" in before.get_data(as_text=True)
    judgment = client.post_form("/legal/new", {**FORM, "in_force_on": "2027-01-01", "confirmed": "yes"})
    assert judgment.status_code == 400 and "does not come into force" in judgment.get_data(as_text=True)
    assert client.post_form("/legal/new", {**form, "in_force_on": "2027-01-01"}).status_code == 302
    update = db.session.query(LegalUpdate).one()
    assert update.current.in_force_on.isoformat() == "2027-01-01"
    assert "Not yet: comes into force on 1 January 2027" in client.get(f"/legal/{update.slug}").get_data(as_text=True)
    tip_page = as_user("pat.fca").get(f"/tips/{tip.slug}").get_data(as_text=True)
    assert "Not yet in force:" in tip_page and "1 January 2027" in tip_page
    clock.set(datetime(2027, 1, 2, 10, 0))
    assert "Not yet in force:" not in as_user("pat.fca").get(f"/tips/{tip.slug}").get_data(as_text=True)


def test_in_force_travels_in_the_content_format(app, demo_content, tmp_path):
    from cafpedia.content.loader import ContentError, export_folder, load_folder

    folder = tmp_path / "in" / "legal"
    folder.mkdir(parents=True)
    text = (
        "---\ntitle: Welfare reports amended\nkind: legislation\ncitation: Children Act 1989 s7\ndate: "
        "2026-10-01\nin_force: {in_force}\n"
        "published_on: 2026-10-02\nauthor: legal.editor\nareas: [contact]\nsummary: Short.\n---\nThe briefing.\n\n"
        "## What it means for practice\n\nCheck reports.\n"
    )
    (folder / "2026-10-02-welfare-reports.md").write_text(text.format(in_force="2026-09-01"))
    with pytest.raises(
        ContentError,
        match=r"2026-10-02-welfare-reports.md.*field 'in_force': .*cannot come into force before it was made",
    ):
        load_folder(tmp_path / "in")
    db.session.rollback()
    (folder / "2026-10-02-welfare-reports.md").write_text(text.format(in_force="2027-04-06"))
    load_folder(tmp_path / "in")
    db.session.commit()
    assert legal_feed.find_update("2026-10-02-welfare-reports").current.in_force_on == date(2027, 4, 6)
    export_folder(tmp_path / "out")
    assert "in_force: 2027-04-06" in (tmp_path / "out" / "legal" / "2026-10-02-welfare-reports.md").read_text()


def test_a_review_refused_for_want_of_a_note_says_the_note_is_required(staff, posted, citing_tip, as_user):
    """The error summary and the field's label say what the rule is: required, here."""
    legal_citing.flag_tips(staff["lawyer"], posted, ["sharing-concerns"])
    db.session.commit()
    refused = as_user("lee.lead").post_form("/tips/sharing-concerns/reviewed", {"note": "  "})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Note (required: what you checked against the legal update): Say what you checked" in page
    assert "Note (optional)" not in page


def test_an_impossible_date_made_is_named_and_an_empty_one_asked_for(staff, as_user):
    client = as_user("lola.lawyer")
    impossible = client.post_form("/legal/new", {**FORM, "made_on": "2002-02-30"})
    page = impossible.get_data(as_text=True)
    assert impossible.status_code == 400
    assert "Date made, in force or published: 30 February 2002 is not a real date: February 2002 has 28 days." in page
    empty = client.post_form("/legal/new", {**FORM, "made_on": ""})
    assert empty.status_code == 400 and "Give the date it was made" in empty.get_data(as_text=True)
    listing = client.get("/legal?date_from=2002-02-30")
    assert "30 February 2002 is not a real date" in listing.get_data(as_text=True)
