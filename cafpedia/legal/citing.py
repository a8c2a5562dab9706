"""Which tips rest on the law an update is about: the citations of each, the tips citing an
update and the updates behind a tip (then and now), and the flags that send a tip for
review, cleared when its lead manager reviews it. Importing this module connects it to
the tips' review events."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cafpedia.core import audit, clock, events
from cafpedia.core.clock import utcnow
from cafpedia.core.errors import NotAllowed, ValidationError
from cafpedia.extensions import db
from cafpedia.legal.citations import Citation, read_cached
from cafpedia.legal.feed import FeedFilters, feed
from cafpedia.legal.models import (
    WITHDRAWN,
    LegalUpdate,
    TipLegalFlag,
)
from cafpedia.legal.posting import ensure_editor
from cafpedia.tips.models import PUBLISHED as TIP_PUBLISHED
from cafpedia.tips.models import Tip


def citations_of(update: LegalUpdate) -> list[Citation]:
    return [c for text in update.current.citations for c in read_cached(text)]


def tip_citations(tip) -> list[Citation]:
    """A tip's legal references, read as a legal update's citations are: a case name alone
    still finds the update about that case."""
    revision = tip.current
    return [c for text in (revision.legal_refs if revision else []) for c in read_cached(text)]


def _published_tips():

    return list(
        db.session.scalars(
            select(Tip)
            .where(Tip.status == TIP_PUBLISHED)
            .options(selectinload(Tip.revisions), selectinload(Tip.area))
            .order_by(Tip.slug)
        )
    )


def citing_tips(update: LegalUpdate) -> list:
    """Published tips whose legal references name the same statute (and section) or case."""
    mine = citations_of(update)
    return [tip for tip in _published_tips() if any(a.same_law(b) for a in mine for b in tip_citations(tip))]


def updates_for_tip(tip) -> list[LegalUpdate]:
    refs = tip_citations(tip)
    if not refs:
        return []
    return [u for u in feed(with_areas=False) if any(a.same_law(b) for a in citations_of(u) for b in refs)]


def updates_about_as_at(legal_refs: list[str], day: date, moment: datetime) -> list[LegalUpdate]:
    """The updates about these references that readers could see on `day`: posted by then, and
    not yet withdrawn at `moment` (the end of that day)."""
    refs = [c for text in legal_refs for c in read_cached(text)]
    if not refs:
        return []
    return [
        u
        for u in feed(FeedFilters(include_withdrawn=True))
        if u.published_on <= day
        and (u.withdrawn_at is None or u.withdrawn_at >= moment)
        and any(a.same_law(b) for a in citations_of(u) for b in refs)
    ]


def tip_flags(tip_id: int) -> list[TipLegalFlag]:
    """Every time a legal update sent this tip for review, resolved or not."""
    return list(
        db.session.scalars(
            select(TipLegalFlag)
            .where(TipLegalFlag.tip_id == tip_id)
            .options(selectinload(TipLegalFlag.update))
            .order_by(TipLegalFlag.flagged_at)
        )
    )


def open_flags(tip_ids=None) -> list[TipLegalFlag]:
    query = select(TipLegalFlag).where(TipLegalFlag.resolved_at.is_(None)).options(selectinload(TipLegalFlag.update))
    if tip_ids is not None:
        query = query.where(TipLegalFlag.tip_id.in_(list(tip_ids) or [-1]))
    return list(db.session.scalars(query.order_by(TipLegalFlag.flagged_at)))


def flag_tips(user, update: LegalUpdate, tip_slugs: list[str], *, today: date | None = None) -> list:
    """Send these tips (each citing the update's law) back to their lead managers for review now.

    Each becomes due for review today, shows the update as the reason on the review
    dashboard, and its lead manager (and deputies) are notified. Returns the tips flagged.
    """
    ensure_editor(user)
    if update.status == WITHDRAWN:
        raise NotAllowed("A withdrawn update cannot send tips for review.")
    today = today or clock.today()
    citing = {t.slug: t for t in citing_tips(update)}
    unknown = [s for s in tip_slugs if s not in citing]
    if unknown:
        raise ValidationError(
            {
                "tips": f"{', '.join(unknown[:3])} do{'es' if len(unknown) == 1 else ''} not cite the law this update "
                f"is about."
            }
        )
    if not tip_slugs:
        raise ValidationError({"tips": "Choose at least one tip to send for review."})
    already = {f.tip_id for f in open_flags([t.id for t in citing.values()]) if f.update_id == update.id}
    flagged = []
    for slug in dict.fromkeys(tip_slugs):
        tip = citing[slug]
        if tip.id in already:
            continue
        existing = db.session.scalar(
            select(TipLegalFlag).where(TipLegalFlag.tip_id == tip.id, TipLegalFlag.update_id == update.id)
        )
        if existing is not None:  # flagged before and reviewed since: flag it again
            existing.resolved_at, existing.resolved_by_id, existing.flagged_at, existing.flagged_by_id = (
                None,
                None,
                utcnow(),
                user.id,
            )
        else:
            db.session.add(TipLegalFlag(tip_id=tip.id, update_id=update.id, flagged_by_id=user.id, flagged_at=utcnow()))
        if tip.review_by is None or tip.review_by > today:
            tip.review_by = today
        flagged.append(tip)
        audit.record(user, "legal.flag_tip", "tip", tip.slug, summary=f"review because of {update.slug}")
        events.tip_flagged_for_review.send(update, tip=tip, actor=user)
    db.session.flush()
    return flagged


@events.tip_reviewed.connect
def _resolve_flags_on_review(tip, actor=None, **_):
    resolve_flags(actor, tip)


@events.review_reasons.connect
def _flags_as_review_reasons(tip, **_) -> list[str]:
    return [f"the legal update “{flag.update.current.title}”" for flag in open_flags([tip.id])]


def resolve_flags(user, tip) -> int:
    """A lead manager reviewed the tip: the legal updates that sent it for review are dealt with."""
    flags = open_flags([tip.id])
    for flag in flags:
        flag.resolved_at, flag.resolved_by_id = utcnow(), user.id
    return len(flags)
