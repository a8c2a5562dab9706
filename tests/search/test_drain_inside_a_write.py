"""A search made inside a transaction that has already written (the weekly "What people need"
notice reads each area's list, which asks the index, after it has written) must not wait on
itself. On SQLite the index's follower writes its cursor through a connection of its own, which
would wait for this one's write lock, in the same process, until the busy timeout, holding up
every other writer meanwhile: a `cafpedia load` beside a worker failed with "database is locked"
that way. The search reads the index as it is; the drain after the commit brings it up to date."""

from __future__ import annotations

from sqlalchemy import update

from cafpedia.accounts.models import User
from cafpedia.areas import services as areas
from cafpedia.extensions import db
from cafpedia.search import change_log, service


def titles(user, words: str) -> list[str]:
    return [h.title for h in service.search(user, words).results.hits]


def test_a_search_after_a_write_in_the_same_transaction_neither_waits_nor_fails(app, make_user):
    reader = make_user("rhea.reader")
    service.follower().drain()
    areas.create_area(None, slug="quokka-care", title="Quokka care", summary="", lead=None, deputies=[])
    db.session.commit()  # logged; outside a request, nothing drains it yet
    assert service.follower().has_pending()
    db.session.execute(update(User).where(User.id == reader.id).values(name="Rhea Reader"))  # a write, not committed
    sqlite = db.engine.dialect.name == "sqlite"
    assert change_log.caller_is_writing() is sqlite

    found = service.search(reader, "quokka")

    assert found.problem is None
    # On SQLite the index is read as it is (the area is not in it yet); on PostgreSQL the drain
    # writes on a connection that waits for nothing of this transaction's, so it goes ahead.
    assert ("Quokka care" in [h.title for h in found.results.hits]) is not sqlite
    db.session.commit()  # this transaction's lock never held the follower up: it commits at once
    assert db.session.get(User, reader.id).name == "Rhea Reader"
    assert not change_log.caller_is_writing()
    assert "Quokka care" in titles(reader, "quokka")  # the next search drains, and finds it
    assert not service.follower().has_pending()
