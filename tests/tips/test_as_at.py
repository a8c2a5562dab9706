"""A tip "as at" a date, and the record to hand over (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv as csv_module
import io
from datetime import date, datetime

import pytest
from pypdf import PdfReader

from cafpedia.composed import tip_as_at as as_at
from cafpedia.core.audit import AuditEntry
from cafpedia.extensions import db
from cafpedia.tips import moderation, proposals, reviewing
from cafpedia.tips.models import CHECKLIST
from tests.tips.builders import draft


@pytest.fixture
def story(people, propose, clock):
    """Proposed 2 March 2026, approved 3 March (revision 1), an edit approved 10 March
    (revision 2), reviewed 15 March, archived 20 March."""
    clock.set(datetime(2026, 3, 2, 9, 0))
    first = propose(slug="contact-centres", standards=["2.1"], legal_refs=["Children Act 1989 s1"])
    clock.set(datetime(2026, 3, 3, 11, 0))
    moderation.approve(
        people["lee"], first, checklist=list(CHECKLIST), confidentiality_confirmed=False, comment="Good and clear"
    )
    db.session.commit()
    clock.set(datetime(2026, 3, 9, 14, 0))
    tip = first.tip
    second = proposals.propose_edit(
        people["sam"],
        tip,
        based_on=1,
        draft=draft(
            title="Use contact centres well", body="- Visit the centre first.\n- Agree the handover in writing."
        ),
    )
    db.session.commit()
    clock.set(datetime(2026, 3, 10, 16, 30))
    moderation.approve(people["dee"], second, checklist=list(CHECKLIST), confidentiality_confirmed=False)
    db.session.commit()
    clock.set(datetime(2026, 3, 15, 10, 0))
    reviewing.mark_reviewed(people["lee"], tip, note="Checked against the new practice direction")
    db.session.commit()
    clock.set(datetime(2026, 3, 20, 10, 0))
    reviewing.archive(people["lee"], tip, note="Replaced by the guidance")
    db.session.commit()
    clock.set(datetime(2026, 11, 23, 10, 0))
    return tip


def page(client, day: str):
    response = client.get(f"/tips/contact-centres?as_at={day}")
    return response.status_code, response.get_data(as_text=True)


def test_the_page_shows_what_readers_saw_then_with_who_approved_it_and_why(story, as_user):
    client = as_user("pat.fca")
    status, text = page(client, "2026-03-05")
    assert status == 200
    assert "This is how this practice tip read on 5 March 2026." in text
    assert "Agree the handover." in text and "in writing" not in text  # revision 1's text
    assert "Published, revision 1" in text
    assert "Lee Lead" in text and "Good and clear" in text
    assert all(label in text for label in CHECKLIST.values())  # the checklist recorded at approval
    assert "Children Act 1989 s1" in text and "2.1" in text
    # The banner says what changed since: revision 2, published on 10 March (proposed on the
    # 9th, when readers still read revision 1), and the archiving.
    assert (
        'The current version is <a href="/tips/contact-centres">revision 2</a>, from 10 March 2026, '
        "and the practice tip is now archived." in " ".join(text.split())
    )
    fingerprint = as_at.fingerprint(story.revision(1))
    assert f'<code class="fingerprint">{fingerprint}</code>' in text  # the fingerprint, and its short form
    assert (
        f'<strong class="fingerprint-short">{fingerprint[:4]} {fingerprint[4:8]} {fingerprint[8:12]}</strong>' in text
    )

    status, text = page(client, "2026-03-12")
    assert "Agree the handover in writing." in text and "Published, revision 2" in text and "Dee Deputy" in text
    assert "History up to 12 March 2026" in text and "Revision 2" in text


def test_a_day_when_it_was_archived_says_so(story, as_user):
    status, text = page(as_user("pat.fca"), "2026-03-25")
    assert status == 200 and "Archived on 20 March 2026" in text
    assert "Last reviewed" in text and "15 March 2026" in text


@pytest.mark.parametrize(
    "day, says",
    [
        ("2026-03-01", "did not exist yet on 1 March 2026"),
        ("2026-03-02", "was not yet published"),
    ],
)
def test_before_it_existed_or_was_published(story, as_user, day, says):
    status, text = page(as_user("lee.lead"), day)
    assert status == 200 and says in text


@pytest.mark.parametrize("day", ["2026-03-01", "2026-03-02"])
def test_a_reader_is_not_told_when_it_was_written_or_that_it_was_proposed(story, as_user, make_user, day):
    """Before it was published a reader (not its author, nor a moderator of its area) learns only
    that readers could not read it yet, and since when they can: not the day its first proposal
    was written, nor that there was one."""
    make_user("rae.reader", ["practitioner"])
    status, text = page(as_user("rae.reader"), day)
    assert status == 200 and "readers could not yet read this" in text and "It was first published on" in text
    assert "did not exist yet" not in text and "first written" not in text and "had been proposed" not in text


@pytest.mark.parametrize(
    "value, says",
    [
        ("2026-02-30", "30 February 2026 is not a real date: February 2026 has 28 days."),
        ("03/03/2026", "is not a date: write it as YYYY-MM-DD"),
        ("", "Enter a date"),
        ("2026-11-24", "is in the future"),
        ("1066-10-14", "no record before"),
    ],
)
def test_a_bad_date_is_a_400_that_says_why(story, as_user, value, says):
    status, text = page(as_user("pat.fca"), value)
    assert status == 400 and says in text


def test_the_end_of_the_day_counts_in_uk_time(people, propose, clock):
    # Approved at 23:30 UTC on 1 July, which is 00:30 on 2 July in UK summer time.
    clock.set(datetime(2026, 6, 30, 9, 0))
    revision = propose(slug="late-approval")
    clock.set(datetime(2026, 7, 1, 23, 30))
    moderation.approve(people["lee"], revision, checklist=list(CHECKLIST), confidentiality_confirmed=False)
    db.session.commit()
    assert as_at.tip_as_at(revision.tip, date(2026, 7, 1), None).status == as_at.NOT_YET_PUBLISHED
    assert as_at.tip_as_at(revision.tip, date(2026, 7, 2), None).status == as_at.PUBLISHED
    assert as_at.tip_as_at(revision.tip, date(2026, 6, 29), None).status == as_at.DID_NOT_EXIST


def test_a_restored_revision_carries_the_checklist_of_its_first_approval(people, publish, clock):
    clock.set(datetime(2026, 4, 1, 9, 0))
    tip = publish(slug="restored-tip")
    clock.set(datetime(2026, 4, 2, 9, 0))
    edit = proposals.propose_edit(people["sam"], tip, based_on=1, draft=draft(body="- A worse text."))
    moderation.approve(
        people["lee"],
        edit,
        checklist=["corporate", "legal", "plain_language", "no_identifying_information"],
        confidentiality_confirmed=False,
    )
    db.session.commit()
    clock.set(datetime(2026, 4, 3, 9, 0))
    moderation.restore(people["dee"], tip, 1)
    db.session.commit()
    then = as_at.tip_as_at(tip, date(2026, 4, 3), None)
    assert (
        then.revision.number == 3
        and then.published_by.action == "restored"
        and then.published_by.actor.username == "dee.deputy"
    )
    assert then.approval.revision_number == 1 and then.approval.actor.username == "lee.lead"


def test_the_record_pdf_holds_the_revision_then_and_its_fingerprint(story, as_user):
    client = as_user("pat.fca")
    response = client.get("/tips/contact-centres/record?as_at=2026-03-05")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert 'filename="cafpedia-record-contact-centres-2026-03-05.pdf"' in response.headers["Content-Disposition"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    flat = " ".join(text.split())
    expected = as_at.fingerprint(story.revision(1))
    # Whole on a line of its own, so that it copies as one string; and its short form to read out.
    assert expected in [line.strip() for line in text.splitlines()]
    short = f"{expected[:4]} {expected[4:8]} {expected[8:12]}"
    assert f"To read it out: {short}" in flat
    assert "Agree the handover." in flat and "in writing" not in flat
    assert "Pat Practitioner" in flat and "Produced" in flat
    assert "The current version is revision 2, from 10 March 2026." in flat  # published then, proposed the 9th
    produced = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "record.produce")).all()
    assert len(produced) == 1 and expected in produced[0].summary and produced[0].actor_name == "pat.fca"


def test_the_record_from_the_command_line(story, runner, tmp_path):
    out = tmp_path / "record.pdf"
    result = runner.invoke(args=["record", "contact-centres", "--as-at", "2026-03-12", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(p.extract_text() for p in PdfReader(out).pages)
    assert "in writing" in " ".join(text.split())
    fingerprint = as_at.fingerprint(story.revision(2))
    assert (
        f"fingerprint {fingerprint} (read out as {fingerprint[:4]} {fingerprint[4:8]} {fingerprint[8:12]})"
        in result.output
    )
    assert fingerprint in [
        line.strip() for line in "\n".join(p.extract_text() for p in PdfReader(out).pages).splitlines()
    ]
    bad = runner.invoke(args=["record", "contact-centres", "--as-at", "2026-02-30", "--out", str(out)])
    assert bad.exit_code != 0 and "30 February 2026 is not a real date" in bad.output
    none = runner.invoke(
        args=["record", "contact-centres", "--as-at", "2026-03-01", "--out", str(tmp_path / "none.pdf")]
    )
    assert none.exit_code != 0 and "did not exist yet" in none.output and not (tmp_path / "none.pdf").exists()
    unknown = runner.invoke(args=["record", "no-such-tip", "--as-at", "2026-03-12", "--out", str(out)])
    assert unknown.exit_code != 0 and "no tip or guidance page" in unknown.output


def test_the_history_page_leads_to_a_date(story, as_user):
    text = as_user("pat.fca").get("/tips/contact-centres/history").get_data(as_text=True)
    assert 'name="as_at"' in text and 'type="date"' in text


def test_the_fingerprint_is_the_same_for_the_same_revision_and_differs_for_another(story):
    assert as_at.fingerprint(story.revision(1)) == as_at.fingerprint(story.revision(1))
    assert as_at.fingerprint(story.revision(1)) != as_at.fingerprint(story.revision(2))


def test_without_weasyprint_the_record_page_says_to_print_instead(story, as_user, monkeypatch):
    from cafpedia.core import pdf

    def missing(html, **_):
        raise pdf.PdfUnavailable(
            "PDFs cannot be made on this server just now (WeasyPrint or its system libraries are missing)."
        )

    monkeypatch.setattr(as_at, "html_to_pdf", missing)
    client = as_user("pat.fca")
    response = client.get("/tips/contact-centres/record?as_at=2026-03-05")
    assert response.status_code == 302 and "as_at=2026-03-05" in response.location
    assert "Print the page instead" in client.get(response.location).get_data(as_text=True)
    assert (
        db.session.scalar(
            db.select(db.func.count()).select_from(AuditEntry).where(AuditEntry.action == "record.produce")
        )
        == 0
    )


# --- What changed in an area, between two dates ------------------------------------------------


def test_the_changes_in_an_area_link_to_each_page_as_it_read_that_day(story, as_user):
    client = as_user("lee.lead")
    response = client.get("/areas/contact/changes?from=2026-03-01&to=2026-03-31")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "4 changes from 1 March 2026 to 31 March 2026" in text
    for what in ("Approved and published", "Reviewed, no change needed", "Archived"):
        assert what in text
    assert "/tips/contact-centres?as_at=2026-03-03" in text and "/tips/contact-centres?as_at=2026-03-20" in text
    narrow = client.get("/areas/contact/changes?from=2026-03-10&to=2026-03-15").get_data(as_text=True)
    assert "2 changes" in narrow

    csv = client.get("/areas/contact/changes.csv?from=2026-03-01&to=2026-03-31")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[0].startswith("date,time (UK),what") and len(lines) == 5
    assert lines[1].startswith(
        "2026-03-03,11:00,Approved and published,tip,Use contact centres well,1,Lee Lead,Good and clear,"
    )


@pytest.mark.parametrize(
    "query, says",
    [
        ("from=2026-03-31&to=2026-03-01", "choose a date on or before"),
        ("from=2026-02-30", "From: 30 February 2026 is not a real date"),
        ("from=2026-11-24", "From: 24 November 2026 is in the future"),
    ],
)
def test_a_bad_period_is_a_400_that_says_why(story, as_user, query, says):
    client = as_user("lee.lead")
    for path in ("/areas/contact/changes", "/areas/contact/changes.csv"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400 and says in response.get_data(as_text=True)


def test_only_the_areas_moderators_see_its_changes(story, as_user):
    assert as_user("pat.fca").get("/areas/contact/changes").status_code == 403
    assert as_user("olu.other").get("/areas/contact/changes").status_code == 403
    assert as_user("dee.deputy").get("/areas/contact/changes").status_code == 200
    assert as_user("lee.lead").get("/areas/nowhere/changes").status_code == 404


def test_a_tip_sent_for_review_by_a_legal_update_says_so_to_readers_until_it_is_cleared(
    people, publish, make_user, as_user, clock
):
    from cafpedia.legal import citing, posting
    from cafpedia.legal.posting import UpdateDraft

    clock.set(datetime(2026, 5, 1, 9, 0))
    tip = publish(slug="welfare-checklist", legal_refs=["Children Act 1989 s1"])
    editor = make_user("lena.legal", ["legal_editor"], name="Lena Legal")
    clock.set(datetime(2026, 5, 4, 9, 0))
    update = posting.post_update(
        editor,
        UpdateDraft(
            kind="legislation",
            title="Welfare checklist amended",
            citations=["Children Act 1989 s1"],
            made_on=date(2026, 5, 1),
            summary="Section 1 changes.",
            briefing="The checklist changes.",
            practice="Check your reports.",
            areas=["contact"],
        ),
    )
    citing.flag_tips(editor, update, ["welfare-checklist"])
    db.session.commit()
    reader = as_user("sam.fca")
    assert "Under review after" in reader.get("/tips/welfare-checklist").get_data(as_text=True)
    clock.set(datetime(2026, 5, 6, 9, 0))
    reviewing.mark_reviewed(people["lee"], tip, note="Checked against the amended checklist")
    db.session.commit()
    reader = as_user("sam.fca")  # (a new day: signed in again)
    assert "Under review after" not in reader.get("/tips/welfare-checklist").get_data(as_text=True)
    assert "Under review that day" in reader.get("/tips/welfare-checklist?as_at=2026-05-05").get_data(as_text=True)
    assert "Under review that day" not in reader.get("/tips/welfare-checklist?as_at=2026-05-06").get_data(as_text=True)


# --- Only what that person may see: proposals stay with their author and the moderators ----------


@pytest.fixture
def proposals_on_it(people, publish, clock):
    """A published tip (1 June 2026) and three proposals by sam on it: one waiting, one rejected
    with the moderator's reason, one sent back with a comment (tips have no withdrawing)."""
    clock.set(datetime(2026, 6, 1, 9, 0))
    tip = publish(slug="contact-centres")
    clock.set(datetime(2026, 6, 2, 9, 0))
    made = {}
    for what in ("waiting", "rejected", "sent back"):
        made[what] = proposals.propose_edit(
            people["sam"],
            tip,
            based_on=1,
            draft=draft(title=f"Secret {what} title", change_note=f"Private {what} note", body=f"- {what} text."),
        )
        db.session.commit()
    clock.set(datetime(2026, 6, 3, 9, 0))
    moderation.reject(people["lee"], made["rejected"], "Moderator's confidential reason")
    moderation.send_back(people["lee"], made["sent back"], "Moderator's confidential comment")
    db.session.commit()
    clock.set(datetime(2026, 6, 4, 10, 0))
    return tip


