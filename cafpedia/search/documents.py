"""What the search index holds: one `SearchDocument` per thing a reader can find.

Each kind of content provides its documents here, built from the database (the truth);
the index can always be rebuilt from them. A document's `key` names it for updates:
`tip:<slug>` for a tip as readers see it, `proposal:<slug>:<n>` for a pending proposal,
`area:<slug>`, `clause:<version>:<code>`, `digest:<issue>:<item>` for a published digest item, `legal:<slug>` for a legal update,
`expert:<slug>` for an expert on the register (found by name, skill and area; never by contact details).
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy import inspect, select
from sqlalchemy.orm import object_session, selectinload

from cafpedia.core.markdown import index_text
from cafpedia.extensions import db

# Ranking: area and standard pages are signposts, digest items and legal updates background, so
# on a near tie the tip or guidance that answers the question comes first. Both backends
# multiply a document's score by its kind's weight.
KIND_WEIGHTS = {"area": 0.8, "standard": 0.8, "research": 0.85, "legal": 0.85, "expert": 0.8}
WORD_RE = re.compile(r"[a-z][a-z']{2,40}")
KIND_LABELS = {
    "tip": "Practice tip",
    "guidance": "Guidance",
    "area": "Practice area",
    "standard": "National Standard",
    "research": "Research digest",
    "legal": "Legal update",
    "expert": "Expert on the advice line",
}


@dataclass
class SearchDocument:
    key: str
    kind: str
    title: str
    body: str
    url: str
    status: str = "published"  # published | pending | archived
    area: str = ""  # area slug
    area_title: str = ""
    tags: list[str] = field(default_factory=list)
    standards: list[str] = field(default_factory=list)
    updated_at: datetime | None = None
    # For pending proposals: who may see them (their author and the area's moderators).
    author_id: int | None = None
    area_id: int | None = None
    extra: str = ""  # legal references, citations, synonyms of the title: searchable, not shown
    keywords: str = ""  # words that count as much as the title, not shown: a legal update's citations

    def index_body(self) -> str:
        """The text to index and to cut snippets from: Markdown without its syntax."""
        return index_text(self.body) if self.kind in ("tip", "guidance", "area", "research", "legal", "expert") else self.body

    def spelling_words(self, body: str | None = None) -> set[str]:
        """The words "did you mean" may offer, as written (lower case), from title and body."""
        return set(WORD_RE.findall(f"{self.title} {self.index_body() if body is None else body}".lower()))

    def index_extra(self) -> str:
        """Searchable words that are not shown: references, and the tags as words."""
        return " ".join([self.extra, *self.tags]).replace("-", " ")

    def fingerprint(self) -> str:
        """SHA-256 of everything the document holds: stored with it in the index, so that
        `cafpedia reindex --check` can tell whether the index still says what the database says."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, default=str).encode()).hexdigest()


# --- Tips -------------------------------------------------------------------------------


def _tip_documents(tip) -> list[SearchDocument]:
    from cafpedia.tips.models import ARCHIVED, PENDING, PUBLISHED

    docs = []
    current = tip.revision(tip.current_number)
    if current is not None:
        docs.append(SearchDocument(
            key=f"tip:{tip.slug}", kind=current.kind, title=current.title, body=current.body, url=f"/tips/{tip.slug}",
            status=ARCHIVED if tip.status == ARCHIVED else PUBLISHED, area=tip.area.slug, area_title=tip.area.title,
            tags=list(current.tags), standards=current.standards,
            updated_at=max([e.at for e in tip.events if e.revision_number == current.number] or [current.created_at]),
            extra=" ".join(current.legal_refs),
        ))
    for rev in tip.revisions:
        if rev.status == PENDING:
            docs.append(SearchDocument(
                key=f"proposal:{tip.slug}:{rev.number}", kind=rev.kind, title=rev.title, body=rev.body,
                url=f"/tips/{tip.slug}/revisions/{rev.number}", status=PENDING, area=tip.area.slug, area_title=tip.area.title,
                tags=list(rev.tags), standards=rev.standards, updated_at=rev.created_at, author_id=rev.author_id,
                area_id=tip.area_id, extra=" ".join(rev.legal_refs),
            ))
    return docs


