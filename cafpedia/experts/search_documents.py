"""Experts on the register as search finds them (`expert:<slug>`): by name, skill, area and
language; never by their contact details. A retired expert leaves the index."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import object_session

from cafpedia.experts.lookups import all_experts, find_expert
from cafpedia.experts.models import Expert, ExpertArea
from cafpedia.extensions import db
from cafpedia.search.documents import SearchDocument, Source


def expert_document(expert: Expert) -> SearchDocument:
    """Name as the title, skills as strongly as the title, areas and languages as words."""
    areas = expert.areas
    return SearchDocument(
        key=f"expert:{expert.slug}",
        kind="expert",
        title=expert.name,
        body=f"{expert.job_title}\n\n{expert.about}",
        url=f"/experts/{expert.slug}",
        area=areas[0].slug if areas else "",
        area_title=areas[0].title if areas else "",
        areas=[a.slug for a in areas],
        updated_at=expert.updated_at,
        extra=" ".join([expert.region, *expert.languages, *(a.title for a in areas), "expert advice line"]),
        keywords=" ".join(expert.skills),
    )


def _documents(_kind: str, slug: str) -> list[SearchDocument]:
    expert = find_expert(slug)
    return [expert_document(expert)] if expert is not None and expert.active else []


def _keys_for(obj) -> list[str] | None:
    if isinstance(obj, Expert):
        return [f"expert:{obj.slug}"] if obj.slug else []
    if isinstance(obj, ExpertArea):
        expert = (
            object_session(obj).get(Expert, obj.expert_id)
            if obj.expert_id is not None and object_session(obj)
            else None
        )
        return [f"expert:{expert.slug}"] if expert is not None else []
    return None


def _keys_showing_area(session, area_id: int) -> list[str]:
    return [
        f"expert:{slug}"
        for slug in session.scalars(
            select(Expert.slug).join(ExpertArea, ExpertArea.expert_id == Expert.id).where(ExpertArea.area_id == area_id)
        )
    ]


SOURCE = Source(
    kinds=("expert",),
    documents=_documents,
    every_document=lambda: map(expert_document, all_experts()),
    count=lambda: db.session.query(Expert).filter(Expert.active.is_(True)).count(),
    keys_for=_keys_for,
    keys_showing_area=_keys_showing_area,
)
