"""Who sees what in search, stated once; each backend translates it into its own terms.

The rules (`RULES`), for every document in the index:
- a published document: everyone who may read;
- an archived one: everyone who may read, when they ask for archived content (the search
  page's "archived" choice, or `status:archived` typed);
- a pending one (a proposal): its author and the moderators of its area, when signed in
  (an administrator moderates every area).
A `status:` filter typed in the search box then narrows what is shown to those statuses; it
never shows more.

`condition(reader, asked, terms)` walks the rules once for one reader and builds the
condition in a backend's `Terms`: numpy masks over a Whoosh segment's columns
(backends/whoosh_query.py), an SQL WHERE clause for PostgreSQL (backends/postgres_query.py).
A backend supplies only the words (status is, author is, area in, any of, all of); which
document a reader may see is decided here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol, TypeVar

Condition = TypeVar("Condition")


@dataclass
class Visibility:
    """Who is searching: what beyond published content they may see."""

    user_id: int | None = None  # None: not signed in
    moderated_area_ids: list[int] | None = field(default_factory=list)  # None: every area (admin)
    include_archived: bool = False  # asked for archived content


class Audience(Enum):
    EVERYONE = "everyone who may read"
    AUTHOR_AND_AREA_MODERATORS = "its author and the moderators of its area, signed in"


@dataclass(frozen=True)
class Shown:
    """Documents of one status, and who sees them."""

    status: str
    to: Audience
    when_asked: bool = False  # only to a reader who asks for this status


RULES = (
    Shown("published", Audience.EVERYONE),
    Shown("archived", Audience.EVERYONE, when_asked=True),
    Shown("pending", Audience.AUTHOR_AND_AREA_MODERATORS),
)


class Terms(Protocol[Condition]):
    """What a backend's conditions are made of, over the documents it holds."""

    def status_is(self, status: str) -> Condition: ...

    def status_in(self, statuses: list[str]) -> Condition: ...

    def author_is(self, user_id: int) -> Condition: ...

    def area_in(self, area_ids: list[int]) -> Condition: ...

    def any_of(self, conditions: list[Condition]) -> Condition: ...

    def all_of(self, conditions: list[Condition]) -> Condition: ...


def _audience(to: Audience, reader: Visibility, terms: Terms[Condition]) -> Condition | bool:
    """Which documents of a rule's status this reader is among the audience of: True (all),
    False (none), or a condition on the document."""
    if to is Audience.EVERYONE:
        return True
    if reader.user_id is None:
        return False
    if reader.moderated_area_ids is None:  # an administrator: the moderator of every area
        return True
    mine = [terms.author_is(reader.user_id)]
    if reader.moderated_area_ids:
        mine.append(terms.area_in(list(reader.moderated_area_ids)))
    return mine[0] if len(mine) == 1 else terms.any_of(mine)


def condition(reader: Visibility, asked: Iterable[str], terms: Terms[Condition]) -> Condition:
    """The documents `reader` may see, in the backend's terms; `asked`: the statuses typed
    as `status:` filters (none: no filter)."""
    asked = sorted(set(asked))
    asked_for = {*asked, *(["archived"] if reader.include_archived else [])}
    allowed = []
    for rule in RULES:
        if rule.when_asked and rule.status not in asked_for:
            continue
        audience = _audience(rule.to, reader, terms)
        if audience is False:
            continue
        status = terms.status_is(rule.status)
        allowed.append(status if audience is True else terms.all_of([status, audience]))
    shown = allowed[0] if len(allowed) == 1 else terms.any_of(allowed)
    return terms.all_of([shown, terms.status_in(asked)]) if asked else shown
