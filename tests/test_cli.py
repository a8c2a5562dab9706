"""The `cafpedia` command line: init, load, export, create-user (a contract for other tools)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cafpedia.accounts.people import find_user
from cafpedia.areas.services import list_areas
from cafpedia.config import DEFAULT_CONTENT_DIR
from cafpedia.extensions import db


def test_init_loads_demo_content_once_and_prints_sign_ins(app, runner):
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert "loaded" in result.output and "areas: 16 new" in result.output
    assert "demo.admin" in result.output and "password: cafpedia-demo" in result.output
    assert len(list_areas()) == 16
    again = runner.invoke(args=["init"])
    assert again.exit_code == 0
    assert "already holds content" in again.output
    assert len(list_areas()) == 16


def test_init_without_demo(app, runner):
    result = runner.invoke(args=["init", "--no-demo"])
    assert result.exit_code == 0, result.output
    assert list_areas() == []


def test_load_reports_every_problem_and_exits_non_zero(app, runner, tmp_path):
    (tmp_path / "users.yml").write_text(
        "- username: jo.smith\n  name: Jo\n  roles: [wizard]\n- username: x\n  name: X\n  roles: [admin]\n"
    )
    result = runner.invoke(args=["load", str(tmp_path)])
    assert result.exit_code == 1
    assert "Nothing was loaded: 2 problem(s)" in result.output
    assert "unknown role wizard" in result.output and "users.yml:4: field 'username'" in result.output
    assert find_user("jo.smith") is None


def test_load_export_round_trip_through_the_command_line(app, runner, tmp_path):
    assert runner.invoke(args=["load", str(DEFAULT_CONTENT_DIR)]).exit_code == 0
    again = runner.invoke(args=["load", str(DEFAULT_CONTENT_DIR)])
    counts = again.output.split(": ", 1)[1]  # after "Loaded <folder>:", whatever the folder is called
    assert "16 unchanged" in counts and " new" not in counts
    result = runner.invoke(args=["export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "areas.yml",
        "audit.jsonl",
        "digest",
        "experts",
        "legal",
        "standards.yml",
        "tips",
        "users.yml",
    ]


def test_create_user_reads_the_password_from_standard_input(app, runner):
    runner.invoke(args=["load", str(DEFAULT_CONTENT_DIR)])
    result = runner.invoke(
        args=["create-user", "sam.jones", "--role", "lead_manager", "--area", "adoption", "--email", "sam@example.org"],
        input="a-long-enough-password\n",
    )
    assert result.exit_code == 0, result.output
    user = find_user("sam.jones")
    assert user.name == "Sam Jones" and user.roles == {"lead_manager"} and [a.slug for a in user.areas] == ["adoption"]
    client = app.test_client()
    from tests.conftest import Client

    assert Client(client).sign_in("sam.jones", "a-long-enough-password").status_code == 302


def test_create_user_names_bad_input(app, runner):
    result = runner.invoke(args=["create-user", "sam.jones", "--role", "wizard", "--area", "nowhere"], input="short\n")
    assert result.exit_code == 1
    assert "unknown role wizard" in result.output.lower()
    assert "Unknown area nowhere" in result.output
    assert "at least 10 characters" in result.output
    db.session.expire_all()
    assert find_user("sam.jones") is None


@pytest.mark.slow  # `cafpedia init` in a process of its own: migrations, the demo and its index, 8 s
def test_console_script_on_a_fresh_database(tmp_path):
    """The installed `cafpedia` script, as a new user runs it."""
    env = {
        **os.environ,
        "CAFPEDIA_INSTANCE_DIR": str(tmp_path / "instance"),
        "CAFPEDIA_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
    }
    env.pop("CAFPEDIA_SECRET_KEY", None)
    script = Path(sys.executable).with_name("cafpedia")
    result = subprocess.run([str(script), "init"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "areas: 16 new" in result.stdout
    assert (tmp_path / "instance" / "secret_key").exists()
    help_text = subprocess.run([str(script), "--help"], env=env, capture_output=True, text=True, timeout=60).stdout
    for command in ["init", "serve", "load", "export", "create-user"]:
        assert command in help_text


def test_reviews_lists_overdue_tips_by_area_and_lead(app, runner):
    runner.invoke(args=["load", str(DEFAULT_CONTENT_DIR)])
    result = runner.invoke(args=["reviews"])
    assert result.exit_code == 0, result.output
    assert "overdue" in result.output
    assert "Domestic violence (lead manager: Amara Okafor)" in result.output
    assert "OVERDUE  Screen for domestic violence at first contact" in result.output
