"""The confidentiality guard on the register, as on every form (core.case_details): an entry's job
title, skills and about, an away note, a nomination and why an entry is retired are warned about,
nothing is saved until the writer takes out what was found or ticks the box, the audit entry
records what they confirmed, and a confirmed entry exports and loads again."""

from __future__ import annotations

import re
from datetime import date

import pytest

from cafpedia.content.loader import ContentError, export_folder, load_folder
from cafpedia.core.audit import AuditEntry
from cafpedia.core.errors import ValidationError
from cafpedia.experts import drafts, entries, nominations
from cafpedia.experts.models import Expert, Nomination
from cafpedia.extensions import db
from tests.experts.conftest import expert_draft
from tests.experts.test_experts_content import _folder

NAMED = "For urgent advice ring Priya Chandran."
PHONE = "Ring the team on 07700 900461 first."
AWAY = "Back on Monday. For urgent advice ring Priya Chandran."


def last_audit(action: str) -> AuditEntry:
    return db.session.query(AuditEntry).filter_by(action=action).order_by(AuditEntry.id.desc()).first()


def counts() -> tuple[int, int, int]:
    return tuple(db.session.query(model).count() for model in (Expert, Nomination, AuditEntry))


@pytest.mark.parametrize(
    "changes, where, found",
    [
        ({"about": NAMED}, "in what the expert advises on", "Priya Chandran"),
        ({"about": PHONE}, "in what the expert advises on", "07700 900461"),
        ({"job_title": "Family Court Adviser, ask Priya Chandran"}, "in the job title", "Priya Chandran"),
        ({"skills": ["adoption", "07700 900461"]}, "in the skills", "07700 900461"),
    ],
)
def test_an_entry_is_warned_about_then_saved_once_confirmed(register, changes, where, found):
    draft = expert_draft(name="Kim Keeper", email="kim@example.org", **changes)
    before = counts()
    with pytest.raises(ValidationError) as caught:
        entries.add_expert(register["reg"], draft)
    assert where in caught.value.errors["confirm_safe"] and found in caught.value.errors["confirm_safe"]
    assert "tick the box" in caught.value.errors["confirm_safe"]
    db.session.rollback()
    assert counts() == before  # nothing saved
    draft.confirm_safe = True
    expert = entries.add_expert(register["reg"], draft)
    db.session.commit()
    assert found in " ".join([expert.about, expert.job_title, *expert.skills])
    confirmed = last_audit("expert.add").after["case_details_confirmed"]
    assert confirmed and not any(found in c for c in confirmed)  # its kind, never the text


def test_editing_an_entry_warns_and_plain_text_saves_straight_away(register):
    eve, entry = register["eve"], register["eve_entry"]
    draft = drafts.ExpertDraft.of(entry)
    draft.about = "Adoption. " + NAMED
    with pytest.raises(ValidationError) as caught:
        entries.edit_expert(eve, entry, draft, today=date(2026, 11, 23))
    assert "a person's name: “Priya Chandran”" in caught.value.errors["confirm_safe"]
    db.session.rollback()
    assert db.session.get(Expert, entry.id).about == "Adoption and special guardianship."
    draft = drafts.ExpertDraft.of(db.session.get(Expert, entry.id))
    draft.about, draft.confirm_safe = "Adoption. " + NAMED, True
    entries.edit_expert(eve, entry, draft, today=date(2026, 11, 23))
    db.session.commit()
    audit = last_audit("expert.edit")
    assert entry.about.endswith("Priya Chandran.")
    assert audit.after["case_details_confirmed"] == ["a person's name"]
    draft = drafts.ExpertDraft.of(entry)
    draft.about = "Adoption and special guardianship, and inter-country adoption."
    entries.edit_expert(eve, entry, draft, today=date(2026, 11, 23))  # nothing found: saved, nothing to confirm
    db.session.commit()
    assert "case_details_confirmed" not in last_audit("expert.edit").after


