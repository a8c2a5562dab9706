"""experts/ in a content folder: the demo register loads and exports unchanged; bad files are named."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest

from cafpedia.config import DEFAULT_CONTENT_DIR
from cafpedia.content.loader import ContentError, export_folder, load_folder
from cafpedia.experts import finder, lookups
from cafpedia.experts.models import REGIONS, AdviceCall, Expert, RotaDay
from cafpedia.extensions import db


def test_demo_register_round_trip(app, demo_content, tmp_path):
    experts = lookups.all_experts()
    assert len(experts) >= 15 and {e.region for e in experts} == set(REGIONS)
    assert db.session.query(AdviceCall).count() >= 60 and db.session.query(RotaDay).count() >= 3
    months = {c.called_on.strftime("%Y-%m") for c in db.session.query(AdviceCall)}
    assert len(months) >= 3
    export_folder(tmp_path / "out")
    for path in sorted((DEFAULT_CONTENT_DIR / "experts").iterdir()):
        assert (tmp_path / "out" / "experts" / path.name).read_text() == path.read_text(), path
    ctx = load_folder(tmp_path / "out")
    assert ctx.counts[("experts", "unchanged")] == len(lookups.all_experts(active=None))
    assert ctx.counts[("advice calls", "new")] == 0


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
        datetime(2026, 11, 24, 14, 0, tzinfo=UTC),
        datetime(2026, 11, 24, 18, 0, tzinfo=UTC),
        datetime(2026, 11, 28, 10, 30, tzinfo=UTC),
    ],
)
def test_demo_availability_varies_through_the_week(app, demo_content, moment):
    on_now = finder.find_experts(finder.Filters(available_now=True), now=moment)
    assert on_now, moment
    assert len(on_now) < len(lookups.all_experts())


def test_demo_shows_different_people_at_different_times(app, demo_content):
    def on(*args):
        return {
            e.expert.slug
            for e in finder.find_experts(finder.Filters(available_now=True), now=datetime(*args, tzinfo=UTC))
        }

    assert on(2026, 11, 23, 10, 0) != on(2026, 11, 24, 14, 0) != on(2026, 11, 28, 10, 30)
    assert on(2026, 12, 25, 10, 0) == set()  # Christmas Day: the rota closes the line
    assert on(2026, 11, 29, 10, 0) == set()  # nobody on a Sunday


def _folder(tmp_path, files: dict[str, str]):
    root = tmp_path / "in"
    shutil.copytree(DEFAULT_CONTENT_DIR, root)
    for name, text in files.items():
        (root / name).write_text(text)
    return root


ENTRY = """---
name: Kim Keeper
job_title: Family Court Adviser
region: {region}
areas: [{area}]
skills: [contact centres]
languages: [English]
email: {email}
availability: [{slot}]
---
Contact.
"""


@pytest.mark.parametrize(
    "files, message",
    [
        (
            {
                "experts/kim-keeper.md": ENTRY.format(
                    region="London", area="contact", email="kim@example.org", slot='"Mon 25:00-26:00"'
                )
            },
            "experts/kim-keeper.md:9: field 'availability': expert kim-keeper: “Mon 25:00-26:00”: 25:00 is not a time "
            "of day",
        ),
        (
            {
                "experts/kim-keeper.md": ENTRY.format(
                    region="London", area="contact", email="kim@example.org", slot='"Mon 12:00-09:00"'
                )
            },
            "ends before it starts",
        ),
        (
            {
                "experts/kim-keeper.md": ENTRY.format(
                    region="Gondor", area="contact", email="kim@example.org", slot='"Mon 09:00-12:00"'
                )
            },
            "field 'region': expert kim-keeper: There is no region called “Gondor”",
        ),
        (
            {
                "experts/kim-keeper.md": ENTRY.format(
                    region="London", area="astrology", email="kim@example.org", slot='"Mon 09:00-12:00"'
                )
            },
            "unknown area astrology",
        ),
        (
            {
                "experts/kim-keeper.md": ENTRY.format(
                    region="London", area="contact", email="olivia.mensah@example.org", slot='"Mon 09:00-12:00"'
                )
            },
            "has the same email address",
        ),
        (
            {
                "experts/new.md": ENTRY.format(
                    region="London", area="contact", email="kim@example.org", slot='"Mon 09:00-12:00"'
                )
            },
            "not an expert",
        ),
        (
            {
                "experts/advice-log.yml": "- date: 2026-11-02\n  expert: olivia-mensah\n  area: safeguarding\n  "
                "question: Can Ruby, aged 9, be seen at school?\n"
                "  advice: Yes, with the head teacher's agreement.\n  minutes: 10\n"
            },
            "experts/advice-log.yml:4: field 'question': call 1: this looks like it holds case details",
        ),
        (
            {"experts/rota.yml": "- date: 2026-12-25\n  shifts:\n  - expert: nobody\n    hours: 09:00-12:00\n"},
            "unknown expert nobody",
        ),
    ],
)
def test_bad_expert_files_are_named_and_nothing_is_loaded(app, tmp_path, files, message):
    root = _folder(tmp_path, files)
    with pytest.raises(ContentError) as caught:
        load_folder(root)
    assert message in str(caught.value)
    db.session.rollback()
    assert db.session.query(Expert).count() == 0


def test_a_changed_entry_is_brought_into_line_and_logged_calls_never_change(app, demo_content, tmp_path):
    root = tmp_path / "out"
    export_folder(root)
    path = root / "experts" / "olivia-mensah.md"
    path.write_text(path.read_text().replace("- Mon 13:00-17:00\n", ""))
    ctx = load_folder(root)
    db.session.commit()
    assert ctx.counts[("experts", "updated")] == 1
    assert lookups.find_expert("olivia-mensah").availability == ["Tue 13:00-17:00", "Thu 13:00-17:00"]
    log = root / "experts" / "advice-log.yml"
    log.write_text(log.read_text().replace("minutes: ", "minutes: 1", 1))
    with pytest.raises(ContentError, match="logged calls never change"):
        load_folder(root)


def test_an_account_can_move_between_entries(app, demo_content, tmp_path):
    root = tmp_path / "out"
    export_folder(root)
    for slug, change in (
        ("nasreen-akhtar", ("username: demo.expert\n", "")),
        ("ayesha-rahman", ("name: Ayesha Rahman\n", "name: Ayesha Rahman\nusername: demo.expert\n")),
    ):
        path = root / "experts" / f"{slug}.md"
        path.write_text(path.read_text().replace(*change))
    load_folder(root)
    db.session.commit()
    assert (
        lookups.find_expert("ayesha-rahman").user.username == "demo.expert"
        and lookups.find_expert("nasreen-akhtar").user is None
    )


@pytest.mark.parametrize(
    "files, message",
    [
        (
            {
                "experts/advice-log.yml": "- date: 2099-01-01\n  expert: olivia-mensah\n  area: safeguarding\n  "
                "question: When should concerns be shared?\n"
                "  advice: Straight away, with the manager.\n  minutes: 10\n"
            },
            "is in the future",
        ),
        (
            {
                "experts/advice-log.yml": "- date: 2026-11-02\n  expert: olivia-mensah\n  area: safeguarding\n  "
                "question: Why?\n"
                "  advice: Straight away, with the manager.\n  minutes: 10\n"
            },
            "in a sentence",
        ),
        (
            {"experts/rota.yml": "- date: 2026-12-24\n  shifts:\n  - expert: margaret-ellis\n    hours: 09:00-12:00\n"},
            "margaret-ellis is retired",
        ),
    ],
)
def test_the_load_checks_calls_and_rota_like_the_forms(app, tmp_path, files, message):
    with pytest.raises(ContentError, match=message):
        load_folder(_folder(tmp_path, files))


def test_two_calls_on_a_day_without_logged_at_both_load(app, tmp_path):
    call = (
        "- date: 2026-11-02\n  expert: olivia-mensah\n  area: safeguarding\n  question: When should concerns be shared "
        "with police?\n"
        "  advice: Straight away, with the manager.\n  minutes: 10\n"
    )
    load_folder(_folder(tmp_path, {"experts/advice-log.yml": call + call}))
    assert db.session.query(AdviceCall).count() == 2


def test_a_call_its_writer_confirmed_loads_and_exports_with_its_confirmation(app, tmp_path):
    call = (
        "- date: 2026-11-02\n  expert: olivia-mensah\n  area: safeguarding\n  question: Should the team on 07700 "
        "900461 be rung before the visit?\n  advice: Yes, the duty manager first.\n  minutes: 10\n"
    )
    with pytest.raises(ContentError, match="case_details_confirmed: true"):
        load_folder(_folder(tmp_path / "refused", {"experts/advice-log.yml": call}))
    db.session.rollback()
    load_folder(_folder(tmp_path, {"experts/advice-log.yml": call + "  case_details_confirmed: true\n"}))
    db.session.commit()
    assert db.session.query(AdviceCall).one().question.startswith("Should the team on 07700 900461")
    export_folder(tmp_path / "out")
    assert "case_details_confirmed: true" in (tmp_path / "out" / "experts" / "advice-log.yml").read_text()
    ctx = load_folder(tmp_path / "out")  # the round trip: the confirmed call loads again, unchanged
    assert ctx.counts[("advice calls", "new")] == 0
