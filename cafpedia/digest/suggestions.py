"""Readers' suggestions for research: making one, a reader's own, all of them for the
coordinator, and the coordinator's answer."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from cafpedia.core import audit, case_details
from cafpedia.core.clock import utcnow
from cafpedia.core.errors import NotFound, ServiceError, ValidationError
from cafpedia.core.text import normalise_newlines
from cafpedia.digest.drafts import TEXT_MAX, TOPIC_MAX, ensure_composer
from cafpedia.digest.models import (
    DECLINED,
    OPEN,
    TAKEN_UP,
    ResearchSuggestion,
)
from cafpedia.extensions import db


def suggest(user, topic: str, details: str = "", *, confirm_safe: bool = False) -> ResearchSuggestion:
    """A reader's suggestion; the confidentiality guard warns them first (`confirm_safe`: they
    confirmed what it found identifies no child or family)."""
    errors = {}
    topic = " ".join((topic or "").split())
    if len(topic) < 5:
        errors["topic"] = "Say what the research question or topic is, in at least 5 characters."
    elif len(topic) > TOPIC_MAX:
        errors["topic"] = (
            f"Keep the topic to {TOPIC_MAX} characters (this has {len(topic)}); put the rest in the details."
        )
    if len(details or "") > TEXT_MAX:
        errors["details"] = f"The details are too long: at most {TEXT_MAX:,} characters."
    confirmed = case_details.check(errors, {"the topic": topic, "the details": details}, confirm_safe)
    if errors:
        raise ValidationError(errors)
    suggestion = ResearchSuggestion(
        suggester_id=user.id, topic=topic, details=normalise_newlines(details).strip(), created_at=utcnow(), status=OPEN
    )
    db.session.add(suggestion)
    db.session.flush()
    if confirmed:  # only then: a suggestion is not otherwise audited
        audit.record(
            user,
            "digest.suggest",
            "research_suggestion",
            str(suggestion.id),
            summary=topic,
            after=case_details.audited(confirmed),
        )
    return suggestion


def suggestions_by(user) -> list[ResearchSuggestion]:
    return list(
        db.session.scalars(
            select(ResearchSuggestion)
            .where(ResearchSuggestion.suggester_id == user.id)
            .order_by(ResearchSuggestion.created_at.desc())
        )
    )


def all_suggestions(user) -> list[ResearchSuggestion]:
    ensure_composer(user)
    return list(
        db.session.scalars(
            select(ResearchSuggestion)
            .options(selectinload(ResearchSuggestion.suggester))
            .order_by((ResearchSuggestion.status != OPEN), ResearchSuggestion.created_at.desc())
        )
    )


def get_suggestion(suggestion_id: int) -> ResearchSuggestion:
    suggestion = db.session.get(ResearchSuggestion, suggestion_id)
    if suggestion is None:
        raise NotFound("There is no such suggestion.")
    return suggestion


def decide_suggestion(
    user, suggestion: ResearchSuggestion, status: str, reply: str, *, confirm_safe: bool = False
) -> ResearchSuggestion:
    ensure_composer(user)
    if suggestion.status != OPEN:
        raise ServiceError("This suggestion has already been answered; the reply stands as sent.")
    errors = {}
    if status not in (TAKEN_UP, DECLINED):
        errors["status"] = "Choose whether the suggestion is taken up or declined."
    reply = normalise_newlines(reply).strip()
    if not reply:
        errors["reply"] = "Write a reply: the person who suggested it will read it."
    elif len(reply) > TEXT_MAX:
        errors["reply"] = f"The reply is too long: at most {TEXT_MAX:,} characters."
    confirmed = case_details.check(errors, {"the reply": reply}, confirm_safe)
    if errors:
        raise ValidationError(errors)
    suggestion.status, suggestion.reply, suggestion.decided_by_id, suggestion.decided_at = (
        status,
        reply,
        user.id,
        utcnow(),
    )
    db.session.flush()
    audit.record(
        user,
        f"digest.suggestion_{status}",
        "research_suggestion",
        str(suggestion.id),
        summary=suggestion.topic,
        after=case_details.audited(confirmed),
    )
    return suggestion


def open_suggestion_count() -> int:
    return db.session.scalar(select(func.count(ResearchSuggestion.id)).where(ResearchSuggestion.status == OPEN)) or 0
