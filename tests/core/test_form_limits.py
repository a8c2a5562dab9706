"""A field's limit is said beside it, never enforced by cutting: the server refuses more,
naming the field and its limit, and shows again everything typed; a request over the
server's limit gets a page that says the limit."""

from __future__ import annotations

import html
import re

from cafpedia.tips import reading
from tests.tips.test_tip_pages import NEW_TIP, signed_in, text_of

LONG_TITLE = ("How to plan a handover at a contact centre when both parents arrive early " * 6)[:429].strip() + "."


def main_of(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def test_the_limits_are_said_beside_the_fields_and_no_field_cuts_a_paste(app, people):
    pat = signed_in(app, "pat.fca")
    page = main_of(text_of(pat.get("/tips/new")))
    assert "maxlength" not in page
    assert re.search(r'id="title-limit">At most 200 characters\.<', page)
    assert re.search(r'id="body-limit">At most 100,000 characters\.<', page)
    title_input = re.search(r"<input[^>]*id=\"title\"[^>]*>", page).group(0)
    assert 'data-limit="200"' in title_input and "title-limit" in title_input


def test_an_over_long_title_and_text_are_refused_by_name_and_kept(app, people):
    pat = signed_in(app, "pat.fca")
    body = "- Meet at the door.\n" + "Keep it short. " * 8000  # 120,000 characters
    response = pat.post_form("/tips/new", {**NEW_TIP, "title": LONG_TITLE, "body": body})
    assert response.status_code == 400
    page = text_of(response)
    assert "Title: Use at most 200 characters" in page
    assert "Text (Markdown): The text is too long: at most 100,000 characters" in page
    assert body in page
    assert f'value="{html.escape(LONG_TITLE, quote=True)}"' in page
    assert reading.find_tip("plan-the-handover") is None


def test_a_request_over_the_servers_limit_says_the_limit(app, people):
    pat = signed_in(app, "pat.fca")
    response = pat.post_form("/tips/new", {**NEW_TIP, "body": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    page = text_of(response)
    assert "at most 2.0 MB at once" in page and "nothing was saved" in page and "Back" in page


def test_a_tip_started_from_a_long_question_keeps_the_whole_question(app, people, make_user):
    from datetime import date

    from cafpedia.experts import advice_log, drafts, entries
    from cafpedia.extensions import db

    reg = make_user("reg.admin", ["register_admin"])
    make_user("eve.expert", ["expert", "practitioner"], email="eve@example.org")
    eve = entries.add_expert(
        reg,
        drafts.ExpertDraft(
            name="Eve Expert",
            job_title="Family Court Adviser",
            region="North West",
            areas=["contact"],
            skills=["contact"],
            languages=["English"],
            phone="0161 496 0000",
            email="eve@example.org",
            availability=["Mon 09:30-12:30"],
            about="Contact.",
            username="eve.expert",
        ),
        today=date(2026, 11, 2),
    )
    question = LONG_TITLE[:279] + "?"  # longer than a title may be, as a question may be
    call = advice_log.log_call(
        reg,
        eve,
        advice_log.CallDraft(
            called_on=date(2026, 11, 20),
            area="contact",
            question=question,
            advice="Only with the court's leave; explained the leave test.",
            minutes=5,
        ),
        today=date(2026, 11, 20),
    )
    db.session.commit()
    lee = signed_in(app, "lee.lead")  # a lead manager reads the advice log
    page = text_of(lee.get(f"/tips/new?call={call.id}"))
    assert f'value="{html.escape(question, quote=True)}"' in page
