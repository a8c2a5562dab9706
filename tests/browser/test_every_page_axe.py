"""Every page CAFpedia serves, checked by axe (WCAG 2.2 AA) on a 360-pixel phone and a 1280-pixel
screen (issue 15). Pages are seen by the person they are for; a new page must join the list
(test_every_page_is_on_the_list fails until it does, or says why it is not a page)."""

from __future__ import annotations

import pytest

from cafpedia.extensions import db
from tests.browser.conftest import demo_app, serving
from tests.browser.test_foundation_pages import sign_in
from tests.support.routes import GAP_LINE, seed

TIP = "family-assistance-orders-when-and-how-to-recommend"
DRAFT = "2027-q1"

# (path, who looks at it[, where it lands]): None is someone not signed in.
PAGES = [
    ("/sign-in", None),
    ("/invitation/{invitation}", None),
    ("/", "demo.fca"),
    ("/account", "demo.fca"),
    ("/notifications", "demo.fca"),
    ("/search?q=contact", "demo.fca"),
    ("/search/synonyms", "demo.admin"),
    ("/offline", "demo.fca"),
    ("/areas", "demo.fca"),
    ("/areas/private-law", "demo.fca"),
    ("/areas/private-law/changes", "demo.admin"),
    ("/areas/dispute-resolution/gaps", "priya.chandran"),
    (f"/areas/dispute-resolution/gaps/not-for?line=search/{GAP_LINE.replace(' ', '%20')}", "priya.chandran"),
    (f"/tips/new?area=dispute-resolution&gap=search/{GAP_LINE.replace(' ', '%20')}", "priya.chandran"),
    ("/standards", "demo.fca"),
    ("/standards/2007-draft", "demo.fca"),
    ("/standards/2007-draft/1.1", "demo.fca"),
    (f"/tips/{TIP}", "demo.fca"),
    (f"/tips/{TIP}/history", "demo.fca"),
    (f"/tips/{TIP}/compare?from=1&to=1", "demo.fca"),
    (f"/tips/{TIP}/revisions/1", "demo.fca"),
    (f"/tips/{TIP}?as_at=2026-01-01", "demo.fca"),
    (f"/tips/{TIP}/edit", "demo.fca"),
    (f"/tips/{TIP}/research", "demo.admin"),
    ("/tips/new", "demo.fca"),
    ("/my/proposals", "demo.fca"),
    ("/moderation", "demo.admin"),
    ("/moderation/health", "demo.admin"),
    ("/reviews", "demo.admin"),
    ("/legal", "demo.fca"),
    ("/legal/2004-02-09-public-law-protocol-for-care-cases", "demo.fca"),
    ("/legal/2004-02-09-public-law-protocol-for-care-cases/history", "demo.fca"),
    ("/legal/2004-02-09-public-law-protocol-for-care-cases/edit", "legal.editor"),
    ("/legal/new", "legal.editor"),
    ("/digest", "demo.fca"),
    ("/digest/archive", "demo.fca"),
    ("/digest/2006-q3", "demo.fca"),
    ("/digest/2006-q3", "research.coordinator"),  # with "Correct the introduction"
    ("/digest/2006-q3/childrens-views-of-good-social-workers", "demo.fca"),
    ("/digest/2006-q3/childrens-views-of-good-social-workers/edit", "research.coordinator"),
    ("/digest/2006-q3/introduction", "research.coordinator"),
    ("/digest/new", "research.coordinator"),
    (f"/digest/{DRAFT}/edit", "research.coordinator"),
    (f"/digest/{DRAFT}/items/new", "research.coordinator"),
    (f"/digest/{DRAFT}/publish", "research.coordinator"),
    ("/digest/suggestions", "research.coordinator"),
    ("/digest/suggestions/{suggestion}", "research.coordinator"),
    ("/experts", "demo.fca"),
    ("/experts?q=adoption&now=y", "demo.fca"),
    ("/experts/ayesha-rahman", "demo.fca"),
    ("/experts/ayesha-rahman/edit", "register.admin"),
    ("/experts/ayesha-rahman/away", "register.admin"),
    ("/experts/mine", "demo.expert", "/experts/nasreen-akhtar"),  # their own entry
    ("/experts/new", "register.admin"),
    ("/experts/nominate", "amara.okafor"),
    ("/experts/register", "register.admin"),
    ("/experts/rota", "register.admin"),
    ("/experts/rota", "demo.fca"),  # read only: who is on the line this week
    ("/advice-line", "demo.expert"),
    ("/advice-line/new", "demo.expert"),
    ("/advice-line/1", "demo.admin"),
    ("/advice-line/report", "register.admin"),
    ("/admin", "demo.admin"),
    ("/admin/audit", "demo.admin"),
    ("/admin/mail", "demo.admin"),
    ("/admin/areas", "demo.admin"),
    ("/admin/areas/new", "demo.admin"),
    ("/admin/areas/private-law", "demo.admin"),
    ("/admin/people", "demo.admin"),
    ("/admin/people/new", "demo.admin"),
    ("/admin/people/import", "demo.admin"),
    ("/admin/people/demo.fca", "demo.admin"),
    ("/admin/people/requests", "demo.admin"),
    ("/admin/people/requests/{access_request}", "demo.admin"),
]

