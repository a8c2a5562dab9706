"""The search outbox as a change log: every index follows it with a cursor of its own, so a
change made through one app machine reaches each machine's own Whoosh index; rows are pruned
once every live index has passed them; an index left behind the pruning is rebuilt; and on
PostgreSQL, log ids commit in order, which is what makes a cursor safe."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, func, select, text

from cafpedia.areas import services as areas
from cafpedia.extensions import db
from cafpedia.search import change_log, service
from cafpedia.search.models import SearchCursor, SearchQueueEntry


@contextmanager
def on(app):
    with app.app_context():
        try:
            yield
        finally:
            db.session.remove()


def add_area(slug: str, title: str) -> None:
    areas.create_area(None, slug=slug, title=title, summary="", lead=None, deputies=[])
    db.session.commit()


def found(user, words: str) -> list[str]:
    return [h.title for h in service.search(user, words).results.hits]


def log_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchQueueEntry))


def cursors() -> dict[str, int]:
    return dict(db.session.execute(select(SearchCursor.name, SearchCursor.position)).all())


@pytest.fixture
def machines(app, make_app, make_user, tmp_path):
    """Two app machines on one database, each with a Whoosh index of its own."""
    if app.config["SEARCH_BACKEND"] != "whoosh":
        pytest.skip("about a Whoosh index on each machine")
    reader = make_user("rhea.reader")
    other = make_app(
        SEARCH_BACKEND="whoosh", SEARCH_DIR=str(tmp_path / "machine-b"), INSTANCE_PATH=str(tmp_path / "instance-b")
    )
    service.follower().drain()
    with on(other):
        service.follower().drain()
    return app, other, reader.id


def user(user_id):
    from cafpedia.accounts.models import User

    return db.session.get(User, user_id)


@pytest.mark.both_databases
def test_a_change_through_one_machine_reaches_the_others_index(machines):
    a, b, reader = machines
    add_area("quokka-practice", "Quokka practice")  # made through machine A, which applies it at once
    service.follower().drain()
    assert found(user(reader), "quokka") == ["Quokka practice"]
    with on(b):
        assert service.follower().queue_length() == 1  # B's index has not applied it yet
        assert found(user(reader), "quokka") == ["Quokka practice"]  # a search applies what is pending
        assert service.follower().queue_length() == 0
        names = cursors()
    assert len(names) == 2 and len(set(names.values())) == 1, names


@pytest.mark.both_databases
def test_rows_are_pruned_once_every_live_index_has_passed_them(machines, clock):
    a, b, reader = machines
    add_area("quokka-practice", "Quokka practice")
    service.follower().drain()
    assert service.follower().prune() == 0  # machine B has not applied it
    with on(b):
        service.follower().drain()
    assert service.follower().prune() == 1 and log_rows() == 0
    add_area("wombat-practice", "Wombat practice")
    service.follower().drain()
    # Machine B is switched off for three days: it no longer holds the log back...
    clock.advance(days=3)
    add_area("numbat-practice", "Numbat practice")
    service.follower().drain()
    assert service.follower().prune() == 2 and log_rows() == 0
    with on(b):
        assert service.follower().queue_length() == 0
        # ...and, back, it finds its cursor behind the pruning, so it rebuilds its index.
        assert service.follower().drain() > 2
        assert found(user(reader), "wombat") == ["Wombat practice"]
        assert found(user(reader), "numbat") == ["Numbat practice"]
        assert len(cursors()) == 3  # A, B's new index, and how far the log is pruned


@pytest.mark.both_databases
def test_a_rebuilt_index_takes_a_new_name_and_drops_the_old_cursor(machines):
    a, b, reader = machines
    with on(b):
        before = service.follower().backend.index_name()
        service.follower().rebuild()
        after = service.follower().backend.index_name()
        assert before != after and before not in cursors() and after in cursors()


@pytest.mark.postgres
def test_log_ids_commit_in_order_on_postgresql(app, make_user):
    """While one transaction holds a log id it has not committed, a later one waits at its
    commit: a cursor that has read a higher id can never miss a lower one committed later."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    first = engine.connect()
    first.begin()
    first.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": change_log.COMMIT_ORDER_LOCK})
    first_id = first.execute(
        text("INSERT INTO search_queue (key, queued_at) VALUES ('area:first', now()) RETURNING id")
    ).scalar()
    committed = threading.Event()

    def second():
        with app.app_context():
            add_area("second-area", "Second area")
            committed.set()
            db.session.remove()

    thread = threading.Thread(target=second)
    thread.start()
    try:
        assert not committed.wait(0.5)  # the second change waits for the first to commit
        first.commit()
        thread.join(10)
        assert committed.is_set()
    finally:
        first.close()
        engine.dispose()
    ids = db.session.scalars(select(SearchQueueEntry.id).order_by(SearchQueueEntry.id)).all()
    assert ids[-1] > first_id
