"""Markdown to HTML in exactly one function, which always sanitises.

Every piece of user-written Markdown in CAFpedia goes through `render_markdown()`.
Raw HTML in the source is escaped or stripped by bleach against an explicit
allowlist; links may only use http(s) or mailto, or be relative.
"""
from __future__ import annotations

import bleach
import markdown as md
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
        "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6", "a", "abbr",
        "table", "thead", "tbody", "tr", "th", "td", "dl", "dt", "dd", "sup", "sub",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "class"],
    "abbr": ["title"],
    "th": ["align", "scope"],
    "td": ["align"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
EXTENSIONS = ["extra", "sane_lists"]


def render_markdown(source: str | None) -> Markup:
    """Sanitised HTML for a piece of user Markdown. Headings start at h2 (h1 is the page's)."""
    if not source:
        return Markup("")
    html = md.markdown(source, extensions=EXTENSIONS, output_format="html")
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


def plain_text(source: str | None, limit: int | None = None) -> str:
    """The Markdown's text without markup, e.g. for a summary line."""
    text = bleach.clean(md.markdown(source or ""), tags=set(), strip=True)
    text = " ".join(text.split())
    if limit and len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text
