"""Search demand: what is recorded of a search (after the guard, naming nobody), and how people
are counted (search.demand)."""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select

from cafpedia.areas.services import area_id_of
from cafpedia.extensions import db
from cafpedia.search.demand import salts
from cafpedia.search.demand.models import BY_FILTER, BY_OWN, BY_WORDS, SearchDemandDay, SearchEvent, SearchSalt
from cafpedia.search.demand.recording import flush, note_search
from cafpedia.search.demand.upkeep import roll_up

PERSONAL = ["Poppy Smith", "12 Parkway Leeds", "case 123456", "ZE12C34567", "LS1 4AB contact", "Smith family"]


@pytest.fixture
def reader(app, demo_content, make_user, client):
    user = make_user("pat.reader", areas=["private-law"])
    client.sign_in("pat.reader")
    return user


def events() -> list[SearchEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(SearchEvent).order_by(SearchEvent.id)))


def search(client, app, **args):
    response = client.get("/search", query_string=args)
    assert response.status_code == 200
    flush(app)  # the test client does not close the response, as a server does (which runs the flush)
    return response


def test_a_search_is_recorded_with_its_meaning_and_no_one_named(app, client, reader):
    page = search(client, app, q="SGO report").get_data(as_text=True)
    [event] = events()
    assert (event.text, event.meaning_key, event.found > 0, event.opened) == (
        "SGO report",
        "guardianship report special",
        True,
        False,
    )
    assert f"/search/go?t={event.token}" in page  # the result links carry its token
    salt = db.session.scalar(select(SearchSalt.salt).where(SearchSalt.day == event.searched_on))
    assert event.person_hash == hmac.new(salt, str(reader.id).encode(), hashlib.sha256).hexdigest()[:32]
    columns = {c.key for c in inspect(SearchEvent).columns}
    assert not any("user" in c for c in columns)
    assert str(reader.id) not in {str(getattr(event, c)) for c in columns if c not in ("id", "area_id", "found")}


@pytest.mark.parametrize("text", PERSONAL)
def test_a_name_a_case_number_or_an_address_is_never_stored_nor_logged(app, client, reader, caplog, text):
    caplog.set_level(logging.DEBUG)
    search(client, app, q=text)
    assert events() == []
    assert text not in caplog.text
    assert all(text not in str(r.args) and text not in r.getMessage() for r in caplog.records)


def test_only_a_first_page_by_a_signed_in_reader_not_as_typed_nor_the_api(app, make_app, client, reader):
    search(client, app, q="contact", page="2")
    search(client, app, q="contcat", as_typed="1")
    search(client, app, q="the of and")  # only stop words: no meaning to count
    client.get("/api/search", query_string={"q": "contact"})
    flush(app)
    assert events() == []
    search(client, app, q="contact")
    assert [e.text for e in events()] == ["contact"]


def test_an_anonymous_search_is_not_recorded(make_app, demo_content):
    public = make_app(PUBLIC_READ=True)
    with public.app_context():
        response = public.test_client().get("/search?q=contact")
        assert response.status_code == 200 and "/search/go" not in response.get_data(as_text=True)
        flush(public)
        assert db.session.scalar(select(func.count()).select_from(SearchEvent)) == 0


def test_the_area_of_a_search(app, client, reader, make_user):
    private_law = area_id_of("private-law")
    search(client, app, q="contact", area="adoption")
    search(client, app, q="fact-finding")  # most of what it finds is in one area
    search(client, app, q="zzqx blorf")  # nothing found: the reader's own area
    by = [(e.text, e.area_by, e.area_id, e.found) for e in events()]
    assert by[0] == ("contact", BY_FILTER, area_id_of("adoption"), by[0][3])
    assert by[1][1] in (BY_WORDS, BY_OWN) and by[1][2] is not None
    assert by[2] == ("zzqx blorf", BY_OWN, private_law, 0)
    make_user("two.areas", areas=["private-law", "adoption"])
    client.sign_out()
    client.sign_in("two.areas")
    search(client, app, q="zzqx blorf")
    assert events()[-1].area_id is None  # works in two areas, found nothing: shown on no area's page


