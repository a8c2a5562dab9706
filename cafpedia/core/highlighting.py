"""Case details shown where they are: what the confidentiality guard found, marked in the text.

`highlight_text(text)` escapes a plain text (a title, a line of a body, a legal reference) and
wraps each finding in `<mark class="case-detail">`; `highlight_html(html)` does the same inside
HTML that is already sanitised (a rendered preview or tip), touching text nodes only, so that
tags and attributes are never changed. Each mark carries its reason for screen readers as
visually hidden text: "[possible case detail, a phone number: 07700 900461]".

`locate(findings, fields)` says where each finding is, for a warning a hurried reader can act
on: the field ("the body") and its line. `fields` are the texts the guard read joined with new
lines, in order, as `Draft.findings()` reads a proposal's title, body and legal references.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

from markupsafe import Markup

from cafpedia.core.confidentiality import KIND_LABELS, Finding, find_case_details

UNKNOWN_KIND = "a possible case detail"
CONTEXT = 60  # characters shown either side of a finding in a long line
RAW_TEXT = frozenset({"script", "style"})  # HTML elements whose text is not escaped
NO_MARKS = frozenset({"script", "style", "textarea", "title", "option"})  # text no <mark> may go in

Field = tuple[str, str]  # (how a sentence names it: "the body", its text)


def label_of(kind: str) -> str:
    """A kind's label ("a postcode"), or a plain one for a kind this version does not know."""
    return KIND_LABELS.get(kind, UNKNOWN_KIND)


def why_of(finding) -> str:
    return getattr(finding, "reason", "") or label_of(finding.kind)


def as_finding(earlier, start: int = 0) -> Finding:
    """A finding from anything with a kind and a text: a Finding, or a stored flag's dict."""
    if isinstance(earlier, dict):
        return Finding(earlier.get("kind", ""), earlier.get("text") or "", start, earlier.get("reason") or "")
    return Finding(earlier.kind, earlier.text, start, getattr(earlier, "reason", ""))


@dataclass(frozen=True)
class Located:
    """A finding and where it is: `field` ("the body"; None when the text no longer holds it),
    its line and character there (from 1), and how many lines the field has."""

    finding: Finding
    field: str | None
    start: int = 0  # in the field's text
    line: int = 1
    column: int = 1
    lines: int = 1

    kind = property(lambda self: self.finding.kind)
    text = property(lambda self: self.finding.text)
    reason = property(lambda self: self.finding.reason)
    label = property(lambda self: label_of(self.finding.kind))
    why = property(lambda self: why_of(self.finding))

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def where(self) -> str:
        """ "in the title", "in the body, line 3", or "no longer in the text"."""
        if self.field is None:
            return "no longer in the text"
        return f"in {self.field}" if self.lines == 1 else f"in {self.field}, line {self.line}"


def locate(findings: Iterable[Finding], fields: Sequence[Field]) -> list[Located]:
    """Where each finding (its `start` counted in the fields' texts joined by new lines) is."""
    bounds, offset = [], 0
    for name, text in fields:
        bounds.append((offset, name, text))
        offset += len(text) + 1
    located = []
    for finding in findings:
        at = next(((o, n, t) for o, n, t in reversed(bounds) if o <= finding.start), None)
        if at is None:
            located.append(Located(finding, None))
            continue
        offset, name, text = at
        start = finding.start - offset
        line_start = text.rfind("\n", 0, start) + 1
        located.append(
            Located(finding, name, start, text.count("\n", 0, start) + 1, start - line_start + 1, text.count("\n") + 1)
        )
    return located