SECRETS = [
    *(f"Secret {what} title" for what in ("waiting", "rejected", "sent back")),
    *(f"Private {what} note" for what in ("waiting", "rejected", "sent back")),
    "confidential reason",
    "confidential comment",
]


def record_text(client, day="2026-06-04") -> str:
    response = client.get(f"/tips/contact-centres/record?as_at={day}")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(response.data)).pages)


def test_proposals_are_not_in_the_as_at_page_or_the_record_of_another_reader(proposals_on_it, as_user):
    reader = as_user("pat.fca")
    history = text_of(reader.get("/tips/contact-centres/history"))
    assert not [s for s in SECRETS if s in history]  # the normal history, as it was already
    page = text_of(reader.get("/tips/contact-centres?as_at=2026-06-04"))
    assert "Revision 1" in page and not [s for s in SECRETS if s in page]
    record = record_text(reader)
    assert "Revision 1" in record and not [s for s in SECRETS if " ".join(s.split()) in record]
    other_lead = as_user("olu.other")  # a moderator of another area is a reader here
    assert not [s for s in SECRETS if s in text_of(other_lead.get("/tips/contact-centres?as_at=2026-06-04"))]


def test_proposals_are_not_in_the_as_at_page_or_the_record_signed_out_with_public_reading(proposals_on_it, app, client):
    app.config["PUBLIC_READ"] = True
    page = text_of(client.get("/tips/contact-centres?as_at=2026-06-04"))
    assert "Revision 1" in page and not [s for s in SECRETS if s in page]
    record = record_text(client)
    assert "Revision 1" in record and not [s for s in SECRETS if s in record]


