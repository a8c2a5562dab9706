"""Research digest items and legal updates "as at" a date (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from cafpedia.accounts.people import find_user
from cafpedia.digest import composing, reading
from cafpedia.digest.drafts import ItemDraft
from cafpedia.extensions import db
from cafpedia.legal import feed, posting
from cafpedia.legal.posting import UpdateDraft

ITEM = "/digest/2007-q1/complaints-and-service-user-feedback"
UPDATE = "/legal/2004-05-10-re-m-reporting-concerns-without-the-courts-permission"


@pytest.fixture
def corrected(demo_content, clock):
    item = reading.get_item(find_user("research.coordinator"), "2007-q1", "complaints-and-service-user-feedback")
    clock.set(datetime(2026, 6, 10, 12, 0))
    draft = dataclasses.replace(ItemDraft.of(item), summary=item.summary + "\n\nCORRECTED: the figures are for 2006.")
    composing.update_item(find_user("research.coordinator"), item, draft, reason="the year of the figures was wrong")
    db.session.commit()
    clock.set(datetime(2026, 11, 23, 10, 0))
    return item


def test_a_digest_item_reads_as_it_did_before_its_correction(corrected, make_user, as_user):
    make_user("reader.one")
    client = as_user("reader.one")
    before = client.get(f"{ITEM}?as_at=2026-06-09")
    text = before.get_data(as_text=True)
    assert before.status_code == 200 and "This is how this research digest item read on 9 June 2026" in text
    assert "CORRECTED" not in text and "It has been corrected since (1 correction)" in text
    after = client.get(f"{ITEM}?as_at=2026-06-10").get_data(as_text=True)
    assert "CORRECTED" in after and "It still reads this way" in after and "the year of the figures was wrong" in after
    early = client.get(f"{ITEM}?as_at=2007-03-01").get_data(as_text=True)
    assert "was not yet published" in early and "2 April 2007" in early
    bad = client.get(f"{ITEM}?as_at=2026-13-01")
    assert bad.status_code == 400 and "2026-13-01 is not a real date: there is no month 13" in bad.get_data(
        as_text=True
    )


@pytest.fixture
def revised_and_withdrawn(demo_content, clock):
    editor = find_user("legal.editor")
    update = feed.find_update("2004-05-10-re-m-reporting-concerns-without-the-courts-permission")
    clock.set(datetime(2026, 5, 1, 9, 0))
    draft = dataclasses.replace(
        UpdateDraft.of(update.current),
        practice=update.current.practice + "\n\nREVISED: see the 2026 guidance.",
        keep_unrecognised=True,
    )
    posting.edit_update(editor, update, draft, note="Pointed to the 2026 guidance")
    db.session.commit()
    clock.set(datetime(2026, 8, 1, 9, 0))
    posting.withdraw(editor, update, "Superseded by the 2026 guidance")
    db.session.commit()
    clock.set(datetime(2026, 11, 23, 10, 0))
    return update


def test_a_legal_update_reads_as_it_did_and_says_when_it_was_withdrawn(revised_and_withdrawn, make_user, as_user):
    make_user("reader.one")
    client = as_user("reader.one")
    first = client.get(f"{UPDATE}?as_at=2026-04-30").get_data(as_text=True)
    assert (
        "This is how this legal update read on 30 April 2026" in first
        and "REVISED" not in first
        and "revision 1" in first
    )
    second = client.get(f"{UPDATE}?as_at=2026-05-01").get_data(as_text=True)
    assert (
        "REVISED" in second
        and "Published, revision 2" in second
        and "withdrawn" not in second.split("Status on")[1][:40]
    )
    third = client.get(f"{UPDATE}?as_at=2026-09-01").get_data(as_text=True)
    assert "It had been withdrawn on 1 August 2026" in third and "Superseded by the 2026 guidance" in third
    before = client.get(f"{UPDATE}?as_at=2004-05-09").get_data(as_text=True)
    assert "was not yet posted" in before
    future = client.get(f"{UPDATE}?as_at=2030-01-01")
    assert future.status_code == 400 and "is in the future" in future.get_data(as_text=True)
