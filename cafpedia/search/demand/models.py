"""The tables behind search demand.

- `search_salts`: one random salt a UK day. A searcher is recorded only as
  HMAC(salt of the day, account id): enough to count different people, never the id. A salt
  is deleted with its day's events, after which nobody can tell whose the hashes were.
- `search_events`: one search (page one, by a signed-in reader), raw, at most 90 days.
- `search_demand_days`: the events grouped by day, area and meaning: all the gaps pages read,
  and all that is kept after 90 days (two years).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cafpedia.extensions import db

TEXT_MAX = 200  # characters of a search text kept (the rest is dropped, never stored)
KEY_MAX = 200

# How a search was given its area (search_events.area_by)
BY_FILTER = "filter"  # the reader filtered the search to an area
BY_WORDS = "words"  # most of what it found is in one area
BY_OWN = "own"  # the reader works in exactly one area


class SearchSalt(db.Model):
    __tablename__ = "search_salts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary(32))


class SearchEvent(db.Model):
    __tablename__ = "search_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)  # names the search in its result links
    searched_on: Mapped[date] = mapped_column(Date, index=True)  # the UK day, no time
    person_hash: Mapped[str] = mapped_column(String(32))  # HMAC(day's salt, account id), hex
    # The first search with this meaning in this area by this person within the events kept:
    # the sum of new_person is how many different people made it.
    new_person: Mapped[bool] = mapped_column(Boolean)
    text: Mapped[str] = mapped_column(String(TEXT_MAX))  # as typed, only once the guard found nothing
    meaning_key: Mapped[str] = mapped_column(String(KEY_MAX))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("practice_areas.id", ondelete="SET NULL"))
    area_by: Mapped[str | None] = mapped_column(String(8))
    found: Mapped[int] = mapped_column(Integer)  # results (0: found nothing)
    opened: Mapped[bool] = mapped_column(Boolean, default=False)  # a result was opened from it

    __table_args__ = (Index("ix_search_events_meaning", "meaning_key", "area_id", "searched_on"),)


class SearchDemandDay(db.Model):
    __tablename__ = "search_demand_days"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    area_id: Mapped[int] = mapped_column(ForeignKey("practice_areas.id", ondelete="CASCADE"))
    meaning_key: Mapped[str] = mapped_column(String(KEY_MAX))
    example: Mapped[str] = mapped_column(String(TEXT_MAX))  # one text with this meaning, as typed that day
    searches: Mapped[int] = mapped_column(Integer)
    people: Mapped[int] = mapped_column(Integer)  # sum of new_person: different people, each counted once
    found_nothing: Mapped[int] = mapped_column(Integer)  # searches that found no result
    opened: Mapped[int] = mapped_column(Integer)  # searches from which a result was opened

    __table_args__ = (
        UniqueConstraint("day", "area_id", "meaning_key"),
        # Covering what an area's list reads (its meanings' rows in a period, counts and all), in
        # the order it groups them: no table lookups, no sort for the grouping.
        Index(
            "ix_search_demand_days_area_meaning",
            "area_id",
            "meaning_key",
            "day",
            "searches",
            "people",
            "found_nothing",
            "opened",
        ),
    )
