"""Legal updates as search finds them (`legal:<slug>`); a withdrawn one only on request, like
an archived tip."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import object_session

from cafpedia.extensions import db
from cafpedia.legal.feed import FeedFilters, feed, find_update
from cafpedia.legal.models import KINDS, LegalRevision, LegalUpdate, LegalUpdateArea
from cafpedia.search.documents import SearchDocument, Source


def update_document(update: LegalUpdate) -> SearchDocument:
    revision = update.current
    areas = update.areas
    return SearchDocument(
        key=f"legal:{update.slug}",
        kind="legal",
        title=revision.title,
        body=f"{revision.summary}\n\n{revision.briefing}\n\n## What it means for practice\n\n{revision.practice}",
        url=f"/legal/{update.slug}",
        status="archived" if update.status == "withdrawn" else "published",
        area=areas[0].slug if areas else "",
        area_title=areas[0].title if areas else "",
        areas=[a.slug for a in areas],
        tags=list(revision.tags),
        updated_at=update.updated_at,
        # The first citation is what the update is about; any other finds it too, with less weight.
        extra=" ".join([*revision.citations[1:], KINDS.get(revision.kind, ""), *(a.title for a in areas[1:])]),
        keywords=revision.citations[0] if revision.citations else "",
    )


def _documents(_kind: str, slug: str) -> list[SearchDocument]:
    update = find_update(slug)
    return [update_document(update)] if update is not None else []


def _keys_for(obj) -> list[str] | None:
    if isinstance(obj, LegalUpdate):
        return [f"legal:{obj.slug}"] if obj.slug else []
    if isinstance(obj, (LegalRevision, LegalUpdateArea)):
        session = object_session(obj)
        update = (
            obj.update
            if isinstance(obj, LegalRevision)
            else (session.get(LegalUpdate, obj.update_id) if session and obj.update_id else None)
        )
        return [f"legal:{update.slug}"] if update is not None and update.slug else []
    return None


def _keys_showing_area(session, area_id: int) -> list[str]:
    return [
        f"legal:{slug}"
        for slug in session.scalars(
            select(LegalUpdate.slug)
            .join(LegalUpdateArea, LegalUpdateArea.update_id == LegalUpdate.id)
            .where(LegalUpdateArea.area_id == area_id)
        )
    ]


SOURCE = Source(
    kinds=("legal",),
    documents=_documents,
    every_document=lambda: map(update_document, feed(FeedFilters(include_withdrawn=True))),
    count=lambda: db.session.query(LegalUpdate).count(),
    keys_for=_keys_for,
    keys_showing_area=_keys_showing_area,
)
