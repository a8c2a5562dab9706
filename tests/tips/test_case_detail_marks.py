"""What the confidentiality guard found, marked where it is: in the proposal form's warning
(with its field and line), in the preview, on the decision page and in a problem report."""

from __future__ import annotations

import re

from cafpedia.extensions import db
from tests.tips.test_tip_pages import NEW_TIP, signed_in, text_of

HIDDEN = re.compile(r'<span class="visually-hidden">[^<]*</span>')
BODY = "- Meet at the door.\n- Ring the centre on 07700 900461 first."
PHONE = "[possible case detail, a phone number: </span>07700 900461"


def marks(html: str) -> list[str]:
    return [HIDDEN.sub("", inner) for inner in re.findall(r'<mark class="case-detail">(.*?)</mark>', html, re.S)]


def between(page: str, start: str, end: str) -> str:
    return page.split(start, 1)[1].split(end, 1)[0]


def test_the_form_says_what_and_where_and_marks_each_finding_in_its_line(app, people):
    pat = signed_in(app, "pat.fca")
    response = pat.post_form("/tips/new", {**NEW_TIP, "title": "Handover near LS6 2QT", "body": BODY})
    page = text_of(response)
    assert response.status_code == 400
    warning = between(page, 'class="notice notice-warning case-details"', "</div>\n")
    assert "a postcode: “LS6 2QT”</span>, in the title" in warning
    assert "a phone number: “07700 900461”</span>, in the body, line 2" in warning
    excerpts = between(warning, "Where the check found them", "</dl>")
    assert "<dt>In the title</dt><dd>Handover near <mark" in excerpts
    assert "<dt>In the body, line 2</dt><dd>- Ring the centre on <mark" in excerpts
    assert marks(excerpts) == ["LS6 2QT", "07700 900461"] and PHONE in excerpts
    assert f"\n{BODY}</textarea>" in page  # the text box keeps what was typed, unmarked


def test_the_preview_marks_the_findings_in_place(app, people):
    pat = signed_in(app, "pat.fca")
    response = pat.post_form("/tips/new", {**NEW_TIP, "body": BODY, "submit": "", "preview": "Preview"})
    page = text_of(response)
    preview = between(page, 'class="prose tip-body preview-box">', "</section>")
    assert response.status_code == 200 and marks(preview) == ["07700 900461"]
    assert f'<li>Ring the centre on <mark class="case-detail"><span class="visually-hidden">{PHONE}' in preview
    assert "<li>Meet at the door.</li>" in preview


def test_an_edit_preview_marks_them_too(app, people, publish):
    tip = publish()
    pat = signed_in(app, "pat.fca")
    form = {**NEW_TIP, "body": BODY, "based_on": "1", "change_note": "A number", "submit": "", "preview": "Preview"}
    page = text_of(pat.post_form(f"/tips/{tip.slug}/edit", form))
    assert marks(between(page, "preview-box", "</section>")) == ["07700 900461"]
    assert "a phone number: “07700 900461”</span>, in the body, line 2" in page


def test_the_decision_page_marks_the_proposed_text_and_lists_the_findings_by_the_box(app, people, propose):
    propose(slug="ring-first", title="Ring first near LS6 2QT", body=BODY, legal_refs=["SW1A 1AA"], confirm_safe=True)
    page = text_of(signed_in(app, "lee.lead").get("/tips/ring-first/revisions/1"))
    assert marks(between(page, "<h1>", "</h1>")) == ["LS6 2QT"]
    assert marks(between(page, 'class="prose tip-body preview-box">', "</div>")) == ["07700 900461"]
    assert marks(between(page, "<dt>Legal references</dt>", "</dd>")) == ["SW1A 1AA"]
    notice = between(page, "<strong>Possible case details.</strong>", "</div>")
    assert "The author was warned and confirmed it is safe." in notice
    for said in [
        "a postcode: “LS6 2QT”</span>, in the title",
        "a phone number: “07700 900461”</span>, in the body, line 2",
        "a postcode: “SW1A 1AA”</span>, in the legal references",
    ]:
        assert said in notice
    decision = between(page, 'id="decide-title"', "</form>")
    reminder = between(decision, 'class="case-detail-reminder"', "</div>")
    assert "a phone number: “07700 900461”</span>, in the body, line 2" in reminder
    assert decision.index("case-detail-reminder") < decision.index('id="confidentiality_confirmed"')


def test_a_stored_flag_the_check_no_longer_finds_is_marked_by_its_text(app, people, propose):
    revision = propose(slug="jay", body="- Ask Jay how the visit went.\n- Meet at the door.", confirm_safe=True)
    revision.flags = [{"kind": "named_child_age", "text": "Jay"}, {"kind": "postcode", "text": "LS6 2QT"}]
    db.session.commit()
    page = text_of(signed_in(app, "lee.lead").get("/tips/jay/revisions/1"))
    assert marks(between(page, "preview-box", "</div>")) == ["Jay"]
    assert "a name with an age: “Jay”</span>, in the body, line 1" in page
    assert "a postcode: “LS6 2QT”</span>, no longer in the text" in page


def test_a_revision_never_flagged_is_shown_as_it_was(app, people, propose):
    propose(slug="plain")
    page = text_of(signed_in(app, "lee.lead").get("/tips/plain/revisions/1"))
    assert "case-detail" not in page and "Possible case details" not in page


def test_a_problem_report_is_warned_with_its_finding_marked(app, people, publish):
    tip = publish()
    pat = signed_in(app, "pat.fca")
    page = text_of(pat.post_form(f"/tips/{tip.slug}/problem", {"problem": "Ring them on 07700 900461 please"}))
    warning = between(page, 'class="notice notice-warning case-details"', "</div>\n")
    assert "a phone number: “07700 900461”</span>, in your report" in warning
    assert "<dt>In your report</dt><dd>Ring them on <mark" in warning and marks(warning) == ["07700 900461"]
