"""The Register of Experts: entries, finding who is available now, the rota, gaps, nominations,
and who may do what."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cafpedia.core.audit import AuditEntry
from cafpedia.core.errors import NotAllowed, ServiceError, ValidationError
from cafpedia.experts import drafts, entries, finder, nominations, rota_plan
from cafpedia.experts.models import Expert, Nomination, RotaDay
from cafpedia.extensions import db
from cafpedia.notifications.models import Notification
from cafpedia.search import service as search
from tests.experts.conftest import expert_draft


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def names(entries) -> list[str]:
    return [e.expert.name for e in entries]


def test_find_by_area_skill_region_language_and_words(register):
    find = finder.find_experts
    assert names(find(finder.Filters(area="adoption"))) == ["Eve Expert"]
    assert names(find(finder.Filters(skill="supervised contact"))) == ["Ben Bennett"]
    assert names(find(finder.Filters(region="South West"))) == ["Ben Bennett"]
    assert names(find(finder.Filters(language="urdu"))) == ["Eve Expert"]
    assert names(find(finder.Filters(text="guardian"))) == ["Eve Expert"]  # a word's beginning finds it
    assert names(find(finder.Filters(text="welsh contact"))) == ["Ben Bennett"]
    assert find(finder.Filters(text="welsh adoption")) == []


@pytest.mark.parametrize(
    "moment, on_the_line",
    [
        (utc(2026, 11, 23, 10, 0), ["Eve Expert"]),  # Monday morning: Eve's slot only
        (utc(2026, 11, 23, 11, 30), ["Ben Bennett", "Eve Expert"]),  # both slots
        (utc(2026, 11, 24, 18, 0), ["Eve Expert"]),  # a weekday evening
        (utc(2026, 11, 28, 10, 0), ["Ben Bennett"]),  # Saturday
        (utc(2026, 11, 29, 10, 0), []),  # Sunday: nobody
    ],
)
def test_available_now_at_fixed_times(register, moment, on_the_line):
    assert sorted(names(finder.find_experts(finder.Filters(available_now=True), now=moment))) == on_the_line


def test_a_bank_holiday_rota_overrides_the_usual_slots(register):
    bank_holiday = date(2026, 12, 28)  # a Monday
    at_ten, at_noon = utc(2026, 12, 28, 10, 0), utc(2026, 12, 28, 12, 0)
    assert names(finder.find_experts(finder.Filters(available_now=True), now=at_ten)) == ["Eve Expert"]
    rota_plan.set_rota(
        register["reg"],
        [rota_plan.DayInput(bank_holiday, rota_plan.CLOSED, note="Bank holiday")],
        today=date(2026, 12, 1),
    )
    db.session.commit()
    assert finder.find_experts(finder.Filters(available_now=True), now=at_ten) == []
    assert finder.find_experts(finder.Filters(available_now=True), now=at_noon) == []
    # Everyone's next time on the line skips the closed day.
    eve = next(e for e in finder.find_experts(finder.Filters(), now=at_ten) if e.expert.name == "Eve Expert")
    assert eve.next_text == "Tomorrow from 17:00"
    # A rota for the day puts Ben on in the morning, and only Ben.
    ben = register["ben_entry"]
    rota_plan.set_rota(
        register["reg"],
        [rota_plan.DayInput(bank_holiday, rota_plan.ROTA, hours={ben.id: "08:00-11:00"})],
        today=date(2026, 12, 1),
    )
    db.session.commit()
    assert names(finder.find_experts(finder.Filters(available_now=True), now=at_ten)) == ["Ben Bennett"]
    assert finder.find_experts(finder.Filters(available_now=True), now=at_noon) == []
    # Back to the usual slots.
    rota_plan.set_rota(register["reg"], [rota_plan.DayInput(bank_holiday, rota_plan.REGULAR)], today=date(2026, 12, 1))
    db.session.commit()
    assert db.session.get(RotaDay, bank_holiday) is None
    assert names(finder.find_experts(finder.Filters(available_now=True), now=at_ten)) == ["Eve Expert"]
    assert db.session.query(AuditEntry).filter_by(action="rota.set").count() == 3


def test_bad_rota_input_is_named_and_nothing_is_saved(register):
    day, ben = date(2026, 12, 28), register["ben_entry"]
    cases = [
        (
            [rota_plan.DayInput(day, rota_plan.ROTA, hours={ben.id: "25:00-26:00"})],
            f"hours-2026-12-28-{ben.id}",
            "25:00 is not a time of day",
        ),
        (
            [rota_plan.DayInput(day, rota_plan.ROTA, hours={ben.id: "12:00-09:00"})],
            f"hours-2026-12-28-{ben.id}",
            "ends before it starts",
        ),
        ([rota_plan.DayInput(day, rota_plan.ROTA)], "day-2026-12-28", "at least one expert"),
        ([rota_plan.DayInput(day, rota_plan.CLOSED, hours={ben.id: "09:00-12:00"})], "day-2026-12-28", "choose “rota”"),
        ([rota_plan.DayInput(date(2026, 11, 1), rota_plan.CLOSED)], "day-2026-11-01", "has passed"),
        ([rota_plan.DayInput(day, "holiday")], "day-2026-12-28", "choose"),
    ]
    for days, key, message in cases:
        with pytest.raises(ValidationError) as caught:
            rota_plan.set_rota(register["reg"], days, today=date(2026, 12, 1))
        assert message in caught.value.errors[key]
        db.session.rollback()
    assert db.session.query(RotaDay).count() == 0
    with pytest.raises(NotAllowed):
        rota_plan.set_rota(register["eve"], [rota_plan.DayInput(day, rota_plan.CLOSED)])


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"availability": ["Mon 25:00-26:00"]}, "availability", "25:00 is not a time of day"),
        ({"availability": ["Mon 12:30-09:30"]}, "availability", "ends before it starts"),
        ({"availability": ["Mon 09:00-12:00", "Mon 11:00-13:00"]}, "availability", "overlaps"),
        ({"areas": ["astrology"]}, "areas", "no area of practice called astrology"),
        ({"areas": []}, "areas", "at least one area"),
        ({"region": "Atlantis"}, "region", "no region called “Atlantis”"),
        ({"phone": "", "email": ""}, "phone", "phone number or an email"),
        ({"email": "not-an-address"}, "email", "valid email"),
        ({"skills": []}, "skills", "at least one skill"),
        ({"username": "nobody.here"}, "username", "no account"),
        ({"about": "I advised on Kayden (7) last week."}, "confirm_safe", "in what the expert advises on"),
        ({"skills": ["ring Priya Chandran"]}, "confirm_safe", "in the skills, a person's name"),
    ],
)
def test_bad_entries_are_refused_and_nothing_is_written(register, changes, field, message):
    before = (db.session.query(Expert).count(), db.session.query(AuditEntry).count())
    with pytest.raises(ValidationError) as caught:
        entries.add_expert(
            register["reg"], expert_draft(**{"name": "New Person", "email": "new@example.org", **changes})
        )
    assert message in caught.value.errors[field]
    db.session.rollback()
    assert (db.session.query(Expert).count(), db.session.query(AuditEntry).count()) == before


def test_duplicates_are_refused(register):
    cases = [
        ({}, "name", "already on the register"),  # the same name in the same region
        (
            {"name": "Another Eve", "username": "eve.expert", "email": "x@example.org"},
            "username",
            "already on the register",
        ),
        ({"name": "Another Eve", "email": "EVE.EXPERT@example.org"}, "email", "already on the register"),
    ]
    for changes, field, message in cases:
        with pytest.raises(ValidationError) as caught:
            entries.add_expert(register["reg"], expert_draft(**changes))
        assert message in caught.value.errors[field]
        db.session.rollback()
    assert db.session.query(Expert).count() == 2


def test_experts_keep_their_own_entry_only(register):
    eve, entry, ben = register["eve"], register["eve_entry"], register["ben_entry"]
    draft = drafts.ExpertDraft.of(entry)
    draft.availability, draft.name = ["Wed 10:00-12:00"], "Someone Else"
    entries.edit_expert(eve, entry, draft, today=date(2026, 11, 23))
    db.session.commit()
    assert entry.availability == ["Wed 10:00-12:00"] and entry.name == "Eve Expert"  # the name is the administrator's
    assert entry.review_by == date(2027, 5, 23)  # saving confirms the entry for six months
    with pytest.raises(NotAllowed):
        entries.edit_expert(eve, ben, drafts.ExpertDraft.of(ben))
    with pytest.raises(NotAllowed):
        entries.set_away(eve, ben, away_from=None, away_until=date(2026, 12, 1))
    with pytest.raises(NotAllowed):
        entries.add_expert(eve, expert_draft(name="Self Made"))
    with pytest.raises(ServiceError, match="Nothing was changed"):
        entries.edit_expert(eve, entry, drafts.ExpertDraft.of(entry))


def test_entries_past_review_show_unconfirmed_until_confirmed(register):
    entry = register["eve_entry"]
    entry.review_by = date(2026, 10, 1)
    db.session.commit()
    assert finder.due_for_review(date(2026, 11, 23)) == [entry]
    found = finder.find_experts(finder.Filters(area="adoption"), now=utc(2026, 11, 23, 10))
    assert found[0].unconfirmed
    entries.confirm_entry(register["eve"], entry, today=date(2026, 11, 23))
    db.session.commit()
    assert finder.due_for_review(date(2026, 11, 23)) == [] and entry.review_by == date(2027, 5, 23)


def test_away_takes_an_expert_off_the_line(register):
    entry = register["eve_entry"]
    with pytest.raises(ValidationError) as caught:
        entries.set_away(
            register["eve"],
            entry,
            away_from=date(2026, 11, 25),
            away_until=date(2026, 11, 20),
            today=date(2026, 11, 20),
        )
    assert "before the first" in caught.value.errors["away_until"]
    entries.set_away(
        register["eve"],
        entry,
        away_from=date(2026, 11, 20),
        away_until=date(2026, 11, 27),
        note="On leave",
        today=date(2026, 11, 20),
    )
    db.session.commit()
    found = finder.find_experts(finder.Filters(area="adoption"), now=utc(2026, 11, 23, 10))
    assert not found[0].available and found[0].next_text == "Mon 30 Nov from 09:30"
    entries.clear_away(register["eve"], entry)
    db.session.commit()
    assert finder.find_experts(finder.Filters(area="adoption"), now=utc(2026, 11, 23, 10))[0].available


def test_retiring_keeps_the_entry_and_its_history(register):
    ben = register["ben_entry"]
    with pytest.raises(ValidationError):
        entries.retire(register["reg"], ben, "  ")
    with pytest.raises(NotAllowed):
        entries.retire(register["eve"], ben, "left")
    entries.retire(register["reg"], ben, "Moved to a management post", today=date(2026, 11, 23))
    db.session.commit()
    assert not ben.active and ben.retired_reason == "Moved to a management post"
    assert names(finder.find_experts(finder.Filters())) == ["Eve Expert"]
    assert [h.action for h in entries.history(ben)] == ["expert.retire", "expert.add"]
    entries.reinstate(register["reg"], ben, today=date(2026, 11, 23))
    db.session.commit()
    assert ben.active and finder.is_unconfirmed(ben, date(2026, 11, 24))


def test_gaps_show_areas_without_cover(register, make_area):
    make_area("staff-safety", "Staff safety")
    monday = date(2026, 11, 23)
    gaps = {g.area.slug: g for g in rota_plan.gaps(monday)}
    assert gaps["staff-safety"].problem == "No expert on the register"
    assert (
        gaps["adoption"].problem == "Nobody on Wednesday, Thursday, Friday" and gaps["adoption"].minutes == 6 * 60
    )  # the Gap column says so
    assert gaps["adoption"].days_without == [date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27)]
    entries.set_away(
        register["reg"], register["eve_entry"], away_from=monday, away_until=date(2026, 11, 29), today=monday
    )
    db.session.commit()
    gaps = {g.area.slug: g for g in rota_plan.gaps(monday)}
    assert gaps["adoption"].problem == "Nobody available this week"
    assert rota_plan.gaps(monday)[0].problem  # gaps come first


def test_lead_managers_nominate_for_their_areas_and_the_administrator_decides(register, make_user):
    olu, lee, reg = register["other"], register["lee"], register["reg"]  # olu leads adoption, lee contact
    make_user("nia.nominee", ["practitioner"], name="Nia Nominee", email="nia@example.org")
    draft = nominations.NominationDraft(
        area="adoption",
        name="Nia Nominee",
        username="nia.nominee",
        job_title="FCA",
        region="London",
        skills=["adoption"],
        reason="Ten years of adoption work.",
    )
    with pytest.raises(NotAllowed):
        nominations.nominate(lee, draft)
    with pytest.raises(ValidationError) as caught:
        nominations.nominate(olu, nominations.NominationDraft(**{**draft.__dict__, "region": "Mars", "reason": ""}))
    assert set(caught.value.errors) == {"region", "reason"}
    db.session.rollback()
    nomination = nominations.nominate(olu, draft)
    db.session.commit()
    assert db.session.query(Notification).filter_by(user_id=reg.id, kind="nomination").count() == 1
    with pytest.raises(ValidationError):
        nominations.nominate(olu, draft)  # already waiting
    db.session.rollback()
    with pytest.raises(NotAllowed):
        nominations.decide_nomination(olu, nomination, accept=True)
    nominations.decide_nomination(reg, nomination, accept=True, today=date(2026, 11, 23))
    db.session.commit()
    expert = nomination.expert
    assert expert.name == "Nia Nominee" and expert.user.username == "nia.nominee" and expert.area_slugs == ["adoption"]
    assert expert.email == "nia@example.org" and finder.is_unconfirmed(expert, date(2026, 11, 24))
    assert db.session.query(Notification).filter_by(user_id=olu.id, kind="nomination").count() == 1
    with pytest.raises(ServiceError):
        nominations.decide_nomination(reg, nomination, accept=False, note="changed my mind")
    twin = nominations.nominate(
        olu,
        nominations.NominationDraft(
            **{
                **draft.__dict__,
                "name": "Eve Expert",
                "region": "North West",
                "username": "",
                "email": "eve2@example.org",
            }
        ),
    )
    with pytest.raises(ServiceError, match="already on the register"):
        nominations.decide_nomination(reg, twin, accept=True)  # the same person as an entry: checked like a typed entry
    db.session.rollback()
    second = nominations.nominate(
        olu,
        nominations.NominationDraft(
            **{**draft.__dict__, "name": "Xavier Other", "username": "", "email": "x@example.org"}
        ),
    )
    with pytest.raises(ValidationError):
        nominations.decide_nomination(reg, second, accept=False)  # a reason is needed
    nominations.decide_nomination(reg, second, accept=False, note="Not enough adoption experience yet.")
    db.session.commit()
    assert second.status == "declined" and db.session.query(Nomination).count() == 2


def test_experts_are_found_by_name_skill_and_area_in_search(register):
    search.follower().drain()
    pat = register["pat"]
    for query in ("Eve Expert", "inter-country adoption", "urdu"):
        urls = [h.url for h in search.search(pat, query).results.hits]
        assert "/experts/eve-expert" in urls, query
    hits = search.search(pat, "adoption", filters={"kind": "expert"}).results.hits
    assert [h.url for h in hits] == ["/experts/eve-expert"]
    assert "0161" not in " ".join(h.snippet for h in hits)  # contact details are never in the index
    entries.retire(register["reg"], register["eve_entry"], "Left CAFCASS")
    db.session.commit()
    search.follower().drain()
    assert "/experts/eve-expert" not in [h.url for h in search.search(pat, "Eve Expert").results.hits]


def test_past_rota_days_cannot_be_rewritten(register):
    past = date(2026, 11, 2)
    rota_plan.set_rota(register["reg"], [rota_plan.DayInput(past, rota_plan.CLOSED, note="Strike day")], today=past)
    db.session.commit()
    # Saving the week later with the day as it was is fine; changing it is refused.
    rota_plan.set_rota(
        register["reg"], [rota_plan.DayInput(past, rota_plan.CLOSED, note="Strike day")], today=date(2026, 11, 4)
    )
    with pytest.raises(ValidationError) as caught:
        rota_plan.set_rota(register["reg"], [rota_plan.DayInput(past, rota_plan.REGULAR)], today=date(2026, 11, 4))
    assert "has passed" in caught.value.errors["day-2026-11-02"]
    db.session.rollback()
    assert db.session.get(RotaDay, past).closed


def test_renaming_onto_another_entry_is_refused(register):
    ben = register["ben_entry"]
    draft = drafts.ExpertDraft.of(ben)
    draft.name, draft.region = "Eve Expert", "North West"
    with pytest.raises(ValidationError) as caught:
        entries.edit_expert(register["reg"], ben, draft)
    assert "already on the register" in caught.value.errors["name"]


def test_an_account_linked_to_an_entry_keeps_it_and_reads_the_log(register, make_user, as_user):
    from cafpedia.core.permissions import can_read_advice_log

    kim = make_user("kim.linked", ["practitioner"], name="Kim Linked", email="kim@example.org")
    assert not can_read_advice_log(kim)
    entries.add_expert(
        register["reg"],
        expert_draft(name="Kim Linked", username="kim.linked", email="kim@example.org", region="London"),
    )
    db.session.commit()
    assert can_read_advice_log(kim)
    client = as_user("kim.linked")
    assert (
        client.get("/experts/kim-linked/edit").status_code == 200 and client.get("/advice-line/new").status_code == 200
    )


def test_retiring_takes_the_expert_out_of_search_at_once(register, make_app):
    """Retiring only changes columns (nothing flushed before the commit): search must still follow."""
    search.follower().drain()
    assert "/experts/eve-expert" in [h.url for h in search.search(register["pat"], "Eve Expert").results.hits]
    entries.retire(register["reg"], register["eve_entry"], "Left CAFCASS")
    db.session.commit()
    search.follower().drain()
    assert "/experts/eve-expert" not in [h.url for h in search.search(register["pat"], "Eve Expert").results.hits]


def test_odd_names_make_addresses_that_load_again(register):
    slug = drafts.slug_for("A" * 79 + " Bcd")
    assert drafts.SLUG_RE.match(slug) and len(slug) <= drafts.SLUG_MAX
    assert drafts.slug_for("new") == "new-2"
