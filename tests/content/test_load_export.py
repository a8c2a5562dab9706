"""The content contract: all-or-nothing loads that name every problem, and lossless export."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cafpedia.accounts.people import find_user
from cafpedia.areas.services import find_area, list_areas
from cafpedia.config import DEFAULT_CONTENT_DIR
from cafpedia.content.loader import ContentError, export_folder, load_folder
from cafpedia.core.audit import AuditEntry
from cafpedia.extensions import db
from cafpedia.standards import services as standards


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text.lstrip("\n"), encoding="utf-8")


def demo_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, folder)
    return folder


def load_problems(folder: Path) -> list[str]:
    with pytest.raises(ContentError) as raised:
        load_folder(folder)
    db.session.rollback()
    return [str(p) for p in raised.value.problems]


def test_demo_content_loads_everything(app, demo_content):
    assert len(list_areas()) == 16
    assert len(standards.current_version().clauses) == 64
    admin = find_user("demo.admin")
    assert admin.demo and "admin" in admin.roles and admin.password_hash
    roles = set().union(
        *(
            find_user(u).roles
            for u in [
                "demo.admin",
                "demo.fca",
                "research.coordinator",
                "legal.editor",
                "register.admin",
                "demo.expert",
                "amara.okafor",
            ]
        )
    )
    assert roles == {
        "practitioner",
        "lead_manager",
        "research_coordinator",
        "legal_editor",
        "register_admin",
        "expert",
        "admin",
    }
    for area in list_areas():
        assert area.lead is not None and area.deputies, area.slug


def test_loading_twice_changes_nothing(app, demo_content):
    entries = db.session.query(AuditEntry).count()
    ctx = load_folder(DEFAULT_CONTENT_DIR)
    db.session.commit()
    assert db.session.query(AuditEntry).count() == entries
    assert {outcome for (_, outcome) in ctx.counts} == {"unchanged"}


def test_export_then_load_into_empty_then_export_is_identical(app, make_app, demo_content, tmp_path):
    first = tmp_path / "first"
    export_folder(first)
    # An empty installation: the other database backend's template would do; use a fresh SQLite.
    from cafpedia.cli.installation import upgrade_database

    other = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with other.app_context():
        upgrade_database()
        load_folder(first)
        db.session.commit()
        second = tmp_path / "second"
        export_folder(second)
    names = sorted(str(p.relative_to(first)) for p in first.rglob("*") if p.is_file())
    assert names == sorted(str(p.relative_to(second)) for p in second.rglob("*") if p.is_file())
    assert {"areas.yml", "standards.yml", "users.yml"} <= set(names)
    assert len([n for n in names if n.startswith("tips/")]) >= 40
    for name in names:
        assert (first / name).read_text() == (second / name).read_text(), name
    users = (first / "users.yml").read_text()
    assert "password" not in users and "demo: true" in users


def test_every_problem_is_named_with_file_line_and_field_and_nothing_is_written(app, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    write(
        folder,
        "areas.yml",
        """
- slug: adoption
  title: Adoption
  lead: no.such.user
  deputies: []
- slug: Adoption Two
  title: Adoption again
- slug: contact
  title: Contact
  colour: blue
""",
    )
    write(
        folder,
        "users.yml",
        """
- username: jo.smith
  name: Jo Smith
  email: jo@example.org
  roles: [practitioner, wizard]
  areas: [adoption, nowhere]
- username: real.person
  name: Real Person
  roles: [admin]
  password: secret-in-a-file
- username: jo.smith
  name: Jo Again
  roles: [practitioner]
- username: two.lines
  name: "Two\\nLines"
  roles: [practitioner]
""",
    )
    problems = load_problems(folder)
    expected = [
        "areas.yml:5: field 'slug': Use at most 64 lower-case letters",
        "areas.yml:9: area contact: unknown field 'colour'",
        "users.yml:4: field 'roles': unknown role wizard",
        "users.yml:9: field 'password': a password is allowed only for demo accounts",
        "users.yml:10: field 'username': jo.smith is already listed on line 1",
        "users.yml:14: field 'name': Write the name on one line",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)
    assert find_user("jo.smith") is None and find_area("adoption") is None
    assert db.session.query(AuditEntry).count() == 0


def test_references_are_checked_once_the_files_are_valid(app, tmp_path):
    folder = tmp_path / "refs"
    folder.mkdir()
    write(
        folder,
        "areas.yml",
        """
- slug: adoption
  title: Adoption
  lead: no.such.user
  deputies: [jo.smith]
""",
    )
    write(
        folder,
        "users.yml",
        """
- username: jo.smith
  name: Jo Smith
  roles: [practitioner]
  areas: [adoption, nowhere]
