"""The advice line's report: calls by month, area and expert, the questions asked most
(grouped by their meaning), and the rota's coverage."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cafpedia.areas.models import PracticeArea
from cafpedia.areas.services import list_areas
from cafpedia.core import clock
from cafpedia.experts import availability
from cafpedia.experts.lookups import all_experts
from cafpedia.experts.models import (
    AdviceCall,
    Expert,
)
from cafpedia.experts.rota_plan import load_rota
from cafpedia.extensions import db
from cafpedia.search.meaning import QUESTION_WORDS, question_words  # noqa: F401 (the advice line groups by them)

SAME_QUESTION = 0.6  # share of stemmed words two questions have in common to count as one


def same_question(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= SAME_QUESTION


@dataclass
class QuestionGroup:
    question: str  # as most recently asked
    count: int
    area: PracticeArea
    last_call: AdviceCall


@dataclass
class Report:
    months: list[date]  # first day of each month, oldest first
    areas: list[PracticeArea]
    counts: dict[tuple[int, date], int]  # (area id, month) -> calls
    minutes: dict[int, int]  # area id -> minutes
    unanswered: list[QuestionGroup]

    def area_total(self, area) -> int:
        return sum(n for (area_id, _), n in self.counts.items() if area_id == area.id)

    def month_total(self, month: date) -> int:
        return sum(n for (_, m), n in self.counts.items() if m == month)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class RotaDayOnLine:
    """One day of the week as it stands: the rota's mode and note, and who is on the line then."""

    day: date
    mode: str  # "closed", "rota" or "usual slots"
    note: str
    on_line: list[tuple[Expert, str]]  # each expert with their hours, "09:00-12:00, 14:00-16:00"


def rota_week(days: list[date]) -> list[RotaDayOnLine]:
    """Each day's mode and note, and each expert's hours on the line that day (the rota's
    where it sets the day, otherwise their usual slots)."""
    rota = load_rota(days[0], days[-1])
    experts = all_experts()
    week = []
    for day in days:
        plan = rota.get(day)
        on_line = [(e, availability.hours_on(e, day, rota)) for e in experts]
        week.append(
            RotaDayOnLine(
                day,
                "closed" if plan and plan.closed else ("rota" if plan else "usual slots"),
                plan.note if plan else "",
                [
                    (e, ", ".join(f"{availability.hhmm(s)}-{availability.hhmm(t)}" for s, t in hours))
                    for e, hours in on_line
                    if hours
                ],
            )
        )
    return week


def rota_rows(days: list[date]) -> list[tuple]:
    """The week as it stands, for a spreadsheet: a row per expert on the line each day (one
    without an expert for a day with nobody)."""
    rows = []
    for d in rota_week(days):
        first = (d.day.isoformat(), d.day.strftime("%A"), d.mode, d.note)
        if not d.on_line:
            rows.append((*first, "", "", ""))
        rows.extend((*first, expert.name, hours, "; ".join(expert.area_slugs)) for expert, hours in d.on_line)
    return rows


def report(*, months: int = 6, today: date | None = None, top: int = 10) -> Report:
    """Calls by area and month over the last `months` months, and the most asked questions no published tip answers."""
    today = today or clock.today()
    month_list = [clock.first_of_month(today, back) for back in range(months - 1, -1, -1)]
    calls = list(
        db.session.scalars(
            select(AdviceCall)
            .where(AdviceCall.called_on >= month_list[0])
            .options(selectinload(AdviceCall.area), selectinload(AdviceCall.tip))
            .order_by(AdviceCall.called_on, AdviceCall.id)
        )
    )
    counts: Counter = Counter()
    minutes: Counter = Counter()
    for call in calls:
        counts[(call.area_id, clock.first_of_month(call.called_on))] += 1
        minutes[call.area_id] += call.minutes
    areas = [a for a in list_areas() if any(k[0] == a.id for k in counts)]
    groups: list[tuple[frozenset[str], list[AdviceCall]]] = []
    for call in calls:  # each call joins the first group whose question it shares most words with
        words = question_words(call.question)
        group = next((g for key, g in groups if same_question(key, words)), None)
        if group is None:
            groups.append((words, [call]))
        else:
            group.append(call)
    unanswered = []
    for _, group in groups:
        if any(c.tip is not None and c.tip.current_number is not None and c.tip.status == "published" for c in group):
            continue
        last = group[-1]
        most_asked_in = Counter(c.area_id for c in group).most_common(1)[0][0]
        area = next(c.area for c in reversed(group) if c.area_id == most_asked_in)
        unanswered.append(QuestionGroup(question=last.question, count=len(group), area=area, last_call=last))
    unanswered.sort(key=lambda g: (-g.count, -g.last_call.called_on.toordinal(), g.question))
    return Report(
        months=month_list, areas=areas, counts=dict(counts), minutes=dict(minutes), unanswered=unanswered[:top]
    )
