"""The mail outbox, for administrators: what failed or waits for a retry, and why."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm

from cafpedia.core.forms import button_action
from cafpedia.core.permissions import requires
from cafpedia.extensions import db
from cafpedia.mail import outbox
from cafpedia.mail.models import MailMessage
from cafpedia.mail.settings import MailConfigError, parse_mail_url

bp = Blueprint("mail", __name__, template_folder="templates")


class RetryForm(FlaskForm):
    pass


def _server() -> str:

    try:
        settings = parse_mail_url(current_app.config.get("MAIL_URL"))
    except MailConfigError as exc:
        return f"misconfigured: {exc}"
    return settings.describe() if settings else f"none: messages are written to {current_app.config.get('MAIL_DIR')}"


@bp.get("/admin/mail")
@requires("read_mail_outbox")
def index():
    return render_template(
        "mail/outbox.html", counts=outbox.counts(), problems=outbox.problems(), server=_server(), form=RetryForm()
    )


@bp.post("/admin/mail/<int(max=2147483647):message_id>/retry")
@requires("read_mail_outbox")
def retry(message_id: int):
    message = db.session.get(MailMessage, message_id) or abort(404)
    if not RetryForm().validate_on_submit():
        flash("The form's security token was missing or out of date: nothing was changed.", "error")
        return redirect(url_for("mail.index"))
    button_action(lambda: outbox.retry(message), f"The message to {message.to_addr} will be sent again at once.")
    return redirect(url_for("mail.index"))
