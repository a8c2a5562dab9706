"""Reading the research digest: the published issues (and, for the coordinator and
administrators, the drafts), an issue or item this person may see, the research for an area
or behind a tip, and the newest items. A draft issue is, to everyone but the coordinator and
administrators, an issue that does not exist (`NotFound`), so its existence does not leak."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cafpedia.areas.models import PracticeArea
from cafpedia.core.errors import NotFound
from cafpedia.core.permissions import can_compose_digest
from cafpedia.digest.models import (
    DigestIssue,
    DigestItem,
    DigestItemArea,
    TipResearchLink,
)
from cafpedia.extensions import db
from cafpedia.tips.models import PUBLISHED, Tip


def _issue_query(*, with_areas: bool = True):
    """Issues with their items, and (unless not asked for) the items' areas."""
    if not with_areas:
        return select(DigestIssue).options(selectinload(DigestIssue.items))
    return select(DigestIssue).options(
        selectinload(DigestIssue.items).selectinload(DigestItem.area_links).selectinload(DigestItemArea.area)
    )


def _published(query):
    """Published issues only, newest first."""
    return query.where(DigestIssue.published_on.is_not(None)).order_by(
        DigestIssue.published_on.desc(), DigestIssue.number.desc()
    )


def published_issues() -> list[DigestIssue]:
    return list(db.session.scalars(_published(_issue_query())))


def draft_issues(user) -> list[DigestIssue]:
    if not can_compose_digest(user):
        return []
    return list(
        db.session.scalars(_issue_query().where(DigestIssue.published_on.is_(None)).order_by(DigestIssue.number.desc()))
    )


def latest_issue(*, with_areas: bool = True) -> DigestIssue | None:
    """The newest published issue, with its items (and their areas, unless not asked for)."""
    return db.session.scalar(_published(_issue_query(with_areas=with_areas)).limit(1))


def issues_by_year() -> list[tuple[int, list[DigestIssue]]]:
    years: dict[int, list[DigestIssue]] = {}
    for issue in published_issues():
        years.setdefault(issue.year, []).append(issue)
    return sorted(years.items(), reverse=True)


def find_issue(slug: str) -> DigestIssue | None:
    return db.session.scalar(_issue_query().where(DigestIssue.slug == slug))


def get_issue(user, slug: str) -> DigestIssue:
    """The issue as this user may see it: a draft only for those who compose the digest."""
    issue = find_issue(slug)
    if issue is None or (issue.is_draft and not can_compose_digest(user)):
        raise NotFound("There is no such issue of the research digest.")
    return issue


def get_item(user, issue_slug: str, item_slug: str) -> DigestItem:
    issue = get_issue(user, issue_slug)
    item = issue.item(item_slug)
    if item is None:
        raise NotFound("There is no such item in this issue of the research digest.")
    return item


def items_for_area(area: PracticeArea) -> list[DigestItem]:
    """Published items about an area of practice, newest issue first."""
    return list(
        db.session.scalars(
            select(DigestItem)
            .join(DigestItem.issue)
            .join(DigestItemArea, DigestItemArea.item_id == DigestItem.id)
            .where(DigestItemArea.area_id == area.id, DigestIssue.published_on.is_not(None))
            .order_by(DigestIssue.published_on.desc(), DigestItem.position)
        )
    )


def research_for_tip(tip) -> list[DigestItem]:
    return list(
        db.session.scalars(
            select(DigestItem)
            .join(TipResearchLink, TipResearchLink.item_id == DigestItem.id)
            .join(DigestItem.issue)
            .where(TipResearchLink.tip_id == tip.id, DigestIssue.published_on.is_not(None))
            .order_by(DigestIssue.published_on.desc(), DigestItem.position)
        )
    )


def tips_for_item(item: DigestItem) -> list:

    return list(
        db.session.scalars(
            select(Tip)
            .join(TipResearchLink, TipResearchLink.tip_id == Tip.id)
            .where(TipResearchLink.item_id == item.id, Tip.status == PUBLISHED)
            .order_by(Tip.slug)
        )
    )


def published_items(limit: int | None = None) -> list[DigestItem]:
    query = (
        select(DigestItem)
        .join(DigestItem.issue)
        .where(DigestIssue.published_on.is_not(None))
        .order_by(DigestIssue.published_on.desc(), DigestIssue.number.desc(), DigestItem.position)
    )
    return list(db.session.scalars(query.limit(limit) if limit else query))


def find_item_by_ref(ref: str) -> DigestItem | None:
    """A published item named as ISSUE/ITEM, e.g. 2007-q1/what-children-say."""
    issue_slug, _, item_slug = (ref or "").partition("/")
    issue = find_issue(issue_slug)
    if issue is None or issue.is_draft:
        return None
    return issue.item(item_slug)
