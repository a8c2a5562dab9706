"""audit.jsonl: the audit trail travels with the content, chain and all (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cafpedia.cli.installation import upgrade_database
from cafpedia.config import DEFAULT_CONTENT_DIR
from cafpedia.content.loader import ContentError, export_folder, load_folder
from cafpedia.core import audit, audit_chain
from cafpedia.core.audit import AuditEntry
from cafpedia.extensions import db

_EXPORTED: dict[str, Path] = {}  # built once per test session (and xdist worker), copied per test


@pytest.fixture
def exported(make_app, tmp_path, tmp_path_factory) -> Path:
    """The demo content, loaded into another installation (SQLite) and exported with its trail:
    built once, then a copy of it for each test, which may change its copy."""
    if "folder" not in _EXPORTED:
        built = tmp_path_factory.mktemp("exported-demo")
        source = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{built / 'source.sqlite3'}")
        with source.app_context():
            upgrade_database()
            load_folder(DEFAULT_CONTENT_DIR)
            db.session.commit()
            audit.record(
                None, "test.after_load", "thing", "ünïcode “quotes”", before={"a": 1}, after={"a": 2, "b": [1, "x"]}
            )
            db.session.commit()
            export_folder(built / "exported")
            db.session.remove()
        _EXPORTED["folder"] = built / "exported"
    folder = tmp_path / "exported"
    shutil.copytree(_EXPORTED["folder"], folder)
    return folder


def lines(folder: Path) -> list[str]:
    return (folder / "audit.jsonl").read_text(encoding="utf-8").splitlines()


def test_load_into_an_empty_installation_keeps_the_trail_exactly(app, exported, tmp_path):
    written = lines(exported)
    assert len(written) > 50 and json.loads(written[0])["prev_hash"] == ""
    ctx = load_folder(exported)
    db.session.commit()
    assert ctx.counts[("audit entries", "loaded")] == len(written)
    assert audit_chain.entry_count() == len(written)  # the load's own entries were not added
    assert audit_chain.verify().intact
    export_folder(tmp_path / "again")
    assert (tmp_path / "again" / "audit.jsonl").read_bytes() == (exported / "audit.jsonl").read_bytes()

    newest = audit.record(None, "test.next", "thing", "next")  # the chain goes on from the trail brought in
    db.session.commit()
    assert newest.id == json.loads(written[-1])["id"] + 1 and newest.prev_hash == json.loads(written[-1])["hash"]
    assert audit_chain.verify().intact


@pytest.mark.parametrize(
    "change, line, field",
    [
        (lambda rows: rows[2].update(summary="nothing happened"), 3, "hash"),
        (lambda rows: rows.pop(2), 3, "prev_hash"),
        (lambda rows: rows[0].update(prev_hash="0" * 64), 1, "prev_hash"),
        (lambda rows: rows[4].pop("actor_name"), 5, None),
        (lambda rows: rows[1].update(at="2026-02-30T10:00:00"), 2, "at"),
    ],
)
def test_a_trail_that_does_not_chain_is_refused_with_its_line_and_nothing_is_written(
    app, exported, change, line, field
):
    rows = [json.loads(text) for text in lines(exported)]
    change(rows)
    (exported / "audit.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(ContentError) as refused:
        load_folder(exported)
    db.session.rollback()
    problems = [p for p in refused.value.problems if p.file == "audit.jsonl"]
    assert [(p.line, p.field) for p in problems] == [(line, field)], problems
    assert audit_chain.entry_count() == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_a_line_that_is_not_json_is_named(app, exported):
    text = lines(exported)
    text[3] = "{not json"
    (exported / "audit.jsonl").write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"audit.jsonl:4: not a JSON object"):
        load_folder(exported)
    db.session.rollback()


def test_into_an_installation_with_its_own_trail_the_file_is_left_out_with_a_warning(app, exported, make_user):
    make_user("someone.here")  # this installation's own first entry
    ctx = load_folder(exported)
    db.session.commit()
    assert any("not loaded: this installation has an audit trail of its own" in str(w) for w in ctx.warnings)
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.summary == "cafpedia load")) > 0
    )
    assert audit_chain.verify().intact
