"""Two drains at once: the index never ends older than the database.

The interleaving a reliability review reproduced, made to happen on purpose: drain A has
built its documents from the database as it was, and is held (by a hook, not a sleep)
before writing them; meanwhile the tip changes again and drain B runs. Whatever A does
next, once the queue is empty the index must hold the tip's latest text."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest

from cafpedia.accounts.people import find_user
from cafpedia.extensions import db
from cafpedia.search import service
from cafpedia.search.follower import IndexFollower
from cafpedia.tips import moderation, proposals, reading
from cafpedia.tips.models import CHECKLIST

pytestmark = pytest.mark.both_databases


def edit_and_publish(people, tip, body: str) -> None:
    revision = proposals.propose_edit(
        people["pat"],
        tip,
        based_on=tip.current_number,
        draft=proposals.Draft(title=tip.current.title, body=body, change_note="Clearer wording"),
    )
    db.session.commit()
    moderation.approve(people["lee"], revision, checklist=list(CHECKLIST), confidentiality_confirmed=False)
    db.session.commit()


def found(word: str) -> int:
    return service.search(find_user("lee.lead"), word).total


class HeldWriter:
    """The index's writer for one drain batch, held in drain A before it writes what it built."""

    def __init__(self, writer, hold):
        self._writer, self._hold = writer, hold

    def write(self, add, delete):
        self._hold(add)
        self._writer.write(add, delete)

    def commit(self):
        self._writer.commit()


def test_a_drain_held_between_building_and_writing_never_overwrites_a_newer_one(app, people, publish, monkeypatch):
    tip = publish(slug="contact-centres", body="- Visit the centre first: aardvark.")
    service.follower().drain()
    assert found("aardvark") == 1

    edit_and_publish(people, tip, "- Visit the centre first: bandicoot.")  # change 1, queued
    built, go_on = threading.Event(), threading.Event()
    held = {"first": True}
    built_from = []

    def hold_the_first_drain(documents):
        if threading.current_thread().name == "drain-a" and held.pop("first", False):
            built_from.extend(d.body for d in documents if d.key == "tip:contact-centres")
            built.set()  # A has read the database as it was after change 1, and not yet written
            assert go_on.wait(30)

    index = service.follower().backend
    writing = index.writing

    @contextmanager
    def held_writing(*, timeout):
        with writing(timeout=timeout) as writer:
            yield None if writer is None else HeldWriter(writer, hold_the_first_drain)

    monkeypatch.setattr(index, "writing", held_writing)
    errors = []

    def drain_a():
        try:
            with app.app_context():
                service.follower().drain(timeout=10.0)
                db.session.remove()
        except Exception as exc:  # reported by the main thread
            errors.append(exc)

    a = threading.Thread(target=drain_a, name="drain-a")
    a.start()
    try:
        assert built.wait(30)
        assert any("bandicoot" in body for body in built_from)  # held with change 1's text in hand
        tip = reading.find_tip("contact-centres")
        edit_and_publish(people, tip, "- Visit the centre first: capybara.")  # change 2, while A is held
        service.follower().drain(timeout=0.2)  # drain B: A holds the index, or B writes the newer state first
    finally:
        go_on.set()
        a.join(30)
    assert not errors and not a.is_alive()
    service.follower().drain()  # the next request, search or worker round drains what is left
    assert service.follower().queue_length() == 0
    assert found("capybara") == 1  # the latest text
    assert found("bandicoot") == 0 and found("aardvark") == 0  # nothing older survives


# --- cafpedia reindex --check -----------------------------------------------------------------


def test_reindex_check_lists_what_differs_and_exits_non_zero(app, runner, demo_content):
    from cafpedia.search.documents import SearchDocument

    service.follower().rebuild()
    result = runner.invoke(args=["reindex", "--check"])
    assert result.exit_code == 0, result.output
    assert "The search index agrees with the database" in result.output

    stale = service.follower().sources.documents_for_key("area:contact")[0]
    stale.body = "What the contact area said last year."
    with app.app_context(), service.follower().backend.writing(timeout=5) as index:  # drift, as a lost update leaves it
        index.write(
            [
                stale,
                SearchDocument(
                    key="area:gone", kind="area", title="Gone", body="An area deleted long ago.", url="/areas/gone"
                ),
            ],
            ["area:adoption"],
        )
        index.commit()
        db.session.commit()
    result = runner.invoke(args=["reindex", "--check"])
    assert result.exit_code == 1
    assert "area:contact: different in the index" in result.output
    assert "area:adoption: missing from the index" in result.output
    assert "area:gone: in the index, gone from the database" in result.output
    assert "differs from the database in 3 of" in result.output

    assert runner.invoke(args=["reindex"]).exit_code == 0
    assert runner.invoke(args=["reindex", "--check"]).exit_code == 0


def test_reindex_check_does_not_count_a_change_still_queued_as_drift(app, runner, demo_content, monkeypatch):
    from cafpedia.areas.services import find_area

    service.follower().rebuild()
    find_area("contact").summary = "Changed while the check was running."
    db.session.commit()
    # as if the change landed after the check's own drain
    monkeypatch.setattr(IndexFollower, "drain", lambda self, **_: 0)
    result = runner.invoke(args=["reindex", "--check"])
    assert result.exit_code == 0, result.output
    assert "1 document(s) changed while the check ran; they are queued, not drift: area:contact" in result.output


def test_renaming_an_area_or_its_lead_refreshes_every_document_that_names_them(app, demo_content):
    from cafpedia.areas.services import find_area

    service.follower().rebuild()
    for slug in ("contact", "private-law", "domestic-violence", "dispute-resolution"):
        find_area(slug).title += " (renamed)"  # tips, proposals, digest items, legal updates and experts show it
    find_area("contact").lead.name = "A New Name"
    db.session.commit()
    service.follower().drain()
    found = service.follower().check()
    assert found.drift == [] and found.changed_meanwhile == []
