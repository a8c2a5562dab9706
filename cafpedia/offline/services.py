"""Which pages a phone keeps for reading offline, and how a page says it may be kept.

The service worker (static/sw.js) keeps only responses the server marks as savable: a
published tip or guidance page, or the advice line's numbers, shown to a signed-in person.
Everything else (proposals, notifications, the audit log, people) is never stored on a phone.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import url_for
from sqlalchemy import or_, select

from cafpedia.areas.models import PracticeArea, area_deputies
from cafpedia.core import clock
from cafpedia.extensions import db
from cafpedia.tips.models import PUBLISHED, Revision, Tip

ADVICE_LINE_TITLE = "Find an expert: the advice line's numbers"
# Enough for every area a person works in; a bound, so a phone's storage stays small.
MOST_PAGES = 400

SAVE_HEADER = "X-Cafpedia-Offline"
TITLE_HEADER = "X-Cafpedia-Title"
SAVED_HEADER = "X-Cafpedia-Saved"
VERSION_HEADER = "X-Cafpedia-Version"
USER_HEADER = "X-Cafpedia-User"
# Sent by the service worker when it refreshes saved pages in the background: not a reading.
BACKGROUND_HEADER = "X-Cafpedia-Background"


def saved_label() -> str:
    """When a page was saved, as the offline notice says it: '29 Nov, 10:02' (UK time)."""
    local = clock.now_london()
    return f"{local.day} {local:%b, %H:%M}"


def mark_savable(response, *, title: str, version: str, user):
    """Let the service worker keep this response, for this signed-in person, for reading
    offline. `version` changes when the page does, so a refresh downloads only what changed."""
    response.headers[SAVE_HEADER] = "save"
    response.headers[TITLE_HEADER] = quote(title, safe=" ")  # headers are Latin-1: the worker decodes it
    response.headers[SAVED_HEADER] = quote(saved_label(), safe=" ,:")
    response.headers[VERSION_HEADER] = version
    response.headers[USER_HEADER] = str(user.id)  # a number, never a name: whose copy this is
    return response


def is_background_refresh(request) -> bool:
    return request.headers.get(BACKGROUND_HEADER) == "refresh"


def tip_version(current_number: int | None) -> str:
    """A tip page changes with each published revision (and is downloaded again daily for
    what else it shows: legal flags, research, review dates)."""
    return f"r{current_number}"


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