def _tip_keys(tip) -> list[str]:
    return [f"tip:{tip.slug}"] + [f"proposal:{tip.slug}:{r.number}" for r in tip.revisions]


# --- Areas and standards ------------------------------------------------------------------


def _area_document(area) -> SearchDocument:
    lead = area.lead.name if area.lead else ""
    return SearchDocument(
        key=f"area:{area.slug}", kind="area", title=area.title, body=area.summary, url=f"/areas/{area.slug}",
        area=area.slug, area_title=area.title, updated_at=area.updated_at, extra=lead,
    )


def _clause_document(clause) -> SearchDocument:
    return SearchDocument(
        key=f"clause:{clause.version.version}:{clause.code}", kind="standard", title=f"{clause.code} {clause.standard}",
        body=clause.summary, url=f"/standards/{clause.version.version}/{clause.code}", standards=[clause.code],
        updated_at=clause.version.created_at,
    )


# --- Research digest items -------------------------------------------------------------------


def _digest_key(item) -> str:
    return f"digest:{item.issue.slug}:{item.slug}"


def _digest_document(item) -> SearchDocument:
    """A published digest item. Its first area of practice is the one search files it under."""
    areas = item.areas
    return SearchDocument(
        key=_digest_key(item), kind="research", title=item.title,
        body=f"{item.summary}\n\n## Implications for practice\n\n{item.implications}",
        url=f"/digest/{item.issue.slug}/{item.slug}", area=areas[0].slug if areas else "",
        area_title=areas[0].title if areas else "", tags=list(item.tags),
        updated_at=item.corrected_at or item.issue.published_at or item.updated_at,
        extra=" ".join([item.source, *item.authors, str(item.year or ""), *(a.title for a in areas[1:])]),
    )


# --- Legal updates -----------------------------------------------------------------------------


def _legal_document(update) -> SearchDocument:
    """A legal update; a withdrawn one is found only on request, like an archived tip."""
    from cafpedia.legal.models import KINDS as LEGAL_KINDS

    revision = update.current
    areas = update.areas
    return SearchDocument(
        key=f"legal:{update.slug}", kind="legal", title=revision.title,
        body=f"{revision.summary}\n\n{revision.briefing}\n\n## What it means for practice\n\n{revision.practice}",
        url=f"/legal/{update.slug}", status="archived" if update.status == "withdrawn" else "published",
        area=areas[0].slug if areas else "", area_title=areas[0].title if areas else "", tags=list(revision.tags),
        updated_at=update.updated_at,
        # The first citation is what the update is about; any other finds it too, with less weight.
        extra=" ".join([*revision.citations[1:], LEGAL_KINDS.get(revision.kind, ""), *(a.title for a in areas[1:])]),
        keywords=revision.citations[0] if revision.citations else "",
    )


# --- Experts on the register ------------------------------------------------------------------


def _expert_document(expert) -> SearchDocument:
    """An active expert: name as the title, skills as strongly as the title, areas and languages as words."""
    areas = expert.areas
    return SearchDocument(
        key=f"expert:{expert.slug}", kind="expert", title=expert.name, body=f"{expert.job_title}\n\n{expert.about}",
        url=f"/experts/{expert.slug}", area=areas[0].slug if areas else "", area_title=areas[0].title if areas else "",
        updated_at=expert.updated_at,
        extra=" ".join([expert.region, *expert.languages, *(a.title for a in areas), "expert advice line"]),
        keywords=" ".join(expert.skills),
    )


# --- The registry the index follows ---------------------------------------------------------


