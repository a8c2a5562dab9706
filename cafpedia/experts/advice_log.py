"""The advice log: calls to the Practice Advice Line, as the expert or the register
administrator records them, and the tips they are linked to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cafpedia.areas.services import find_area
from cafpedia.core import audit, case_details, clock
from cafpedia.core.clock import utcnow
from cafpedia.core.errors import NotAllowed, ValidationError
from cafpedia.core.permissions import can_log_for
from cafpedia.core.text import has_control_characters
from cafpedia.experts.drafts import ADVICE_MAX, MINUTES_MAX, QUESTION_MAX
from cafpedia.experts.models import (
    AdviceCall,
    Expert,
)
from cafpedia.extensions import db
from cafpedia.tips.reading import find_tip

# --- The advice log ------------------------------------------------------------------------------


@dataclass
class CallDraft:
    called_on: date | None
    area: str
    question: str
    advice: str
    minutes: int | None
    tip: str = ""  # a tip that answers it, by slug
    confirm_safe: bool = False  # the writer confirmed what the confidentiality guard found


def log_call(actor, expert: Expert, draft: CallDraft, *, today: date | None = None) -> AdviceCall:
    """Record a call. The advice log keeps the knowledge, never who a case is about: what the
    confidentiality guard finds is shown to the writer, and nothing is kept until they take it out
    or confirm it identifies no child or family (core.case_details; the audit entry records that)."""
    if not can_log_for(actor, expert):
        raise NotAllowed("You can log only your own calls to the advice line.")
    today = today or clock.today()
    errors: dict[str, str] = {}
    if draft.called_on is None:
        errors["called_on"] = "Give the date of the call, as day, month and year."
    elif draft.called_on > today:
        errors["called_on"] = "The date of the call is in the future."
    elif draft.called_on < today - timedelta(days=366):
        errors["called_on"] = "Log calls within a year of taking them."
    area = find_area(draft.area) if draft.area else None
    if area is None:
        errors["area"] = (
            f"There is no area of practice called {draft.area}."
            if draft.area
            else "Choose the area of practice the question was about."
        )
    question = " ".join((draft.question or "").split())
    advice = " ".join((draft.advice or "").split())
    for key, text, limit, what in (
        ("question", question, QUESTION_MAX, "the question"),
        ("advice", advice, ADVICE_MAX, "the advice"),
    ):
        if len(text) < 10:
            errors[key] = f"Write {what} in a sentence."
        elif len(text) > limit:
            errors[key] = f"Keep {what} to {limit} characters: a sentence or two (this has {len(text)})."
        elif has_control_characters(text):
            errors[key] = "The text holds a character that cannot be typed."
    confirmed = case_details.check(errors, {"the question": question, "the advice": advice}, draft.confirm_safe)
    if draft.minutes is None or not 1 <= draft.minutes <= MINUTES_MAX:
        errors["minutes"] = f"Give the minutes the call took, from 1 to {MINUTES_MAX}."
    tip = None
    if draft.tip.strip():
        tip = find_tip(draft.tip.strip().rsplit("/", 1)[-1])
        if tip is None or tip.current_number is None:
            errors["tip"] = (
                f"There is no published tip {draft.tip.strip()}: give the last part of its web address, such as "
                f"seeing-children-at-the-first-hearing."
            )
    if errors:
        raise ValidationError(errors)
    call = AdviceCall(
        expert=expert,
        area=area,
        called_on=draft.called_on,
        question=question,
        advice=advice,
        minutes=draft.minutes,
        logged_by_id=actor.id,
        logged_at=utcnow().replace(microsecond=0),
        tip=tip,
    )
    db.session.add(call)
    db.session.flush()
    audit.record(
        actor,
        "advice.log",
        "advice_call",
        str(call.id),
        summary=f"{expert.name}, {area.title}, {call.minutes} minutes",  # not the question: what was typed about a case
        after=case_details.audited(confirmed),
    )
    return call


def find_call(call_id: int) -> AdviceCall | None:
    return db.session.get(AdviceCall, call_id)


def recent_calls(*, expert: Expert | None = None, limit: int = 50) -> list[AdviceCall]:
    query = select(AdviceCall).options(
        selectinload(AdviceCall.area), selectinload(AdviceCall.expert), selectinload(AdviceCall.tip)
    )
    if expert is not None:
        query = query.where(AdviceCall.expert_id == expert.id)
    return list(db.session.scalars(query.order_by(AdviceCall.called_on.desc(), AdviceCall.id.desc()).limit(limit)))


def link_tip(call: AdviceCall, tip) -> None:
    """A tip proposed from this call: once it is published, the question counts as answered."""
    if call.tip_id is None:
        call.tip = tip
