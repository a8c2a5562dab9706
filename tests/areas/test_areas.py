"""Everyone sees the practice areas with their lead managers and deputies; admins edit them."""

from __future__ import annotations

from cafpedia.accounts.people import moderators_named
from cafpedia.areas.services import find_area
from cafpedia.core.audit import AuditEntry
from cafpedia.extensions import db


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_everyone_sees_all_sixteen_demo_areas_with_leads_and_deputies(client, make_user, demo_content):
    make_user("pat.fca")
    client.sign_in("pat.fca")
    page = text_of(client.get("/areas"))
    assert page.count('class="card"') == 16
    assert "Safeguarding and child protection" in page and "Staff safety" in page
    assert "Lead manager" in page and "Deputies" in page
    page = text_of(client.get("/areas/adoption"))
    area = find_area("adoption")
    assert area.lead.name in page
    for deputy in area.deputies:
        assert deputy.name in page


def test_area_summary_markdown_is_sanitised(client, make_user, make_area):
    make_user("pat.fca")
    make_area("contact", summary="**Contact** centres <script>alert(1)</script>")
    client.sign_in("pat.fca")
    page = text_of(client.get("/areas/contact"))
    assert "<strong>Contact</strong>" in page
    assert "<script>alert(1)" not in page


def test_admin_creates_an_area_with_lead_and_deputy(admin_client, make_user):
    make_user("lee.lead", ["lead_manager"], name="Lee Lead")
    make_user("dee.deputy", ["lead_manager"], name="Dee Deputy")
    response = admin_client.post_form(
        "/admin/areas/new",
        {
            "slug": "kinship-care",
            "title": "Kinship care",
            "summary": "Family and friends carers.",
            "lead": "lee.lead",
            "deputies": ["dee.deputy"],
        },
    )
    assert response.status_code == 302
    area = find_area("kinship-care")
    assert area.lead.username == "lee.lead"
    assert [d.username for d in area.deputies] == ["dee.deputy"]
    entry = db.session.query(AuditEntry).filter_by(action="area.create").one()
    assert entry.after["lead"] == "lee.lead" and entry.actor_name == "ada.admin"
    page = text_of(admin_client.get("/areas"))
    assert "Lee Lead" in page and "Dee Deputy" in page


def test_admin_changes_lead_and_the_audit_log_has_before_and_after(admin_client, make_user, make_area):
    make_user("lee.lead", ["lead_manager"])
    make_user("new.lead", ["lead_manager"])
    make_area("adoption", "Adoption", lead="lee.lead")
    response = admin_client.post_form(
        "/admin/areas/adoption",
        {"title": "Adoption and permanence", "summary": "", "lead": "new.lead", "deputies": ["lee.lead"]},
    )
    assert response.status_code == 302
    db.session.expire_all()
    area = find_area("adoption")
    assert area.title == "Adoption and permanence" and area.lead.username == "new.lead"
    entry = db.session.query(AuditEntry).filter_by(action="area.update").one()
    assert entry.before["lead"] == "lee.lead" and entry.after["lead"] == "new.lead"
    assert entry.before["deputies"] == [] and entry.after["deputies"] == ["lee.lead"]


def test_bad_area_input_is_named_and_nothing_is_written(admin_client, make_user, make_area):
    make_user("pat.fca", ["practitioner"])
    make_user("lee.lead", ["lead_manager"])
    make_area("adoption")
    cases = [
        ({"slug": "adoption", "title": "Again"}, "There is already an area with the address adoption"),
        ({"slug": "Bad Slug", "title": "Bad"}, "lower-case letters and digits"),
        ({"slug": "ok-slug", "title": "x" * 121}, "at most 120 characters"),
        ({"slug": "ok-slug", "title": ""}, "Enter a title"),
        ({"slug": "ok-slug", "title": "T", "summary": "x" * 2001}, "at most 2000 characters"),
        ({"slug": "ok-slug", "title": "T", "lead": "pat.fca"}, "Not a valid choice"),
        ({"slug": "ok-slug", "title": "T", "lead": "lee.lead", "deputies": ["lee.lead"]}, "already the lead manager"),
    ]
    for data, message in cases:
        data = {"summary": "", "lead": "", **data}
        response = admin_client.post_form("/admin/areas/new", data)
        assert response.status_code == 400, message
        assert message in text_of(response), message
    assert find_area("ok-slug") is None
    assert db.session.query(AuditEntry).filter_by(action="area.create").count() == 1  # only make_area's


def test_lead_manager_must_hold_the_role(app, make_user, make_area):
    import pytest

    from cafpedia.areas import services
    from cafpedia.core.errors import ValidationError

    make_user("pat.fca")
    with pytest.raises(ValidationError) as raised:
        services.create_area(
            None, slug="contact", title="Contact", summary="", **moderators_named("pat.fca", ["nobody"])
        )
    assert "does not hold the lead manager role" in raised.value.errors["lead"]
    assert "no account called nobody" in raised.value.errors["deputies"]


def test_lead_manager_role_cannot_be_removed_while_they_lead_an_area(admin_client, make_user, make_area):
    make_user("lee.lead", ["lead_manager"])
    make_area("adoption", "Adoption", lead="lee.lead")
    response = admin_client.post_form("/admin/people/lee.lead", {"name": "Lee Lead", "roles": ["practitioner"]})
    assert response.status_code == 400
    assert "is lead manager or deputy of Adoption" in text_of(response)
    db.session.expire_all()
    assert "lead_manager" in find_area("adoption").lead.roles
