"""The audit trail shows tampering: a hash chain, `cafpedia audit verify`, and on PostgreSQL a
trigger that refuses UPDATE and DELETE. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from cafpedia.core import audit, audit_chain
from cafpedia.core.audit import AuditChainHead, AuditEntry
from cafpedia.extensions import db


def write(n: int, *, start: int = 0) -> list[AuditEntry]:
    entries = [
        audit.record(
            None,
            "test.thing",
            "thing",
            f"thing-{start + i}",
            summary=f"Thing {start + i} – “quoted”",
            after={"n": start + i, "names": ["é", "ß"]},
        )
        for i in range(n)
    ]
    db.session.commit()
    return entries


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def behind_the_apps_back(sql: str, **params) -> None:
    """What someone with the database's password could do (on PostgreSQL, first turning the
    trigger off, as its owner could)."""
    with db.engine.begin() as connection:
        if is_postgres():
            connection.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_are_final"))
        connection.execute(text(sql), params)
        if is_postgres():
            connection.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_are_final"))
    db.session.expire_all()


def test_each_entry_carries_the_hash_of_the_one_before(app):
    entries = write(3)
    assert entries[0].prev_hash == "" and all(len(e.entry_hash) == 64 for e in entries)
    assert [e.prev_hash for e in entries[1:]] == [e.entry_hash for e in entries[:-1]]
    assert entries[1].entry_hash == audit.entry_digest(entries[0].entry_hash, audit.fields_of(entries[1]))
    assert db.session.get(AuditChainHead, 1).last_hash == entries[-1].entry_hash
    report = audit_chain.verify()
    assert report.intact and report.entries == 3


def test_a_rolled_back_change_leaves_the_chain_whole(app):
    write(2)
    audit.record(None, "test.thing", "thing", "never")
    db.session.flush()
    db.session.rollback()
    write(1, start=5)
    assert audit_chain.verify().intact


def test_several_entries_in_one_transaction_and_in_several_flushes_chain_in_order(app):
    audit.record(None, "test.a", "thing", "a")
    audit.record(None, "test.b", "thing", "b")
    db.session.flush()
    audit.record(None, "test.c", "thing", "c")
    db.session.commit()
    entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["test.a", "test.b", "test.c"]
    assert audit_chain.verify().intact


@pytest.mark.parametrize(
    "tampering, names",
    [
        ("UPDATE audit_entries SET summary = 'nothing to see' WHERE object_ref = 'thing-2'", "thing-2"),
        ("UPDATE audit_entries SET at = '2020-01-01 00:00:00' WHERE object_ref = 'thing-1'", "thing-1"),
        ("DELETE FROM audit_entries WHERE object_ref = 'thing-2'", "thing-3"),
    ],
)
def test_a_row_changed_behind_the_apps_back_is_found_and_named(app, runner, tampering, names):
    ids = {e.object_ref: e.id for e in write(5)}
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    behind_the_apps_back(tampering)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert f"entry {ids[names]} (test.thing, thing {names}" in result.output
    report = audit_chain.last_verification()
    assert not report.intact and report.first_bad_id == ids[names]


def test_removing_the_newest_entries_is_found(app, runner):
    write(4)
    behind_the_apps_back("DELETE FROM audit_entries WHERE object_ref = 'thing-3'")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "The log has 3 entries, but 4 were written" in result.output


def test_the_audit_log_page_says_when_the_chain_was_verified(app, admin_client, runner):
    page = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "The chain has not been verified yet" in page
    runner.invoke(args=["audit", "verify"])
    page = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "Chain verified at" in page and "entries are intact" in page
    behind_the_apps_back("UPDATE audit_entries SET summary = 'changed' WHERE id = (SELECT MIN(id) FROM audit_entries)")
    runner.invoke(args=["audit", "verify"])
    assert "The audit chain is broken" in admin_client.get("/admin/audit").get_data(as_text=True)


def test_the_worker_verifies_the_chain_once_a_day(app, clock):
    write(2)
    assert audit_chain.verify_if_due().intact
    assert audit_chain.verify_if_due() is None
    clock.advance(days=1, minutes=1)
    assert audit_chain.verify_if_due() is not None


def test_an_administrators_sign_in_is_audited(app, client, make_user):
    make_user("ada.admin", ["admin"])
    make_user("jo.smith")
    client.sign_in("ada.admin")
    client.sign_out()
    client.sign_in("jo.smith")
    signed_in = db.session.scalars(db.select(AuditEntry.object_ref).where(AuditEntry.action == "user.sign_in")).all()
    assert signed_in == ["ada.admin"]


@pytest.mark.postgres
@pytest.mark.parametrize("statement", ["UPDATE audit_entries SET summary = 'changed'", "DELETE FROM audit_entries"])
def test_postgresql_refuses_to_change_or_delete_an_entry(app, statement):
    if not is_postgres():
        pytest.skip("the trigger is PostgreSQL's")
    write(2)
    with pytest.raises(DBAPIError, match="audit entries are never changed or deleted"), db.engine.begin() as connection:
        connection.execute(text(statement))
    assert audit_chain.verify().intact


@pytest.mark.postgres
def test_writers_in_several_connections_at_once_keep_one_chain(app):
    if not is_postgres():
        pytest.skip("PostgreSQL: several connections write at once")
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer(number: int) -> None:
        try:
            with app.app_context():
                start.wait()
                for i in range(10):
                    audit.record(None, "test.thing", "thing", f"w{number}-{i}")
                    db.session.commit()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = audit_chain.verify()
    assert report.intact and report.entries == 40
