"""A new tip written for a line of an area's "What people need" (`/tips/new?area=SLUG&gap=REF`):
the line, shown beside the form to the area's moderators, and marked as being written once the
tip is proposed (closed when it is published: gaps.marks)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cafpedia.areas.services import find_area
from cafpedia.core.errors import NotFound
from cafpedia.core.permissions import can_moderate
from cafpedia.gaps import marks, reading


@dataclass(frozen=True)
class LineToAnswer:
    area: object
    ref: str  # SOURCE/KEY
    line: reading.Line

    @property
    def value(self) -> str:
        """The form's hidden field: AREA/SOURCE/KEY (the area the line is in, whichever area the tip goes to)."""
        return f"{self.area.slug}/{self.ref}"


def gap_value(args: Mapping[str, str]) -> str:
    gap = args.get("gap", "")
    return f"{args.get('area', '')}/{gap}" if gap else ""


def line_to_answer(user, value: str | None) -> LineToAnswer | None:
    """The open search or advice line `value` names, if `user` moderates its area; None for
    anything else (a line about a tip, one no longer listed, or someone else's area)."""
    slug, _, ref = (value or "")[:300].partition("/")
    area = find_area(slug) if slug else None
    if area is None or not can_moderate(user, area):
        return None
    try:
        source, _ = marks.parse_ref(ref)
    except NotFound:
        return None
    if source not in marks.WRITABLE:
        return None
    line = reading.line_for(area, ref, *reading.period_since(max(reading.PERIODS)))
    return LineToAnswer(area, ref, line) if line is not None else None


def proposed(user, gap: LineToAnswer, tip) -> None:
    marks.writing(user, gap.area, gap.ref, tip)
