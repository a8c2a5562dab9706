"""Faults while serving: PostgreSQL restarting (connections cut, none accepted for a while)
gives a plain 503 page, never a traceback or a 500, wherever a request meets it (loading the
person, the view, its commit, an error page, an after_request function, the session's end);
a change committed before says it was saved; the app reconnects by itself afterwards and
nothing committed is lost. tests/ops/test_restart_under_load.py does it to the real server."""

from __future__ import annotations

import logging
import sqlite3

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import DBAPIError

from cafpedia.extensions import db
from cafpedia.tips import reading
from tests.conftest import PG_ADMIN_URL, Client
from tests.tips.test_tip_pages import NEW_TIP


@pytest.fixture
def restartable(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("a PostgreSQL restart")
    name = app.config["SQLALCHEMY_DATABASE_URI"].rsplit("/", 1)[1]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")

    def down():
        with admin.connect() as conn:  # what a restart does: every connection cut, new ones refused
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> "
                    "pg_backend_pid()"
                ),
                {"n": name},
            )

    def up():
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))

    yield down, up
    up()
    admin.dispose()


@pytest.mark.postgres
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_postgresql_restart_gives_a_503_page_then_service_resumes(app, client, make_user, make_area, restartable):
    down, up = restartable
    make_user("jo.smith")
    make_area("quokka-law", "Quokka law")
    db.session.commit()
    client.sign_in("jo.smith")
    assert client.get("/areas/quokka-law").status_code == 200
    db.session.remove()
    down()
    for path in ("/areas/quokka-law", "/", "/search?q=quokka"):
        page = client.get(path)
        text_ = page.get_data(as_text=True)
        assert page.status_code == 503, path
        assert "CAFpedia cannot reach its database just now" in text_ and "Traceback" not in text_
        assert page.headers["Retry-After"] == "30"
    assert client.get("/healthz").status_code == 503
    up()
    # Reconnected by itself (the pool checks each connection before use); the area is still there.
    assert client.get("/areas/quokka-law").status_code == 200
    assert client.get("/healthz").get_json()["database"] == {"status": "ok"}


class Outage:
    """The database going away as a restart takes it, at a chosen moment of the next request:
    every connection cut and new ones refused until `end()`. On PostgreSQL for real (the
    database refuses connections, its backends are terminated); on SQLite the engine's
    connections are closed under it and new ones refused, which SQLAlchemy sees as the same
    lost connection."""

    # "statement": before the first statement whose SQL holds `match`; "commit": just before a
    # COMMIT; "after commit": at the first statement after one; "in after_request": an
    # after_request function that reads the database once; "answered": once the answer is made.
    MOMENTS = ("statement", "commit", "after commit", "in after_request", "answered")

    def __init__(self, served):
        self.app = served
        with served.app_context():
            self.engine = db.engine
        self.url = served.config["SQLALCHEMY_DATABASE_URI"]
        self.postgres = self.url.startswith("postgresql")
        self.admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT") if self.postgres else None
        self.moment, self.match, self.down = None, None, False
        self.connections: list = []
        event.listen(
            self.engine, "connect", lambda dbapi_connection, _record: self.connections.append(dbapi_connection)
        )
        event.listen(self.engine, "do_connect", self._refuse)
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._commit)
        served.after_request(self._after_request)

    def at(self, moment: str, match: str = "") -> None:
        assert moment in self.MOMENTS
        self.moment, self.match = moment, match

    def start(self) -> None:
        self.moment, self.down = None, True
        if self.postgres:
            name = self.url.rsplit("/", 1)[1]
            with self.admin.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                        "WHERE datname = :n AND pid <> pg_backend_pid()"
                    ),
                    {"n": name},
                )
        else:
            for connection in self.connections:
                connection.close()

    def end(self) -> None:
        self.down = False
        if self.postgres:
            name = self.url.rsplit("/", 1)[1]
            with self.admin.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        try:  # the test's own session lost its connection too, on PostgreSQL
            db.session.rollback()
        except DBAPIError:
            db.session.remove()

    def _refuse(self, *_args):
        if self.down and not self.postgres:  # PostgreSQL refuses by itself
            raise sqlite3.OperationalError("unable to open database file")

    def _statement(self, _conn, _cursor, statement, *_args):
        if (self.moment == "statement" and self.match in statement) or self.moment == "next statement":
            self.start()

    def _commit(self, _conn):
        if self.moment == "commit":
            self.start()
        elif self.moment == "after commit":
            self.moment = "next statement"

    def _after_request(self, response):
        if self.moment == "answered":
            self.start()
        elif self.moment == "in after_request":
            self.start()
            db.session.execute(text("SELECT 1"))
        return response


