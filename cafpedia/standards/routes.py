"""The National Standards, for everyone to read. A clause's page, which lists the tips that apply
it, is in cafpedia.composed.clause_page, on this blueprint."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from cafpedia.core.permissions import requires
from cafpedia.standards import services

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


def _render(version):
    return render_template(
        "standards/index.html",
        version=version,
        versions=services.list_versions(),
        groups=services.grouped_clauses(version) if version else [],
    )
