"""Feed discovery: every page that lists the research digest or legal updates names its Atom
feed in its head (<link rel="alternate" type="application/atom+xml">), as feed readers,
browsers and Outlook look for it, and the feed it names answers."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

ATOM = "application/atom+xml"
DIGEST = ("CAFpedia research digest", "/digest/feed.atom")
LEGAL = ("CAFpedia legal updates", "/legal/feed.atom")
ITEM = "/digest/2007-q1/complaints-and-service-user-feedback"
UPDATE = "/legal/2004-05-10-re-m-reporting-concerns-without-the-courts-permission"


class Head(HTMLParser):
    """The <title> and the <link> elements of a page's <head>, as a feed reader reads them."""

    def __init__(self, html: str):
        super().__init__()
        self.links: list[dict] = []
        self.title = ""
        self._where: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in ("head", "title"):
            self._where.append(tag)
        elif tag == "link" and "head" in self._where:
            self.links.append(dict(attrs))

    def handle_endtag(self, tag):
        if self._where and self._where[-1] == tag:
            self._where.pop()

    def handle_data(self, data):
        if self._where and self._where[-1] == "title":
            self.title += data

    def feeds(self) -> list[tuple[str, str]]:
        return [
            (link["title"], link["href"])
            for link in self.links
            if link.get("rel") == "alternate" and link.get("type") == ATOM
        ]


@pytest.fixture
def reader(demo_content, make_user, as_user):
    make_user("reader.one")
    return as_user("reader.one")


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/", [DIGEST, LEGAL]),
        ("/digest", [DIGEST]),
        ("/digest/archive", [DIGEST]),
        ("/digest/2007-q1", [DIGEST]),
        (ITEM, [DIGEST]),
        ("/legal", [LEGAL]),
        (UPDATE, [LEGAL]),
        (
            "/legal?area=private-law",
            [("CAFpedia legal updates: Private law", "/legal/areas/private-law/feed.atom"), LEGAL],
        ),
    ],
)
def test_pages_that_list_the_digest_or_legal_updates_name_their_feeds_in_the_head(reader, path, expected):
    response = reader.get(path)
    assert response.status_code == 200
    head = Head(response.get_data(as_text=True))
    assert head.feeds() == expected
    for _, href in head.feeds():
        answer = reader.get(href)
        assert answer.status_code == 200 and answer.content_type.startswith(ATOM), href
    assert "<" not in head.title  # the page's title is text, never markup


def test_an_area_page_names_its_legal_feed_and_the_digest_feed_when_it_lists_research(reader):
    from cafpedia.areas.services import list_areas

    with_research = 0
    for area in list_areas():
        page = reader.get(f"/areas/{area.slug}").get_data(as_text=True)
        own = (f"CAFpedia legal updates: {area.title}", f"/legal/areas/{area.slug}/feed.atom")
        listed = "Research about this area" in page
        assert Head(page).feeds() == [own, LEGAL, *([DIGEST] if listed else [])], area.slug
        with_research += listed
    assert 0 < with_research < len(list_areas())  # both kinds of page were seen


def test_pages_that_list_neither_name_no_feed(reader):
    for path in ("/tips/new", "/experts", "/search?q=contact", "/standards"):
        assert Head(reader.get(path).get_data(as_text=True)).feeds() == [], path


def test_the_legal_page_names_no_area_feed_for_an_area_that_does_not_exist(reader):
    head = Head(reader.get("/legal?area=no-such-area").get_data(as_text=True))
    assert head.feeds() == [LEGAL]
