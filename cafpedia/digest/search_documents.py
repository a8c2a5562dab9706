"""Published research digest items as search finds them (`digest:<issue>:<item>`), under each
of their areas of practice (shown with the first)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import object_session

from cafpedia.digest.models import DigestIssue, DigestItem, DigestItemArea
from cafpedia.digest.reading import find_issue, published_issues
from cafpedia.extensions import db
from cafpedia.search.documents import SearchDocument, Source


def _key(item: DigestItem) -> str:
    return f"digest:{item.issue.slug}:{item.slug}"


def item_document(item: DigestItem) -> SearchDocument:
    areas = item.areas
    return SearchDocument(
        key=_key(item),
        kind="research",
        title=item.title,
        body=f"{item.summary}\n\n## Implications for practice\n\n{item.implications}",
        url=f"/digest/{item.issue.slug}/{item.slug}",
        area=areas[0].slug if areas else "",
        area_title=areas[0].title if areas else "",
        areas=[a.slug for a in areas],
        tags=list(item.tags),
        updated_at=item.corrected_at or item.issue.published_at or item.updated_at,
        extra=" ".join([item.source, *item.authors, str(item.year or ""), *(a.title for a in areas[1:])]),
    )


def _documents(_kind: str, rest: str) -> list[SearchDocument]:
    issue_slug, _, item_slug = rest.partition(":")
    issue = find_issue(issue_slug)
    item = issue.item(item_slug) if issue is not None and not issue.is_draft else None
    return [item_document(item)] if item is not None else []


def _every_document():
    for issue in published_issues():
        for item in issue.items:
            yield item_document(item)


def _count() -> int:
    return db.session.query(DigestItem).join(DigestItem.issue).filter(DigestIssue.published_on.is_not(None)).count()


def _keys_for(obj) -> list[str] | None:
    if isinstance(obj, DigestItem):
        return [_key(obj)] if obj.issue is not None and obj.slug else []
    if isinstance(obj, DigestItemArea):
        item = (
            object_session(obj).get(DigestItem, obj.item_id)
            if obj.item_id is not None and object_session(obj)
            else None
        )
        return [_key(item)] if item is not None and item.issue is not None else []
    if isinstance(obj, DigestIssue):
        return [f"digest:{obj.slug}:{i.slug}" for i in obj.items]
    return None


def _keys_showing_area(session, area_id: int) -> list[str]:
    return [
        f"digest:{issue}:{item}"
        for issue, item in session.execute(
            select(DigestIssue.slug, DigestItem.slug)
            .select_from(DigestItem)
            .join(DigestItem.issue)
            .join(DigestItemArea, DigestItemArea.item_id == DigestItem.id)
            .where(DigestItemArea.area_id == area_id)
        )
    ]


SOURCE = Source(
    kinds=("digest",),
    documents=_documents,
    every_document=_every_document,
    count=_count,
    keys_for=_keys_for,
    keys_showing_area=_keys_showing_area,
)
