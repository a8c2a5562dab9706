"""Markdown files with YAML front matter, as the content format writes tips, digest items,
legal updates and experts' entries: reading one (every problem named with its file and
line), a body in two parts at a heading, and writing one the same way every time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cafpedia.content.records import LineDict, LoadContext, type_name
from cafpedia.content.yamlfiles import YamlProblem, dump_yaml, parse_yaml
from cafpedia.core.text import has_control_characters, normalise_newlines


def split_front_matter(text: str) -> tuple[str, str] | None:
    """(front matter with a leading new line so its line numbers match the file, body)."""
    text = text.replace("\r\n", "\n")
    end = text.find("\n---\n", 3)
    end = len(text) - 4 if end == -1 and text.endswith("\n---") else end
    if not text.startswith("---\n") or end == -1:
        return None
    return "\n" + text[4 : end + 1], text[end + 5 :]


def read_markdown(
    ctx: LoadContext, path: Path, relative: str, what: str, *, plain_body: bool = True
) -> tuple[LineDict, str] | None:
    """(front matter, body) of a Markdown file; None, with the problem added, if it is not
    UTF-8 text, has no front matter, or its front matter is not a mapping. With `plain_body`,
    a control character in the body is a problem too (a tip's body is checked later, as a
    proposal's is)."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            text = normalise_newlines(handle.read())
    except UnicodeDecodeError as exc:
        ctx.problem(relative, None, None, f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})")
        return None
    parts = split_front_matter(text)
    if parts is None:
        ctx.problem(relative, 1, None, f"{what} starts with front matter between two lines of ---")
        return None
    front, body = parts
    if plain_body and has_control_characters(body):
        ctx.problem(relative, None, None, "the text holds a control character or an invalid escape")
        return None
    try:
        data = parse_yaml(front)
    except YamlProblem as exc:
        ctx.problem(relative, exc.line, None, exc.message)
        return None
    if not isinstance(data, LineDict):
        ctx.problem(relative, 2, None, f"the front matter must be a mapping of fields, found {type_name(data)}")
        return None
    return data, body


@dataclass(frozen=True)
class TwoParts:
    """A body written as its first part, then a level-two heading, then its second part
    (a digest item's summary and its implications for practice; a legal update's briefing
    and what it means for practice)."""

    heading: str

    @property
    def _pattern(self) -> re.Pattern:
        return re.compile(rf"^## +{re.escape(self.heading)} *$", re.I | re.M)

    def split(self, body: str) -> tuple[str, str] | None:
        """(first part, second part), or None unless the heading is there exactly once."""
        found = list(self._pattern.finditer(body))
        if len(found) != 1:
            return None
        return body[: found[0].start()].strip("\n"), body[found[0].end() :].strip("\n")

    def join(self, first: str, second: str) -> str:
        return f"{first.strip(chr(10)).rstrip()}\n\n## {self.heading}\n\n{second.strip(chr(10)).rstrip()}\n"


def markdown_text(front: dict, body: str) -> str:
    """A file's text: the front matter between two lines of ---, then the body."""
    return "---\n" + dump_yaml(front) + "---\n" + body