@pytest.fixture
def served(make_app):
    """A second app on the test's database, serving as under gunicorn: each request in an app
    context of its own (so the session's teardown runs), errors not propagated to the caller.
    Yields its client and its Outage."""
    found = Outage(make_app(PROPAGATE_EXCEPTIONS=False))
    yield Client(found.app.test_client()), found
    if found.down:
        found.end()
    if found.admin is not None:
        found.admin.dispose()


def requests_answered(endpoint: str, method: str, status: int) -> float:
    return (
        REGISTRY.get_sample_value(
            "cafpedia_http_requests_total", {"endpoint": endpoint, "method": method, "status": str(status)}
        )
        or 0.0
    )


def logged_statuses(caplog) -> list[int]:
    return [record.status for record in caplog.records if record.name == "cafpedia.request"]


LOST = "CAFpedia cannot reach its database just now"


def assert_lost_page(page, *, saved: bool = False) -> str:
    """A 503 page with Retry-After that says whether the change was saved, never a traceback."""
    text_ = page.get_data(as_text=True)
    assert page.status_code == 503, text_[:2000]
    assert page.headers["Retry-After"] == "30"
    assert LOST in text_ and "Traceback" not in text_
    if saved:
        assert "Your change was saved" in text_ and "Do not send it again" in text_ and "try again" not in text_
    else:
        assert "try again" in text_ and "was saved" not in text_
    return text_


@pytest.fixture
def quokka_reader(app, make_user, make_area, served):
    make_user("jo.smith")
    make_area("quokka-law", "Quokka law")
    db.session.commit()
    client, outage = served
    assert client.sign_in("jo.smith").status_code == 302
    assert client.get("/areas/quokka-law").status_code == 200
    return client, outage


@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(
    "moment, match",
    [("statement", "user_sessions"), ("statement", "practice_areas"), ("in after_request", "")],
    ids=["loading the user", "in the view", "in an after_request"],
)
def test_a_connection_lost_while_answering_a_page_gives_a_503_logged_and_counted(quokka_reader, caplog, moment, match):
    client, outage = quokka_reader
    before = requests_answered("areas.show", "GET", 503)
    outage.at(moment, match)
    with caplog.at_level(logging.INFO, logger="cafpedia.request"):
        page = client.get("/areas/quokka-law")
    assert outage.down, "the outage never started"
    assert_lost_page(page)
    assert logged_statuses(caplog) == [503]
    assert requests_answered("areas.show", "GET", 503) == before + 1
    assert client.get("/areas/quokka-law").status_code == 503  # still down: refused at once
    outage.end()
    assert client.get("/areas/quokka-law").status_code == 200  # back by itself


@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_error_page_is_a_503_when_the_database_goes_while_it_is_drawn(quokka_reader, caplog):
    """A form sent without its token is a 400 page; drawing its header asks the database who is
    signed in. With the database gone that is a 503 (it was gunicorn's own 500)."""
    client, outage = quokka_reader
    outage.at("statement", "user_sessions")
    with caplog.at_level(logging.INFO, logger="cafpedia.request"):
        page = client.raw.post("/notifications/read", data={})
    assert_lost_page(page)
    assert logged_statuses(caplog) == [503]
    outage.end()
    page = client.raw.post("/notifications/read", data={})
    assert page.status_code == 400 and "The form could not be sent" in page.get_data(as_text=True)


