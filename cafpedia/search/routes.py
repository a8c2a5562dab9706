"""The search page behind the header's search box."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from cafpedia.core.permissions import requires
from cafpedia.search import services

bp = Blueprint("search", __name__, template_folder="templates")


@bp.get("/search")
@requires("read_published")
def results():
    query = request.args.get("q", "").strip()[: services.MAX_QUERY]
    hits = services.search(query) if query else []
    return render_template("search/results.html", query=query, hits=hits)
