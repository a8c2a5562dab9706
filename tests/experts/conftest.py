"""Builders for the register: a register administrator, experts with and without accounts."""

from __future__ import annotations

from datetime import date

import pytest

from cafpedia.experts import drafts, entries
from cafpedia.extensions import db


def expert_draft(**changes) -> drafts.ExpertDraft:
    values = dict(
        name="Eve Expert",
        job_title="Family Court Adviser (adoption)",
        region="North West",
        areas=["adoption"],
        skills=["special guardianship", "inter-country adoption"],
        languages=["English", "Urdu"],
        phone="0161 496 0000",
        email="eve.expert@example.org",
        availability=["Mon 09:30-12:30", "Tue 17:00-20:00"],
        about="Adoption and special guardianship.",
    )
    values.update(changes)
    return drafts.ExpertDraft(**values)


@pytest.fixture
def register(people, make_user):
    """people, plus reg (register administrator), eve (an expert with an entry) and ben (an
    expert of contact, no account)."""
    staff = {
        **people,
        "reg": make_user("reg.admin", ["register_admin"], name="Reg Admin"),
        "eve": make_user("eve.expert", ["expert", "practitioner"], name="Eve Expert", email="eve.expert@example.org"),
    }
    staff["eve_entry"] = entries.add_expert(staff["reg"], expert_draft(username="eve.expert"), today=date(2026, 11, 2))
    staff["ben_entry"] = entries.add_expert(
        staff["reg"],
        expert_draft(
            name="Ben Bennett",
            job_title="Family Court Adviser (contact)",
            areas=["contact"],
            skills=["supervised contact"],
            languages=["English", "Welsh"],
            region="South West",
            email="ben@example.org",
            availability=["Sat 09:00-12:00", "Mon 11:00-15:00"],
            about="Supervised contact and contact centres.",
        ),
        today=date(2026, 11, 2),
    )
    db.session.commit()
    return staff
