"""The home page: the areas, the newest tips, the legal updates, the digest and who is on
the advice line now. It reads every domain, so it lives apart from all of them (and from
core, which reads none)."""

from __future__ import annotations

from flask import Blueprint, render_template

from cafpedia.areas.services import list_areas
from cafpedia.core.permissions import requires
from cafpedia.digest.reading import latest_issue
from cafpedia.experts.finder import count_available_now
from cafpedia.legal.feed import feed
from cafpedia.standards.services import current_version
from cafpedia.tips.reading import recently_published

bp = Blueprint("home", __name__)


@bp.get("/")
@requires("read_published")
def index():
    return render_template(
        "home.html",
        areas=list_areas(),
        standards_version=current_version(),
        recent=recently_published(),
        legal_updates=feed(limit=3, with_areas=False),
        digest=latest_issue(with_areas=False),
        experts_now=count_available_now(),
    )
