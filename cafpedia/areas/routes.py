"""The list of practice areas, for readers and for administrators. An area's own page
(`areas.show`), which shows its tips, research and experts, is in cafpedia.composed.area_page,
and adding or changing an area, which names its lead manager and deputies, is in
cafpedia.composed.area_admin: both on this blueprint."""

from __future__ import annotations

from flask import Blueprint, render_template

from cafpedia.areas import services
from cafpedia.core.permissions import requires

bp = Blueprint("areas", __name__, template_folder="templates")


@bp.get("/areas")
@requires("read_published")
def index():
    return render_template("areas/index.html", areas=services.list_areas())


# --- Administrators ------------------------------------------------------------------


@bp.get("/admin/areas")
@requires("manage_areas")
def admin_index():
    return render_template("areas/admin_index.html", areas=services.list_areas())
