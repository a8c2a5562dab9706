"""Faults while serving: PostgreSQL restarting (connections cut, none accepted for a while)
gives a plain 503 page, never a traceback; the app reconnects by itself afterwards and
nothing committed is lost."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from cafpedia.extensions import db
from tests.conftest import PG_ADMIN_URL

pytestmark = pytest.mark.postgres


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
