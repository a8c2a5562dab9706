"""Markdown to HTML in exactly one function, which always sanitises.

Every piece of user-written Markdown in CAFpedia goes through `render_markdown()`.
Raw HTML in the source is escaped or stripped by bleach against an explicit
allowlist; links may only use http(s) or mailto, or be relative.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable

import bleach
import markdown as md
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
    }
)
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "class"],
    "span": ["class", "title"],
    "abbr": ["title"],
    "th": ["align", "scope"],
    "td": ["align"],
}
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


def render_markdown(source: str | None, resolve_link: LinkResolver | None = None) -> Markup:
    """Sanitised HTML for a piece of user Markdown. Headings start at h2 (h1 is the page's).

    `resolve_link` turns [[slug]] links into links to tips that exist; without it, or for
    a tip that does not exist, the link is shown as missing.
    """
    if not source:
        return Markup("")
    html = md.markdown(source, extensions=[*EXTENSIONS, _WikiLinkExtension(resolve_link)], output_format="html")
    # Demote h1 to h2 so a page keeps one h1 (WCAG heading structure).
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    clean = bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    return Markup(clean)


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


def plain_text(source: str | None, limit: int | None = None) -> str:
    """The Markdown's text without markup, e.g. for a summary line."""
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
