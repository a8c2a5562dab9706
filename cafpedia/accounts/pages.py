"""The accounts' blueprint and what its pages share: where to go after signing in (a path on
this site only), and signing a person in on this device."""

from __future__ import annotations

from flask import Blueprint, g, request, session, url_for
from flask_login import login_user

from cafpedia.accounts import sessions
from cafpedia.accounts.models import User
from cafpedia.core.forms import local_path
from cafpedia.extensions import db

bp = Blueprint("accounts", __name__, template_folder="templates")


def safe_next(target: str | None) -> str:
    """Only ever redirect to a path on this site."""
    return local_path(target, url_for("home.index"))


def signed_in_here(user: User, *, remember: bool = False, fresh: bool = False, how: str = "") -> None:
    """A server-side session for this browser (committed), then Flask-Login's. `fresh`: a new
    sign-in (`how`), so nothing of the session before it (the CSRF secret included) carries over."""
    if fresh:
        session.clear()
        g.pop("csrf_token", None)
        sessions.note_sign_in(user, how, request.remote_addr or "")
    sessions.start_session(user, remember=remember, user_agent=request.user_agent.string)
    db.session.commit()
    login_user(user, remember=remember)
