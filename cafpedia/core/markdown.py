"""Markdown to HTML in exactly one function, which always sanitises.

Every piece of user-written Markdown in CAFpedia goes through `render_markdown()`.
Raw HTML in the source is escaped or stripped by bleach against an explicit
allowlist; links may only use http(s) or mailto, or be relative. Images may come from
CAFpedia itself or from the https places CAFPEDIA_IMAGE_SOURCES names (which the
Content-Security-Policy names too), carry only alt, title, width and height, and load
lazily; an image from anywhere else is shown as a link to it.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterable
from functools import lru_cache, partial
from urllib.parse import urlsplit

import bleach
import markdown as md
from bleach.html5lib_shim import Filter
from flask import current_app, has_app_context
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markupsafe import Markup

# [[slug]] or [[area/slug]]: a link to another tip.
SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
WIKI_LINK_PATTERN = rf"\[\[({SLUG})(?:/({SLUG}))?\]\]"

# resolve_link(area_or_None, slug) -> (url, title) for a tip that exists, else None.
LinkResolver = Callable[[str | None, str], tuple[str, str] | None]

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "strong",
        "em",
        "b",
        "i",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "a",
        "abbr",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "dl",
        "dt",
        "dd",
        "sup",
        "sub",
        "span",
        "img",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "class"],
    "span": ["class", "title"],
    "abbr": ["title"],
    "th": ["align", "scope"],
    "td": ["align"],
    "img": ["src", "alt", "title", "width", "height"],
}
IMAGE_SIZE = re.compile(r"^[1-9][0-9]{0,3}$")  # width and height: whole pixels, at most 9999
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
EXTENSIONS = ["extra", "sane_lists"]


class _WikiLinks(InlineProcessor):
    def __init__(self, pattern: str, resolve: LinkResolver | None):
        super().__init__(pattern)
        self.resolve = resolve

    def handleMatch(self, m, data):  # noqa: N802 - Python-Markdown's name
        area, slug = (m.group(1), m.group(2)) if m.group(2) else (None, m.group(1))
        target = self.resolve(area, slug) if self.resolve else None
        if target:
            element = etree.Element("a", {"href": target[0], "class": "wiki-link"})
            element.text = target[1]
        else:
            # A tip that does not exist (yet) is shown as missing, never as a broken link.
            element = etree.Element("span", {"class": "missing-link", "title": "No tip with this address yet"})
            element.text = f"{slug} (missing)"
        return element, m.start(0), m.end(0)


class _WikiLinkExtension(Extension):
    def __init__(self, resolve: LinkResolver | None):
        super().__init__()
        self.resolve = resolve

    def extendMarkdown(self, md_instance):  # noqa: N802 - Python-Markdown's name
        # Above the ordinary [text](url) link pattern (160), so [[x]] is never read as one.
        md_instance.inlinePatterns.register(_WikiLinks(WIKI_LINK_PATTERN, self.resolve), "cafpedia_wiki_links", 175)


# White space (a browser drops tabs and line breaks from an address), control characters, and
# backslashes (a browser reads them as slashes in an http address).
UNSAFE_IMAGE_ADDRESS = re.compile(r"[\s\x00-\x1f\x7f\\]")


def image_allowed(src: str, sources: Iterable[str]) -> bool:
    """An image address CAFpedia shows: a path on CAFpedia itself, or an https address in one
    of `sources` (as a Content-Security-Policy source matches: a source ending in / is a
    folder, one without a path is the whole site, any other is that one file). An address
    with white space, a control character, a backslash or a `..` segment (also written
    `%2e%2e`) is refused: a browser drops tabs and line breaks and resolves `..`, and would
    load something other than what was checked."""
    if UNSAFE_IMAGE_ADDRESS.search(src) or any(
        segment.lower().replace("%2e", ".") == ".." for segment in src.split("?", 1)[0].split("#", 1)[0].split("/")
    ):
        return False
    if src.startswith("/") and not src.startswith("//"):
        return True
    parts = urlsplit(src)
    if parts.scheme != "https" or not parts.hostname or parts.username:
        return False
    for source in sources:
        allowed = urlsplit(source)
        if allowed.netloc != parts.netloc.lower():
            continue
        if allowed.path in ("", "/") or parts.path == allowed.path:
            return True
        if allowed.path.endswith("/") and parts.path.startswith(allowed.path):
            return True
    return False


class _Images(Filter):
    """After sanitising: an image from an allowed place keeps its size only if it is a whole
    number of pixels and loads lazily; any other becomes a link to it, named by its alt text."""

    def __init__(self, source, sources: Iterable[str]):
        super().__init__(source)
        self.sources = tuple(sources)

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] not in ("EmptyTag", "StartTag") or token["name"] != "img":
                yield token
                continue
            attrs = {name: value for (_, name), value in token["data"].items()}
            src = attrs.get("src", "")
            if src and image_allowed(src, self.sources):
                for size in ("width", "height"):
                    if size in attrs and not IMAGE_SIZE.match(attrs[size]):
                        del attrs[size]
                attrs.setdefault("alt", attrs.get("title", ""))  # no alt text: read as decoration
                attrs["loading"] = "lazy"
                yield {"type": "EmptyTag", "name": "img", "data": {(None, k): v for k, v in attrs.items()}}
                continue
            label = attrs.get("alt") or attrs.get("title") or "image"
            if src:  # its protocol has passed the sanitiser: http(s), mailto or a relative address
                yield {"type": "StartTag", "name": "a", "data": {(None, "href"): src, (None, "class"): "image-link"}}
                yield {"type": "Characters", "data": f"Image: {label}"}
                yield {"type": "EndTag", "name": "a"}
            else:
                yield {"type": "Characters", "data": f"Image: {label}"}


def _image_sources() -> tuple[str, ...]:
    return tuple(current_app.config.get("IMAGE_SOURCES", ())) if has_app_context() else ()


RENDERED_KEPT = 512  # rendered pieces kept per process: a few megabytes at most


def render_markdown(source: str | None, resolve_link: LinkResolver | None = None) -> Markup:
    """Sanitised HTML for a piece of user Markdown. Headings start at h2 (h1 is the page's).

    `resolve_link` turns [[slug]] links into links to tips that exist; without it, or for
    a tip that does not exist, the link is shown as missing.

    The HTML is a function of the text, of where each of its [[links]] leads now (asked of
    `resolve_link` on every call) and of the allowed image sources, so it is kept by exactly
    those: a piece read again costs a dictionary lookup, never a stale page (a linked tip
    renamed or archived changes what its link resolves to, and so the key).
    """
    if not source:
        return Markup("")
    links = tuple((target, resolve_link(*target)) for target in wiki_link_targets(source)) if resolve_link else None
    return _rendered(source, links, _image_sources())


@lru_cache(maxsize=RENDERED_KEPT)
def _rendered(source: str, links: tuple | None, image_sources: tuple[str, ...]) -> Markup:
    resolved = dict(links) if links is not None else None
    resolve = (lambda area, slug: resolved.get((area, slug))) if resolved is not None else None
    html = md.markdown(source, extensions=[*EXTENSIONS, _WikiLinkExtension(resolve)], output_format="html")
    # Demote h1 to h2 so a page keeps one h1 (WCAG heading structure).
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    cleaner = bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        # Only text with an image pays for the image filter (most text has none).
        filters=[partial(_Images, sources=image_sources)] if "<img" in html.lower() else [],
    )
    return Markup(cleaner.clean(html))


MARKDOWN_SYNTAX = [
    (re.compile(r"\[\[(?:[a-z0-9-]+/)?([a-z0-9-]+)\]\]"), r"\1"),  # [[area/slug]] → slug
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # [text](url) → text
    (re.compile(r"<[^>]+>"), " "),  # raw HTML tags
    (re.compile(r"^\s{0,3}(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s?)", re.M), ""),  # headings, bullets, quotes
    (re.compile(r"(\*\*|__|\*|_|`)"), ""),  # emphasis and code marks
]


def index_text(source: str | None) -> str:
    """Markdown's words without its syntax, for a search index: fast, never rendered as HTML."""
    text = source or ""
    for pattern, replacement in MARKDOWN_SYNTAX:
        text = pattern.sub(replacement, text)
    return html.unescape(" ".join(text.split()))


@lru_cache(maxsize=RENDERED_KEPT)
def plain_text(source: str | None, limit: int | None = None) -> str:
    """The Markdown's text without markup, e.g. for a summary line (kept, like render_markdown's
    HTML, by its arguments: it is a function of them alone)."""
    text = html.unescape(bleach.clean(md.markdown(source or ""), tags=set(), strip=True))
    text = " ".join(text.split())
    if limit and len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text


def wiki_link_targets(source: str | None) -> list[tuple[str | None, str]]:
    """The (area or None, slug) of every [[link]] in a piece of Markdown, in order, once each."""

    found = []
    for m in re.finditer(WIKI_LINK_PATTERN, source or ""):
        target = (m.group(1), m.group(2)) if m.group(2) else (None, m.group(1))
        if target not in found:
            found.append(target)
    return found
