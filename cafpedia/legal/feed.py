"""Reading legal updates: one update, the feed with its filters, and what a reader has seen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cafpedia.areas.models import PracticeArea
from cafpedia.core.clock import utcnow
from cafpedia.core.errors import NotFound
from cafpedia.extensions import db
from cafpedia.legal.models import (
    PUBLISHED,
    LegalFeedVisit,
    LegalUpdate,
    LegalUpdateArea,
)


def _query(*, with_areas: bool = True):
    """Updates with their revisions, and (unless not asked for) their areas: two queries fewer
    for a list that shows no area."""
    if not with_areas:
        return select(LegalUpdate).options(selectinload(LegalUpdate.revisions))
    return select(LegalUpdate).options(
        selectinload(LegalUpdate.revisions), selectinload(LegalUpdate.area_links).selectinload(LegalUpdateArea.area)
    )


def find_update(slug: str) -> LegalUpdate | None:
    return db.session.scalar(_query().where(LegalUpdate.slug == slug))


def get_update(slug: str) -> LegalUpdate:
    update = find_update(slug)
    if update is None:
        raise NotFound("There is no such legal update.")
    return update


@dataclass
class FeedFilters:
    kind: str | None = None
    area: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    include_withdrawn: bool = False


def feed(filters: FeedFilters | None = None, *, limit: int | None = None, with_areas: bool = True) -> list[LegalUpdate]:
    """Newest first by the date posted; withdrawn updates only when asked for."""
    filters = filters or FeedFilters()
    query = _query(with_areas=with_areas)
    if not filters.include_withdrawn:
        query = query.where(LegalUpdate.status == PUBLISHED)
    if filters.kind:
        query = query.where(LegalUpdate.kind == filters.kind)
    if filters.area:
        query = (
            query.join(LegalUpdateArea, LegalUpdateArea.update_id == LegalUpdate.id)
            .join(PracticeArea, PracticeArea.id == LegalUpdateArea.area_id)
            .where(PracticeArea.slug == filters.area)
        )
    if filters.date_from:
        query = query.where(LegalUpdate.made_on >= filters.date_from)
    if filters.date_to:
        query = query.where(LegalUpdate.made_on <= filters.date_to)
    query = query.order_by(LegalUpdate.published_at.desc(), LegalUpdate.id.desc())
    return list(db.session.scalars(query.limit(limit) if limit else query))


def last_seen(user) -> datetime | None:
    if not getattr(user, "is_authenticated", False):
        return None
    visit = db.session.get(LegalFeedVisit, user.id)
    return visit.seen_at if visit else None


def mark_seen(user) -> None:
    if not getattr(user, "is_authenticated", False):
        return
    visit = db.session.get(LegalFeedVisit, user.id)
    if visit is None:
        db.session.add(LegalFeedVisit(user_id=user.id, seen_at=utcnow()))
    else:
        visit.seen_at = utcnow()
