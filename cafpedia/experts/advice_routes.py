"""The Practice Advice Line's log: the calls, logging one, one call, and the report by month."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cafpedia.areas.services import area_choices
from cafpedia.core import clock
from cafpedia.core.forms import choices, commit_or_show_errors, form_status
from cafpedia.core.permissions import can_manage_register, ensure, requires
from cafpedia.core.spreadsheet import csv_download, csv_text
from cafpedia.experts import advice_log, advice_report, lookups
from cafpedia.experts.forms import (
    CallForm,
)
from cafpedia.experts.pages import bp


@bp.get("/advice-line")
@requires("read_advice_log")
def calls():
    mine = lookups.expert_for_user(current_user)
    only_mine = request.args.get("mine") == "1" and mine is not None
    return render_template(
        "experts/calls.html",
        calls=advice_log.recent_calls(expert=mine if only_mine else None, limit=100),
        mine=mine,
        only_mine=only_mine,
        can_log=mine is not None or can_manage_register(current_user),
    )


@bp.route("/advice-line/new", methods=["GET", "POST"])
@requires("log_advice")
def log_call():
    form = CallForm()
    mine = lookups.expert_for_user(current_user)
    admin = can_manage_register(current_user)
    allowed = lookups.all_experts() if admin else ([mine] if mine and mine.active else [])
    ensure(bool(allowed))  # only experts on the register, and the register administrator, log calls
    form.expert.choices = choices((e.slug, e.name) for e in allowed)
    form.area.choices = area_choices("Choose an area")
    if request.method == "GET":
        form.expert.data = mine.slug if mine and mine.active else allowed[0].slug
        form.called_on.data = clock.today()
        if mine and mine.area_slugs and not form.area.data:
            form.area.data = mine.area_slugs[0]
    if form.validate_on_submit():
        expert = lookups.find_expert(form.expert.data)
        draft = advice_log.CallDraft(
            called_on=form.called_on.data,
            area=form.area.data or "",
            question=form.question.data or "",
            advice=form.advice.data or "",
            minutes=form.minutes.data,
            tip=form.tip.data or "",
            confirm_safe=bool(form.confirm_safe.data),
        )
        call = commit_or_show_errors(
            form,
            lambda: advice_log.log_call(current_user, expert, draft),
            shown_at=lambda logged: url_for("experts.call", call_id=logged.id),
        )
        if call:
            flash("The call is logged. If the question keeps coming up, start a tip from it below.", "success")
            return redirect(url_for("experts.call", call_id=call.id))
    return render_template("experts/log_call.html", form=form), form_status(form)


@bp.get("/advice-line/<int(max=2147483647):call_id>")
@requires("read_advice_log")
def call(call_id: int):
    return render_template("experts/call.html", call=advice_log.find_call(call_id) or abort(404))


def _months_asked() -> int:
    """?months= from 1 to 24; 6 otherwise."""
    months = request.args.get("months", "6")
    return int(months) if months.isdecimal() and len(months) <= 2 and 1 <= int(months) <= 24 else 6


@bp.get("/advice-line/report")
@requires("read_advice_log")
def report():
    months = _months_asked()
    data = advice_report.report(months=months, today=clock.today())
    peak = max([data.month_total(m) for m in data.months] or [0])
    return render_template("experts/report.html", report=data, months=months, peak=peak)


@bp.get("/advice-line/report.csv")
@requires("read_advice_log")
def report_download():
    data = advice_report.report(months=_months_asked(), today=clock.today())
    header = ["area", *[m.strftime("%Y-%m") for m in data.months], "calls", "minutes"]
    rows = [
        (a.title, *[data.counts.get((a.id, m), 0) for m in data.months], data.area_total(a), data.minutes.get(a.id, 0))
        for a in data.areas
    ]
    rows.append(("all areas", *[data.month_total(m) for m in data.months], data.total, sum(data.minutes.values())))
    return csv_download(csv_text(header, rows), f"advice-line-report-{clock.today().isoformat()}.csv")
