"""Documents like a text (search/similar.py, and each backend's `similar`): a tip reworded finds
the tip; a pending proposal is named only to its author and its area's moderators; archived
tips and the excluded keys never come back; search being down answers nothing, not an error."""

from __future__ import annotations

import pytest

from cafpedia.accounts.people import find_user
from cafpedia.extensions import db
from cafpedia.search import service
from cafpedia.search.backends import SearchUnavailable, Visibility
from cafpedia.search.similar import likeness, similar
from cafpedia.tips import reviewing
from cafpedia.tips.reading import find_tip

EDR = "tip:running-extended-dispute-resolution-sessions"
EDR_REWORDED = (
    "How to run extended dispute resolution sessions",
    "EDR gives parents who could not agree at court some structured sessions to sort things out, "
    "and the court gets a short report afterwards.",
)
HANDOVER = "proposal:handover-arrangements-at-contact-centres:1"  # pending, by demo.fca, in contact
HANDOVER_REWORDED = (
    "Arranging handovers at a contact centre",
    "A handover that is badly planned can undo the good of contact, so agree the arrangements before the first visit.",
)


@pytest.fixture
def index(app, demo_content):
    service.follower().ensure()
    return service.follower().backend


def keys(found) -> list[str]:
    return [f.key for f in found]


def test_a_reworded_tip_finds_the_tip_first(index):
    found = similar(find_user("demo.fca"), *EDR_REWORDED)
    assert keys(found)[:1] == [EDR]
    assert found[0].status == "published" and found[0].url == "/tips/running-extended-dispute-resolution-sessions"
    assert all(f.score >= 0.3 for f in found)


def test_the_backend_finds_candidates_by_distinctive_words(index):
    found = index.similar(" ".join(EDR_REWORDED), Visibility(), kinds=("tip", "guidance"), limit=5)
    assert EDR in keys(found)
    assert [f.score for f in found] == sorted((f.score for f in found), reverse=True)
    assert len(found) <= 5 and all(f.status == "published" for f in found)
    assert index.similar("zzqx qqzzx", Visibility(), limit=5) == []  # words no document holds
    assert index.similar("", Visibility(), limit=5) == []


def test_kinds_and_exclusions_are_kept_to(index):
    text = " ".join(EDR_REWORDED)
    assert EDR not in keys(index.similar(text, Visibility(), kinds=("tip",), limit=10, exclude_keys=(EDR,)))
    assert EDR not in keys(index.similar(text, Visibility(), kinds=("guidance",), limit=10))
    assert EDR not in keys(similar(None, *EDR_REWORDED, exclude_keys=(EDR,)))


@pytest.mark.parametrize(
    "reader, named",
    [
        ("demo.fca", True),  # its author
        ("fiona.mackenzie", True),  # leads contact
        ("priya.chandran", True),  # deputises in contact
        ("demo.admin", True),
        ("amara.okafor", False),  # a lead manager of other areas
        ("demo.expert", False),
        (None, False),  # not signed in
    ],
)
def test_a_pending_proposal_is_named_only_to_those_who_may_see_it(index, reader, named):
    user = find_user(reader) if reader else None
    found = similar(user, *HANDOVER_REWORDED)
    assert (HANDOVER in keys(found)) is named
    if named:
        shown = next(f for f in found if f.key == HANDOVER)
        assert shown.status == "pending" and shown.url == "/tips/handover-arrangements-at-contact-centres/revisions/1"


def test_an_archived_tip_is_not_shown(index):
    assert EDR in keys(similar(find_user("demo.fca"), *EDR_REWORDED))
    edr = find_tip("running-extended-dispute-resolution-sessions")
    reviewing.archive(find_user("priya.chandran"), edr, note="Gone")
    db.session.commit()
    assert EDR not in keys(similar(find_user("demo.fca"), *EDR_REWORDED))
    assert EDR not in keys(similar(find_user("priya.chandran"), *EDR_REWORDED))


def test_unrelated_words_show_nothing(index):
    assert similar(find_user("demo.fca"), "Parking permits for the Leeds office car park", "") == []


def test_search_down_answers_nothing(index, monkeypatch):
    def broken(*args, **kwargs):
        raise SearchUnavailable("the index is gone")

    monkeypatch.setattr(type(index), "similar", broken)
    assert similar(find_user("demo.fca"), *EDR_REWORDED) == []


def test_likeness_is_high_for_a_rewording_and_low_for_unrelated_text():
    same = ("Running EDR sessions", "Plan four sessions")
    assert likeness(*same, *same) == pytest.approx(1.0)
    assert likeness("Running EDR sessions", "", "Parking at the office", "Use the back gate") == 0.0
    assert 0.3 < likeness(*EDR_REWORDED, "Running extended dispute resolution (EDR) sessions", EDR_REWORDED[1]) < 1
