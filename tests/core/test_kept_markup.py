"""Markup drawn once per process (core.templating.kept_markup and fragment): the main menu and
the blank problem-report form. Each page still carries its own CSRF token, one-time key and
addresses, the menu marks the page it is on and follows the moderator's counts, and nothing
of one person or one tip shows on another's page."""

from __future__ import annotations

import re

from flask import render_template_string
from sqlalchemy import func, select

from cafpedia.accounts.people import find_user
from cafpedia.core.templating import HOLE, kept_markup
from cafpedia.extensions import db
from cafpedia.tips import proposals, reading
from cafpedia.tips.models import TipProblem
from tests.conftest import Client

TIP = "applying-the-welfare-checklist-in-your-analysis"
OTHER = "writing-focused-s7-reports-with-clear-recommendations"
PRIVATE_LAW = "private-law-programme-stage-by-stage"  # priya.chandran leads private law
FORM = re.compile(
    r'<form method="post" action="([^"]+)"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)">'
)


def reader(app, username: str) -> Client:
    signed_in = Client(app.test_client())
    assert signed_in.sign_in(username, "cafpedia-demo").status_code == 302
    return signed_in


def problem_form(page: str) -> tuple[str, str, str]:
    """(its address, its CSRF token, its one-time key)."""
    start = page.index("<summary>Report a problem</summary>")
    action, token = FORM.search(page, start).groups()
    key = re.search(r'id="form_key" name="form_key" type="hidden" value="([^"]+)"', page[start:]).group(1)
    return action, token, key


def test_the_blank_problem_form_carries_this_page_s_token_key_and_address(app, demo_content):
    fca = reader(app, "demo.fca")
    first = fca.get(f"/tips/{TIP}").get_data(as_text=True)
    again = fca.get(f"/tips/{TIP}").get_data(as_text=True)
    other = fca.get(f"/tips/{OTHER}").get_data(as_text=True)
    for page in (first, again, other):
        assert "kept-hole" not in page

    action, token, key = problem_form(first)
    assert action == f"/tips/{TIP}/problem" and problem_form(other)[0] == f"/tips/{OTHER}/problem"
    assert len({key, problem_form(again)[2], problem_form(other)[2]}) == 3  # a new key each time it is shown

    # Sent as a browser sends it, with the page's own token and key: the report is made, once.
    data = {"csrf_token": token, "form_key": key, "problem": "The form number has changed."}
    assert fca.post(action, data=data).status_code == 302
    assert fca.post(action, data=data).status_code == 302  # a double tap
    assert db.session.scalar(select(func.count()).select_from(TipProblem)) == 1


def test_another_person_gets_their_own_token(app, demo_content):
    pages = []
    for username in ("demo.fca", "legal.editor"):
        pages.append(reader(app, username).get(f"/tips/{TIP}").get_data(as_text=True))
    assert problem_form(pages[0])[1] != problem_form(pages[1])[1]
    name = find_user("legal.editor").name
    assert name not in pages[0] and f">{name}</a>" in pages[1]


def test_what_is_put_in_is_escaped(app):
    with app.test_request_context("/"):
        drawn = kept_markup("a test link", lambda holes: f'<a href="{holes["target"]}">go</a>', target='/x?a=1&b="2"')
        again = kept_markup("a test link", lambda holes: "never drawn twice", target="/y")
    assert drawn == '<a href="/x?a=1&amp;b=&#34;2&#34;">go</a>'
    assert again == '<a href="/y">go</a>'
    assert HOLE.format("target") not in drawn


def test_the_menu_is_kept_by_the_address_the_app_is_served_at(app):
    template = (
        "{{ fragment('_partials/main_nav.html', endpoint='home.index', propose=True, counts=none, administer=False) }}"
    )
    with app.test_request_context("/", base_url="http://localhost/"):
        plain = render_template_string(template)
    with app.test_request_context("/", base_url="http://localhost/cafpedia/"):
        under = render_template_string(template)
    assert 'href="/areas"' in plain and 'href="/cafpedia/areas"' in under


def test_the_menu_marks_the_page_and_follows_the_moderator_s_counts(app, demo_content):
    lead = reader(app, "priya.chandran")
    home = lead.get("/").get_data(as_text=True)
    queue = lead.get("/moderation").get_data(as_text=True)
    assert re.search(r'href="/"[^>]*aria-current="page"', home)
    assert not re.search(r'href="/"[^>]*aria-current="page"', queue)
    assert re.search(r'aria-current="page">Moderation', queue)
    found = re.search(r'>Moderation(?: <span class="count-badge">(\d+)<)?', home)
    waiting = int(found.group(1) or 0)

    writer = reader(app, "demo.fca")
    page = writer.get(f"/tips/{PRIVATE_LAW}/edit").get_data(as_text=True)
    assert ">Moderation" not in page  # a reader who moderates nothing has no moderation menu
    tip = reading.find_tip(PRIVATE_LAW)
    draft = proposals.draft_from(tip.current)
    draft.change_note = "Clearer wording."
    draft.body += "\n\nAsk the court for the stage reached."
    proposals.propose_edit(find_user("demo.fca"), tip, based_on=tip.current_number, draft=draft)
    db.session.commit()

    lead = reader(app, "priya.chandran")
    assert f'>Moderation <span class="count-badge">{waiting + 1}<' in lead.get("/").get_data(as_text=True)


def test_templates_addresses_are_built_once_and_are_flasks_own(app, monkeypatch):
    """Templates' url_for keeps each address it builds; what it gives is what Flask's gives,
    for each endpoint, value and mount point, and what cannot be kept goes to Flask each time."""
    built = []
    real = app.url_for
    monkeypatch.setattr(app, "url_for", lambda endpoint, **values: built.append(endpoint) or real(endpoint, **values))
    page = "{{ url_for('tips.show', slug=s) }} {{ url_for('areas.index') }}"
    for root in ("", "/cafpedia"):
        with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": root}):
            for slug in (TIP, OTHER, TIP, OTHER):
                expected = f"{real('tips.show', slug=slug)} {real('areas.index')}"
                assert render_template_string(page, s=slug) == expected
            assert expected.startswith(f"{root}/tips/")
    assert built == ["tips.show", "areas.index", "tips.show"] * 2  # once each per mount point
    with app.test_request_context("/"):
        built.clear()
        for _ in range(2):
            assert render_template_string("{{ url_for('tips.show', slug=s, _anchor='top') }}", s=TIP).endswith("#top")
            assert "tag=a" in render_template_string("{{ url_for('search.results', tag=['a', 'b']) }}")
        assert built == ["tips.show", "search.results"] * 2  # an anchor, a list: Flask's, every time
