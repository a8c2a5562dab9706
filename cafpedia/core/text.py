"""Checks on raw text shared by forms, requests and content files."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# NUL and the other C0 controls (except tab, new line and carriage return), lone
# surrogates, and U+FFFE and U+FFFF: no field may hold them. PostgreSQL cannot store NUL,
# and XML (the Atom feeds) cannot hold any of them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def has_control_characters(value: str) -> bool:
    return bool(CONTROL_CHARACTERS.search(value))


def normalise_newlines(text: str | None) -> str:
    """One kind of line break, so that text survives export and load unchanged."""
    return re.sub(r"\r\n?|\x85|\u2028|\u2029", "\n", text or "")


def is_web_link(url: str) -> bool:
    """An absolute http(s) address with a host and no spaces."""

    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in url)


def css_string(text: str) -> str:
    """`text` as a quoted CSS string (for `content:`): quotes, backslashes and every control
    character or line break escaped, so no text can end the string or the rule it is in."""
    escaped = "".join(
        f"\\{ord(c):x} " if c in '"\\' or ord(c) < 0x20 or ord(c) == 0x7F or c in "\u2028\u2029" else c for c in text
    )
    return f'"{escaped}"'


def split_on_commas_or_lines(text: str | None) -> list[str]:
    """The items of a list typed in a form field: separated by commas or new lines, each
    stripped, blanks left out (tags, skills, languages)."""
    return [item.strip() for item in re.split(r"[,\n]", text or "") if item.strip()]


def normalise_tag(tag: str) -> str:
    """A tag as stored: lower case, spaces and underscores as hyphens."""
    return re.sub(r"[\s_]+", "-", tag.strip().lower())


def keep_order(current: list[str], wanted: list[str]) -> list[str]:
    """The wanted items, those already chosen first in their order (the first area matters)."""
    return [s for s in current if s in wanted] + [s for s in wanted if s not in current]
