"""A National Standards clause, with every tip that says it applies it. Registered on the
standards' blueprint (`standards.clause`)."""

from __future__ import annotations

from flask import abort, render_template

from cafpedia.core.permissions import requires
from cafpedia.standards import services
from cafpedia.standards.routes import bp
from cafpedia.tips.reading import tips_citing


@bp.get("/standards/<version>/<code>")
@requires("read_published")
def clause(version: str, code: str):
    """One clause, with every tip that says it applies it."""

    found = services.find_version(version) or abort(404)
    item = found.clause(code) or abort(404)
    return render_template("standards/clause.html", version=found, clause=item, tips=tips_citing(item))
