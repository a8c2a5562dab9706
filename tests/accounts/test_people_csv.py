"""People from an HR export in CSV: all or nothing, every problem named with its line."""

from __future__ import annotations

from cafpedia.accounts.people import find_user
from cafpedia.extensions import db

HEADER = "username,name,email,roles,areas\n"


def test_people_are_created_and_updated(app, runner, make_user, make_area, tmp_path):
    make_area("contact", "Contact")
    make_area("adoption", "Adoption")
    make_user("old.hand", ["practitioner"], name="Old Hand", email="old.hand@example.org")
    path = tmp_path / "hr.csv"
    path.write_text(
        HEADER + "New.Starter,New Starter,new.starter@example.org,practitioner,contact\n"
        'lead.person,"Person, Lead",lead.person@example.org,lead_manager;practitioner,contact|adoption\n'
        "old.hand,Old Hand,old.hand@example.org,practitioner,\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import-people", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 new, 0 updated, 1 unchanged" in result.output
    lead = find_user("lead.person")
    assert (
        lead.name == "Person, Lead"
        and lead.roles == {"lead_manager", "practitioner"}
        and [a.slug for a in lead.areas] == ["contact", "adoption"]
    )
    assert find_user("new.starter").password_hash is None  # invited later
    path.write_text(HEADER + "old.hand,Old Hand,old.hand@cafcass.example,practitioner,adoption\n", encoding="utf-8")
    assert "0 new, 1 updated" in runner.invoke(args=["import-people", str(path)]).output
    assert find_user("old.hand").email == "old.hand@cafcass.example"


def test_every_problem_is_named_with_its_line_and_nothing_is_written(app, runner, make_user, make_area, tmp_path):
    make_area("contact", "Contact")
    make_user("taken.address", ["practitioner"], email="taken@example.org")
    path = tmp_path / "hr.csv"
    path.write_text(
        HEADER + "good.one,Good One,good.one@example.org,practitioner,contact\n"
        "twice,Twice,twice@example.org,practitioner,\n"
        "twice,Twice Again,twice2@example.org,practitioner,\n"
        "wrong.role,Wrong Role,wrong.role@example.org,wizard,contact\n"
        "wrong.area,Wrong Area,wrong.area@example.org,practitioner,nowhere\n"
        "same.mail,Same Mail,taken@example.org,practitioner,\n"
        "bad name!,Bad Name,bad@example.org,practitioner,\n"
        "extra,Extra,extra@example.org,practitioner,contact,unexpected\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import-people", str(path)])
    assert result.exit_code == 1
    out = result.output
    assert "Nothing was imported" in out
    assert "line 4: username twice is also on line 3" in out
    assert "line 5: roles:" in out and "wizard" in out
    assert "line 6: areas: Unknown area nowhere" in out
    assert "line 7: email: taken@example.org is already the address of taken.address" in out
    assert "line 8: username:" in out
    assert "line 9: more cells than the 5 columns" in out
    db.session.expire_all()
    assert find_user("good.one") is None  # all or nothing


def test_a_file_without_the_columns_or_not_utf8(app, runner, tmp_path):
    path = tmp_path / "hr.csv"
    path.write_text("user,full name\nx,y\n", encoding="utf-8")
    result = runner.invoke(args=["import-people", str(path)])
    assert (
        result.exit_code == 1
        and "line 1: the first line names the columns username, name, email, roles, areas; missing: username, name"
        in result.output
    )
    path.write_bytes(HEADER.encode() + "jos\xe9,Jos\xe9,j@example.org,practitioner,\n".encode("latin-1"))
    result = runner.invoke(args=["import-people", str(path)])
    assert result.exit_code == 1 and "is not UTF-8 text" in result.output


