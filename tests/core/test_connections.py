"""PostgreSQL connections (core.connections): a transaction that only read ends with COMMIT, so
the statements a page runs on every request stay prepared; one that wrote, or failed, is
rolled back as before; a connection is checked before use only when idle for a while or when
the server has said something on it, and one the server cut is replaced before use."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.exc import DBAPIError

from cafpedia.areas.models import PracticeArea
from cafpedia.core import connections
from cafpedia.extensions import db
from tests.conftest import PG_ADMIN_URL, Client

pytestmark = pytest.mark.postgres
TIP = "applying-the-welfare-checklist-in-your-analysis"


@pytest.fixture(autouse=True)
def postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's connections (SQLite has no network and prepares nothing)")


def session_pid() -> int:
    return db.session.scalar(text("SELECT pg_backend_pid()"))


def prepared_statements() -> list[str]:
    return list(db.session.scalars(text("SELECT statement FROM pg_prepared_statements")))


def test_the_statements_of_a_page_stay_prepared_from_one_request_to_the_next(app, demo_content):
    db.session.remove()
    reader = Client(app.test_client())
    reader.sign_in("demo.fca", "cafpedia-demo")
    for _ in range(8):  # psycopg prepares a statement at its fifth use on a connection
        assert reader.get(f"/tips/{TIP}").status_code == 200
        db.session.remove()  # the request's end, as under gunicorn (here the test's app context is shared)
    # The pool's one connection: each request ended its transaction, with COMMIT.
    # The page's one statement: the person, with the reader's state on the tip.
    assert any("user_sessions" in s and "tip_votes" in s for s in prepared_statements())


def test_a_transaction_that_wrote_is_rolled_back(app, make_area):
    make_area("quokka-law", "Quokka law")
    db.session.commit()
    db.session.execute(update(PracticeArea).where(PracticeArea.slug == "quokka-law").values(title="Changed"))
    db.session.rollback()
    assert db.session.scalar(select(PracticeArea.title).where(PracticeArea.slug == "quokka-law")) == "Quokka law"


def test_a_transaction_that_only_read_ends_alike_and_one_in_error_is_rolled_back(app, make_area):
    make_area("quokka-law", "Quokka law")
    db.session.commit()
    assert db.session.scalar(select(PracticeArea.title).where(PracticeArea.slug == "quokka-law")) == "Quokka law"
    db.session.rollback()  # ended with COMMIT: nothing to undo
    with pytest.raises(DBAPIError):
        db.session.execute(text("SELECT 1 / 0"))
    db.session.rollback()
    assert db.session.scalar(text("SELECT 1")) == 1


def test_a_connection_the_server_cut_is_replaced_before_use(app):
    cut = session_pid()
    db.session.remove()  # back in the pool, used a moment ago
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            assert conn.scalar(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": cut})
    finally:
        admin.dispose()
    assert session_pid() != cut  # no error: found before use, and replaced


def test_a_connection_in_steady_use_is_not_asked_first(app, monkeypatch):
    asked = []
    dialect = db.engine.dialect
    real_ping = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda connection: asked.append(1) or real_ping(connection))
    session_pid()
    db.session.remove()
    session_pid()
    db.session.remove()
    assert asked == []

    monkeypatch.setattr(connections, "IDLE_PING_SECONDS", 0.0)  # as if idle for long
    session_pid()
    assert asked == [1]
