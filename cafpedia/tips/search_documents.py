"""Tips as search finds them: a tip as readers see it (`tip:<slug>`), and each pending
proposal (`proposal:<slug>:<n>`), which only its author and the area's moderators find."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cafpedia.extensions import db
from cafpedia.search.documents import SearchDocument, Source
from cafpedia.standards.models import StandardClause
from cafpedia.tips.models import ARCHIVED, PENDING, PUBLISHED, Revision, RevisionStandard, Tip, TipEvent
from cafpedia.tips.reading import find_tip


def tip_documents(tip: Tip) -> list[SearchDocument]:
    docs = []
    current = tip.revision(tip.current_number)
    if current is not None:
        docs.append(
            SearchDocument(
                key=f"tip:{tip.slug}",
                kind=current.kind,
                title=current.title,
                body=current.body,
                url=f"/tips/{tip.slug}",
                status=ARCHIVED if tip.status == ARCHIVED else PUBLISHED,
                area=tip.area.slug,
                area_title=tip.area.title,
                tags=list(current.tags),
                standards=current.standards,
                updated_at=max(
                    [e.at for e in tip.events if e.revision_number == current.number] or [current.created_at]
                ),
                extra=" ".join(current.legal_refs),
            )
        )
    for rev in tip.revisions:
        if rev.status == PENDING:
            docs.append(
                SearchDocument(
                    key=f"proposal:{tip.slug}:{rev.number}",
                    kind=rev.kind,
                    title=rev.title,
                    body=rev.body,
                    url=f"/tips/{tip.slug}/revisions/{rev.number}",
                    status=PENDING,
                    area=tip.area.slug,
                    area_title=tip.area.title,
                    tags=list(rev.tags),
                    standards=rev.standards,
                    updated_at=rev.created_at,
                    author_id=rev.author_id,
                    area_id=tip.area_id,
                    extra=" ".join(rev.legal_refs),
                )
            )
    return docs


def _keys(tip: Tip) -> list[str]:
    return [f"tip:{tip.slug}"] + [f"proposal:{tip.slug}:{r.number}" for r in tip.revisions]


def _documents(kind: str, rest: str) -> list[SearchDocument]:
    tip = find_tip(rest.split(":")[0])
    return [d for d in tip_documents(tip) if d.key == f"{kind}:{rest}"] if tip else []


def _every_document():
    """Read in batches of 200 tips, each with everything its documents need in five queries."""
    ids = list(db.session.scalars(select(Tip.id).order_by(Tip.id)))
    for start in range(0, len(ids), 200):
        batch = (
            select(Tip)
            .where(Tip.id.in_(ids[start : start + 200]))
            .order_by(Tip.id)
            .options(
                selectinload(Tip.area),
                selectinload(Tip.events),
                selectinload(Tip.revisions)
                .selectinload(Revision.standard_links)
                .joinedload(RevisionStandard.clause)
                .load_only(StandardClause.code),
            )
        )
        for tip in db.session.scalars(batch):
            yield from tip_documents(tip)
        db.session.expunge_all()  # keep memory flat on a large knowledge base


def _count() -> int:
    tips = db.session.query(Tip).filter(Tip.current_number.is_not(None)).count()
    return tips + db.session.query(Revision).filter(Revision.status == PENDING).count()


def _keys_for(obj) -> list[str] | None:
    if isinstance(obj, Tip):
        return _keys(obj) if obj.slug else []
    if isinstance(obj, (Revision, TipEvent)) and obj.tip is not None:
        return _keys(obj.tip)
    return None


def _keys_showing_area(session, area_id: int) -> list[str]:
    """Its tips and their pending proposals (only those are indexed)."""
    keys = [f"tip:{slug}" for slug in session.scalars(select(Tip.slug).where(Tip.area_id == area_id))]
    return keys + [
        f"proposal:{slug}:{number}"
        for slug, number in session.execute(
            select(Tip.slug, Revision.number)
            .join(Revision, Revision.tip_id == Tip.id)
            .where(Tip.area_id == area_id, Revision.status == PENDING)
        )
    ]


SOURCE = Source(
    kinds=("tip", "proposal"),
    documents=_documents,
    every_document=_every_document,
    count=_count,
    keys_for=_keys_for,
    keys_showing_area=_keys_showing_area,
)
