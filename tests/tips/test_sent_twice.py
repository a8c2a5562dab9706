"""A proposal sent twice (a double tap, a resend) is made once: the form's one-time key."""

from __future__ import annotations

import re
import threading
import time

from sqlalchemy import func, select

from cafpedia.core import form_keys
from cafpedia.core.form_keys import FormKey
from cafpedia.extensions import db
from cafpedia.tips import proposals
from cafpedia.tips.models import PENDING, Revision, Tip
from tests.tips.test_tip_pages import NEW_TIP, signed_in, text_of

EDIT = {
    "title": "Use contact centres well",
    "kind": "tip",
    "body": "- Visit the centre first.\n- Agree the handover with both parents.",
    "based_on": "1",
    "change_note": "Both parents",
    "submit": "Send for approval",
}


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page) or re.search(
        rf'name="{name}"[^>]*value="([^"]*)"', page
    )
    assert match, f"no {name} on the page"
    return match.group(1)


def form_key(client, url: str) -> str:
    return hidden(text_of(client.get(url)), "form_key")


def pending_edits(tip_slug: str) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count()).select_from(Revision).join(Tip).where(Tip.slug == tip_slug, Revision.status == PENDING)
    )


def test_each_showing_of_the_form_has_its_own_key(app, people, publish):
    publish()
    pat = signed_in(app, "pat.fca")
    first, second = form_key(pat, "/tips/contact-centres/edit"), form_key(pat, "/tips/contact-centres/edit")
    assert first != second and len(first) >= 20
    assert form_key(pat, "/tips/new") not in (first, second)


def test_an_edit_sent_twice_is_proposed_once(app, people, publish):
    publish()
    pat = signed_in(app, "pat.fca")
    data = {**EDIT, "form_key": form_key(pat, "/tips/contact-centres/edit")}
    first = pat.post_form("/tips/contact-centres/edit", data)
    assert first.status_code == 302 and first.location.endswith("/tips/contact-centres/revisions/2")
    again = pat.post_form("/tips/contact-centres/edit", data)
    assert again.status_code == 302 and again.location == first.location
    assert "You sent this twice; it was saved once." in text_of(pat.get(again.location))
    assert pending_edits("contact-centres") == 1
    # The form shown afresh has a new key: the same text sent from it is a new proposal.
    fresh = pat.post_form(
        "/tips/contact-centres/edit", {**data, "form_key": form_key(pat, "/tips/contact-centres/edit")}
    )
    assert fresh.status_code == 302 and fresh.location.endswith("/revisions/3")


def test_a_new_tip_sent_twice_is_proposed_once(app, people):
    pat = signed_in(app, "pat.fca")
    data = {**NEW_TIP, "form_key": form_key(pat, "/tips/new")}
    first, again = pat.post_form("/tips/new", data), pat.post_form("/tips/new", data)
    assert first.status_code == again.status_code == 302 and again.location == first.location
    assert first.location.endswith("/tips/plan-the-handover/revisions/1")
    assert db.session.scalar(select(func.count()).select_from(Tip)) == 1


def test_a_preview_or_a_refusal_does_not_use_the_key_up(app, people, publish):
    publish()
    pat = signed_in(app, "pat.fca")
    data = {**EDIT, "form_key": form_key(pat, "/tips/contact-centres/edit")}
    preview = pat.post_form("/tips/contact-centres/edit", {**data, "submit": "", "preview": "Preview"})
    assert preview.status_code == 200 and hidden(text_of(preview), "form_key") == data["form_key"]
    refused = pat.post_form("/tips/contact-centres/edit", {**data, "change_note": ""})
    assert refused.status_code == 400 and hidden(text_of(refused), "form_key") == data["form_key"]
    assert db.session.scalar(select(func.count()).select_from(FormKey)) == 0
    sent = pat.post_form("/tips/contact-centres/edit", data)
    assert sent.status_code == 302 and pending_edits("contact-centres") == 1


