"""The worker outlives a database that goes away: a round that fails is logged and tried again,
even when ending its session fails too (on a dead PostgreSQL connection the rollback raises)."""

from __future__ import annotations

import threading

from sqlalchemy.exc import OperationalError

from cafpedia import worker
from cafpedia.extensions import db


def test_a_failed_round_whose_rollback_fails_too_does_not_end_the_worker(app, monkeypatch, caplog):
    rounds, stop = [], threading.Event()
    lost = OperationalError("SELECT 1", {}, Exception("terminating connection due to administrator command"))

    def run_round(*, jobs, echo=None):
        rounds.append(jobs)
        if len(rounds) == 1:
            raise lost  # the database went away mid-round
        if len(rounds) >= 3:
            stop.set()

    real_remove, removes = db.session.remove, []

    def remove():
        removes.append(1)
        if len(removes) == 1:
            raise lost  # and the session's rollback fails on the dead connection
        real_remove()

    monkeypatch.setattr(worker, "run_round", run_round)
    monkeypatch.setattr(db.session, "remove", remove)
    failures = []

    def work():
        try:
            with app.app_context():
                worker.run(interval=0.01, stop=stop)
        except BaseException as exc:  # the worker ending on its own is the failure
            failures.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive() and failures == []
    assert len(rounds) >= 3  # it went on after the failed round
    assert "worker round failed; trying again shortly" in caplog.text