@pytest.mark.parametrize("note", [AWAY, "On leave; ring 07700 900461 if urgent."])
def test_an_away_note_is_warned_about_then_saved_once_confirmed(register, note):
    eve, entry = register["eve"], register["eve_entry"]
    when = dict(away_from=date(2026, 11, 20), away_until=date(2026, 11, 27), today=date(2026, 11, 20))
    with pytest.raises(ValidationError) as caught:
        entries.set_away(eve, entry, note=note, **when)
    assert "in the note for callers" in caught.value.errors["confirm_safe"]
    db.session.rollback()
    assert db.session.get(Expert, entry.id).away_until is None
    entries.set_away(eve, entry, note=note, confirm_safe=True, **when)
    db.session.commit()
    assert entry.away_note == note and last_audit("expert.away").after["case_details_confirmed"]
    entries.set_away(eve, entry, note="On leave.", **when)  # plain text: saved straight away
    db.session.commit()
    assert entry.away_note == "On leave." and "case_details_confirmed" not in last_audit("expert.away").after


def test_a_nomination_is_warned_about_and_its_confirmation_carries_to_the_entry(register):
    olu = register["other"]  # leads adoption
    draft = nominations.NominationDraft(
        area="adoption",
        name="Nick Nominee",
        username="",
        job_title="Family Court Adviser",
        region="London",
        skills=["adoption"],
        reason="Years of adoption work. " + PHONE,
        email="nick@example.org",
    )
    before = counts()
    with pytest.raises(ValidationError) as caught:
        nominations.nominate(olu, draft)
    assert "in the reason, a phone number" in caught.value.errors["confirm_safe"]
    db.session.rollback()
    assert counts() == before
    draft.confirm_safe = True
    nomination = nominations.nominate(olu, draft)
    db.session.commit()
    assert last_audit("expert.nominate").after == {"case_details_confirmed": ["a phone number"]}
    nominations.decide_nomination(register["reg"], nomination, accept=True, today=date(2026, 11, 23))
    db.session.commit()
    assert nomination.expert.about.endswith("07700 900461 first.")  # no dead end for the administrator
    assert last_audit("expert.nomination_accepted").after == {"case_details_confirmed": ["a phone number"]}


def test_a_retirement_reason_is_warned_about_then_saved_once_confirmed(register):
    reg, ben = register["reg"], register["ben_entry"]
    with pytest.raises(ValidationError) as caught:
        entries.retire(reg, ben, "Handed over to Priya Chandran.")
    assert "in the reason" in caught.value.errors["confirm_safe"]
    db.session.rollback()
    assert db.session.get(Expert, ben.id).active
    entries.retire(reg, ben, "Handed over to Priya Chandran.", confirm_safe=True)
    db.session.commit()
    assert not ben.active and last_audit("expert.retire").after["case_details_confirmed"]


def errors_in(page: str) -> str:
    return " ".join(re.findall(r'class="error-message"[^>]*>(.*?)</p>', page, re.S))


ENTRY_FORM = {
    "name": "Kim Keeper",
    "job_title": "Family Court Adviser",
    "region": "London",
    "areas": ["contact"],
    "skills": "contact centres",
    "languages": "English",
    "email": "kim@example.org",
    "availability": "Thu 13:30-16:30",
}


