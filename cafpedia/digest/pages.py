"""The research digest's blueprint and what its pages share: an issue or item this person may
see (a draft is, to everyone but the coordinator and administrators, an issue that does not
exist), whether they compose the digest, and a confirm button's action."""

from __future__ import annotations

from flask import Blueprint, abort, flash
from flask_login import current_user

from cafpedia.core.errors import NotFound, ServiceError
from cafpedia.core.permissions import can_compose_digest
from cafpedia.digest import reading as digest_reading
from cafpedia.digest.forms import (
    ConfirmForm,
)
from cafpedia.extensions import db

bp = Blueprint("digest", __name__, template_folder="templates")


def load_issue(slug: str):
    try:
        return digest_reading.get_issue(current_user, slug)
    except NotFound:
        abort(404)


def load_item(issue_slug: str, item_slug: str):
    try:
        return digest_reading.get_item(current_user, issue_slug, item_slug)
    except NotFound:
        abort(404)


def is_composer() -> bool:
    return can_compose_digest(current_user)


def button_action_of(call, *, refused: str = ""):
    """A confirm button's action (CSRF only): run the service call as the request's one
    transaction; on refusal roll back and flash why. Returns the call's result, or None."""
    if not ConfirmForm().validate_on_submit():
        return None
    try:
        result = call()
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        flash(f"{refused}{exc.plainly()}", "error")
        return None
    return result if result is not None else True
