"""Tips in the content contract: the demo content, load errors, history round trip."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from cafpedia.config import DEFAULT_CONTENT_DIR
from cafpedia.content.loader import ContentError, export_folder, load_folder
from cafpedia.extensions import db
from cafpedia.tips import moderation, proposals, reading, reviewing
from cafpedia.tips.models import Tip


def test_demo_content_shows_every_workflow(app, demo_content):
    tips = db.session.query(Tip).all()
    published = [t for t in tips if t.status == "published"]
    assert len(tips) >= 40
    assert len({t.area_id for t in tips}) >= 10
    assert sum(t.current.kind == "guidance" for t in published) >= 3
    assert sum(t.status == "pending" for t in tips) >= 2  # new tips waiting
    assert any(t.status == "published" and reading.pending_proposals(t) for t in tips)  # an edit waiting
    assert sum(reviewing.is_overdue(t, today=date(2026, 11, 22)) for t in published) >= 3
    # Published guidance holds no case details; the one deliberate slip is flagged.
    assert all(not t.current.flags for t in published)
    flagged = [t for t in tips if t.current.flags]
    assert [t.slug for t in flagged] == ["handover-arrangements-at-contact-centres"]


def test_demo_links_resolve(app, demo_content):
    for tip in db.session.query(Tip).all():
        for link in tip.current.tip_links:
            assert reading.find_tip(link.target_slug), (tip.slug, link.target_slug)


def _folder_with(tmp_path: Path, relative: str, text: str) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(
        DEFAULT_CONTENT_DIR, folder, ignore=shutil.ignore_patterns("tips", "digest", "experts")
    )  # the advice log links to demo tips
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.lstrip("\n"), encoding="utf-8")
    return folder


GOOD = """
---
title: Seeing children alone
kind: tip
area: childrens-participation
tags: [seeing-children]
standards: ["5.1"]
status: published
author: demo.fca
approved_by: tariq.hussain
approved_on: 2026-05-01
review_by: 2027-05-01
---
- See the child alone.
"""


def test_a_hand_written_tip_loads(app, tmp_path):
    load_folder(_folder_with(tmp_path, "tips/childrens-participation/seeing-children-alone.md", GOOD))
    db.session.commit()
    tip = reading.find_tip("seeing-children-alone")
    assert tip.status == "published" and tip.current.standards == ["5.1"] and tip.review_by == date(2027, 5, 1)
    assert tip.current.decisions[0].actor.username == "tariq.hussain"


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            ("area: childrens-participation", "area: adoption"),
            "the area is adoption but the file is in the folder childrens-participation",
        ),
        (('standards: ["5.1"]', 'standards: ["5.1", "12.4"]'), "no clause 12.4"),
        (("author: demo.fca", "author: nobody.here"), "unknown author nobody.here"),
        (("- See the child alone.", "- See [[no-such-tip]]."), "the link [[no-such-tip]] names no tip"),
        (("status: published", "status: live"), "expected one of published, pending, archived"),
        (("approved_by: tariq.hussain\n", ""), "needs approved_by"),
        (("title: Seeing children alone", "title: x"), "a title of 3 to 200"),
        (("kind: tip", "kind: essay"), "expected one of tip, guidance"),
        (("tags: [seeing-children]", "tags: [seeing-children]\ncolour: red"), "unknown field 'colour'"),
        # The form's rule for tags, in a file too: at most 10 (issue 31: a file and a form agree).
        (("tags: [seeing-children]", f"tags: [{', '.join(f'tag-{n}' for n in range(11))}]"), "Use at most 10 tags."),
        (("tags: [seeing-children]", "tags: [Seeing Children]"), "Tags are short lower-case words"),
    ],
)
def test_bad_tip_files_are_named(app, tmp_path, change, expected):
    folder = _folder_with(tmp_path, "tips/childrens-participation/seeing-children-alone.md", GOOD.replace(*change))
    with pytest.raises(ContentError) as raised:
        load_folder(folder)
    db.session.rollback()
    problems = [str(p) for p in raised.value.problems]
    assert any(
        expected in p and p.startswith("tips/childrens-participation/seeing-children-alone.md") for p in problems
    ), problems
    assert reading.find_tip("seeing-children-alone") is None


def test_front_matter_must_be_there(app, tmp_path):
    folder = _folder_with(tmp_path, "tips/childrens-participation/no-front.md", "Just text\n")
    with pytest.raises(ContentError) as raised:
        load_folder(folder)
    assert "front matter" in str(raised.value)


def test_history_round_trips_and_revisions_are_never_changed_by_a_load(app, tmp_path, demo_content):
    from cafpedia.accounts.people import find_user
    from cafpedia.tips.models import CHECKLIST

    tip = reading.find_tip("running-extended-dispute-resolution-sessions")
    moderation.approve(
        find_user("priya.chandran"), tip.revision(2), checklist=list(CHECKLIST), confidentiality_confirmed=False
    )
    reviewing.mark_reviewed(find_user("priya.chandran"), tip, note="Checked")
    db.session.commit()
    out = tmp_path / "out"
    export_folder(out)
    text = (out / "tips/dispute-resolution/running-extended-dispute-resolution-sessions.md").read_text()
    assert "history:" in text and "events:" in text and "revision: 2" in text
    assert load_folder(out).counts[("tips", "unchanged")] >= 44
    db.session.rollback()
    path = out / "tips/dispute-resolution/running-extended-dispute-resolution-sessions.md"
    path.write_text(text.replace("Use two FCAs where you can.", "Use three FCAs."))
    with pytest.raises(ContentError) as raised:
        load_folder(out)
    assert "revisions are never changed" in str(raised.value)


def test_a_proposal_with_a_missing_link_round_trips_but_an_older_export_is_refused(app, people, publish, tmp_path):
    from cafpedia.tips.models import CHECKLIST

    tip = publish()
    proposals.propose_edit(
        people["sam"],
        tip,
        based_on=1,
        draft=proposals.Draft(title="Use contact centres well", body="See [[not-written-yet]].", change_note="A link"),
    )
    db.session.commit()
    old = tmp_path / "old"
    export_folder(old)
    assert load_folder(old).counts[("tips", "unchanged")] == 1  # the missing link in a proposal is kept
    db.session.rollback()
    edit = proposals.propose_edit(
        people["pat"],
        tip,
        based_on=1,
        draft=proposals.Draft(title="Use contact centres well", body="Better", change_note="Better"),
    )
    moderation.approve(people["lee"], edit, checklist=list(CHECKLIST), confidentiality_confirmed=False)
    db.session.commit()
    with pytest.raises(ContentError) as raised:
        load_folder(old)
    assert "older than the database" in str(raised.value)
    db.session.rollback()
    assert reading.find_tip("contact-centres").current_number == 3
