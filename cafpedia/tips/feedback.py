"""Readers tell the lead manager whether a tip helped: "Was this useful? Yes / No", and "Report
a problem" in a few words. One answer per reader and tip (the latest counts). Callers commit.

Problem reports are limited, so that nobody can flood an area's moderators (one reader once
sent 40 reports on one tip, 80 emails):
- one open report per person and tip. A report is open until the tip's moderators answer
  it by reviewing the tip or publishing a new revision (either sets last_reviewed_at); a
  second report meanwhile is refused, pointing to the open one, which the tip's page shows
  its writer. A refusal rather than an edit: the moderators may already have read the
  first, and a text changing under them would be a second report they are not told of.
- at most PROBLEMS_PER_DAY reports per person in any 24 hours, across tips: far above what
  a reader needs (a stale tip now and then), low enough that one person cannot keep
  several areas' moderators busy; someone with more to say should talk to the lead manager.
The area's moderators hear of reports on a tip at most once a UK day (notifications.rules),
by title and link: the text stays in CAFpedia. The confidentiality guard warns the writer
before saving, as it does a tip's author: they take the details out, or confirm the text
identifies no child or family."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import QueryableAttribute

from cafpedia.core import case_details, events
from cafpedia.core.clock import format_datetime, utcnow
from cafpedia.core.confidentiality import Finding, find_case_details
from cafpedia.core.errors import NotAllowed, ValidationError
from cafpedia.core.text import has_control_characters
from cafpedia.extensions import db
from cafpedia.tips.models import PROBLEM_MAX, PUBLISHED, Tip, TipProblem, TipVote

PROBLEMS_PER_DAY = 5


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


def _open(tip: Tip):
    """SQL: a report on `tip` its moderators have not answered yet (by a review or a new revision)."""
    condition = TipProblem.tip_id == tip.id
    reviewed = tip.last_reviewed_at
    if isinstance(reviewed, QueryableAttribute):  # the tip's own column: a statement for any tip
        return condition & or_(reviewed.is_(None), TipProblem.at > reviewed)
    if reviewed is not None:
        condition = condition & (TipProblem.at > reviewed)
    return condition


def open_report(user, tip: Tip) -> TipProblem | None:
    """This person's report on this tip that waits for an answer, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(TipProblem).where(_open(tip), TipProblem.user_id == user.id).order_by(TipProblem.at.desc()).limit(1)
    )


def _check_text(text: str, confirm_safe: bool) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise ValidationError({"problem": "Say in a few words what is wrong, or out of date."})
    if len(text) > PROBLEM_MAX:
        raise ValidationError({"problem": f"Use at most {PROBLEM_MAX} characters (this has {len(text)})."})
    if has_control_characters(text):
        raise ValidationError({"problem": "Take out the control characters (pasted from another program?)."})
    case_details.require({"the report": text}, confirm_safe)
    return text


def _check_limits(user, tip: Tip) -> None:
    earlier = open_report(user, tip)
    if earlier is not None:
        raise ValidationError(
            {
                "problem": f"You reported a problem with this tip on {format_datetime(earlier.at)}, and its lead "
                "manager has not answered it yet (by reviewing or updating the tip): your report is shown above. "
                "You can report another once they have."
            }
        )
    since = utcnow() - timedelta(hours=24)
    recent = list(
        db.session.scalars(
            select(TipProblem.at).where(TipProblem.user_id == user.id, TipProblem.at > since).order_by(TipProblem.at)
        )
    )
    if len(recent) >= PROBLEMS_PER_DAY:
        raise ValidationError(
            {
                "problem": f"You have sent {len(recent)} problem reports in the last 24 hours, the most CAFpedia takes "
                f"from one person in a day. Send this one after {format_datetime(recent[0] + timedelta(hours=24))}, "
                "or tell the lead manager for this area directly."
            }
        )


def report_problem(user, tip: Tip, text: str, *, confirm_safe: bool = False) -> TipProblem:
    _published(tip)
    text = _check_text(text, confirm_safe)
    _check_limits(user, tip)
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
    open: int  # reports not yet answered by a review or a new revision
    flags: dict[int, list[Finding]]  # what the confidentiality guard finds in a report, by its id

    def is_open(self, problem: TipProblem, tip: Tip) -> bool:
        return tip.last_reviewed_at is None or problem.at > tip.last_reviewed_at


def feedback_for(tip: Tip) -> Feedback:
    """What readers said, for the tip's moderators: the counts, the latest reports (the open
    ones first) and what the confidentiality guard finds in them (their writers confirmed)."""
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
    opened = db.session.scalar(select(func.count(TipProblem.id)).where(_open(tip))) or 0
    flags = {p.id: found for p in problems if (found := find_case_details(p.text))}
    return Feedback(counts.get(True, 0), counts.get(False, 0), problems, opened, flags)


def vote_of(user, tip: Tip):
    """SQL, a query for one value: this reader's answer to "Was this useful?" (None: not answered)."""
    return select(TipVote.useful).where(TipVote.tip_id == tip.id, TipVote.user_id == user.id)


def open_report_of(user, tip: Tip):
    """SQL, a query for one value: the id of this reader's report that waits for an answer (None: none)."""
    return (
        select(TipProblem.id).where(_open(tip), TipProblem.user_id == user.id).order_by(TipProblem.at.desc()).limit(1)
    )