def keys_for(obj) -> list[str]:
    """The document keys to refresh when this database object changes (empty: not indexed)."""
    from cafpedia.accounts.models import User
    from cafpedia.areas.models import PracticeArea
    from cafpedia.digest.models import DigestIssue, DigestItem, DigestItemArea
    from cafpedia.experts.models import Expert, ExpertArea
    from cafpedia.legal.models import LegalRevision, LegalUpdate, LegalUpdateArea
    from cafpedia.standards.models import StandardClause
    from cafpedia.tips.models import Revision, Tip, TipEvent

    if isinstance(obj, Tip):
        return _tip_keys(obj) if obj.slug else []
    if isinstance(obj, (Revision, TipEvent)) and obj.tip is not None:
        return _tip_keys(obj.tip)
    if isinstance(obj, PracticeArea):
        keys = [f"area:{obj.slug}"]
        if obj.id is not None and inspect(obj).attrs.title.history.has_changes():
            keys += _keys_showing_area(object_session(obj), obj.id)
        return keys
    if isinstance(obj, User) and obj.id is not None and inspect(obj).attrs.name.history.has_changes():
        with object_session(obj).no_autoflush:  # an area's page names its lead manager
            return [f"area:{slug}" for slug in object_session(obj).scalars(select(PracticeArea.slug).where(PracticeArea.lead_id == obj.id))]
    if isinstance(obj, Expert) and obj.slug:
        return [f"expert:{obj.slug}"]
    if isinstance(obj, ExpertArea) and obj.expert_id is not None:
        expert = object_session(obj).get(Expert, obj.expert_id) if object_session(obj) else None
        return [f"expert:{expert.slug}"] if expert is not None else []
    if isinstance(obj, LegalUpdate) and obj.slug:
        return [f"legal:{obj.slug}"]
    if isinstance(obj, (LegalRevision, LegalUpdateArea)):
        session = object_session(obj)
        update = obj.update if isinstance(obj, LegalRevision) else (session.get(LegalUpdate, obj.update_id) if session and obj.update_id else None)
        return [f"legal:{update.slug}"] if update is not None and update.slug else []
    if isinstance(obj, DigestItem) and obj.issue is not None and obj.slug:
        return [_digest_key(obj)]
    if isinstance(obj, DigestItemArea) and obj.item_id is not None:
        item = object_session(obj).get(DigestItem, obj.item_id) if object_session(obj) else None
        return [_digest_key(item)] if item is not None and item.issue is not None else []
    if isinstance(obj, DigestIssue):
        return [f"digest:{obj.slug}:{i.slug}" for i in obj.items]
    if isinstance(obj, StandardClause) and obj.version is not None:
        return [f"clause:{obj.version.version}:{obj.code}"]
    return []


def _keys_showing_area(session, area_id: int) -> list[str]:
    """Every document that shows this area's name: its tips and their pending proposals (only
    those are indexed), and the digest items, legal updates and experts filed under it."""
    from cafpedia.digest.models import DigestIssue, DigestItem, DigestItemArea
    from cafpedia.experts.models import Expert, ExpertArea
    from cafpedia.legal.models import LegalUpdate, LegalUpdateArea
    from cafpedia.tips.models import Revision, Tip

    with session.no_autoflush:
        keys = [f"tip:{slug}" for slug in session.scalars(select(Tip.slug).where(Tip.area_id == area_id))]
        keys += [f"proposal:{slug}:{number}" for slug, number in session.execute(
            select(Tip.slug, Revision.number).join(Revision, Revision.tip_id == Tip.id).where(Tip.area_id == area_id, Revision.status == "pending"))]
        keys += [f"digest:{issue}:{item}" for issue, item in session.execute(
            select(DigestIssue.slug, DigestItem.slug).select_from(DigestItem).join(DigestItem.issue).join(DigestItemArea, DigestItemArea.item_id == DigestItem.id)
            .where(DigestItemArea.area_id == area_id))]
        keys += [f"legal:{slug}" for slug in session.scalars(
            select(LegalUpdate.slug).join(LegalUpdateArea, LegalUpdateArea.update_id == LegalUpdate.id).where(LegalUpdateArea.area_id == area_id))]
        keys += [f"expert:{slug}" for slug in session.scalars(
            select(Expert.slug).join(ExpertArea, ExpertArea.expert_id == Expert.id).where(ExpertArea.area_id == area_id))]
    return keys


