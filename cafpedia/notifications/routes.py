"""Each person's notifications, and which kinds they want."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from cafpedia.core.forms import CheckboxListField, choices, form_status
from cafpedia.core.permissions import requires
from cafpedia.extensions import db
from cafpedia.notifications import services
from cafpedia.notifications.models import KINDS

bp = Blueprint("notifications", __name__, template_folder="templates")


class SettingsForm(FlaskForm):
    wanted = CheckboxListField("Tell me when", choices=choices(KINDS.items()), validate_choice=True)


class MarkReadForm(FlaskForm):
    pass


@bp.get("/notifications")
@requires("signed_in")
def index():
    form = SettingsForm(formdata=None, wanted=sorted(set(KINDS) - services.turned_off(current_user)))
    return render_template("notifications/index.html", notifications=services.recent(current_user), form=form, read_form=MarkReadForm())


@bp.post("/notifications/read")
@requires("signed_in")
def mark_read():
    if MarkReadForm().validate_on_submit():
        services.mark_all_read(current_user)
        db.session.commit()
    return redirect(url_for("notifications.index"))


@bp.post("/notifications/settings")
@requires("signed_in")
def settings():
    form = SettingsForm()
    if form.validate_on_submit():
        services.set_wanted(current_user, set(form.wanted.data or []))
        db.session.commit()
        flash("Your notification settings are saved.", "success")
        return redirect(url_for("notifications.index"))
    return render_template("notifications/index.html", notifications=services.recent(current_user), form=form,
                           read_form=MarkReadForm()), form_status(form)
