"""The weekly notice of an area's "What people need": counts and a link, once a week, to its moderators."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from cafpedia.extensions import db
from cafpedia.notifications import needs
from cafpedia.notifications.models import Notification
from tests.gaps.test_gaps_page import demand

MONDAY = datetime(2026, 11, 23, 8, 0)  # UK time


def test_moderators_hear_once_a_week_by_the_numbers(people):
    from cafpedia.areas.services import find_area

    demand(find_area("contact"), "contact grandpar", "grandparents Poppy asked about", people=3)
    assert needs.tell_what_people_need(MONDAY.replace(hour=6)) == 0  # not before 07:00 on Monday
    assert needs.tell_what_people_need(MONDAY) == 2  # lee (lead) and dee (deputy); adoption has nothing
    db.session.commit()
    told = list(db.session.scalars(select(Notification).where(Notification.kind == "gaps")))
    assert {n.user_id for n in told} == {people["lee"].id, people["dee"].id}
    assert {n.message for n in told} == {"What people need in Contact: 1 search nobody found an answer to"}
    assert {n.url for n in told} == {"/areas/contact/gaps"}
    assert needs.tell_what_people_need(MONDAY.replace(day=25)) == 0  # the same week
    assert needs.tell_what_people_need(datetime(2026, 12, 1, 9, 0)) == 2  # the next week (from Tuesday, too)
