"""An area's pages: the area with its tips, guidance, research and experts, and what changed
in it over a period (for its moderators and administrators, as a page and as CSV). Registered
on the areas' and tips' blueprints, under their names (`areas.show`, `tips.area_changes`)."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, render_template, request
from flask_login import current_user

from cafpedia.areas import services
from cafpedia.areas.routes import bp as areas_bp
from cafpedia.composed import area_changes as changes
from cafpedia.core import as_at as dates
from cafpedia.core import clock
from cafpedia.core.days import DayError, read_day
from cafpedia.core.permissions import can_moderate, ensure, requires
from cafpedia.core.spreadsheet import csv_download
from cafpedia.digest.reading import items_for_area
from cafpedia.experts.finder import Filters, find_experts
from cafpedia.mail.settings import parse_base_url
from cafpedia.tips import reading, reviewing
from cafpedia.tips.pages import bp as tips_bp


@areas_bp.get("/areas/<slug>")
@requires("read_published")
def show(slug: str):

    area = services.find_area(slug) or abort(404)
    sort = "new" if request.args.get("sort") == "new" else "used"
    published = reading.area_tips(area, sort=sort)
    return render_template(
        "areas/show.html",
        area=area,
        sort=sort,
        tips=[t for t in published if t.current.kind == "tip"],
        guidance=[t for t in published if t.current.kind == "guidance"],
        archived=reading.archived_tips(area),
        research=items_for_area(area),
        overdue={t.id for t in published if reviewing.is_overdue(t)},
        experts=find_experts(Filters(area=area.slug)),
    )


def _changes_request(slug: str):
    """The area (its moderators and administrators only), the period asked for (from and to as
    YYYY-MM-DD, by default the last 90 days; a "to" after today read as today), or the problems
    by field, and notes on how the dates were read."""
    area = services.find_area(slug) or abort(404)
    ensure(can_moderate(current_user, area))
    today, problems, period, notes = clock.today(), {}, {}, []
    for name, default in (("from", today - timedelta(days=90)), ("to", today)):
        value = request.args.get(name, "").strip()
        try:
            day = read_day(value)
            if name == "to" and day is not None and day > today:  # "up to" a day to come is up to today
                notes.append(f"“To” was {day.day} {day:%B %Y}, after today: the changes shown are up to today.")
                value = today.isoformat()
            period[name] = dates.parse_day(value, today) if value else default
        except (dates.AsAtError, DayError) as exc:
            problems[name] = f"{'From' if name == 'from' else 'To'}: {exc}"
    if not problems and period["from"] > period["to"]:
        problems["from"] = "From: choose a date on or before the “to” date."
    if not problems and (period["to"] - period["from"]).days > changes.MAX_DAYS:
        problems["from"] = "From: choose a period of at most ten years."
    return area, period, problems, notes


@tips_bp.get("/areas/<slug>/changes")
@requires("read_published")
def area_changes(slug: str):
    area, period, problems, notes = _changes_request(slug)
    found = [] if problems else changes.area_changes(area, period["from"], period["to"])
    return render_template(
        "tips/changes.html",
        area=area,
        changes=found,
        problems=problems,
        notes=notes,
        start=period.get("from"),
        end=period.get("to"),
        values={k: period[k].isoformat() if k in period else request.args.get(k, "")[:10] for k in ("from", "to")},
    ), 400 if problems else 200


@tips_bp.get("/areas/<slug>/changes.csv")
@requires("read_published")
def area_changes_download(slug: str):
    area, period, problems, _ = _changes_request(slug)
    if problems:
        return area_changes(slug)
    found = changes.area_changes(area, period["from"], period["to"])
    name = f"changes-{area.slug}-{period['from'].isoformat()}-to-{period['to'].isoformat()}.csv"
    return csv_download(changes.changes_csv(found, parse_base_url(current_app.config.get("BASE_URL"))), name)
