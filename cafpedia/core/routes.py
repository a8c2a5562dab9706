"""The home page."""
from __future__ import annotations

from flask import Blueprint, render_template

from cafpedia.areas import services as areas
from cafpedia.core.permissions import requires
from cafpedia.standards import services as standards

bp = Blueprint("core", __name__)


@bp.get("/")
@requires("read_published")
def home():
    from cafpedia.digest.services import latest_issue
    from cafpedia.experts.finder import count_available_now
    from cafpedia.legal.services import feed
    from cafpedia.tips.reading import recently_published

    return render_template(
        "home.html", areas=areas.list_areas(), standards_version=standards.current_version(),
        recent=recently_published(), legal_updates=feed(limit=3), digest=latest_issue(),
        experts_now=count_available_now(),
    )
