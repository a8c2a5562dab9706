"""Reading tips: finding them, an area's and the newest, what cites or links to a tip, the
[[links]] in a body (readings are counted in readings.py)."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from cafpedia.areas.models import PracticeArea
from cafpedia.core.errors import NotFound
from cafpedia.core.markdown import wiki_link_targets
from cafpedia.extensions import db
from cafpedia.tips.models import (
    ARCHIVED,
    PENDING,
    PUBLISHED,
    SENT_BACK,
    Revision,
    RevisionLink,
    RevisionStandard,
    Tip,
)


def find_tip(slug: str) -> Tip | None:
    return db.session.scalar(select(Tip).where(Tip.slug == slug))


def get_revision(tip: Tip, number: int) -> Revision:
    revision = tip.revision(number)
    if revision is None:
        raise NotFound(f"{tip.slug} has no revision {number}.")
    return revision


def resolve_link(area: str | None, slug: str) -> tuple[str, str] | None:
    """For [[links]]: the address and title of a tip readers can see, else None."""
    return _links_to({slug})(area, slug)


def link_resolver(source: str):
    """resolve_link for one piece of Markdown: every tip it links to, read in one query (a page
    costs the same however many tips its text links to)."""
    return _links_to({slug for _area, slug in wiki_link_targets(source)})


def _links_to(slugs: set[str]):
    """Where a [[link]] to each of these tips leads: the tip's address and its current title,
    read in one query; None for a tip never published (it has no current revision, so no row),
    one that does not exist, or one filed under another area than the link names."""
    if not slugs:
        return lambda area, slug: None
    rows = db.session.execute(
        select(Tip.slug, PracticeArea.slug, Revision.title)
        .join(PracticeArea, PracticeArea.id == Tip.area_id)
        .join(Revision, (Revision.tip_id == Tip.id) & (Revision.number == Tip.current_number))
        .where(Tip.slug.in_(slugs))
    )
    found = {slug: (area_slug, title) for slug, area_slug, title in rows}

    def resolve(area: str | None, slug: str) -> tuple[str, str] | None:
        if slug not in found or (area and found[slug][0] != area):
            return None
        return f"/tips/{slug}", found[slug][1]

    return resolve


def area_tips(area: PracticeArea, *, sort: str = "used") -> list[Tip]:
    """The area's published tips: most used first (then newest), or newest first."""
    tips = list(
        db.session.scalars(
            select(Tip).where(Tip.area_id == area.id, Tip.status == PUBLISHED).options(selectinload(Tip.revisions))
        )
    )
    if sort == "new":
        return sorted(tips, key=lambda t: t.published_at or t.created_at, reverse=True)
    return sorted(tips, key=lambda t: (t.views, t.published_at or t.created_at), reverse=True)


def recently_published(limit: int = 8) -> list[Tip]:
    """The newest published tips across all areas."""
    return list(
        db.session.scalars(
            select(Tip)
            .where(Tip.status == PUBLISHED, Tip.published_at.is_not(None))
            .order_by(Tip.published_at.desc(), Tip.id.desc())
            .limit(limit)
            .options(selectinload(Tip.revisions))  # each title is its current revision's: one query for all of them
        )
    )


def archived_tips(area: PracticeArea) -> list[Tip]:
    return list(
        db.session.scalars(select(Tip).where(Tip.area_id == area.id, Tip.status == ARCHIVED).order_by(Tip.slug))
    )


def tips_citing(clause) -> list[Tip]:
    """Published tips whose current revision applies this standards clause."""
    query = (
        select(Tip)
        .join(Revision, (Revision.tip_id == Tip.id) & (Revision.number == Tip.current_number))
        .join(RevisionStandard, RevisionStandard.revision_id == Revision.id)
        .where(RevisionStandard.clause_id == clause.id, Tip.status.in_([PUBLISHED, ARCHIVED]))
        .order_by(Tip.slug)
    )
    return list(db.session.scalars(query))


class TipLink(NamedTuple):
    """A tip as a link shows it: its address and its current title."""

    slug: str
    title: str


def tips_linking_to(tip: Tip) -> list[TipLink]:
    """Tips whose current (published) revision has a [[link]] to this one, in one query."""
    query = (
        select(Tip.slug, Revision.title)
        .join(Revision, (Revision.tip_id == Tip.id) & (Revision.number == Tip.current_number))
        .join(RevisionLink, RevisionLink.revision_id == Revision.id)
        .where(RevisionLink.target_slug == tip.slug, Tip.id != tip.id)
        .order_by(Tip.slug)
        .distinct()
    )
    return [TipLink(*row) for row in db.session.execute(query)]


def proposals_by(user) -> list[Revision]:
    """Everything a person proposed, newest first."""
    return list(
        db.session.scalars(
            select(Revision)
            .where(Revision.author_id == user.id)
            .order_by(Revision.created_at.desc(), Revision.id.desc())
        )
    )


def open_proposals_of(user, tip_id: int):
    """SQL: `user`'s proposals for the tip that wait for a decision or were sent back to them."""
    return (Revision.tip_id == tip_id) & (Revision.author_id == user.id) & Revision.status.in_((PENDING, SENT_BACK))


def count_open_proposals_of(user, tip_id: int):
    """SQL, a query for one value: how many of `user`'s proposals for the tip are still open."""
    return select(func.count(Revision.id)).where(open_proposals_of(user, tip_id))


def my_open_proposals(user, tip_id: int) -> list[Revision]:
    """`user`'s open proposals for the tip, oldest first."""
    return list(db.session.scalars(select(Revision).where(open_proposals_of(user, tip_id)).order_by(Revision.number)))


def pending_proposals(tip: Tip) -> list[Revision]:
    return [r for r in tip.revisions if r.status == PENDING]