@pytest.mark.parametrize("username", ["sam.fca", "lee.lead", "dee.deputy"])
def test_the_proposer_and_the_areas_moderators_see_them_as_in_the_history(proposals_on_it, as_user, username):
    client = as_user(username)
    history = text_of(client.get("/tips/contact-centres/history"))
    assert all(s in history for s in SECRETS)
    page = text_of(client.get("/tips/contact-centres?as_at=2026-06-04"))
    assert all(s in page for s in SECRETS)
    assert "Not published: readers did not see it" in page
    assert all(s in record_text(client) for s in ("Secret waiting title", "confidential reason"))


def test_as_at_a_day_a_reader_sees_no_revision_published_only_later(story, as_user):
    """Revision 2 was proposed on 9 March and published on 10 March: on 9 March readers saw
    only revision 1; revision 2 was the moderators' to read."""
    reader = as_user("pat.fca")
    page = text_of(reader.get("/tips/contact-centres?as_at=2026-03-09"))
    assert "Revision 1" in page and "Revision 2" not in page
    assert "Revision 2" in text_of(reader.get("/tips/contact-centres?as_at=2026-03-10"))
    lead = as_user("lee.lead")
    page = text_of(lead.get("/tips/contact-centres?as_at=2026-03-09"))
    assert "Revision 2" in page and "Not published: readers did not see it" in page


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_the_changes_are_one_list_in_order_of_time_whatever_their_kind(story, people, make_user, as_user, clock):
    """A legal update and a digest item posted after the day's decisions come after them, and a
    legal update posted before a decision comes before it: one order, by time, across kinds."""
    from cafpedia.digest import composing, drafts
    from cafpedia.legal import posting
    from tests.digest.test_digest import item_draft
    from tests.legal.test_legal import update_draft

    lawyer = make_user("lola.lawyer", ["legal_editor"], name="Lola Lawyer")
    coord = make_user("cora.coord", ["research_coordinator"], name="Cora Coordinator")
    clock.set(datetime(2026, 3, 3, 15, 0))  # after the approval at 11:00 that day
    posting.post_update(lawyer, update_draft(title="Posted in the afternoon"), today=date(2026, 3, 3))
    issue = composing.create_issue(
        coord, drafts.IssueDraft(number=12, quarter="2026-q1", title="Research Digest, Spring 2026", introduction="Hi.")
    )
    composing.add_item(coord, issue, item_draft("Published in the evening"))
    clock.set(datetime(2026, 3, 3, 18, 0))
    composing.publish(coord, issue, today=date(2026, 3, 3))
    clock.set(datetime(2026, 3, 10, 8, 0))  # before the approval at 16:30 that day
    posting.post_update(lawyer, update_draft(title="Posted in the morning"), today=date(2026, 3, 10))
    db.session.commit()
    clock.set(datetime(2026, 11, 23, 10, 0))
    lines = as_user("lee.lead").get("/areas/contact/changes.csv?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
    rows = [row[:3] for row in list(csv_module.reader(io.StringIO(lines)))[1:]]
    assert rows == [
        ["2026-03-03", "11:00", "Approved and published"],
        ["2026-03-03", "15:00", "Legal update posted"],
        ["2026-03-03", "18:00", "Research digest item published"],
        ["2026-03-10", "08:00", "Legal update posted"],
        ["2026-03-10", "16:30", "Approved and published"],
        ["2026-03-15", "10:00", "Reviewed, no change needed"],
        ["2026-03-20", "10:00", "Archived"],
    ]
    page = as_user("lee.lead").get("/areas/contact/changes?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
    titles = [
        "Use contact centres well",
        "Posted in the afternoon",
        "Published in the evening",
        "Posted in the morning",
    ]
    assert [page.index(t) for t in titles] == sorted(page.index(t) for t in titles)
    assert "3 Mar 2026, 15:00" in page  # a legal update's time, not only its day
