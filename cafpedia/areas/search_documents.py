"""Areas of practice as search finds them (`area:<slug>`): the area's page, which names its
lead manager. Renaming an area refreshes every document that shows its name (renaming its lead
refreshes it too: cafpedia.accounts.search_documents)."""

from __future__ import annotations

from sqlalchemy import inspect

from cafpedia.areas.models import PracticeArea
from cafpedia.areas.services import find_area, list_areas
from cafpedia.extensions import db
from cafpedia.search.documents import SearchDocument, Source


def area_document(area: PracticeArea) -> SearchDocument:
    lead = area.lead.name if area.lead else ""
    return SearchDocument(
        key=f"area:{area.slug}",
        kind="area",
        title=area.title,
        body=area.summary,
        url=f"/areas/{area.slug}",
        area=area.slug,
        area_title=area.title,
        updated_at=area.updated_at,
        extra=lead,
    )


def _documents(_kind: str, slug: str) -> list[SearchDocument]:
    area = find_area(slug)
    return [area_document(area)] if area else []


def _keys_for(obj) -> list[str] | None:
    if isinstance(obj, PracticeArea):
        return [f"area:{obj.slug}"]
    return None


def _renames_area(obj) -> int | None:
    """A renamed area: every document that shows its name is refreshed (search asks each Source)."""
    if isinstance(obj, PracticeArea) and obj.id is not None and inspect(obj).attrs.title.history.has_changes():
        return obj.id
    return None


SOURCE = Source(
    kinds=("area",),
    documents=_documents,
    every_document=lambda: map(area_document, list_areas()),
    count=lambda: db.session.query(PracticeArea).count(),
    keys_for=_keys_for,
    renames_area=_renames_area,
)
