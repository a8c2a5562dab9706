"""The web app's manifest, its service worker, the offline page and the list of pages to keep."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, send_from_directory, url_for
from flask_login import current_user

from cafpedia.core.permissions import is_signed_in, requires
from cafpedia.offline import services

bp = Blueprint("offline", __name__, template_folder="templates")


@bp.get("/sw.js")
@requires("anyone")
def service_worker():
    """Served from the root so that it may look after every page (its scope is '/')."""
    response = send_from_directory(current_app.static_folder, "sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"  # a new version reaches phones on their next visit
    return response


@bp.get("/manifest.webmanifest")
@requires("anyone")
def manifest():
    icon = lambda size: {
        "src": url_for("static", filename=f"icons/cafpedia-{size}.png"),
        "sizes": f"{size}x{size}",
        "type": "image/png",
        "purpose": "any",
    }  # noqa: E731
    response = jsonify(
        {
            "name": "CAFpedia: practice knowledge for CAFCASS",
            "short_name": "CAFpedia",
            "description": "Practice tips, guidance, legal updates, the research digest and the advice line, readable "
            "offline.",
            "id": url_for("home.index"),
            "start_url": url_for("home.index"),
            "scope": url_for("home.index"),
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#1d3557",
            "lang": "en-GB",
            "icons": [icon(192), icon(512)],
        }
    )
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/offline")
@requires("anyone")
def shell():
    """The page the service worker fills in when there is no signal: a page not saved, or a
    search of the saved pages' titles. Online, it says what is kept on this phone."""
    return render_template("offline/shell.html")


@bp.get("/offline/pages.json")
@requires("anyone")
def pages():
    """What this person's phone keeps. Signed out (or the session ended), the worker clears
    everything it saved."""
    if not is_signed_in(current_user):
        return jsonify({"signed_in": False}), 401
    return jsonify({"signed_in": True, "user": current_user.id, "pages": services.pages_for(current_user)})
