"""What a lead manager decides about a line of their area's "What people need": not for
CAFpedia (with a reason, audited, and undone by putting it back), or a tip proposed for it
(which closes the line when it is published, and reopens it if the proposal is rejected).
Callers commit. The audit names the source and the line's key (a meaning's stems, or a tip's
id): never a search or a question as typed."""

from __future__ import annotations

from sqlalchemy import select, update

from cafpedia.core import audit, case_details, events
from cafpedia.core.clock import utcnow
from cafpedia.core.errors import NotFound, ValidationError
from cafpedia.core.permissions import can_moderate
from cafpedia.core.text import has_control_characters
from cafpedia.extensions import db
from cafpedia.gaps.models import ANSWERED, NOT_FOR, REASON_MAX, SOURCES, WRITING, GapMark

KEY_MAX = 200
WRITABLE = ("search", "advice")  # the lines a new tip answers (the others are about a tip: edit it)


def parse_ref(ref: str) -> tuple[str, str]:
    """("search", "guardianship report special") from "search/guardianship report special"."""
    source, _, key = (ref or "").partition("/")
    if source not in SOURCES or not key.strip() or len(key) > KEY_MAX or has_control_characters(key):
        raise NotFound("There is no such line on this area's list.")
    return source, key


def _mark(area, source: str, key: str) -> GapMark | None:
    return db.session.scalar(
        select(GapMark).where(GapMark.area_id == area.id, GapMark.source == source, GapMark.line_key == key)
    )


def _set(user, area, source: str, key: str, state: str, *, reason="", tip_id=None, closed=False) -> GapMark:
    """The line's one mark, made or changed to `state` by `user` now."""
    mark = _mark(area, source, key)
    if mark is None:
        mark = GapMark(area_id=area.id, source=source, line_key=key)
        db.session.add(mark)
    mark.state, mark.reason, mark.tip_id = state, reason, tip_id
    mark.marked_by_id, mark.marked_at, mark.closed_at = user.id, utcnow(), utcnow() if closed else None
    db.session.flush()
    return mark


def not_for_cafpedia(user, area, ref: str, reason: str, *, confirm_safe: bool = False) -> GapMark:
    """Take a line off the list, saying why (kept, and audited)."""
    source, key = parse_ref(ref)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Say in a few words why this is not for CAFpedia."})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Use at most {REASON_MAX} characters (this has {len(reason)})."})
    if has_control_characters(reason):
        raise ValidationError({"reason": "Take out the control characters (pasted from another program?)."})
    confirmed = case_details.require({"the reason": reason}, confirm_safe)
    mark = _set(user, area, source, key, NOT_FOR, reason=reason, closed=True)
    audit.record(
        user,
        "gap.not_for",
        "area",
        area.slug,
        summary=f"A {source} line marked not for CAFpedia: {reason}",
        after={"source": source, "line": key, "reason": reason, **(case_details.audited(confirmed) or {})},
    )
    return mark


def put_back(user, area, ref: str) -> None:
    """A line marked not for CAFpedia goes back on the list (audited)."""
    source, key = parse_ref(ref)
    mark = _mark(area, source, key)
    if mark is None or mark.state != NOT_FOR:
        raise NotFound("That line is not marked as not for CAFpedia.")
    db.session.delete(mark)
    db.session.flush()
    audit.record(
        user,
        "gap.put_back",
        "area",
        area.slug,
        summary=f"A {source} line put back on the list",
        before={"source": source, "line": key, "reason": mark.reason},
    )


def writing(user, area, ref: str, tip) -> GapMark | None:
    """`tip`, just proposed, answers this line: the line says so until it is published (then it
    closes) or rejected (then it reopens). Only the area's moderators mark lines: from anyone
    else (or for a line about a tip, or a ref that names nothing) this does nothing."""
    try:
        source, key = parse_ref(ref)
    except NotFound:
        return None
    if source not in WRITABLE or not can_moderate(user, area):
        return None
    mark = _set(user, area, source, key, WRITING, tip_id=tip.id)
    audit.record(
        user,
        "gap.writing",
        "area",
        area.slug,
        summary=f"A tip proposed for a {source} line: {tip.slug}",
        after={"source": source, "line": key, "tip": tip.slug},
    )
    return mark


@events.revision_published.connect
def _answered(tip, revision=None, actor=None, first=False, **_):
    """The tip written for a line is published: the line closes, naming it."""
    db.session.execute(
        update(GapMark)
        .where(GapMark.tip_id == tip.id, GapMark.state == WRITING)
        .values(state=ANSWERED, closed_at=utcnow())
        .execution_options(synchronize_session=False)
    )


@events.proposal_rejected.connect
def _reopened(revision, moderator=None, **_):
    """The tip written for a line is rejected before it was ever published: the line reopens."""
    if revision.tip.current_number is not None:
        return
    db.session.execute(GapMark.__table__.delete().where(GapMark.tip_id == revision.tip_id, GapMark.state == WRITING))