# Served, but not pages a person reads: downloads, feeds, machine answers, and the two steps
# of signing in through the organisation (a redirect there and back: test_identity_provider_pages).
NOT_PAGES = {
    "static",
    "ops.healthz",
    "ops.metrics",
    "search.api",
    "search.opensearch",
    "search.go",  # a redirect to a search result, noting it was opened
    "offline.service_worker",
    "offline.manifest",
    "offline.pages",
    "digest.feed",
    "digest.print_styles",  # a stylesheet, not a page (tests/browser/test_digest_print.py prints with it)
    "legal.feed",
    "legal.area_feed",
    "experts.report_download",
    "experts.rota_download",
    "experts.gaps_download",
    "tips.health_download",
    "tips.area_changes_download",
    "gaps.download",
    "tips.record",
    "accounts.sign_in_with_provider",
    "accounts.provider_return",
}


@pytest.mark.browser
def test_every_page_is_on_the_list(axe_site):
    app, _ = axe_site
    listed = set()
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        for path, *_ in PAGES:
            sample = path.split("?")[0].format(suggestion=1, access_request=1, invitation="x")
            listed.add(adapter.match(sample, method="GET")[0])
    served = {r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods}
    assert served - NOT_PAGES - listed == set()


@pytest.fixture(scope="module")
def axe_site(tmp_path_factory):
    """A server of its own: the draft issue, suggestion, access request and invitation made
    here would otherwise show in other tests' counts."""
    app = demo_app(tmp_path_factory.mktemp("axe"))
    with app.app_context():
        ids = seed()  # the same objects the route-by-role checks add to the demo
        db.session.remove()
    with serving(app) as url:
        yield app, (url, ids)


@pytest.mark.browser
@pytest.mark.parametrize("width, height", [(360, 640), (1280, 900)], ids=["phone", "wide"])
@pytest.mark.parametrize("who", sorted({entry[1] or "" for entry in PAGES}))
def test_every_page_passes_axe(browser, axe_site, axe_check, width, height, who):
    _app, (base, ids) = axe_site
    context = browser.new_context(
        viewport={"width": width, "height": height}, is_mobile=width < 500, has_touch=width < 500
    )
    page = context.new_page()
    try:
        if who:
            sign_in(page, base, who)
            page.wait_for_load_state("load")
        for path, person, *lands in PAGES:
            if (person or "") != who:
                continue
            path = path.format(**ids)
            response = page.goto(base + path)
            assert response.status == 200, f"{path} as {who or 'nobody'}: {response.status}"
            assert page.url.split("#")[0] == base + (lands[0] if lands else path), (
                f"{path} as {who or 'nobody'} went to {page.url}"
            )
            axe_check(page)
    finally:
        context.close()