def find_in_fields(fields: Sequence[Field], stored: Iterable = ()) -> list[Located]:
    """What the guard finds in the fields now, located; and each of `stored` (earlier findings,
    anything with `kind` and `text`) whose text none of those covers, located where it first
    appears, or said to be no longer in the text."""
    joined = "\n".join(text for _, text in fields)
    findings = find_case_details(joined)
    spans = [(f.start, f.end) for f in findings]
    for old in map(as_finding, stored):
        if not old.text:
            continue
        places = _occurrences(joined, old.text)
        if any(s < at + len(old.text) and at < e for at in places for s, e in spans):
            continue  # found again (perhaps as a longer or shorter stretch): marked as found now
        findings.append(as_finding(old, places[0] if places else -1))
        if places:
            spans.append((places[0], places[0] + len(old.text)))
    located = locate((f for f in findings if f.start >= 0), fields)
    names = [name for name, _ in fields]
    located.sort(key=lambda item: (names.index(item.field), item.start))
    return located + [Located(f, None) for f in findings if f.start < 0]


def _occurrences(text: str, needle: str) -> list[int]:
    places, at = [], text.find(needle)
    while at >= 0:
        places.append(at)
        at = text.find(needle, at + 1)
    return places


def excerpts(located: Iterable[Located], fields: Sequence[Field], context: int = CONTEXT) -> list[tuple[str, Markup]]:
    """("In the body, line 3", that line with its findings marked) for each line holding one;
    a long line is cut to `context` characters around each finding."""
    texts = dict(fields)
    lines: dict[tuple[str, int], list[Located]] = {}
    for item in located:
        if item.field is not None:
            lines.setdefault((item.field, item.line), []).append(item)
    shown = []
    for (_, _), items in lines.items():
        text = texts[items[0].field]
        line_start = items[0].start - items[0].column + 1
        line_end = text.find("\n", line_start)
        line = text[line_start : len(text) if line_end < 0 else line_end]
        relative = [Finding(i.kind, i.text, i.start - line_start, i.reason) for i in items]
        where = items[0].where
        shown.append((where[0].upper() + where[1:], _excerpt(line, relative, context)))
    return shown


def _excerpt(line: str, findings: list[Finding], context: int) -> Markup:
    windows: list[list[int]] = []
    for finding in sorted(findings, key=lambda f: f.start):
        start, end = max(0, finding.start - context), min(len(line), finding.end + context)
        if start > 0 and (space := line.find(" ", start, finding.start)) >= 0:
            start = space + 1  # a whole word first
        if end < len(line) and (space := line.rfind(" ", finding.end, end)) >= 0:
            end = space
        if windows and start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
        else:
            windows.append([start, end])
    parts = []
    for start, end in windows:
        inside = [Finding(f.kind, f.text, f.start - start, f.reason) for f in findings if start <= f.start < end]
        piece = highlight_text(line[start:end], inside)
        parts.append(("… " if start > 0 else "") + piece + (" …" if end < len(line) else ""))
    return Markup(" ").join(parts)


# -- marking ----------------------------------------------------------------------------


def _spans(findings: Iterable, length: int) -> list[tuple[int, int, str]]:
    """(start, end, reason) of each stretch to mark, in order, within 0..length: overlapping
    findings become one mark naming each reason once; adjacent ones stay two."""
    spans: list[tuple[int, int, list[str]]] = []
    for finding in sorted(findings, key=lambda f: (f.start, -len(f.text))):
        start, end = max(0, finding.start), min(length, finding.start + len(finding.text))
        if start >= end:
            continue
        why = why_of(finding)
        if spans and start < spans[-1][1]:
            last = spans[-1]
            spans[-1] = (last[0], max(last[1], end), last[2] + ([why] if why not in last[2] else []))
        else:
            spans.append((start, end, [why]))
    return [(start, end, "; ".join(reasons)) for start, end, reasons in spans]


def _with_literals(text: str, findings: list, also: Iterable) -> list:
    """`findings`, and every occurrence of each of `also`'s texts that none of them covers."""
    result = list(findings)
    taken = [(f.start, f.start + len(f.text)) for f in result]
    for old in map(as_finding, also):
        if not old.text:
            continue
        at = text.find(old.text)
        while at >= 0:
            end = at + len(old.text)
            if not any(s < end and at < e for s, e in taken):
                result.append(as_finding(old, at))
                taken.append((at, end))
            at = text.find(old.text, end)
    return result


