"""Readers tell the lead manager whether a tip helped: "Was this useful? Yes / No", and "Report
a problem" in a few words. One answer per reader and tip (the latest counts); problem reports
pass the confidentiality guard and go to the area's lead manager and deputies. Callers commit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from cafpedia.core import events
from cafpedia.core.clock import utcnow
from cafpedia.core.confidentiality import describe, find_case_details
from cafpedia.core.errors import NotAllowed, ValidationError
from cafpedia.core.text import has_control_characters
from cafpedia.extensions import db
from cafpedia.tips.models import PROBLEM_MAX, PUBLISHED, Tip, TipProblem, TipVote


def _published(tip: Tip) -> None:
    if tip.status != PUBLISHED or tip.current_number is None:
        raise NotAllowed("Only a published tip takes answers and reports.")


def vote(user, tip: Tip, useful: bool) -> TipVote:
    _published(tip)
    row = db.session.scalar(select(TipVote).where(TipVote.tip_id == tip.id, TipVote.user_id == user.id))
    if row is None:
        row = TipVote(tip_id=tip.id, user_id=user.id)
        db.session.add(row)
    row.useful, row.revision_number, row.at = useful, tip.current_number, utcnow()
    db.session.flush()
    return row


def report_problem(user, tip: Tip, text: str) -> TipProblem:
    _published(tip)
    text = " ".join((text or "").split())
    if not text:
        raise ValidationError({"problem": "Say in a few words what is wrong, or out of date."})
    if len(text) > PROBLEM_MAX:
        raise ValidationError({"problem": f"Use at most {PROBLEM_MAX} characters (this has {len(text)})."})
    if has_control_characters(text):
        raise ValidationError({"problem": "Take out the control characters (pasted from another program?)."})
    found = find_case_details(text)
    if found:
        raise ValidationError(
            {
                "problem": f"This looks as if it holds case details ({describe(found)}). Describe the problem "
                "without anything that could identify a child or family."
            }
        )
    problem = TipProblem(tip_id=tip.id, user_id=user.id, revision_number=tip.current_number, text=text, at=utcnow())
    db.session.add(problem)
    db.session.flush()
    events.tip_problem_reported.send(tip, problem=problem, actor=user)
    return problem


@dataclass
class Feedback:
    yes: int
    no: int
    problems: list[TipProblem]


def feedback_for(tip: Tip) -> Feedback:
    """What readers said, for the tip's moderators."""
    counts = dict(
        db.session.execute(
            select(TipVote.useful, func.count()).where(TipVote.tip_id == tip.id).group_by(TipVote.useful)
        ).all()
    )
    problems = list(
        db.session.scalars(
            select(TipProblem).where(TipProblem.tip_id == tip.id).order_by(TipProblem.at.desc()).limit(20)
        )
    )
    return Feedback(counts.get(True, 0), counts.get(False, 0), problems)


def my_vote(user, tip: Tip) -> bool | None:
    return db.session.scalar(select(TipVote.useful).where(TipVote.tip_id == tip.id, TipVote.user_id == user.id))
