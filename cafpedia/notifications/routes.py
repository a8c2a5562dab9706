"""Each person's notifications, how they hear about each kind, and what they watch."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, RadioField

from cafpedia.accounts.sessions import read_with_user
from cafpedia.areas.models import PracticeArea
from cafpedia.areas.services import find_area
from cafpedia.core.errors import NotFound
from cafpedia.core.forms import choices, commit_or_show_errors, local_path
from cafpedia.core.permissions import requires
from cafpedia.extensions import db
from cafpedia.notifications import services
from cafpedia.notifications.models import DELIVERIES, KINDS, WATCH_TARGETS
from cafpedia.tips.models import Tip
from cafpedia.tips.reading import find_tip

bp = Blueprint("notifications", __name__, template_folder="templates")


class SettingsForm(FlaskForm):
    """One choice per kind: at once, daily, or off."""


for _kind, _spec in KINDS.items():
    setattr(SettingsForm, _kind, RadioField(_spec.label, choices=choices(DELIVERIES.items()), validate_choice=True))


class MarkReadForm(FlaskForm):
    pass


class WatchForm(FlaskForm):
    target = HiddenField()
    key = HiddenField()
    next = HiddenField()
    watch = HiddenField()  # from the notifications page: the watch itself, even if what it named is gone


def _page(form, status: int = 200):
    watches = services.watched_by(current_user)
    watched = list(zip(watches, _describe_watches(watches), strict=True))
    return render_template(
        "notifications/index.html",
        notifications=services.recent(current_user),
        form=form,
        read_form=MarkReadForm(),
        watched=watched,
        watch_form=WatchForm(formdata=None),
        kinds=KINDS,
    ), status


@bp.get("/notifications")
@requires("signed_in")
def index():
    form = SettingsForm(formdata=None, data=services.deliveries(current_user))
    return _page(form)


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
    form = SettingsForm(data=services.deliveries(current_user))  # a kind not sent keeps its choice
    if form.validate_on_submit():
        wanted = {kind: form[kind].data or KINDS[kind].default for kind in KINDS}
        if commit_or_show_errors(form, lambda: services.set_deliveries(current_user, wanted) or True):
            flash("Your notification settings are saved.", "success")
            return redirect(url_for("notifications.index"))
    return _page(form, 400)


# --- Watching ---------------------------------------------------------------------------------


def _resolve(target: str, key: str) -> tuple[int, str, str]:
    """(target id, what it is called, its address) for a watch target; NotFound if none."""

    if target == "tip":
        tip = find_tip(key)
        if tip is None or tip.current_number is None:
            raise NotFound(f"There is no published tip at /tips/{key[:80]} to watch.")
        return tip.id, f"“{tip.title}”", url_for("tips.show", slug=tip.slug)
    if target == "area":
        area = find_area(key)
        if area is None:
            raise NotFound(f"There is no area of practice called “{key[:80]}” to watch.")
        return area.id, area.title, url_for("areas.show", slug=area.slug)
    if target == "legal":
        return 0, "the legal-update feed", url_for("legal.index")
    if target == "digest":
        return 0, "the research digest", url_for("digest.home")
    raise NotFound(
        f"There is nothing called “{target[:40]}” to watch: choose a tip, an area, the legal feed or the digest."
    )


def _describe_watches(watches) -> list[tuple[str, str]]:
    """(label, address) of each thing watched: the tips and areas read in one query each."""

    def by_id(model, target):
        ids = [w.target_id for w in watches if w.target == target]
        return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))} if ids else {}

    tips, areas = by_id(Tip, "tip"), by_id(PracticeArea, "area")
    described = []
    for watch in watches:
        if watch.target == "tip":
            tip = tips.get(watch.target_id)
            described.append(
                (f"“{tip.title}”", url_for("tips.show", slug=tip.slug)) if tip else ("a tip that no longer exists", "")
            )
        elif watch.target == "area":
            area = areas.get(watch.target_id)
            described.append(
                (area.title, url_for("areas.show", slug=area.slug)) if area else ("an area that no longer exists", "")
            )
        else:
            described.append(
                ("the legal-update feed", url_for("legal.index"))
                if watch.target == "legal"
                else ("the research digest", url_for("digest.home"))
            )
    return described


def _back(form) -> str:
    return local_path(form.next.data, url_for("notifications.index") + "#watching")


def _change_watch(start: bool):
    form = WatchForm()
    if not form.validate_on_submit():
        flash("The form's security token was missing or out of date: nothing was changed. Try again.", "error")
        return redirect(url_for("notifications.index"))
    target, key, watch_id = (
        (form.target.data or "").strip(),
        (form.key.data or "").strip(),
        (form.watch.data or "").strip(),
    )
    try:
        if not start and watch_id:
            label = "it"
            changed = services.unwatch_by_id(
                current_user, int(watch_id) if watch_id.isdecimal() and len(watch_id) < 10 else -1
            )
        else:
            target_id, label, _ = _resolve(target, key)
            changed = (
                services.watch(current_user, target, target_id)
                if start
                else services.unwatch(current_user, target, target_id)
            )
        db.session.commit()
    except NotFound as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("notifications.index") + "#watching"), 303
    if start:
        flash(
            f"You are watching {label}. You will be told of changes as your settings say (“Something I watch changes”)."
            if changed
            else f"You were already watching {label}.",
            "success",
        )
    else:
        flash(f"You no longer watch {label}." if changed else f"You were not watching {label}.", "success")
    return redirect(_back(form))


@bp.post("/watch")
@requires("signed_in")
def watch():
    return _change_watch(True)


@bp.post("/unwatch")
@requires("signed_in")
def unwatch():
    return _change_watch(False)


def unread_notifications() -> int:
    """For the header: how many notifications the signed-in person has not read (once a request)."""
    if not getattr(current_user, "is_authenticated", False):
        return 0
    if "unread_notifications" not in g:
        g.unread_notifications = services.unread_count(current_user)
    return g.unread_notifications


def init_app(app) -> None:
    # The header's count, read with the person signed in (one statement for both).
    read_with_user("unread_notifications", lambda user_id: services.unread_count_of(SimpleNamespace(id=user_id)))

    def watching(target: str, target_id: int = 0) -> bool:
        return services.is_watching(current_user, target, target_id)

    app.jinja_env.globals.update(
        watching=watching, watch_targets=WATCH_TARGETS, unread_notifications=unread_notifications
    )