def test_the_import_page(admin_client, make_area):
    import io

    make_area("contact", "Contact")
    good = HEADER + "page.person,Page Person,page.person@example.org,practitioner,contact\n"
    done = admin_client.post_form(
        "/admin/people/import", {"file": (io.BytesIO(good.encode()), "hr.csv")}, content_type="multipart/form-data"
    )
    assert done.status_code == 200 and find_user("page.person") is not None
    assert "1 new, 0 updated, 0 unchanged" in done.get_data(as_text=True)
    bad = HEADER + "other.person,Other,other@example.org,wizard,\n"
    refused = admin_client.post_form(
        "/admin/people/import", {"file": (io.BytesIO(bad.encode()), "hr.csv")}, content_type="multipart/form-data"
    )
    assert refused.status_code == 400 and "line 2: roles:" in refused.get_data(as_text=True)
    empty = admin_client.post_form("/admin/people/import", {}, content_type="multipart/form-data")
    assert empty.status_code == 400 and "Choose the CSV file to import." in empty.get_data(as_text=True)


def test_a_name_with_a_line_break_or_a_tab_is_refused_with_its_line_and_column(app, runner, tmp_path):
    path = tmp_path / "hr.csv"
    path.write_text(
        HEADER + "good.one,Good One,good.one@example.org,practitioner,\n"
        '"two.lines","Two\nLines",two.lines@example.org,practitioner,\n'  # lines 3 and 4: one person
        "a.tab,A\tTab,a.tab@example.org,practitioner,\n"
        "a.separator,A\u2028Separator,a.separator@example.org,practitioner,\n"
        '"bad.mail",Bad Mail,"bad\n@example.org",practitioner,\n',
        encoding="utf-8",
    )
    result = runner.invoke(args=["import-people", str(path)])
    assert result.exit_code == 1, result.output
    out = result.output
    assert "line 3: name: Write the name on one line" in out  # the line the person starts on
    assert "line 5: name: Write the name on one line" in out
    assert "line 6: name: Write the name on one line" in out
    assert "line 7: email: Write the email address on one line" in out
    db.session.expire_all()
    assert find_user("good.one") is None and find_user("two.lines") is None


def test_after_an_import_one_button_invites_those_who_have_not_signed_in_yet(admin_client, make_user, clock):
    import io
    import re

    from cafpedia.mail.models import MailMessage

    make_user("has.password", ["practitioner"], email="has.password@example.org")
    signed_in = make_user("signed.in", ["practitioner"], email="signed.in@example.org", password=None)
    signed_in.last_sign_in_at = clock.now()  # through the identity provider, say
    db.session.commit()
    text = (
        HEADER + "first.new,First New,first.new@example.org,practitioner,\n"
        "second.new,Second New,second.new@example.org,practitioner,\n"
        "no.address,No Address,,practitioner,\n"
        "has.password,Has Password,has.password@example.org,practitioner,\n"
        "signed.in,Signed In,signed.in@example.org,practitioner,\n"
    )
    done = admin_client.post_form(
        "/admin/people/import", {"file": (io.BytesIO(text.encode()), "hr.csv")}, content_type="multipart/form-data"
    )
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and "3 new, 0 updated, 2 unchanged" in page
    assert "Invite the 2 people imported who have not signed in yet" in page
    usernames = re.findall(r'name="username" value="([^"]+)"', page)
    assert usernames == ["first.new", "second.new"]
    assert admin_client.raw.post("/admin/people/import/invite", data={"username": usernames}).status_code == 400
    assert db.session.query(MailMessage).filter_by(kind="invitation").count() == 0  # no CSRF token: nothing
    invited = admin_client.post_form("/admin/people/import/invite", {"username": usernames}, follow_redirects=True)
    assert "2 invitations queued in the mail outbox: first.new, second.new." in invited.get_data(as_text=True)
    mails = db.session.query(MailMessage).filter_by(kind="invitation").order_by(MailMessage.to_addr).all()
    assert [m.to_addr for m in mails] == ["first.new@example.org", "second.new@example.org"]
    # Sent again, the same form invites only those still without a password, each afresh.
    again = admin_client.post_form(
        "/admin/people/import/invite", {"username": [*usernames, "has.password", "nobody.at.all"]}
    )
    assert again.status_code == 302
    assert db.session.query(MailMessage).filter_by(kind="invitation").count() == 4
