"""The research digest on paper (issue 18): Chromium prints an issue as A4 with its items
flowing one after another, a page break only before the contents and wherever an item's
heading would otherwise be parted from its text, and on every page the issue's title and
number, its date and address, and the page number."""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.browser

ISSUES = ["2006-q3", "2006-q4", "2007-q1"]  # the demo's published issues (7, 8 and 9)
PAGE_COUNTS: dict[str, int] = {}  # printed for the note: pytest -s -k digest_print


def sign_in(page, base, username):
    page.goto(base + "/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill("cafpedia-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))


@pytest.fixture(scope="module")
def reader(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, "demo.fca")
    yield page
    context.close()


def printed(page, base: str, slug: str) -> PdfReader:
    page.goto(f"{base}/digest/{slug}")
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True, print_background=False)
    page.emulate_media(media="screen")
    return PdfReader(io.BytesIO(pdf))


@pytest.mark.parametrize("slug", ISSUES)
def test_an_issue_prints_with_its_items_flowing_and_its_name_on_every_page(reader, live_server, live_app, slug):
    from cafpedia.core.clock import format_date
    from cafpedia.core.markdown import plain_text
    from cafpedia.digest.reading import find_issue

    with live_app.app_context():
        issue = find_issue(slug)
        title, number, published = issue.title, issue.number, format_date(issue.published_on)
        items = [(item.title, " ".join(plain_text(item.summary).split()[:4])) for item in issue.items]
    pages = [
        " ".join(unicodedata.normalize("NFKC", page.extract_text()).split())  # NFKC: the "ﬁ" ligature is "fi"
        for page in printed(reader, live_server, slug).pages
    ]
    PAGE_COUNTS[slug] = len(pages)
    print(f"\n{slug} (issue {number}, {len(items)} items): {len(pages)} A4 pages")

    for n, text in enumerate(pages, 1):  # every page says what it is, when, where, and which page
        assert f"Research digest · Issue {number}: {title}" in text, (n, text[:300])
        assert f"Published {published}" in text and f"/digest/{slug}" in text, (n, text[-300:])
        assert f"Page {n} of {len(pages)}" in text, (n, text[-300:])
    assert "In this issue" not in pages[0] and "In this issue" in pages[1]  # the contents start a page
    assert items[0][1] in pages[1]  # and the items follow them at once, flowing, not one to a page
    for item_title, first_words in items:  # no heading is parted from the start of its text
        assert any(item_title in text and first_words in text for text in pages[1:]), (item_title, first_words)
