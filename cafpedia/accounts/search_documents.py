"""People as search follows them: a person has no document of their own, but their name shows
on the page of each area they lead (`area:<slug>`), so renaming them refreshes those. Areas
stand below accounts: the areas' Source follows areas, this one follows people."""

from __future__ import annotations

from sqlalchemy import inspect, select
from sqlalchemy.orm import object_session

from cafpedia.accounts.models import User
from cafpedia.areas.models import PracticeArea
from cafpedia.search.documents import Source


def _keys_for(obj) -> list[str] | None:
    if isinstance(obj, User) and obj.id is not None and inspect(obj).attrs.name.history.has_changes():
        with object_session(obj).no_autoflush:
            return [
                f"area:{slug}"
                for slug in object_session(obj).scalars(select(PracticeArea.slug).where(PracticeArea.lead_id == obj.id))
            ]
    return None


SOURCE = Source(
    kinds=(),
    documents=lambda _kind, _rest: [],
    every_document=lambda: (),
    count=lambda: 0,
    keys_for=_keys_for,
)
