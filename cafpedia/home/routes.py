"""The home page: the areas, the newest tips, the legal updates, the digest and who is on
the advice line now. It reads every domain, so it lives apart from all of them (and from
core, which reads none).

What every reader sees is drawn once and kept while the content version stands
(cafpedia.core.content_version), for the day; who is on the advice line, for the minute. For
people signed out the whole page is kept, for the minute."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template
from markupsafe import Markup

from cafpedia.areas.services import list_areas
from cafpedia.core import clock
from cafpedia.core.content_version import kept, kept_page, same_for_everyone
from cafpedia.core.permissions import allowed, requires
from cafpedia.digest.reading import latest_issue
from cafpedia.experts.finder import count_available_now
from cafpedia.legal.feed import feed
from cafpedia.standards.services import current_version
from cafpedia.tips.reading import recently_published

bp = Blueprint("home", __name__)


@dataclass(frozen=True)
class HomeParts:
    recent: Markup
    rest: Markup


def _draw_parts(manages_areas: bool) -> HomeParts:
    return HomeParts(
        recent=Markup(render_template("_partials/home_recent.html", recent=recently_published())),
        rest=Markup(
            render_template(
                "_partials/home_rest.html",
                areas=list_areas(),
                standards_version=current_version(),
                legal_updates=feed(limit=3, with_areas=False),
                digest=latest_issue(with_areas=False),
                manages_areas=manages_areas,
            )
        ),
    )


def _page(minute) -> str:
    manages_areas = allowed("manage_areas")
    return render_template(
        "home.html",
        parts=kept(("home parts", clock.today(), manages_areas), lambda: _draw_parts(manages_areas)),
        experts_now=kept(("experts on the line", minute), lambda: count_available_now(now=minute)),
    )


@bp.get("/")
@requires("read_published")
def index():
    minute = clock.utcnow().replace(second=0, microsecond=0)
    if same_for_everyone():
        return kept_page(("home page", minute), lambda: _page(minute))
    return _page(minute)
