"""Signed out with public reading on (CAFPEDIA_PUBLIC_READ=1): every page a reader may open
answers without a server error, on the demo content, including the downloads and the pages
"as at" a date. An anonymous visitor has no name, username, id or roles: no page may ask."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from cafpedia.core.permissions import rule_for_endpoint
from cafpedia.extensions import db


def demo_addresses() -> dict[str, list[str]]:
    """For each page open to readers, the addresses to try (every variant of its query)."""
    from cafpedia.areas.models import PracticeArea
    from cafpedia.digest.models import DigestIssue
    from cafpedia.experts.models import Expert
    from cafpedia.legal.models import LegalUpdate
    from cafpedia.standards.models import StandardClause
    from cafpedia.tips.models import Tip

    tip = db.session.scalars(select(Tip).where(Tip.status == "published", Tip.current_number > 1)).first()
    tip = tip or db.session.scalars(select(Tip).where(Tip.status == "published")).first()
    issue = db.session.scalars(select(DigestIssue).where(DigestIssue.published_on.is_not(None))).first()
    item = issue.items[0]
    update = db.session.scalars(select(LegalUpdate)).first()
    area = db.session.scalars(select(PracticeArea)).first()
    expert = db.session.scalars(select(Expert)).first()
    clause = db.session.scalars(select(StandardClause)).first()
    day = tip.revisions[-1].created_at.date().isoformat()
    t = f"/tips/{tip.slug}"
    pending = "/tips/running-extended-dispute-resolution-sessions"  # revision 2 waits for moderation
    return {
        "home.index": ["/"],
        "search.api": ["/api/search?q=contact", "/api/search?q=contact status:pending"],
        "search.results": [
            "/search?q=contact",
            "/search?q=contact&archived=1&kind=tip",
            "/search?q=handover status:pending",
            "/search?q=",
        ],
        "search.opensearch": ["/opensearch.xml"],
        "search.go": ["/search/go?t=abcdefghijklmnop&to=/areas", "/search/go?to=//elsewhere.example"],
        "areas.index": ["/areas"],
        "areas.show": [f"/areas/{area.slug}", f"/areas/{area.slug}?sort=new"],
        "tips.area_changes": [f"/areas/{area.slug}/changes"],
        "tips.area_changes_download": [f"/areas/{area.slug}/changes.csv"],
        "digest.home": ["/digest"],
        "digest.archive": ["/digest/archive"],
        "digest.feed": ["/digest/feed.atom"],
        "digest.issue": [f"/digest/{issue.slug}", f"/digest/{issue.slug}?view=reader"],
        "digest.print_styles": [f"/digest/{issue.slug}/print.css"],
        "digest.item": [
            f"/digest/{issue.slug}/{item.slug}",
            f"/digest/{issue.slug}/{item.slug}?as_at={issue.published_on.isoformat()}",
        ],
        "experts.index": ["/experts", f"/experts?q=court&area={area.slug}"],
        "experts.show": [f"/experts/{expert.slug}"],
        "legal.index": ["/legal"],
        "legal.feed": ["/legal/feed.atom"],
        "legal.area_feed": [f"/legal/areas/{area.slug}/feed.atom"],
        "legal.show": [f"/legal/{update.slug}", f"/legal/{update.slug}?as_at={update.published_on.isoformat()}"],
        "legal.history": [f"/legal/{update.slug}/history"],
        "standards.index": ["/standards"],
        "standards.version": [f"/standards/{clause.version.version}"],
        "standards.clause": [f"/standards/{clause.version.version}/{clause.code}"],
        "tips.show": [t, f"{t}?as_at={day}", f"{t}?as_at=not-a-day"],
        "tips.history": [f"{t}/history"],
        "tips.compare": [f"{t}/compare?from=1&to={tip.current_number}", f"{pending}/compare?from=1&to=2"],
        "tips.revision": [f"{t}/revisions/{tip.current_number}", f"{pending}/revisions/2"],  # (2: a proposal)
        "tips.record": [f"{t}/record?as_at={day}"],
    }


@pytest.fixture
def public_client(app, client, demo_content):
    app.config["PUBLIC_READ"] = True
    return client


def test_every_page_open_to_readers_is_tried(app, demo_content):
    with app.test_request_context():
        open_to_readers = {
            r.endpoint
            for r in app.url_map.iter_rules()
            if rule_for_endpoint(r.endpoint) == "read_published" and "GET" in r.methods
        }
    assert open_to_readers == set(demo_addresses())


def test_signed_out_with_public_reading_no_page_fails(public_client):
    failed = {}
    for addresses in demo_addresses().values():
        for address in addresses:
            try:  # (the test app lets a view's exception through: every failing page is named)
                status = public_client.get(address).status_code
            except Exception as exc:  # noqa: BLE001
                failed[address] = repr(exc)
                continue
            if status >= 500:
                failed[address] = status
    assert failed == {}


def test_signed_out_with_public_reading_the_record_downloads_and_is_in_the_audit_trail(public_client):
    from pypdf import PdfReader

    from cafpedia.core.audit import AuditEntry
    from cafpedia.tips.models import Tip

    tip = db.session.scalars(select(Tip).where(Tip.status == "published")).first()
    day = tip.revisions[-1].created_at.date().isoformat()
    response = public_client.get(f"/tips/{tip.slug}/record?as_at={day}")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "by a reader who was not signed in" in text
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "record.produce")).one()
    assert entry.actor_id is None and entry.actor_name == "public reader (not signed in)"
