"""What a phone may keep for reading offline, and how the server says so (issue 15).
The service worker itself runs in Chromium: tests/browser/test_offline_pages.py."""

from __future__ import annotations

import json

from sqlalchemy import select

from cafpedia.extensions import db
from cafpedia.tips import moderation, reviewing
from cafpedia.tips.models import CHECKLIST, Tip


def test_the_list_of_pages_to_keep_is_the_published_tips_in_the_persons_areas(
    publish, propose, people, make_user, client, as_user
):
    assert client.get("/offline/pages.json").status_code == 401  # nobody signed in: the phone clears what it kept
    tip = publish()
    propose(slug="not-yet", title="A proposal nobody approved yet")
    elsewhere = propose(slug="adoption-tip", area="adoption", title="Adoption tip for another area")
    moderation.approve(people["other"], elsewhere, checklist=list(CHECKLIST), confidentiality_confirmed=False)
    db.session.commit()
    make_user("ann.fca", areas=["contact"])

    listed = as_user("ann.fca").get("/offline/pages.json").get_json()
    assert [p["url"] for p in listed["pages"]] == ["/experts", f"/tips/{tip.slug}"]
    assert listed["pages"][1] == {"url": f"/tips/{tip.slug}", "title": "Use contact centres well", "version": "r1"}
    assert listed["signed_in"] is True and isinstance(listed["user"], int)  # a number, never a name

    # A lead manager keeps the areas they lead; someone with no area, only the advice line.
    assert [p["url"] for p in as_user("lee.lead").get("/offline/pages.json").get_json()["pages"]] == [
        "/experts",
        f"/tips/{tip.slug}",
    ]
    assert [p["url"] for p in as_user("pat.fca").get("/offline/pages.json").get_json()["pages"]] == ["/experts"]

    # An archived tip is no longer kept.
    reviewing.archive(people["lee"], db.session.scalar(select(Tip).where(Tip.slug == tip.slug)), note="Superseded")
    db.session.commit()
    assert [p["url"] for p in as_user("ann.fca").get("/offline/pages.json").get_json()["pages"]] == ["/experts"]


def test_a_published_tip_is_marked_as_savable_for_a_signed_in_reader_only(publish, propose, as_user, people):
    tip = publish(title="Contact centres – a checklist")
    response = as_user("pat.fca").get(f"/tips/{tip.slug}")
    assert response.headers["X-Cafpedia-Offline"] == "save"
    assert (
        response.headers["X-Cafpedia-Title"] == "Contact centres %E2%80%93 a checklist"
    )  # Latin-1 headers: the worker decodes it
    assert response.headers["X-Cafpedia-Saved"] == "23 Nov, 10:00"  # the pinned clock, in UK time
    assert response.headers["X-Cafpedia-Version"] == "r1"
    assert response.headers["X-Cafpedia-User"] == str(people["pat"].id)
    assert response.headers["Cache-Control"] == "no-store"  # never in a shared or HTTP cache

    as_at = as_user("pat.fca").get(f"/tips/{tip.slug}?as_at=2026-11-23")
    assert as_at.status_code == 200 and "X-Cafpedia-Offline" not in as_at.headers
    proposal = propose(slug="a-proposal")
    assert (
        "X-Cafpedia-Offline" not in as_user("pat.fca").get(f"/tips/{proposal.tip.slug}").headers
    )  # not published: never kept


def test_nothing_is_kept_for_a_reader_who_is_not_signed_in(make_app, publish, people):
    app = make_app(PUBLIC_READ=True)
    with app.test_client() as anonymous:
        response = anonymous.get("/tips/contact-centres")
    assert "X-Cafpedia-Offline" not in response.headers


def test_a_background_refresh_is_not_counted_as_a_reading(publish, as_user):
    tip = publish()
    client = as_user("pat.fca")
    client.get(f"/tips/{tip.slug}")
    client.get(f"/tips/{tip.slug}", headers={"X-Cafpedia-Background": "refresh"})
    db.session.expire_all()
    assert db.session.scalar(select(Tip.views).where(Tip.slug == tip.slug)) == 1


def test_the_advice_lines_numbers_are_kept_but_not_a_filtered_search(people, as_user):
    client = as_user("pat.fca")
    assert client.get("/experts").headers["X-Cafpedia-Offline"] == "save"
    assert "X-Cafpedia-Offline" not in client.get("/experts?q=adoption").headers


def test_signing_out_tells_the_browser_to_clear_what_it_kept(people, as_user):
    client = as_user("pat.fca")
    response = client.post_form("/sign-out")
    assert response.status_code == 302 and response.headers["Clear-Site-Data"] == '"cache", "storage"'
    client.sign_in("pat.fca")
    everywhere = client.post_form("/account/sign-out-everywhere")
    assert everywhere.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_the_app_can_be_installed_and_its_worker_looks_after_every_page(client, people, as_user):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.mimetype == "application/manifest+json"
    data = json.loads(manifest.get_data(as_text=True))
    assert data["short_name"] == "CAFpedia" and data["start_url"] == "/" and data["display"] == "standalone"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}
    for icon in data["icons"]:
        with client.get(icon["src"]) as image:
            assert image.status_code == 200 and image.mimetype == "image/png"

    with client.get("/sw.js") as worker:
        assert worker.status_code == 200 and worker.mimetype == "text/javascript"
        assert worker.headers["Cache-Control"] == "no-cache"  # a new version reaches phones on their next visit
        assert "X-Cafpedia-Offline" in worker.get_data(as_text=True)

    page = as_user("pat.fca").get("/").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'data-service-worker="/sw.js"' in page and "<!--offline-notice-->" in page and "<!--flashes-->" in page

    shell = client.get("/offline").get_data(as_text=True)
    assert (
        "Reading offline" in shell
        and "<!--offline-content-->" in shell
        and "Signing out clears everything saved" in shell
    )


def test_a_tip_s_details_follow_its_text_in_a_fold(publish, as_user):
    tip = publish()
    page = as_user("pat.fca").get(f"/tips/{tip.slug}").get_data(as_text=True)
    assert (
        page.index('class="prose tip-body"')
        < page.index('<details class="tip-details" open>')
        < page.index("Next review due")
    )