""",
    )
    problems = load_problems(folder)
    assert (
        "areas.yml:1: field 'lead': area adoption: unknown user no.such.user (not in users.yml nor in the database)"
        in problems
    )
    assert "areas.yml:1: field 'deputies': area adoption: jo.smith does not hold the lead_manager role" in problems
    assert (
        "users.yml:1: field 'areas': user jo.smith: unknown area nowhere (not in areas.yml nor in the database)"
        in problems
    )
    assert find_user("jo.smith") is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("- slug: adoption\n  title: [unclosed\n", "areas.yml:3: this is not valid YAML"),
        ("- slug: adoption\n  title: A\n  title: B\n", "areas.yml:3: the key 'title' appears twice"),
        ("slug: adoption\n", "areas.yml:1: expected a list of practice areas, found a mapping"),
        ("- just a string\n", "areas.yml:1: item 1: expected a mapping of fields"),
        (
            "- slug: adoption\n  title: " + "x" * 121 + "\n",
            "areas.yml:2: field 'title': area adoption: at most 120 characters allowed, found 121",
        ),
        ("- slug: adoption\n", "areas.yml:1: field 'title': area adoption: this field is required"),
    ],
)
def test_malformed_files_are_reported_with_the_line(app, tmp_path, text, expected):
    folder = tmp_path / "bad"
    folder.mkdir()
    write(folder, "areas.yml", text)
    problems = load_problems(folder)
    assert any(p.startswith(expected) for p in problems), problems


def test_file_that_is_not_utf8(app, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "users.yml").write_bytes(b"- username: caf\xe9\n")
    assert load_problems(folder)[0].startswith("users.yml: the file is not UTF-8 text")


def test_a_missing_folder_is_an_error(app, tmp_path):
    assert load_problems(tmp_path / "nowhere")[0].endswith("there is no such folder")


def test_standards_problems(app, tmp_path):
    folder = tmp_path / "std"
    folder.mkdir()
    write(
        folder,
        "standards.yml",
        """
version: "2030"
clauses:
  - code: "1.1"
    standard: Safeguarding
    summary: One.
    from: 2030-13-01
  - code: "one"
    standard: Safeguarding
    summary: Two.
  - code: "1.1"
    standard: Safeguarding
    summary: Three.
""",
    )
    problems = load_problems(folder)
    assert any(
        "standards.yml:" in p and "field 'from'" in p and "expected a date written YYYY-MM-DD" in p for p in problems
    ), problems
    assert any("field 'code': 'one' is not a clause number" in p for p in problems), problems
    assert any("field 'code': clause 1.1 is already listed on line 3" in p for p in problems), problems


def test_a_standards_version_cannot_lose_clauses_but_a_new_version_can_be_added(app, demo_content, tmp_path):
    folder = tmp_path / "std"
    folder.mkdir()
    write(
        folder,
        "standards.yml",
        """
version: "2007-draft"
clauses:
  - code: "1.1"
    standard: Safeguarding
    summary: Only one clause.
""",
    )
    problems = load_problems(folder)
    assert "a version cannot lose clauses" in problems[0]
    write(
        folder,
        "standards.yml",
        """
versions:
  - version: "2009"
    title: National Standards 2009
    current: true
    clauses:
      - code: "1.1"
        standard: Safeguarding
        summary: Risk is assessed throughout.
        from: 2009-04-01
""",
    )
    load_folder(folder)
    db.session.commit()
    assert standards.current_version().version == "2009"
    assert len(standards.list_versions()) == 2
    out = tmp_path / "out"
    export_folder(out)
    text = (out / "standards.yml").read_text()
    assert text.startswith("versions:") and "current: true" in text


def test_load_updates_what_changed_and_audits_it(app, demo_content, tmp_path):
    folder = demo_copy(tmp_path)
    areas = (folder / "areas.yml").read_text().replace('title: "Adoption"\n', 'title: "Adoption and permanence"\n', 1)
    (folder / "areas.yml").write_text(areas)
    ctx = load_folder(folder)
    db.session.commit()
    assert find_area("adoption").title == "Adoption and permanence"
    assert ctx.counts[("areas", "updated")] == 1 and ctx.counts[("areas", "unchanged")] == 15
    entry = db.session.query(AuditEntry).filter_by(action="area.update").one()
    assert entry.actor_name == "command line"
    assert entry.before["title"] == "Adoption" and entry.after["title"] == "Adoption and permanence"


def test_a_load_cannot_demote_a_lead_or_remove_the_last_admin(app, demo_content, tmp_path):
    folder = tmp_path / "people"
    folder.mkdir()
    write(
        folder,
        "users.yml",
        """
- username: amara.okafor
  name: Amara Okafor
  roles: [practitioner]
  demo: true
- username: demo.admin
  name: Demo Administrator
  roles: [practitioner]
  demo: true
""",
    )
    problems = load_problems(folder)
    assert any("user amara.okafor is lead manager or deputy of" in p for p in problems), problems
    assert any("would leave no active administrator" in p for p in problems), problems
    assert "lead_manager" in find_user("amara.okafor").roles
    write(
        folder,
        "users.yml",
        "- username: weak.demo\n  name: Weak Demo\n  roles: [practitioner]\n  demo: true\n  password: short\n",
    )
    assert load_problems(folder) == ["users.yml:5: field 'password': Use at least 10 characters."]


def test_unquoted_clause_numbers_and_control_characters_are_refused(app, tmp_path):
    folder = tmp_path / "std"
    folder.mkdir()
    write(
        folder, "standards.yml", 'version: "x"\nclauses:\n  - code: 5.10\n    standard: "A\\u0000B"\n    summary: S\n'
    )
    problems = load_problems(folder)
    assert any("write 5.1 in quotes" in p for p in problems), problems
    assert any("control character" in p for p in problems), problems


def test_yaml_with_a_complex_key_is_reported_not_crashed(app, tmp_path):
    folder = tmp_path / "odd"
    folder.mkdir()
    write(folder, "areas.yml", "- ? [a, b]\n  : x\n")
    assert "a key must be a plain word" in load_problems(folder)[0]
