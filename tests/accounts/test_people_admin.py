"""Administrators manage people from the web pages; every change is audited."""

from __future__ import annotations

from cafpedia.accounts.people import find_user
from cafpedia.core.audit import AuditEntry
from cafpedia.extensions import db


def text_of(response) -> str:
    return response.get_data(as_text=True)


def audit_entries(action: str) -> list[AuditEntry]:
    return db.session.query(AuditEntry).filter_by(action=action).order_by(AuditEntry.id).all()


def new_person(**overrides):
    data = {
        "username": "sam.jones",
        "name": "Sam Jones",
        "email": "sam@example.org",
        "roles": ["practitioner"],
        "password": "first-password-123",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_person_who_can_sign_in(admin_client, make_area):
    make_area("adoption")
    response = admin_client.post_form(
        "/admin/people/new", new_person(roles=["practitioner", "expert"], areas=["adoption"])
    )
    assert response.status_code == 302
    user = find_user("sam.jones")
    assert user.roles == {"practitioner", "expert"}
    assert [a.slug for a in user.areas] == ["adoption"]
    entry = audit_entries("user.create")[-1]
    assert entry.actor_name == "ada.admin" and entry.object_ref == "sam.jones"
    assert entry.after["roles"] == ["expert", "practitioner"]
    admin_client.sign_out()
    assert admin_client.sign_in("sam.jones", "first-password-123").status_code == 302


def test_bad_input_is_named_and_nothing_is_written(admin_client, make_user):
    make_user("taken.name")
    cases = [
        (new_person(username="taken.name"), "There is already an account called taken.name"),
        (new_person(username="Bad Name!"), "lower-case letters"),
        (new_person(email="not-an-email"), "Enter a valid email address"),
        (new_person(name="x" * 121), "at most 120 characters"),
        (new_person(roles=["wizard"]), "not a valid choice"),
        (new_person(roles=[]), "Choose at least one role"),
        (new_person(password="short"), "at least 10 characters"),
        (new_person(areas=["no-such-area"]), "not a valid choice"),
    ]
    before = db.session.query(AuditEntry).count()
    for data, message in cases:
        response = admin_client.post_form("/admin/people/new", data)
        assert response.status_code == 400, message
        assert message in text_of(response), message
        assert "There is a problem" in text_of(response)
    db.session.expire_all()
    assert find_user("sam.jones") is None
    assert db.session.query(AuditEntry).count() == before


def test_admin_changes_roles_with_before_and_after_in_the_audit_log(admin_client, make_user):
    make_user("sam.jones")
    response = admin_client.post_form(
        "/admin/people/sam.jones", {"name": "Sam Jones-Patel", "email": "", "roles": ["practitioner", "legal_editor"]}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert find_user("sam.jones").roles == {"practitioner", "legal_editor"}
    entry = audit_entries("user.update")[-1]
    assert entry.before["roles"] == ["practitioner"]
    assert entry.after["roles"] == ["legal_editor", "practitioner"]
    assert entry.before["name"] == "Sam Jones" and entry.after["name"] == "Sam Jones-Patel"
    page = text_of(admin_client.get("/admin/audit?action=user.update"))
    assert "Sam Jones-Patel" in page and "legal_editor" in page


def test_admin_cannot_remove_own_admin_role_or_deactivate_self(admin_client):
    response = admin_client.post_form("/admin/people/ada.admin", {"name": "Ada", "roles": ["practitioner"]})
    assert response.status_code == 400
    assert "cannot remove your own administrator role" in text_of(response)
    response = admin_client.post_form("/admin/people/ada.admin/active", {"active": "0"}, follow_redirects=True)
    assert "cannot deactivate your own account" in text_of(response)
    db.session.expire_all()
    assert find_user("ada.admin").active and "admin" in find_user("ada.admin").roles


def test_deactivate_and_reactivate(admin_client, make_user):
    make_user("sam.jones")
    admin_client.post_form("/admin/people/sam.jones/active", {"active": "0"})
    db.session.expire_all()
    assert not find_user("sam.jones").active
    admin_client.post_form("/admin/people/sam.jones/active", {"active": "1"})
    db.session.expire_all()
    assert find_user("sam.jones").active
    assert [e.action for e in audit_entries("user.deactivate") + audit_entries("user.reactivate")] == [
        "user.deactivate",
        "user.reactivate",
    ]


def test_reset_password_unlocks_and_is_audited(admin_client, make_user):
    from cafpedia.core.clock import utcnow

    user = make_user("sam.jones")
    user.locked_until = utcnow().replace(year=utcnow().year + 1)
    db.session.commit()
    short = admin_client.post_form("/admin/people/sam.jones/password", {"password": "short"})
    assert short.status_code == 400 and "at least 10 characters" in text_of(short)
    response = admin_client.post_form("/admin/people/sam.jones/password", {"password": "a-fresh-password"})
    assert response.status_code == 302
    db.session.expire_all()
    assert find_user("sam.jones").locked_until is None
    entry = audit_entries("user.password_reset")[-1]
    assert entry.before is None and entry.after is None  # never the hash
    admin_client.sign_out()
    assert admin_client.sign_in("sam.jones", "a-fresh-password").status_code == 302


def test_people_list_filters(admin_client, make_user):
    make_user("sam.jones", ["legal_editor"])
    make_user("kim.lee", ["practitioner"], active=False)
    page = text_of(admin_client.get("/admin/people?role=legal_editor"))
    assert "sam.jones" in page and "kim.lee" not in page
    page = text_of(admin_client.get("/admin/people?status=deactivated"))
    assert "kim.lee" in page and "sam.jones" not in page
    page = text_of(admin_client.get("/admin/people?q=SAM"))
    assert "sam.jones" in page and "kim.lee" not in page
    assert admin_client.get("/admin/people?role=nonsense&q=" + "x" * 500).status_code == 200


def test_audit_log_filters_and_rejects_bad_dates(admin_client, make_user):
    make_user("sam.jones")
    admin_client.post_form("/admin/people/sam.jones/active", {"active": "0"})
    page = text_of(admin_client.get("/admin/audit?actor=ada.admin"))
    assert "<strong>user.deactivate</strong>" in page
    page = text_of(admin_client.get("/admin/audit?action=user.create&q=sam"))
    assert "<strong>sam.jones</strong>" in page and "<strong>user.deactivate</strong>" not in page
    page = text_of(admin_client.get("/admin/audit?since=2000-01-01&until=2000-01-02"))
    assert "No entries match" in page
    response = admin_client.get("/admin/audit?since=yesterday&page=-3")
    assert response.status_code == 400
    assert "“yesterday” is not a date: write it as YYYY-MM-DD" in text_of(response)
