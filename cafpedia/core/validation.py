"""Field rules shared by every form's service check, collected into one set of problems.

A check lists its fields' rules; each rule returns the problem with a value, or None, and
`Problems.add` keeps the first problem of each field (as flaskbb's `accumulate_errors`
gathers every error before answering). So a person sees every problem at once, each next to
its field, and a check reads as the list of what its fields must be.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

from cafpedia.core.text import has_control_characters, is_web_link

T = TypeVar("T")
SLUG_WORDS = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # lower-case words joined by hyphens


class Problems(dict):
    """Problems by field name: the first problem found for a field is the one shown."""

    def add(self, field_name: str, problem: str | None) -> None:
        if problem and field_name not in self:
            self[field_name] = problem


def one_line(text: str | None) -> str:
    """Text as one line, its runs of spaces and line breaks made single spaces."""
    return " ".join((text or "").split())


# What a one-line field (a name, an address) cannot hold: line breaks of every kind, tabs and
# the other control characters (an email's headers, a CSV file or a log line would break).
NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def single_line(value: str | None, *, what: str) -> str | None:
    """A field that must be one line: refused (not silently joined) if it holds a line break,
    a tab or another control character."""
    if NOT_ONE_LINE.search(value or ""):
        return f"Write {what} on one line: it holds a line break, a tab or another character that cannot be typed."
    return None


def at_most(value: str, maximum: int, *, what: str) -> str | None:
    if len(value) > maximum:
        return f"Use at most {maximum} characters for {what} (this has {len(value)})."
    return None


def title(value: str, *, minimum: int, maximum: int, too_short: str, what: str = "the title") -> str | None:
    if len(value) < minimum:
        return too_short
    return at_most(value, maximum, what=what)


def tags(values: Iterable[str], *, maximum: int, longest: int) -> str | None:
    values = list(values)
    bad = [t for t in values if not SLUG_WORDS.match(t) or len(t) > longest]
    if bad:
        return (
            f"Tags are short lower-case words joined by hyphens (at most {longest} characters): check "
            f"{', '.join(bad[:3])}."
        )
    if len(values) > maximum:
        return f"Use at most {maximum} tags."
    return None


def web_link(url: str | None, *, longest: int, what: str = "The link") -> str | None:
    if not url:
        return None
    if len(url) > longest:
        return f"{what} is at most {longest} characters."
    if not is_web_link(url):
        return f"{what} must be a web address starting http:// or https://."
    return None


def text_block(
    text: str | None, *, longest: int, what: str, heading: re.Pattern | None = None, heading_text: str = ""
) -> str | None:
    """A required piece of Markdown: present, not too long, and without the heading the page
    adds above it."""
    text = text or ""
    if not text.strip():
        return f"Write {what}."
    if heading is not None and heading.search(text):
        return f'Leave out the heading "{heading_text}": the page adds it.'
    if len(text) > longest:
        return f"{what[0].upper() + what[1:]} is too long: at most {longest:,} characters; this has {len(text):,}."
    return None


def plain_text(text: str, *, longest: int, what: str) -> str | None:
    if len(text) > longest:
        return f"Keep {what} to {longest:,} characters (this has {len(text):,})."
    if has_control_characters(text):
        return "The text holds a character that cannot be typed."
    return None


def known(
    slugs: Iterable[str],
    find: Callable[[str], T | None],
    *,
    maximum: int,
    required: str | None = None,
    what: str = "area of practice",
    many: str = "areas of practice",
) -> tuple[list[T], str | None]:
    """(the things named, in order and once each; the problem): each slug must name one, at
    most `maximum` of them, and with `required`, at least one."""
    found, unknown = [], []
    for slug in dict.fromkeys(slugs):
        thing = find(slug)
        (found.append(thing) if thing is not None else unknown.append(slug))
    if unknown:
        return found, f"There is no {what} called {', '.join(unknown)}."
    if not found and required:
        return found, required
    if len(found) > maximum:
        return found, f"Choose at most {maximum} {many}."
    return found, None
