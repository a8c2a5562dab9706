"""Every search test runs against each backend: Whoosh on SQLite, and PostgreSQL full-text
search on PostgreSQL. Whoosh on PostgreSQL adds little to a test about what is found, so it
runs only for tests marked `both_databases` (those about the outbox and concurrent writers)."""
from __future__ import annotations

import pytest

from cafpedia.extensions import db


@pytest.fixture(params=["whoosh", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request, make_app, database_url):
    if request.param == "postgres" and not database_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL search backend runs on the PostgreSQL database only")
    if request.param == "whoosh" and database_url.startswith("postgresql") and not request.node.get_closest_marker("both_databases"):
        pytest.skip("Whoosh is tested on SQLite; on PostgreSQL only where the database matters")
    app = make_app(SEARCH_BACKEND=request.param)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def whoosh_only(app):
    if app.config["SEARCH_BACKEND"] != "whoosh":
        pytest.skip("about the Whoosh index's files")
