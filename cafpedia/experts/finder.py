"""Finding experts: the finder's filters, who is available now and when next, and the
entries due for review."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cafpedia.core import clock
from cafpedia.core.clock import utcnow
from cafpedia.experts import availability
from cafpedia.experts.availability import local
from cafpedia.experts.lookups import all_experts
from cafpedia.experts.models import Expert
from cafpedia.experts.rota_plan import load_rota


@dataclass
class Filters:
    text: str = ""
    area: str = ""
    skill: str = ""
    region: str = ""
    language: str = ""
    available_now: bool = False


@dataclass
class Entry:
    expert: Expert
    available: bool
    next_at: datetime | None
    next_text: str
    unconfirmed: bool


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _matches_text(expert: Expert, words: list[str]) -> bool:
    haystack = set(
        _words(
            " ".join(
                [
                    expert.name,
                    expert.job_title,
                    expert.region,
                    expert.about,
                    *expert.skills,
                    *expert.languages,
                    *(a.title for a in expert.areas),
                    *expert.area_slugs,
                ]
            )
        )
    )
    return all(any(w.startswith(word) for w in haystack) for word in words)


def is_unconfirmed(expert: Expert, today: date) -> bool:
    return expert.review_by is None or expert.review_by < today


def entry_for(expert: Expert, now: datetime, rota) -> Entry:
    next_at = availability.next_available(expert, now, rota)  # now itself, when they are on the line
    available = next_at is not None and next_at <= local(now)
    until = availability.on_line_until(expert, now, rota) if available else None
    return Entry(
        expert=expert,
        available=available,
        next_at=next_at,
        next_text=availability.describe_next(next_at, now, until),
        unconfirmed=is_unconfirmed(expert, local(now).date()),
    )


def find_experts(filters: Filters, *, now: datetime | None = None) -> list[Entry]:
    """Active experts matching every filter: those on the line now first, then by when they are next free."""
    now = now or utcnow()
    today = local(now).date()
    rota = load_rota(today, today + timedelta(days=14))
    words = _words(filters.text)
    entries = []
    for expert in all_experts():
        if filters.area and filters.area not in expert.area_slugs:
            continue
        if filters.region and expert.region != filters.region:
            continue
        if filters.skill and filters.skill.lower() not in (s.lower() for s in expert.skills):
            continue
        if filters.language and filters.language.lower() not in (lang.lower() for lang in expert.languages):
            continue
        if words and not _matches_text(expert, words):
            continue
        entry = entry_for(expert, now, rota)
        if filters.available_now and not entry.available:
            continue
        entries.append(entry)
    far = datetime.max.replace(tzinfo=local(now).tzinfo)
    return sorted(entries, key=lambda e: (not e.available, e.next_at or far, e.expert.name.lower()))


def count_available_now(*, now: datetime | None = None) -> int:
    """How many experts are on the line this minute (today's rota only: no look ahead)."""
    now = now or utcnow()
    today = local(now).date()
    rota = load_rota(today, today)
    return sum(availability.available_now(e, now, rota) for e in all_experts(with_areas=False))


def skill_and_language_choices() -> tuple[list[str], list[str]]:
    """The skills and the languages on the register, for the finder's lists."""
    experts = all_experts()
    return (
        sorted({s for e in experts for s in e.skills}, key=str.lower),
        sorted({lang for e in experts for lang in e.languages}, key=str.lower),
    )


def due_for_review(today: date | None = None) -> list[Expert]:
    """Active entries whose review date has passed: shown as unconfirmed until the expert confirms."""
    today = today or clock.today()
    return [e for e in all_experts() if is_unconfirmed(e, today)]