def documents_for_key(key: str) -> list[SearchDocument]:
    """The current documents behind a key: none if it should leave the index."""
    from cafpedia.areas.services import find_area
    from cafpedia.standards.services import current_version, find_version
    from cafpedia.tips.reading import find_tip

    kind, _, rest = key.partition(":")
    if kind in ("tip", "proposal"):
        tip = find_tip(rest.split(":")[0])
        return [d for d in _tip_documents(tip) if d.key == key] if tip else []
    if kind == "legal":
        from cafpedia.legal.services import find_update

        update = find_update(rest)
        return [_legal_document(update)] if update is not None else []
    if kind == "expert":
        from cafpedia.experts.entries import find_expert

        expert = find_expert(rest)
        return [_expert_document(expert)] if expert is not None and expert.active else []
    if kind == "digest":
        from cafpedia.digest.services import find_issue

        issue_slug, _, item_slug = rest.partition(":")
        issue = find_issue(issue_slug)
        item = issue.item(item_slug) if issue is not None and not issue.is_draft else None
        return [_digest_document(item)] if item is not None else []
    if kind == "area":
        area = find_area(rest)
        return [_area_document(area)] if area else []
    if kind == "clause":
        version_name, _, code = rest.rpartition(":")
        version = find_version(version_name)
        current = current_version()
        clause = version.clause(code) if version else None
        return [_clause_document(clause)] if clause and current and version.id == current.id else []
    return []


def all_documents() -> Iterator[SearchDocument]:
    """Every document, for a full rebuild, read in batches."""
    from cafpedia.areas.services import list_areas
    from cafpedia.standards.models import StandardClause
    from cafpedia.standards.services import current_version
    from cafpedia.tips.models import Revision, RevisionStandard, Tip

    for area in list_areas():
        yield _area_document(area)
    version = current_version()
    if version is not None:
        for clause in version.clauses:
            yield _clause_document(clause)
    from cafpedia.digest.services import published_issues

    for issue in published_issues():
        for item in issue.items:
            yield _digest_document(item)
    from cafpedia.legal.services import FeedFilters, feed

    for update in feed(FeedFilters(include_withdrawn=True)):
        yield _legal_document(update)
    from cafpedia.experts.entries import all_experts

    for expert in all_experts():
        yield _expert_document(expert)
    ids = list(db.session.scalars(select(Tip.id).order_by(Tip.id)))
    for start in range(0, len(ids), 200):
        batch = select(Tip).where(Tip.id.in_(ids[start:start + 200])).order_by(Tip.id).options(
            # Everything a document needs, in five queries per batch rather than five per tip.
            selectinload(Tip.area), selectinload(Tip.events),
            selectinload(Tip.revisions).selectinload(Revision.standard_links)
            .joinedload(RevisionStandard.clause).load_only(StandardClause.code),
        )
        for tip in db.session.scalars(batch):
            yield from _tip_documents(tip)
        db.session.expunge_all()  # keep memory flat on a large knowledge base


def count_documents() -> int:
    from cafpedia.areas.models import PracticeArea
    from cafpedia.tips.models import Revision, Tip

    tips = db.session.query(Tip).filter(Tip.current_number.is_not(None)).count()
    pending = db.session.query(Revision).filter(Revision.status == "pending").count()
    from cafpedia.digest.models import DigestIssue, DigestItem
    from cafpedia.standards.services import current_version

    research = db.session.query(DigestItem).join(DigestItem.issue).filter(DigestIssue.published_on.is_not(None)).count()
    version = current_version()
    from cafpedia.experts.models import Expert
    from cafpedia.legal.models import LegalUpdate

    experts = db.session.query(Expert).filter(Expert.active.is_(True)).count()
    return experts + research + db.session.query(LegalUpdate).count() + tips + pending + db.session.query(PracticeArea).count() + (len(version.clauses) if version else 0)