def _opening(why: str) -> str:
    return f'<span class="visually-hidden">[possible case detail, {escape(why)}: </span>'


CLOSING = '<span class="visually-hidden">]</span>'


def highlight_text(text: str | None, findings: Iterable | None = None, *, also: Iterable = ()) -> Markup:
    """`text` escaped, each finding (by default, what the guard finds in it; and wherever the
    texts of `also` appear) marked with its reason."""
    text = text or ""
    found = find_case_details(text) if findings is None else list(findings)
    out, at = [], 0
    for start, end, why in _spans(_with_literals(text, found, also), len(text)):
        out.append(escape(text[at:start], quote=False))
        out.append(f'<mark class="case-detail">{_opening(why)}{escape(text[start:end], quote=False)}{CLOSING}</mark>')
        at = end
    out.append(escape(text[at:], quote=False))
    return Markup("".join(out))


class _Tokens(HTMLParser):
    """HTML as ("tag", its source), ("raw", text kept as it is) and ("text", unescaped text,
    whether a mark may go in it)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple[str, str, bool]] = []
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tokens.append(("tag", self.get_starttag_text(), False))
        if tag in NO_MARKS:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tokens.append(("tag", self.get_starttag_text(), False))

    def handle_endtag(self, tag):
        self.tokens.append(("tag", f"</{tag}>", False))
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]

    def handle_data(self, data):
        inside = self.open[-1] if self.open else None
        self.tokens.append(("raw" if inside in RAW_TEXT else "text", data, inside is None))

    def handle_comment(self, data):
        self.tokens.append(("tag", f"<!--{data}-->", False))

    def handle_decl(self, decl):
        self.tokens.append(("tag", f"<!{decl}>", False))

    def handle_pi(self, data):
        self.tokens.append(("tag", f"<?{data}>", False))

    def unknown_decl(self, data):
        self.tokens.append(("tag", f"<![{data}]>", False))


def highlight_html(
    html: str | None, *, also: Iterable = (), find: Callable[[str], list[Finding]] = find_case_details
) -> Markup:
    """Sanitised `html` with what `find` finds in its text (the text nodes read together, so a
    finding may run across `**bold**`), and wherever the texts of `also` appear, marked. Only
    text nodes change: a finding across elements is marked in each piece (white space between
    elements is left alone, as a list or table may not hold a mark)."""
    parser = _Tokens()
    parser.feed(html or "")
    parser.close()
    tokens = parser.tokens
    nodes = [(i, value) for i, (what, value, markable) in enumerate(tokens) if what == "text" and markable]
    content = "".join(value for _, value in nodes)
    starts, offset = [], 0
    for _, value in nodes:
        starts.append(offset)
        offset += len(value)
    pieces: dict[int, list[tuple[int, int, str | None, bool]]] = {}  # token -> (start, end, opening why, closes)
    for start, end, why in _spans(_with_literals(content, find(content), also), len(content)):
        inside = []
        for (index, value), node_start in zip(nodes, starts, strict=True):
            a, b = max(start, node_start) - node_start, min(end, node_start + len(value)) - node_start
            if a < b and value[a:b].strip():
                inside.append((index, a, b))
        for n, (index, a, b) in enumerate(inside):
            pieces.setdefault(index, []).append((a, b, why if n == 0 else None, n == len(inside) - 1))
    if not pieces:
        return Markup(html or "")  # as it came, not re-serialised
    out = []
    for index, (what, value, _) in enumerate(tokens):
        if what != "text":
            out.append(value)
            continue
        at = 0
        for a, b, why, closes in pieces.get(index, []):
            out.append(escape(value[at:a], quote=False))
            opening = _opening(why) if why is not None else ""
            marked = escape(value[a:b], quote=False)
            out.append(f'<mark class="case-detail">{opening}{marked}{CLOSING if closes else ""}</mark>')
            at = b
        out.append(escape(value[at:], quote=False))
    return Markup("".join(out))
