"""Images in Markdown: from CAFpedia itself or the https places CAFPEDIA_IMAGE_SOURCES names,
with alt, title, width and height only, loaded lazily, under a Content-Security-Policy that
names the same places; any other image is shown as a link to it."""

from __future__ import annotations

import re

import pytest

from cafpedia import create_app
from cafpedia.config import ConfigError, parse_image_sources
from cafpedia.core.markdown import image_allowed, render_markdown
from tests.conftest import base_config
from tests.core.test_markdown import ATTACKS

SOURCES = "https://intranet.example.org/images/ https://cdn.example.net"


@pytest.fixture
def with_sources(tmp_path):
    """An app whose Markdown may show images from SOURCES: on no database of its own (these
    tests render text), so they run once rather than once per database."""
    app = create_app(base_config(tmp_path, "sqlite://") | {"IMAGE_SOURCES": SOURCES})
    with app.app_context():
        yield app


def images(html: str) -> list[str]:
    return re.findall(r"<img [^>]*>", html)


def test_an_image_from_an_allowed_place_is_shown_with_its_text_and_size_loaded_lazily(with_sources):
    html = render_markdown('![Diagram of the process](https://intranet.example.org/images/flow.png "The flow")')
    assert images(html) == [
        '<img alt="Diagram of the process" src="https://intranet.example.org/images/flow.png" title="The flow" '
        'loading="lazy">'
    ]
    raw = render_markdown(
        '<img src="https://cdn.example.net/a/b.png" alt="Chart" width="320" height="200" class="x" style="x" '
        'onerror="alert(1)" loading="eager" srcset="https://evil.example/x.png 2x">'
    )
    assert images(raw) == [
        '<img src="https://cdn.example.net/a/b.png" alt="Chart" width="320" height="200" loading="lazy">'
    ]


def test_sizes_that_are_not_whole_pixels_are_dropped(with_sources):
    html = render_markdown('<img src="https://cdn.example.net/a.png" alt="A" width="100%" height="0">')
    assert images(html) == ['<img src="https://cdn.example.net/a.png" alt="A" loading="lazy">']


def test_an_image_without_alt_text_is_read_as_decoration(with_sources):
    assert 'alt=""' in render_markdown("![](https://cdn.example.net/a.png)")


@pytest.mark.parametrize(
    "src",
    [
        "https://evil.example/track.gif",  # a place not named
        "http://intranet.example.org/images/flow.png",  # not https
        "https://intranet.example.org/elsewhere/flow.png",  # outside the named folder
        "https://intranet.example.org.evil.example/images/flow.png",  # a look-alike host
        "https://user@cdn.example.net/a.png",  # credentials in the address
        "//evil.example/a.png",  # protocol-relative
    ],
)
def test_an_image_from_anywhere_else_is_shown_as_a_link(with_sources, src):
    html = render_markdown(f"![Diagram]({src})")
    assert images(html) == []
    assert f'<a href="{src}" class="image-link">Image: Diagram</a>' in html


def test_an_image_with_an_unsafe_address_is_neither_shown_nor_linked(with_sources):
    html = render_markdown("![Diagram](javascript:alert(1))")
    assert "javascript" not in html and "<img" not in html and "Image: Diagram" in html


def test_by_default_only_cafpedia_s_own_images_are_shown(app):
    assert images(render_markdown("![Logo](/static/icons/cafpedia-192.png)")) == [
        '<img alt="Logo" src="/static/icons/cafpedia-192.png" loading="lazy">'
    ]
    assert images(render_markdown("![Diagram](https://cdn.example.net/a.png)")) == []


@pytest.mark.parametrize("source, forbidden", ATTACKS)
def test_the_injection_tests_still_pass_with_image_sources_named(with_sources, source, forbidden):
    assert forbidden not in render_markdown(source).lower()


def test_the_content_security_policy_names_the_image_sources(make_app):
    default = make_app().test_client().get("/sign-in").headers["Content-Security-Policy"]
    assert "img-src 'self' data:;" in default
    named = make_app(IMAGE_SOURCES=SOURCES).test_client().get("/sign-in").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://intranet.example.org/images/ https://cdn.example.net;" in named


@pytest.mark.parametrize(
    "value, says",
    [
        ("http://cdn.example.net", "'http://cdn.example.net' is not an https address"),
        ("cdn.example.net", "'cdn.example.net' is not an https address"),
        ("https://cdn.example.net https:///nohost", "'https:///nohost' is not an https address"),
        ("https://cdn.example.net/?q=1", "is not an https address"),
    ],
)
def test_a_wrong_image_source_is_a_configuration_error_that_names_it(value, says):
    with pytest.raises(ConfigError, match=re.escape(says)):
        parse_image_sources(value)


def test_image_sources_are_read_with_spaces_or_commas_between():
    assert parse_image_sources(" https://A.example.org/x/, https://b.example.org ") == (
        "https://a.example.org/x/",
        "https://b.example.org",
    )
    assert parse_image_sources("") == ()


def test_image_places_match_as_a_content_security_policy_does():
    sources = ("https://a.example.org/pics/", "https://b.example.org", "https://c.example.org/one.png")
    assert image_allowed("https://a.example.org/pics/x/y.png", sources)
    assert not image_allowed("https://a.example.org/pictures.png", sources)
    assert image_allowed("https://b.example.org/anything.png", sources)
    assert image_allowed("https://c.example.org/one.png", sources)
    assert not image_allowed("https://c.example.org/two.png", sources)
    assert image_allowed("/static/x.png", ()) and not image_allowed("//x.example/a.png", ())


def test_a_published_tip_shows_an_allowed_image_and_links_one_from_elsewhere(app, publish, as_user):
    app.config["IMAGE_SOURCES"] = parse_image_sources(SOURCES)
    publish(
        body="![The handover room](https://cdn.example.net/room.jpg)\n\n![A tracker](https://evil.example/t.gif)\n\n"
        "- Visit the centre first."
    )
    page = as_user("pat.fca").get("/tips/contact-centres").get_data(as_text=True)
    assert '<img alt="The handover room" src="https://cdn.example.net/room.jpg" loading="lazy">' in page
    assert '<a href="https://evil.example/t.gif" class="image-link">Image: A tracker</a>' in page


@pytest.mark.parametrize(
    "src",
    [
        "https://a.example.org/pics/../secret.png",  # a browser reads it as /secret.png: out of the folder
        "https://a.example.org/pics/%2e%2e/secret.png",
        "https://a.example.org/pics/%2E./secret.png",
        "https://a.example.org/pics/..",
        "https://a.example.org/pics/x\\..\\..\\secret.png",
        "https://a.example.org/pics/x.png\t",
        "https://a.example.org/pi\tcs/x.png",
        "https://a.example.org/pics/\nx.png",
        "https://a.example.org/pics/\rx.png",
        "https://a.example.org/pics/ x.png",
        "https://a.example.org/pics/x\x00.png",
        "/static/../admin/people",
        "/static/\tx.png",
        "/static/x.png\n",
        "\t/static/x.png",
    ],
)
def test_an_image_address_with_a_tab_a_line_break_or_dot_dot_is_refused(src):
    sources = ("https://a.example.org/pics/", "https://b.example.org")
    assert not image_allowed(src, sources)
    assert image_allowed("https://a.example.org/pics/x..y.png", sources)  # two dots inside a name are a name
