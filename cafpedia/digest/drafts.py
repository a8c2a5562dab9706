"""What the research coordinator types for an issue or an item, and the rules it must meet;
who may compose, and what a published issue refuses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select

from cafpedia.areas.models import PracticeArea
from cafpedia.areas.services import find_area
from cafpedia.core import clock
from cafpedia.core import validation as rules
from cafpedia.core.errors import NotAllowed
from cafpedia.core.permissions import can_compose_digest
from cafpedia.core.validation import SLUG_WORDS, Problems
from cafpedia.digest.models import (
    DigestIssue,
    DigestItem,
)
from cafpedia.extensions import db

QUARTER_RE = re.compile(r"^([0-9]{4})-Q([1-4])$")


SLUG_RE = SLUG_WORDS


TAG_RE = SLUG_WORDS


TITLE_MAX = 200


SOURCE_MAX = 500


URL_MAX = 500


TEXT_MAX = 20_000


AUTHOR_MAX = 120


AUTHORS_MAX = 20


TAG_MAX = 40


TAGS_MAX = 8


AREAS_MAX = 5


REASON_MAX = 500


TOPIC_MAX = 200


SLUG_MAX = 80


NUMBER_MAX = 100_000


IMPLICATIONS_HEADING = "## Implications for practice"


# The line that divides an item's file into summary and implications: no text may hold it.
HEADING_RE = re.compile(r"^ {0,3}#+ *Implications for practice *$", re.I | re.M)


@dataclass
class IssueDraft:
    number: int | None
    quarter: str
    title: str
    introduction: str = ""
    confirm_safe: bool = field(default=False, compare=False)  # the writer confirmed what the guard found

    def texts(self) -> dict[str, str]:
        """What the confidentiality guard checks (core.case_details)."""
        return {"the title": self.title, "the introduction": self.introduction}


@dataclass
class ItemDraft:
    title: str
    source: str
    summary: str
    implications: str
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    url: str | None = None
    areas: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    confirm_safe: bool = field(default=False, compare=False)  # the writer confirmed what the guard found

    def texts(self) -> dict[str, str]:
        """What the confidentiality guard checks (core.case_details): the free text. Not the authors,
        researchers named as a citation names them."""
        return {
            "the title": self.title,
            "the source": self.source,
            "the summary": self.summary,
            "the implications for practice": self.implications,
        }

    @classmethod
    def of(cls, item: DigestItem) -> ItemDraft:
        return cls(
            title=item.title,
            source=item.source,
            summary=item.summary,
            implications=item.implications,
            authors=list(item.authors),
            year=item.year,
            url=item.url,
            areas=item.area_slugs,
            tags=list(item.tags),
        )


def quarter_slug(quarter: str) -> str:
    return quarter.lower()


def introduction_problem(introduction: str) -> str | None:
    if len(introduction) > TEXT_MAX:
        return f"The introduction is too long: at most {TEXT_MAX:,} characters; this has {len(introduction):,}."
    return None


def correction_reason_problem(reason: str, what: str) -> str | None:
    """Why a published text is corrected (readers see it): given, and not too long. `reason`
    comes with its spaces already tidied."""
    if not reason:
        return f"Say why you are correcting {what}: readers see it."
    if len(reason) > REASON_MAX:
        return f"Use at most {REASON_MAX} characters for the reason (this has {len(reason)})."
    return None


def check_issue(draft: IssueDraft, *, issue: DigestIssue | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if draft.number is None or not 1 <= draft.number <= NUMBER_MAX:
        errors["number"] = f"Give the issue number, a whole number from 1 to {NUMBER_MAX:,}."
    else:
        other = db.session.scalar(select(DigestIssue).where(DigestIssue.number == draft.number))
        if other is not None and other is not issue:
            errors["number"] = f"Issue number {draft.number} is already {other.title}."
    quarter = (draft.quarter or "").strip().upper()
    if not QUARTER_RE.match(quarter) or not 1990 <= int(quarter[:4]) <= 2100:
        errors["quarter"] = "Give the quarter as year and quarter, for example 2007-Q1."
    else:
        other = db.session.scalar(select(DigestIssue).where(DigestIssue.quarter == quarter))
        if other is not None and other is not issue:
            errors["quarter"] = f"There is already an issue for {quarter}: {other.title}."
    title = " ".join((draft.title or "").split())
    if len(title) < 3:
        errors["title"] = "Give the issue a title, for example Research Digest, Spring 2007."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Use at most {TITLE_MAX} characters for the title (this has {len(title)})."
    if problem := introduction_problem(draft.introduction or ""):
        errors["introduction"] = problem
    return errors


def check_item(draft: ItemDraft) -> tuple[dict[str, str], list[PracticeArea]]:
    problems = Problems()
    problems.add(
        "title",
        rules.title(
            rules.one_line(draft.title),
            minimum=3,
            maximum=TITLE_MAX,
            too_short="Give the item a title of at least 3 characters.",
        ),
    )
    source = rules.one_line(draft.source)
    if not source:
        problems.add("source", "Say where this research comes from: the report, journal or full citation.")
    problems.add("source", rules.at_most(source, SOURCE_MAX, what="the source"))
    if len(draft.authors) > AUTHORS_MAX:
        problems.add("authors", f"Name at most {AUTHORS_MAX} authors.")
    elif any(len(a) > AUTHOR_MAX for a in draft.authors):
        problems.add("authors", f"Each author's name is at most {AUTHOR_MAX} characters.")
    this_year = clock.today().year
    if draft.year is not None and not 1900 <= draft.year <= this_year + 1:
        problems.add("year", f"Give the year of publication, from 1900 to {this_year + 1}.")
    problems.add("url", rules.web_link(draft.url, longest=URL_MAX))
    areas, problem = rules.known(draft.areas, find_area, maximum=AREAS_MAX)
    problems.add("areas", problem)
    problems.add("tags", rules.tags(draft.tags, maximum=TAGS_MAX, longest=TAG_MAX))
    for name, what in (("summary", "the summary"), ("implications", "the implications for practice")):
        problems.add(
            name,
            rules.text_block(
                getattr(draft, name),
                longest=TEXT_MAX,
                what=what,
                heading=HEADING_RE,
                heading_text=IMPLICATIONS_HEADING[3:],
            ),
        )
    return problems, areas


def ensure_composer(user) -> None:
    if not can_compose_digest(user):
        raise NotAllowed("Only the research coordinator and administrators compose the research digest.")


def ensure_draft(issue: DigestIssue, what: str) -> None:
    if not issue.is_draft:
        raise NotAllowed(f"This issue is published: {what}.")