def test_someone_elses_key_creates_nothing_and_shows_nothing_of_theirs(app, people, publish):
    publish()
    pat, sam = signed_in(app, "pat.fca"), signed_in(app, "sam.fca")
    data = {**EDIT, "form_key": form_key(pat, "/tips/contact-centres/edit")}
    assert pat.post_form("/tips/contact-centres/edit", data).status_code == 302
    theirs = sam.post_form("/tips/contact-centres/edit", data)
    assert theirs.status_code == 302 and theirs.location == "/"
    assert pending_edits("contact-centres") == 1


def test_two_sendings_at_the_same_moment_make_one_proposal(app, people, publish, monkeypatch):
    """Two requests at once, each in its own connection: the second waits for the first's
    claim and answers with its result (not "someone else saved a change")."""
    publish()
    clients = [signed_in(app, "pat.fca"), signed_in(app, "pat.fca")]
    data = {**EDIT, "form_key": form_key(clients[0], "/tips/contact-centres/edit")}
    propose_edit = proposals.propose_edit

    def slowly(*args, **kwargs):  # holds the transaction open, so that the two overlap
        revision = propose_edit(*args, **kwargs)
        time.sleep(0.5)
        return revision

    monkeypatch.setattr(proposals, "propose_edit", slowly)
    start, answers, errors = threading.Barrier(2), [None, None], []

    def send(n: int) -> None:
        try:
            start.wait()
            time.sleep(0.1 * n)
            answers[n] = clients[n].post_form("/tips/contact-centres/edit", data)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [a.status_code for a in answers] == [302, 302], [text_of(a)[:3000] for a in answers]
    assert answers[0].location == answers[1].location
    assert pending_edits("contact-centres") == 1


def test_keys_are_forgotten_after_a_day(app, people, clock):
    pat = signed_in(app, "pat.fca")
    data = {**NEW_TIP, "form_key": form_key(pat, "/tips/new")}
    assert pat.post_form("/tips/new", data).status_code == 302
    clock.advance(hours=23)
    assert form_keys.purge() == 0
    clock.advance(hours=2)
    assert form_keys.purge() == 1
    assert db.session.scalar(select(func.count()).select_from(FormKey)) == 0


def test_the_worker_purges_keys(app, people, clock):
    from cafpedia import worker

    db.session.add(FormKey(key="k" * 32, user_id=people["pat"].id, result_url="/", created_at=clock.now()))
    db.session.commit()
    clock.advance(days=2)
    worker.run_round(jobs=True)
    assert db.session.scalar(select(func.count()).select_from(FormKey)) == 0


def test_a_problem_report_sent_twice_is_reported_once(app, people, publish):
    from cafpedia.tips.models import TipProblem

    publish()
    sam = signed_in(app, "sam.fca")
    data = {
        "problem": "The form number has changed.",
        "form_key": hidden(text_of(sam.get("/tips/contact-centres")), "form_key"),
    }
    first = sam.post_form("/tips/contact-centres/problem", data)
    again = sam.post_form("/tips/contact-centres/problem", data)
    assert first.status_code == again.status_code == 302 and again.location == first.location
    assert db.session.scalar(select(func.count()).select_from(TipProblem)) == 1


CREATING_FORMS = [
    ("/tips/{tip}/edit", "demo.fca"),
    ("/tips/new", "demo.fca"),
    ("/tips/{tip}", "demo.fca"),  # its problem report
    ("/legal/new", "legal.editor"),
    ("/digest/new", "research.coordinator"),
    ("/digest/2007-q2/items/new", "research.coordinator"),
    ("/experts/new", "register.admin"),
    ("/experts/nominate", "amara.okafor"),
    ("/advice-line/new", "demo.expert"),
]


def test_every_form_that_creates_carries_a_one_time_key(app, demo_content):
    from tests.conftest import Client

    tip = db.session.scalar(select(Tip.slug).where(Tip.current_number.is_not(None)).order_by(Tip.slug).limit(1))
    for url, username in CREATING_FORMS:
        client = Client(app.test_client())
        assert client.sign_in(username, "cafpedia-demo").status_code == 302
        page = client.get(url.format(tip=tip))
        assert page.status_code == 200, url
        assert len(hidden(text_of(page), "form_key")) >= 20, url