@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_connection_lost_after_the_answer_is_made_leaves_the_answer_standing(quokka_reader, caplog):
    """The session's teardown rolls back on the dead connection: that must not turn the page
    already made into a 500 (gunicorn's, which no log line or metric counted)."""
    client, outage = quokka_reader
    outage.at("answered")
    with caplog.at_level(logging.INFO):
        page = client.get("/areas/quokka-law")
    assert outage.down
    assert page.status_code == 200 and "Quokka law" in page.get_data(as_text=True)
    assert logged_statuses(caplog) == [200]
    assert any("after the answer" in record.getMessage() for record in caplog.records if record.levelname == "WARNING")
    outage.end()
    assert client.get("/areas/quokka-law").status_code == 200


APPROVAL = {"checklist": ["corporate", "legal", "plain_language", "no_identifying_information"]}


@pytest.fixture
def pending_approval(app, people, propose, served):
    propose()
    client, outage = served
    assert client.sign_in("lee.lead").status_code == 302
    return client, outage, client.csrf_token()


def tip_status() -> str:
    db.session.expire_all()
    return reading.find_tip("use-contact-centres-well").status


@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_approval_whose_commit_is_lost_says_try_again_and_nothing_is_kept(pending_approval, caplog):
    client, outage, token = pending_approval
    outage.at("commit")
    with caplog.at_level(logging.INFO, logger="cafpedia.request"):
        page = client.raw.post(
            "/tips/use-contact-centres-well/revisions/1/approve", data=APPROVAL | {"csrf_token": token}
        )
    assert_lost_page(page)
    assert logged_statuses(caplog) == [503]
    outage.end()
    assert tip_status() == "pending"


@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_proposal_whose_commit_is_lost_says_try_again_though_a_savepoint_was_released(app, people, served):
    """Proposing flushes in a savepoint (core.sql.flush_or_refuse), whose release SQLAlchemy
    also calls a commit: only the request's own commit makes a change saved."""
    client, outage = served
    assert client.sign_in("pat.fca").status_code == 302
    token = client.csrf_token()
    outage.at("commit")
    page = client.raw.post("/tips/new", data=NEW_TIP | {"csrf_token": token})
    assert_lost_page(page)
    outage.end()
    assert reading.find_tip("plan-the-handover") is None


@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_approval_committed_before_the_connection_is_lost_says_it_was_saved(pending_approval, caplog):
    """The commit went through; what came after it (the next page's address reads the tip
    again) met the lost connection. Saying "try again" would have the moderator approve twice."""
    client, outage, token = pending_approval
    before = requests_answered("tips.approve", "POST", 503)
    outage.at("after commit")
    with caplog.at_level(logging.INFO, logger="cafpedia.request"):
        page = client.raw.post(
            "/tips/use-contact-centres-well/revisions/1/approve", data=APPROVAL | {"csrf_token": token}
        )
    assert outage.down
    assert_lost_page(page, saved=True)
    assert logged_statuses(caplog) == [503]
    assert requests_answered("tips.approve", "POST", 503) == before + 1
    outage.end()
    assert tip_status() == "published"


def test_ending_a_session_whose_rollback_fails_raises_nothing(app, monkeypatch):
    """The 503 page ends the request's session first; when its rollback meets the dead connection
    too, the session is thrown away, and the page is still drawn (it was an AttributeError and a
    500 from gunicorn: a scoped session has no `invalidate`)."""
    from sqlalchemy.exc import OperationalError

    from cafpedia.core import connection_loss

    with app.test_request_context("/search"):
        db.session.execute(text("SELECT 1"))
        session = db.session()

        def remove():
            raise OperationalError("ROLLBACK", {}, Exception("terminating connection due to administrator command"))

        monkeypatch.setattr(db.session, "remove", remove)
        connection_loss.forget_session()
        monkeypatch.undo()
        assert db.session() is not session  # a new session for whatever the page asks next
