"""Builders for tips tests: an area with a lead and a deputy, and authors."""

from __future__ import annotations

import pytest

from cafpedia.extensions import db
from cafpedia.tips import moderation, proposals
from cafpedia.tips.models import CHECKLIST


@pytest.fixture
def standards_loaded(app):
    """The real standards.yml, loaded: `database_url` gave this test a copy of a database the
    file was loaded into once per session (tests/conftest.py, DemoSnapshots)."""
    from sqlalchemy import func, select

    from cafpedia.standards.models import StandardsVersion

    assert db.session.scalar(select(func.count()).select_from(StandardsVersion)), "the standards were not restored"


@pytest.fixture
def people(make_user, make_area, standards_loaded):
    """lee (lead of contact), dee (deputy), other (lead elsewhere), pat and sam (practitioners)."""
    users = {
        "lee": make_user("lee.lead", ["lead_manager"], name="Lee Lead"),
        "dee": make_user("dee.deputy", ["lead_manager"], name="Dee Deputy"),
        "other": make_user("olu.other", ["lead_manager"], name="Olu Other"),
        "pat": make_user("pat.fca", ["practitioner"], name="Pat Practitioner"),
        "sam": make_user("sam.fca", ["practitioner"], name="Sam Second"),
    }
    make_area("contact", "Contact", lead="lee.lead", deputies=["dee.deputy"])
    make_area("adoption", "Adoption", lead="olu.other")
    return users


def draft(title="Use contact centres well", body="- Visit the centre first.\n- Agree the handover.", **kwargs):
    kwargs.setdefault("change_note", "Clearer steps")  # required of edits and resubmissions
    return proposals.Draft(title=title, body=body, **kwargs)


@pytest.fixture
def propose(people):
    def build(author="pat", area="contact", slug=None, **kwargs):
        revision = proposals.propose_new_tip(people[author], area_slug=area, slug=slug, draft=draft(**kwargs))
        db.session.commit()
        return revision

    return build


@pytest.fixture
def publish(people, propose):
    """A published tip (proposed by pat, approved by lee)."""

    def build(slug="contact-centres", **kwargs):
        revision = propose(slug=slug, **kwargs)
        moderation.approve(people["lee"], revision, checklist=list(CHECKLIST), confidentiality_confirmed=False)
        db.session.commit()
        return revision.tip

    return build
