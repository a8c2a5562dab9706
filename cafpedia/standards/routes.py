"""The National Standards, for everyone to read."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from cafpedia.core.permissions import requires
from cafpedia.standards import services
from cafpedia.tips.reading import tips_citing

bp = Blueprint("standards", __name__, template_folder="templates")


@bp.get("/standards")
@requires("read_published")
def index():
    return _render(services.current_version())


@bp.get("/standards/<version>")
@requires("read_published")
def version(version: str):
    found = services.find_version(version) or abort(404)
    return _render(found)


@bp.get("/standards/<version>/<code>")
@requires("read_published")
def clause(version: str, code: str):
    """One clause, with every tip that says it applies it."""

    found = services.find_version(version) or abort(404)
    item = found.clause(code) or abort(404)
    return render_template("standards/clause.html", version=found, clause=item, tips=tips_citing(item))


def _render(version):
    return render_template(
        "standards/index.html",
        version=version,
        versions=services.list_versions(),
        groups=services.grouped_clauses(version) if version else [],
    )
