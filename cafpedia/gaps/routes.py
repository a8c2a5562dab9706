"""An area's "What people need" page (its moderators and administrators), as CSV too, and the
two marks: not for CAFpedia (with a reason), and put back."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, TextAreaField
from wtforms.validators import Length

from cafpedia.areas.services import find_area
from cafpedia.core.case_details import CONFIRM_LABEL
from cafpedia.core.errors import NotFound
from cafpedia.core.forms import commit_or_show_errors, form_status
from cafpedia.core.permissions import can_moderate, can_see_unpublished_tip, ensure, requires
from cafpedia.core.spreadsheet import csv_download, csv_text
from cafpedia.core.urls import absolute_url
from cafpedia.extensions import db
from cafpedia.gaps import marks, reading
from cafpedia.gaps.models import REASON_MAX

bp = Blueprint("gaps", __name__, template_folder="templates")


class NotForForm(FlaskForm):
    line = HiddenField()
    reason = TextAreaField("Why is this not for CAFpedia?", validators=[Length(max=REASON_MAX * 4)])
    confirm_safe = BooleanField(CONFIRM_LABEL)


class PutBackForm(FlaskForm):
    line = HiddenField()


def _area(slug: str):
    area = find_area(slug) or abort(404)
    ensure(can_moderate(current_user, area))
    return area


def _period() -> tuple[int, str | None]:
    """The days asked for (?days=), or the default and what is wrong with what was asked."""
    value = request.args.get("days", "").strip()
    if not value:
        return reading.DEFAULT_PERIOD, None
    if value.isdecimal() and len(value) < 5 and int(value) in reading.PERIODS:
        return int(value), None
    choices = ", ".join(str(p) for p in reading.PERIODS)
    return reading.DEFAULT_PERIOD, f"Period: choose {choices} days (the list shows the last 90 days)."


def _gaps(area, days: int) -> reading.Gaps:
    since, until = reading.period_since(days)
    return reading.gaps(area, since, until)


@bp.get("/areas/<slug>/gaps")
@requires("moderate")
def page(slug: str):
    area = _area(slug)
    days, problem = _period()
    return render_template(
        "gaps/gaps.html",
        area=area,
        gaps=_gaps(area, days),
        days=days,
        periods=reading.PERIODS,
        problem=problem,
        labels=reading.SOURCE_LABELS,
        min_people=reading.MIN_PEOPLE,
        put_back=PutBackForm(formdata=None),
        can_see_tip=can_see_unpublished_tip,
    ), 400 if problem else 200


@bp.get("/areas/<slug>/gaps.csv")
@requires("moderate")
def download(slug: str):
    area = _area(slug)
    days, problem = _period()
    if problem:
        return page(slug)
    gaps = _gaps(area, days)
    rows = []
    for source, lines in gaps.lines.items():
        for line in lines:
            rows.append(
                (
                    reading.SOURCE_LABELS[source],
                    line.text,
                    line.count or "",
                    line.people or "",
                    line.found_nothing if source == "search" else "",
                    line.last.isoformat() if line.last else "",
                    absolute_url("tips.show", slug=line.tip.slug) if line.tip else "",
                    line.detail,
                    "; ".join(line.reasons),
                    "a tip is proposed" if line.mark else "",
                )
            )
    header = [
        "Source",
        "What",
        "Searches, calls or answers",
        "Different people",
        "Found nothing",
        "Last",
        "Tip",
        "Detail",
        "Reasons or questions",
        "State",
    ]
    name = f"what-people-need-{area.slug}-{gaps.since.isoformat()}-to-{gaps.until.isoformat()}.csv"
    return csv_download(csv_text(header, rows), name)


@bp.route("/areas/<slug>/gaps/not-for", methods=["GET", "POST"])
@requires("moderate")
def not_for(slug: str):
    area = _area(slug)
    form = NotForForm()
    ref = (form.line.data if request.method == "POST" else request.args.get("line", "")) or ""
    try:
        source, key = marks.parse_ref(ref)
        line = _line_shown(area, source, key)
    except NotFound:
        if request.method == "GET":
            abort(404)
        # Sent for a line no longer listed (marked meanwhile, or answered), or for none at all.
        flash("That line is not on the list any more: nothing was marked.", "error")
        return redirect(url_for("gaps.page", slug=area.slug))
    if request.method == "GET":
        form.line.data = ref
    elif form.validate_on_submit() and commit_or_show_errors(
        form,
        lambda: marks.not_for_cafpedia(
            current_user, area, ref, form.reason.data or "", confirm_safe=bool(form.confirm_safe.data)
        ),
    ):
        flash("The line is off the list. It is under “Marked not for CAFpedia” if you want it back.", "success")
        return redirect(url_for("gaps.page", slug=area.slug))
    return render_template(
        "gaps/not_for.html", area=area, form=form, line=line, label=reading.SOURCE_LABELS[source]
    ), form_status(form)


def _line_shown(area, source: str, key: str):
    """The line as the list shows it (for the page that marks it); NotFound if it is not there."""
    since, until = reading.period_since(max(reading.PERIODS))
    gaps = reading.gaps(area, since, until)
    line = next((item for item in gaps.lines[source] if item.key == key), None)
    if line is None:
        raise NotFound("There is no such line on this area's list.")
    return line


@bp.post("/areas/<slug>/gaps/put-back")
@requires("moderate")
def put_back(slug: str):
    area = _area(slug)
    form = PutBackForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        marks.put_back(current_user, area, form.line.data or "")
    except NotFound:
        db.session.rollback()
        flash("That line is no longer marked: nothing was changed.", "error")
        return redirect(url_for("gaps.page", slug=area.slug))
    db.session.commit()
    flash("The line is back on the list.", "success")
    return redirect(url_for("gaps.page", slug=area.slug))
