"""The list of practice areas, and their administration. An area's own page (`areas.show`), which
shows its tips, research and experts, is in cafpedia.composed.area_page, on this blueprint."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cafpedia.areas import services
from cafpedia.areas.forms import AreaForm, NewAreaForm
from cafpedia.core.forms import choices, commit_or_show_errors, form_status
from cafpedia.core.permissions import requires

bp = Blueprint("areas", __name__, template_folder="templates")


@bp.get("/areas")
@requires("read_published")
def index():
    return render_template("areas/index.html", areas=services.list_areas())


# --- Administrators ------------------------------------------------------------------


def _people_choices(form: AreaForm) -> None:
    people = services.lead_manager_choices()
    named = [(u.username, f"{u.name} ({u.username})") for u in people]
    form.lead.choices = choices([("", "No lead manager yet"), *named])
    form.deputies.choices = choices(named)


@bp.get("/admin/areas")
@requires("manage_areas")
def admin_index():
    return render_template("areas/admin_index.html", areas=services.list_areas())


@bp.route("/admin/areas/new", methods=["GET", "POST"])
@requires("manage_areas")
def new():
    form = NewAreaForm()
    _people_choices(form)
    if form.validate_on_submit():
        area = commit_or_show_errors(
            form,
            lambda: services.create_area(
                current_user,
                slug=form.slug.data,
                title=form.title.data,
                summary=form.summary.data,
                lead=form.lead.data or None,
                deputies=form.deputies.data,
            ),
        )
        if area:
            flash(f"Area {area.title} created.", "success")
            return redirect(url_for("areas.show", slug=area.slug))
    return render_template("areas/edit.html", form=form, area=None), form_status(form)


@bp.route("/admin/areas/<slug>", methods=["GET", "POST"])
@requires("manage_areas")
def edit(slug: str):
    area = services.find_area(slug) or abort(404)
    form = AreaForm(obj=None if request.method == "POST" else area)
    _people_choices(form)
    if request.method == "GET":
        form.lead.data = area.lead.username if area.lead else ""
        form.deputies.data = [d.username for d in area.deputies]
    if form.validate_on_submit() and commit_or_show_errors(
        form,
        lambda: services.update_area(
            current_user,
            area,
            title=form.title.data,
            summary=form.summary.data,
            lead=form.lead.data or None,
            deputies=form.deputies.data,
        ),
    ):
        flash(f"Changes to {area.title} saved.", "success")
        return redirect(url_for("areas.show", slug=area.slug))
    return render_template("areas/edit.html", form=form, area=area), form_status(form)