@pytest.mark.parametrize(
    "user, url, data, found",
    [
        ("eve.expert", "/experts/eve-expert/away", {"away_until": "2026-11-27", "away_note": AWAY}, "Priya Chandran"),
        ("reg.admin", "/experts/new", {**ENTRY_FORM, "about": "Contact. " + PHONE}, "07700 900461"),
        ("reg.admin", "/experts/new", {**ENTRY_FORM, "skills": "contact, 07700 900461"}, "07700 900461"),
        ("reg.admin", "/experts/ben-bennett/retire", {"reason": "Handed over to Priya Chandran."}, "Priya Chandran"),
        (
            "olu.other",
            "/experts/nominate",
            {**ENTRY_FORM, "area": "adoption", "skills": "adoption", "reason": "Adoption. " + NAMED},
            "Priya Chandran",
        ),
    ],
)
def test_the_pages_show_what_was_found_and_save_once_the_box_is_ticked(
    register, as_user, clock, user, url, data, found
):
    client = as_user(user)
    before = (counts(), db.session.query(Expert).filter(Expert.away_until.isnot(None)).count())
    response = client.post_form(url, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and found in errors_in(page)
    assert "This may hold case details." in page and 'name="confirm_safe"' in page  # the warning, then the box
    db.session.expire_all()
    assert (counts(), db.session.query(Expert).filter(Expert.away_until.isnot(None)).count()) == before
    assert client.post_form(url, {**data, "confirm_safe": "y"}).status_code == 302
    db.session.expire_all()
    assert counts() != before or db.session.query(Expert).filter(Expert.away_until.isnot(None)).count()
    assert db.session.query(AuditEntry).order_by(AuditEntry.id.desc()).first().after["case_details_confirmed"]


def test_plain_text_saves_straight_away_on_the_pages(register, as_user, clock):
    client = as_user("eve.expert")
    response = client.post_form("/experts/eve-expert/away", {"away_until": "2026-11-27", "away_note": "On leave."})
    assert response.status_code == 302
    assert as_user("reg.admin").post_form("/experts/new", {**ENTRY_FORM, "about": "Contact."}).status_code == 302


def test_a_confirmed_entry_exports_and_loads_again(register, tmp_path):
    eve, entry = register["eve"], register["eve_entry"]
    draft = drafts.ExpertDraft.of(entry)
    draft.about, draft.confirm_safe = "Adoption. " + NAMED, True
    entries.edit_expert(eve, entry, draft, today=date(2026, 11, 23))
    entries.set_away(
        eve,
        entry,
        away_from=date(2026, 11, 20),
        away_until=date(2026, 11, 27),
        note=AWAY,
        today=date(2026, 11, 20),
        confirm_safe=True,
    )
    db.session.commit()
    export_folder(tmp_path / "out")
    text = (tmp_path / "out" / "experts" / "eve-expert.md").read_text()
    assert "case_details_confirmed: true" in text and "Priya Chandran" in text
    assert "case_details_confirmed" not in (tmp_path / "out" / "experts" / "ben-bennett.md").read_text()
    ctx = load_folder(tmp_path / "out")  # the round trip: the confirmed entry loads again, unchanged
    assert ctx.counts[("experts", "unchanged")] == 2
    db.session.commit()
    (tmp_path / "out" / "experts" / "eve-expert.md").write_text(text.replace("case_details_confirmed: true\n", ""))
    with pytest.raises(ContentError) as caught:
        load_folder(tmp_path / "out")
    assert "field 'away_note': expert eve-expert: away_note looks as if it may hold case details" in str(caught.value)
    assert "expert eve-expert: the body looks as if it may hold case details" in str(caught.value)
    assert "case_details_confirmed: true" in str(caught.value)


def test_a_confirmed_entry_in_a_content_folder_loads(app, tmp_path):
    entry = (
        "---\nname: Kim Keeper\njob_title: Family Court Adviser\nregion: London\nareas: [contact]\n"
        'skills: [contact centres]\nlanguages: [English]\nemail: kim@example.org\navailability: ["Mon 09:00-12:00"]\n'
        f"away_from: 2026-11-20\naway_until: 2026-11-27\naway_note: {AWAY}\n{{flag}}---\nContact. {NAMED}\n"
    )
    with pytest.raises(ContentError, match="case_details_confirmed: true"):
        load_folder(_folder(tmp_path / "refused", {"experts/kim-keeper.md": entry.format(flag="")}))
    db.session.rollback()
    load_folder(_folder(tmp_path, {"experts/kim-keeper.md": entry.format(flag="case_details_confirmed: true\n")}))
    db.session.commit()
    kim = db.session.query(Expert).filter_by(slug="kim-keeper").one()
    assert kim.away_note == AWAY and kim.about.endswith("Priya Chandran.")
