"""Administrators manage people from the web pages; every change is audited."""

from __future__ import annotations

import re

from cafpedia.accounts.people import find_user
from cafpedia.core.audit import AuditEntry
from cafpedia.extensions import db
from cafpedia.mail.models import MailMessage


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
    }
    data.update(overrides)
    return data


def invitation_mails() -> list[MailMessage]:
    return db.session.query(MailMessage).filter_by(kind="invitation").order_by(MailMessage.id).all()


def test_admin_adds_a_person_without_making_up_a_password_and_invites_them(app, admin_client, make_area):
    make_area("adoption")
    form = text_of(admin_client.get("/admin/people/new"))
    assert 'type="password"' not in form  # no first password to make up
    assert "checked" in re.search(r'<input[^>]*name="invite"[^>]*>', form).group(0)  # on by default
    response = admin_client.post_form(
        "/admin/people/new", new_person(roles=["practitioner", "expert"], areas=["adoption"], invite="y")
    )
    assert response.status_code == 302
    assert "An invitation to set a password is on its way to sam@example.org" in text_of(
        admin_client.get(response.location)
    )
    user = find_user("sam.jones")
    assert user.roles == {"practitioner", "expert"} and user.password_hash is None  # none until the invitation
    assert [a.slug for a in user.areas] == ["adoption"]
    entry = audit_entries("user.create")[-1]
    assert entry.actor_name == "ada.admin" and entry.object_ref == "sam.jones"
    assert entry.after["roles"] == ["expert", "practitioner"]
    [mail] = invitation_mails()  # through the outbox, sent after the commit
    assert mail.to_addr == "sam@example.org"
    link = re.search(r"/invitation/[A-Za-z0-9_-]+", mail.body_text).group(0)
    admin_client.sign_out()
    assert admin_client.post_form(link, {"password": "a-chosen-passphrase"}).status_code == 302
    admin_client.sign_out()
    assert admin_client.sign_in("sam.jones", "a-chosen-passphrase").status_code == 302


def test_an_admin_can_add_a_person_and_invite_them_later(admin_client):
    response = admin_client.post_form("/admin/people/new", new_person())  # the box unticked
    assert response.status_code == 302
    assert "cannot sign in until they accept an invitation" in text_of(admin_client.get(response.location))
    assert find_user("sam.jones").password_hash is None and invitation_mails() == []


def test_an_invitation_needs_an_email_address_and_then_nothing_is_created(admin_client):
    response = admin_client.post_form("/admin/people/new", new_person(email="", invite="y"))
    assert response.status_code == 400
    assert "Enter their email address: the invitation goes there." in text_of(response)
    db.session.expire_all()
    assert find_user("sam.jones") is None and invitation_mails() == []


def test_bad_input_is_named_and_nothing_is_written(admin_client, make_user):
    make_user("taken.name")
    cases = [
        (new_person(username="taken.name"), "There is already an account called taken.name"),
        (new_person(username="Bad Name!"), "lower-case letters"),
        (new_person(email="not-an-email"), "Enter a valid email address"),
        (new_person(name="x" * 121), "at most 120 characters"),
        (new_person(name="Sam\nJones"), "Write the name on one line"),
        (new_person(name="Sam\tJones"), "Write the name on one line"),
        (new_person(name="Sam\u2028Jones"), "Write the name on one line"),
        (new_person(roles=["wizard"]), "not a valid choice"),
        (new_person(roles=[]), "Choose at least one role"),
        (new_person(email="", invite="y"), "Enter their email address"),
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


def test_reset_password_unlocks_and_is_audited(app, admin_client, make_user):
    from tests.conftest import Client

    make_user("sam.jones")
    someone = Client(app.test_client())
    for _ in range(5):
        someone.sign_in("sam.jones", "wrong-password")
    assert "password sign-ins from 127.0.0.1" in text_of(admin_client.get("/admin/people/sam.jones"))
    short = admin_client.post_form("/admin/people/sam.jones/password", {"password": "short"})
    assert short.status_code == 400 and "at least 10 characters" in text_of(short)
    response = admin_client.post_form("/admin/people/sam.jones/password", {"password": "a-fresh-password"})
    assert response.status_code == 302
    assert "password sign-ins from" not in text_of(admin_client.get("/admin/people/sam.jones"))
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


def test_a_name_changed_to_two_lines_is_refused_next_to_its_field(admin_client, make_user):
    make_user("sam.jones", name="Sam Jones")
    response = admin_client.post_form(
        "/admin/people/sam.jones", {"name": "Sam\r\nJones", "email": "", "roles": ["practitioner"]}
    )
    assert response.status_code == 400 and "Write the name on one line" in text_of(response)
    assert 'aria-describedby="name-error' in text_of(response) or 'id="name-error"' in text_of(response)
    db.session.expire_all()
    assert find_user("sam.jones").name == "Sam Jones"
