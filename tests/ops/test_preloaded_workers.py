"""gunicorn builds the app once, in its master, and forks the workers from it (the modules,
routes and templates are then shared between them): each worker starts with its connection
pools emptied, so no two processes ever use one database connection."""

from __future__ import annotations

from cafpedia import server
from cafpedia.extensions import db


def test_the_server_preloads_the_app_and_empties_each_workers_pools(app, monkeypatch):
    started = []
    monkeypatch.setattr(server.CafpediaServer, "run", lambda self: started.append(self))
    server.run_gunicorn(host="127.0.0.1", port=0, workers=2, timeout=30, config=None)
    (gunicorn,) = started
    assert gunicorn.cfg.preload_app is True
    assert gunicorn.cfg.post_fork == gunicorn._forked

    gunicorn.flask_app = app
    with app.app_context():
        with db.engine.connect() as conn:  # the master's connection, back in the pool
            inherited = conn.connection.dbapi_connection
        assert db.engine.pool.checkedin() == 1
        gunicorn._forked(None, None)  # as gunicorn calls it in a new worker
        assert db.engine.pool.checkedin() == 0
        try:
            with db.engine.connect() as conn:
                assert conn.connection.dbapi_connection is not inherited  # the worker's own
        finally:
            inherited.close()  # a worker leaves it to its master; this test is both
