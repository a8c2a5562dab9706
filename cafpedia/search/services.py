"""Find practice areas and National Standards clauses whose words match a query."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from cafpedia.areas.models import PracticeArea
from cafpedia.core.sql import contains
from cafpedia.extensions import db
from cafpedia.standards import services as standards
from cafpedia.standards.models import StandardClause
from cafpedia.tips.models import KIND_LABELS, PUBLISHED, Revision, Tip

MAX_QUERY = 200


@dataclass
class Hit:
    kind: str
    title: str
    endpoint: str
    params: dict
    snippet: str


def _matching_tips(words: list[str]):
    """Published tips whose current revision holds every word in its title or text."""
    match = and_(*[or_(contains(Revision.title, w), contains(Revision.body, w)) for w in words])
    return db.session.scalars(
        select(Tip)
        .join(Revision, (Revision.tip_id == Tip.id) & (Revision.number == Tip.current_number))
        .where(Tip.status == PUBLISHED, match)
        .order_by(Revision.title)
        .limit(100)
    )


def search(query: str) -> list[Hit]:
    """Every area and current standards clause containing all the query's words."""
    words = [w for w in query[:MAX_QUERY].split() if w][:10]
    if not words:
        return []
    hits: list[Hit] = []
    area_match = and_(*[or_(contains(PracticeArea.title, w), contains(PracticeArea.summary, w)) for w in words])
    for area in db.session.scalars(select(PracticeArea).where(area_match).order_by(PracticeArea.position)):
        hits.append(Hit("Practice area", area.title, "areas.show", {"slug": area.slug}, area.summary))
    for tip in _matching_tips(words):
        hits.append(Hit(KIND_LABELS[tip.current.kind], tip.title, "tips.show", {"slug": tip.slug}, tip.current.body))
    version = standards.current_version()
    if version is not None:
        clause_match = and_(
            *[
                or_(StandardClause.code == w, contains(StandardClause.standard, w), contains(StandardClause.summary, w))
                for w in words
            ]
        )
        for clause in db.session.scalars(
            select(StandardClause)
            .where(StandardClause.version_id == version.id, clause_match)
            .order_by(StandardClause.position)
        ):
            hits.append(
                Hit(
                    "National Standard",
                    f"{clause.code} {clause.standard}",
                    "standards.index",
                    {"_anchor": f"clause-{clause.code}"},
                    clause.summary,
                )
            )
    return hits
