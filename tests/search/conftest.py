"""Every search test runs against each backend: Whoosh on SQLite, and PostgreSQL full-text
search on PostgreSQL. Whoosh on PostgreSQL adds little to a test about what is found, so it
runs only for tests marked `both_databases` (those about the outbox and concurrent writers)."""

from __future__ import annotations

import pytest

from cafpedia.extensions import db


@pytest.fixture(autouse=True)
def _only_the_pairs_that_run(request):
    """Skips a backend and database pair that does not run before any database is made
    for it (an autouse fixture comes before `database_url`)."""
    params = getattr(getattr(request.node, "callspec", None), "params", {})
    backend, database = params.get("app"), params.get("database_url")
    if backend == "postgres" and database == "sqlite":
        pytest.skip("the PostgreSQL search backend runs on the PostgreSQL database only")
    if backend == "whoosh" and database == "postgres" and not request.node.get_closest_marker("both_databases"):
        pytest.skip("Whoosh is tested on SQLite; on PostgreSQL only where the database matters")


@pytest.fixture(params=["whoosh", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request, make_app, database_url):
    app = make_app(SEARCH_BACKEND=request.param)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def whoosh_only(app):
    if app.config["SEARCH_BACKEND"] != "whoosh":
        pytest.skip("about the Whoosh index's files")