def test_each_uk_day_has_its_own_random_salt(app, reader, clock):
    note_search(reader, "contact", {}, 3, {"private-law": 3})
    flush(app)
    clock.advance(days=1)
    note_search(reader, "contact", {}, 3, {"private-law": 3})
    flush(app)
    first, second = events()
    assert first.searched_on != second.searched_on and first.person_hash != second.person_hash
    two = list(db.session.scalars(select(SearchSalt.salt)))
    assert len(two) == 2 and two[0] != two[1] and all(len(s) == 32 for s in two)
    assert app.config["SECRET_KEY"].encode() not in two


def test_the_uk_day_is_the_clocks(app, reader, clock):
    clock.set(datetime(2026, 7, 1, 23, 30))  # 00:30 on 2 July in London (summer time)
    note_search(reader, "contact", {}, 3, {"private-law": 3})
    flush(app)
    assert str(events()[0].searched_on) == "2026-07-02"


def day_counts() -> list[tuple]:
    db.session.expire_all()
    rows = db.session.execute(
        select(
            SearchDemandDay.meaning_key,
            func.sum(SearchDemandDay.searches),
            func.sum(SearchDemandDay.people),
            func.sum(SearchDemandDay.found_nothing),
            func.sum(SearchDemandDay.opened),
        ).group_by(SearchDemandDay.meaning_key)
    )
    return sorted(tuple(r) for r in rows)


def test_one_person_on_three_days_counts_once(app, reader, clock):
    days = []
    for _ in range(3):
        note_search(reader, "SGO report", {}, 0, {"private-law": 1}, results_total=1)
        note_search(reader, "special guardianship reports", {}, 0, {"private-law": 1}, results_total=1)
        flush(app)
        days.append(clock.today())
        clock.advance(days=1)
    assert roll_up(days) == 3
    assert day_counts() == [("guardianship report special", 6, 1, 6, 0)]


def test_two_people_are_two_and_three_are_three(app, reader, make_user, clock):
    people = [reader, make_user("sam.other", areas=["private-law"]), make_user("kit.third", areas=["private-law"])]
    for person in people[:2]:
        note_search(person, "SGO report", {}, 2, {"private-law": 2})
        note_search(person, "SGO report", {}, 2, {"private-law": 2})
    note_search(people[2], "contact centres", {}, 2, {"private-law": 2})
    flush(app)
    clock.advance(days=1)
    note_search(people[2], "SGO report", {}, 2, {"private-law": 2})
    flush(app)
    roll_up([clock.today() - timedelta(days=1), clock.today()])
    assert dict((k, people) for k, _, people, _, _ in day_counts())["guardianship report special"] == 3
    row = db.session.scalar(select(SearchDemandDay).where(SearchDemandDay.meaning_key.like("guardianship%")).limit(1))
    assert (row.area_id, row.example, row.searches, row.people) == (area_id_of("private-law"), "SGO report", 4, 2)


def test_roll_up_replaces_a_days_counts(app, reader, clock):
    note_search(reader, "contact", {}, 0, {})
    flush(app)
    roll_up([clock.today()])
    note_search(reader, "contact", {}, 4, {"private-law": 4})
    flush(app)
    roll_up([clock.today()])
    assert day_counts() == [("contact", 2, 1, 1, 0)]


def test_a_salt_made_meanwhile_by_another_process_is_read_back(app, reader, clock, monkeypatch):
    day = clock.today()
    db.session.add(SearchSalt(day=day, salt=b"s" * 32))
    db.session.commit()
    real_read, calls = salts._read, []

    def first_not_yet(asked):  # the other process's salt appears between our read and our insert
        calls.append(asked)
        return None if len(calls) == 1 else real_read(asked)

    monkeypatch.setattr(salts, "_read", first_not_yet)
    assert salts.salt_for(day) == b"s" * 32
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SearchSalt)) == 1


def test_a_failed_flush_is_logged_by_count_and_breaks_nothing(app, reader, caplog, monkeypatch):
    from cafpedia.search.demand import recording

    def broken(_taken):
        raise RuntimeError("SGO report by someone")

    monkeypatch.setattr(recording, "_record", broken)
    note_search(reader, "SGO report", {}, 1, {})
    assert flush(app) == 0
    assert "1 search(es) not recorded (RuntimeError)" in caplog.text and "SGO" not in caplog.text


def test_the_search_is_recorded_when_the_server_closes_the_response(app, client, reader):
    response = client.get("/search", query_string={"q": "contact"}, buffered=False)
    response.get_data()
    assert events() == []  # nothing written while the page is being answered
    response.close()  # what a WSGI server does once the page is sent: runs the flush
    assert [e.text for e in events()] == ["contact"]
