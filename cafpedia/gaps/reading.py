"""An area's "What people need": the lines, source by source, for a period.

- **search**: what people searched for, grouped by meaning (search/demand), in this area,
  that found nothing or from which nobody opened anything. Only counts, and only a meaning
  that at least MIN_PEOPLE different people searched for (k-anonymity: a lone search for a
  child's name never surfaces, even if the guard missed it).
- **advice**: questions to the Practice Advice Line in this area, grouped by meaning, that no
  published tip answers (none linked from the calls, and none the search engine finds alike).
- **vote**: published tips whose current revision at least NOT_USEFUL_VOTES readers found not
  useful, more No than Yes, with the problems readers reported on it as their reasons.
- **review**: published tips past their review date.
- **unopened**: published tips nobody has opened for a year.

A line marked "not for CAFpedia", or answered by a published tip, leaves the open list; the
answered ones are listed apart for the period, with the tip that answered them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, selectinload

from cafpedia.core import clock
from cafpedia.experts.advice_report import same_question
from cafpedia.experts.models import AdviceCall
from cafpedia.extensions import db
from cafpedia.gaps.models import ANSWERED, NOT_FOR, WRITING, GapMark
from cafpedia.search.demand.models import SearchDemandDay
from cafpedia.search.meaning import meaning_key
from cafpedia.search.similar import similar
from cafpedia.search.synonyms import current_groups
from cafpedia.tips.models import PUBLISHED, Tip, TipProblem, TipVote

MIN_PEOPLE = 3  # a search is listed only when at least this many different people made it
NOT_USEFUL_VOTES = 3  # "No" answers on the current revision, and more than "Yes", to list a tip
UNOPENED_DAYS = 365
PERIODS = (30, 90, 180, 365)  # days a lead manager may choose; 90 by default
DEFAULT_PERIOD = 90
MAX_LINES = 100  # a source's lines shown, most needed first
# How alike a published tip must look to an advice-line question to answer it (search.similar's
# score): above what lists a possible duplicate (0.3), since a tip on the same subject that does
# not answer the question must leave the question on the list.
ANSWERED_SCORE = 0.5
SHORT_LABELS = {  # for a count, one and more: "1 search nobody found an answer to"
    "search": ("search nobody found an answer to", "searches nobody found an answer to"),
    "advice": ("advice-line question no tip answers", "advice-line questions no tip answers"),
    "vote": ("tip found not useful", "tips found not useful"),
    "review": ("tip past review", "tips past review"),
    "unopened": ("tip nobody opens", "tips nobody opens"),
}
SOURCE_LABELS = {
    "search": "Searches that found nothing, or nothing anyone opened",
    "advice": "Advice-line questions no published tip answers",
    "vote": "Tips readers found not useful",
    "review": "Tips past their review date",
    "unopened": "Tips nobody has opened for a year",
}


@dataclass
class Line:
    source: str
    key: str  # stable within its source and area: what a mark names
    text: str  # the search or question as last made, or the tip's title
    count: int = 0  # searches, calls or "No" answers
    people: int = 0  # different people (searches only)
    last: date | None = None  # when last searched, asked, answered or opened
    found_nothing: int = 0  # searches that found no result (the rest found some, and nobody opened one)
    tip: Tip | None = None  # the tip the line is about (vote, review, unopened)
    detail: str = ""  # "12 No, 3 Yes", "review by 3 March 2026", "not opened since ..."
    reasons: list[str] = field(default_factory=list)  # readers' reasons (vote), or the questions asked (advice)
    mark: GapMark | None = None  # WRITING: a tip is proposed for it

    @property
    def ref(self) -> str:
        return f"{self.source}/{self.key}"


@dataclass
class Gaps:
    area: object
    since: date
    until: date
    lines: dict[str, list[Line]]  # source -> open lines, most needed first
    answered: list[tuple[GapMark, Line | None]]  # closed by a published tip within the period
    not_for: list[GapMark]  # marked "not for CAFpedia" (any time): can be put back

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.lines.values())

    def in_short(self) -> str:
        """ "3 searches nobody found an answer to, 1 tip found not useful"."""
        return ", ".join(
            f"{len(lines)} {SHORT_LABELS[source][len(lines) != 1]}" for source, lines in self.lines.items() if lines
        )


def period_since(days: int, today: date | None = None) -> tuple[date, date]:
    today = today or clock.today()
    return today - timedelta(days=days - 1), today


# --- Searches -----------------------------------------------------------------------------------


def search_lines(area_id: int, since: date, until: date, *, keys: list[str] | None = None) -> list[Line]:
    """What at least MIN_PEOPLE different people searched for in the area that found nothing or
    that nobody opened a result of (keys: only these meanings, whatever was opened); each with
    its text as most recently typed."""
    if keys is not None and not keys:
        return []
    d, latest = SearchDemandDay, aliased(SearchDemandDay)
    people = func.sum(d.people)
    example = (
        select(latest.example)
        .where(latest.area_id == area_id, latest.meaning_key == d.meaning_key, latest.day >= since)
        .where(latest.day <= until)
        .order_by(latest.day.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(d.meaning_key, func.sum(d.searches), people, func.sum(d.found_nothing), func.max(d.day), example)
        .where(d.area_id == area_id, d.day >= since, d.day <= until)
        .group_by(d.meaning_key)
        .having(people >= MIN_PEOPLE)
    )
    # Asked for by meaning: whatever was opened. Otherwise: the meanings nobody opened anything from.
    query = query.where(d.meaning_key.in_(keys)) if keys is not None else query.having(func.sum(d.opened) == 0)
    query = query.order_by(people.desc(), func.max(d.day).desc(), d.meaning_key).limit(MAX_LINES)
    return [
        Line("search", key, text or key, count=searches, people=n, found_nothing=nothing, last=last)
        for key, searches, n, nothing, last, text in db.session.execute(query)
    ]


# --- Advice-line questions ----------------------------------------------------------------------


def advice_key(words: frozenset[str]) -> str:
    return " ".join(sorted(words))[:200]


def answered_by_a_tip(question: str) -> bool:
    """A published tip looks like the answer (what any reader may see: no proposal answers)."""
    return bool(similar(None, question, limit=1, threshold=ANSWERED_SCORE))


def advice_lines(
    area_id: int, since: date, until: date, *, answered_by_tip: Callable[[str], bool] | None = None
) -> list[Line]:
    """The area's advice-line questions in the period, grouped by meaning (each joins the first
    group it shares most of its meaning words with: search.meaning's stems, a synonym's group as
    one), that no call links to a published tip and, if `answered_by_tip` is given, that it
    finds no published tip for."""
    calls = db.session.scalars(
        select(AdviceCall)
        .where(AdviceCall.area_id == area_id, AdviceCall.called_on >= since, AdviceCall.called_on <= until)
        .options(selectinload(AdviceCall.tip))
        .order_by(AdviceCall.called_on, AdviceCall.id)
    )
    synonyms = current_groups()
    groups: list[tuple[frozenset[str], list[AdviceCall]]] = []
    for call in calls:  # by meaning, as searches are: "EDR" and "extended dispute resolution" are one
        words = frozenset(meaning_key(call.question, synonyms).split())
        if not words:
            continue
        group = next((g for key, g in groups if same_question(key, words)), None)
        if group is None:
            groups.append((words, [call]))
        else:
            group.append(call)
    unanswered = [
        (words, group)
        for words, group in groups
        if not any(c.tip is not None and c.tip.status == PUBLISHED and c.tip.current_number for c in group)
    ]
    # Most asked first; the search engine is asked about a group only until the list is full
    # (each ask is a search: a long advice log costs at most MAX_LINES of them, plus those answered).
    unanswered.sort(key=lambda item: (-len(item[1]), -item[1][-1].called_on.toordinal(), item[1][-1].question))
    lines = []
    for words, group in unanswered:
        if len(lines) == MAX_LINES:
            break
        last = group[-1]
        if answered_by_tip is not None and answered_by_tip(last.question):
            continue
        questions = list(dict.fromkeys(c.question for c in reversed(group)))
        lines.append(
            Line("advice", advice_key(words), last.question, count=len(group), last=last.called_on, reasons=questions)
        )
    return lines


# --- Tips -------------------------------------------------------------------------------------


def _published_tips(area_id: int) -> list[Tip]:
    return list(
        db.session.scalars(
            select(Tip)
            .where(Tip.area_id == area_id, Tip.status == PUBLISHED, Tip.current_number.is_not(None))
            .options(selectinload(Tip.revisions))
            .order_by(Tip.slug)
        )
    )


def vote_lines(tips: list[Tip]) -> list[Line]:
    """Tips whose current revision at least NOT_USEFUL_VOTES readers answered "No", more than "Yes"."""
    if not tips:
        return []
    by_id = {t.id: t for t in tips}
    rows = db.session.execute(
        select(TipVote.tip_id, TipVote.useful, func.count(), func.max(TipVote.at))
        .join(Tip, Tip.id == TipVote.tip_id)
        .where(TipVote.tip_id.in_(list(by_id)), TipVote.revision_number == Tip.current_number)
        .group_by(TipVote.tip_id, TipVote.useful)
    ).all()
    counts: dict[int, dict[bool, int]] = {}
    last: dict[int, date] = {}
    for tip_id, useful, n, at in rows:
        counts.setdefault(tip_id, {})[bool(useful)] = n
        last[tip_id] = max(last.get(tip_id, at.date()), at.date())
    lines = []
    for tip_id, c in counts.items():
        no, yes = c.get(False, 0), c.get(True, 0)
        if no >= NOT_USEFUL_VOTES and no > yes:
            tip = by_id[tip_id]
            lines.append(
                Line(
                    "vote",
                    f"{tip.id}:{tip.current_number}",
                    tip.title,
                    count=no,
                    last=last[tip_id],
                    tip=tip,
                    detail=f"{no} said not useful, {yes} useful",
                    reasons=_reasons(tip),
                )
            )
    lines.sort(key=lambda line: (-line.count, line.text))
    return lines[:MAX_LINES]


def _reasons(tip: Tip) -> list[str]:
    """What readers reported wrong with the current revision, newest first."""
    return list(
        db.session.scalars(
            select(TipProblem.text)
            .where(TipProblem.tip_id == tip.id, TipProblem.revision_number == tip.current_number)
            .order_by(TipProblem.at.desc())
            .limit(10)
        )
    )


def review_lines(tips: list[Tip], today: date) -> list[Line]:
    lines = [
        Line("review", f"{t.id}:{t.review_by.isoformat()}", t.title, last=t.review_by, tip=t, detail="review by")
        for t in tips
        if t.review_by is not None and t.review_by < today
    ]
    lines.sort(key=lambda line: (line.last, line.text))
    return lines[:MAX_LINES]


def unopened_lines(tips: list[Tip], today: date) -> list[Line]:
    """Published tips no reader has opened for UNOPENED_DAYS: since the day one was last read,
    or if never, since it was published. (A tip published before CAFpedia noted the day, or
    loaded from content files, counts as read on the day of the upgrade or the load.)"""
    cutoff = today - timedelta(days=UNOPENED_DAYS)
    lines = []
    for t in tips:
        since = t.last_viewed_on or (t.published_at.date() if t.published_at else None)
        if since is None or since > cutoff:
            continue
        lines.append(
            Line(
                "unopened",
                f"{t.id}:{since.isoformat()}",
                t.title,
                last=since,
                tip=t,
                detail="read" if t.last_viewed_on else "published",
            )
        )
    lines.sort(key=lambda line: (line.last, line.text))
    return lines[:MAX_LINES]


# --- The page ---------------------------------------------------------------------------------


def marks_for(area_id: int) -> dict[tuple[str, str], GapMark]:
    return {(m.source, m.line_key): m for m in db.session.scalars(select(GapMark).where(GapMark.area_id == area_id))}


def gaps(area, since: date, until: date, *, today: date | None = None) -> Gaps:
    today = today or clock.today()
    marks = marks_for(area.id)
    tips = _published_tips(area.id)
    found = {
        "search": search_lines(area.id, since, until),
        "advice": advice_lines(area.id, since, until, answered_by_tip=answered_by_a_tip),
        "vote": vote_lines(tips),
        "review": review_lines(tips, today),
        "unopened": unopened_lines(tips, today),
    }
    lines: dict[str, list[Line]] = {}
    for source, found_lines in found.items():
        kept = []
        for line in found_lines:
            mark = marks.get((source, line.key))
            if mark is not None and mark.state in (NOT_FOR, ANSWERED):
                continue
            line.mark = mark if mark is not None and mark.state == WRITING and mark.tip_id else None
            kept.append(line)
        lines[source] = kept
    answered = [
        m for m in marks.values() if m.state == ANSWERED and m.closed_at is not None and m.closed_at.date() >= since
    ]
    answered.sort(key=lambda m: m.closed_at, reverse=True)
    searched = {
        line.key: line
        for line in search_lines(area.id, since, until, keys=[m.line_key for m in answered if m.source == "search"])
    }
    not_for = sorted((m for m in marks.values() if m.state == NOT_FOR), key=lambda m: m.marked_at, reverse=True)
    return Gaps(
        area,
        since,
        until,
        lines,
        [(m, searched.get(m.line_key) if m.source == "search" else None) for m in answered],
        not_for,
    )


def line_for(area, ref: str, since: date, until: date) -> Line | None:
    """One open search or advice line by its ref ("search/KEY"), for the form that answers it."""
    source, _, key = ref.partition("/")
    if source == "search":
        return next(iter(search_lines(area.id, since, until, keys=[key])), None)
    if source == "advice":
        return next((line for line in advice_lines(area.id, since, until) if line.key == key), None)
    return None
