"""Adding and changing an area of practice (administrators): its title and summary, and the
people who moderate it, named by username and found among the accounts. On the areas'
blueprint (`areas.new`, `areas.edit`); it composes areas with accounts, which stand above areas."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cafpedia.accounts import people
from cafpedia.areas import services
from cafpedia.areas.forms import AreaForm, NewAreaForm
from cafpedia.areas.routes import bp
from cafpedia.core.forms import choices, commit_or_show_errors, form_status
from cafpedia.core.permissions import requires


def _people_choices(form: AreaForm) -> None:
    named = [(u.username, f"{u.name} ({u.username})") for u in people.lead_manager_choices()]
    form.lead.choices = choices([("", "No lead manager yet"), *named])
    form.deputies.choices = choices(named)


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
                **people.moderators_named(form.lead.data or None, form.deputies.data),
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
            **people.moderators_named(form.lead.data or None, form.deputies.data),
        ),
    ):
        flash(f"Changes to {area.title} saved.", "success")
        return redirect(url_for("areas.show", slug=area.slug))
    return render_template("areas/edit.html", form=form, area=area), form_status(form)
