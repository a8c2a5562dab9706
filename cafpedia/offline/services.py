"""Which pages a phone keeps for reading offline: the advice line's numbers, then the published
tips and guidance in a person's areas. How a page says it may be kept is in
cafpedia.core.offline_copies, which the pages that may be kept use.
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import or_, select

from cafpedia.areas.models import PracticeArea, area_deputies
from cafpedia.core.offline_copies import ADVICE_LINE_TITLE, tip_version
from cafpedia.extensions import db
from cafpedia.tips.models import PUBLISHED, Revision, Tip

# Enough for every area a person works in; a bound, so a phone's storage stays small.
MOST_PAGES = 400


def area_ids_for(user) -> list[int]:
    """The areas a person works in, and those they lead or deputise for."""
    ids = {area.id for area in user.areas}
    ids.update(
        db.session.scalars(
            select(PracticeArea.id)
            .outerjoin(area_deputies, area_deputies.c.area_id == PracticeArea.id)
            .where(or_(PracticeArea.lead_id == user.id, area_deputies.c.user_id == user.id))
        )
    )
    return sorted(ids)


def pages_for(user) -> list[dict]:
    """Every page this person's phone keeps: the advice line's numbers, then each published
    tip and guidance page in their areas (one query), most read first."""
    pages = [{"url": url_for("experts.index"), "title": ADVICE_LINE_TITLE, "version": ""}]
    area_ids = area_ids_for(user)
    if area_ids:
        rows = db.session.execute(
            select(Tip.slug, Revision.title, Tip.current_number)
            .join(Revision, (Revision.tip_id == Tip.id) & (Revision.number == Tip.current_number))
            .where(Tip.area_id.in_(area_ids), Tip.status == PUBLISHED)
            .order_by(Tip.views.desc(), Tip.id)
            .limit(MOST_PAGES)
        )
        pages += [
            {"url": url_for("tips.show", slug=slug), "title": title, "version": tip_version(number)}
            for slug, title, number in rows
        ]
    return pages
