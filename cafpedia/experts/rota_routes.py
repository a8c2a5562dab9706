"""The register administrator's pages: the register and its gaps, the rota and its download,
and nominations (made by anyone, decided by the administrator)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cafpedia.areas.services import area_choices, areas_led_by, list_areas
from cafpedia.core import clock
from cafpedia.core.errors import ValidationError
from cafpedia.core.forms import commit_or_show_errors, form_status
from cafpedia.core.permissions import can_manage_register, has_role, requires
from cafpedia.core.spreadsheet import csv_download, csv_text
from cafpedia.core.text import split_on_commas_or_lines
from cafpedia.experts import advice_report, availability, finder, lookups, nominations, rota_plan
from cafpedia.experts.forms import (
    ButtonForm,
    DecisionForm,
    NominationForm,
    WeekForm,
)
from cafpedia.experts.models import Nomination
from cafpedia.experts.pages import bp
from cafpedia.extensions import db


def _week_from(value: date | None) -> date:
    """The week asked for, or the coming one (this week's past days are no use to plan)."""
    return rota_plan.monday_of(value) if value else rota_plan.coming_monday(clock.today())


def _week_asked() -> tuple[WeekForm, date]:
    form = WeekForm(request.args)
    return form, _week_from(form.week.data if form.validate() else None)


@bp.get("/experts/register")
@requires("manage_register")
def register():
    form, monday = _week_asked()
    return render_template(
        "experts/register.html",
        form=form,
        monday=monday,
        gaps=rota_plan.gaps(monday),
        due=finder.due_for_review(),
        nominations=nominations.pending_nominations(),
        retired=lookups.all_experts(active=False),
        decision_form=DecisionForm(formdata=None),
        timedelta=timedelta,
    ), form_status(form)


@bp.get("/experts/rota")
@requires("read_rota")
def rota():
    """The week's rota: the register administrator's grid to set it; for everyone else, who is
    on the line each day (this week by default, the week they need to call in)."""
    if not can_manage_register(current_user):
        return _rota_to_read()
    return _rota_grid(ButtonForm(formdata=None))


@bp.post("/experts/rota")
@requires("manage_register")
def save_rota():
    form = ButtonForm()
    if not form.validate_on_submit():
        return _rota_grid(form)
    week_form, monday = _week_asked()
    experts = lookups.all_experts()
    inputs = [
        rota_plan.DayInput(
            day=d,
            mode=request.form.get(f"mode-{d}", rota_plan.REGULAR),
            note=request.form.get(f"note-{d}", ""),
            hours={e.id: request.form.get(f"hours-{d}-{e.id}", "") for e in experts},
        )
        for d in _days(monday)
        if d >= clock.today()
    ]
    try:
        rota_plan.set_rota(current_user, inputs)
        db.session.commit()
    except ValidationError as exc:  # messages keyed by the grid's field names, shown beside them
        db.session.rollback()
        return _rota_grid(form, exc.errors)
    flash("The rota is saved. On the days it sets, it replaces the experts' usual slots.", "success")
    return redirect(url_for("experts.rota", week=monday.isoformat()))


def _days(monday: date) -> list[date]:
    return [monday + timedelta(days=n) for n in range(7)]


def _rota_grid(form: ButtonForm, errors: dict[str, str] | None = None):
    week_form, monday = _week_asked()
    days, experts, errors = _days(monday), lookups.all_experts(), errors or {}
    return render_template(
        "experts/rota.html",
        monday=monday,
        days=days,
        experts=experts,
        saved=rota_plan.rota_days(days[0], days[-1]),
        values=request.form if request.method == "POST" else None,
        errors=errors,
        form=form,
        week_form=week_form,
        hhmm=availability.hhmm,
        today=clock.today(),
        timedelta=timedelta,
        usual={(e.id, d): availability.hours_on(e, d, {}) for e in experts for d in days},
        finder_query=_finder_query(),
    ), 400 if errors or form.errors else 200


FINDER_FILTERS = ("q", "area", "skill", "region", "language", "now")


def _finder_query() -> dict[str, str]:
    """The finder's filters this page was opened with, so its link back returns to the same results."""
    return {k: request.args[k][:200] for k in FINDER_FILTERS if request.args.get(k)}


def _rota_to_read():
    form = WeekForm(request.args)
    monday = rota_plan.monday_of(form.week.data if form.validate() and form.week.data else clock.today())
    return render_template(
        "experts/rota_read.html",
        monday=monday,
        week=advice_report.rota_week(_days(monday)),
        week_form=form,
        today=clock.today(),
        timedelta=timedelta,
        finder_query=_finder_query(),
    ), form_status(form)


@bp.get("/experts/register/gaps.csv")
@requires("manage_register")
def gaps_download():
    _, monday = _week_asked()
    rows = (
        (
            g.area.title,
            g.experts,
            round(g.minutes / 60, 1),
            ", ".join(d.strftime("%a") for d in g.days_without),
            g.problem or "none",
        )
        for g in rota_plan.gaps(monday)
    )
    return csv_download(
        csv_text(["area", "experts", "hours on the line", "weekdays with nobody", "gap"], rows),
        f"advice-line-gaps-{monday.isoformat()}.csv",
    )


@bp.get("/experts/rota.csv")
@requires("manage_register")
def rota_download():
    _, monday = _week_asked()
    rows = advice_report.rota_rows([monday + timedelta(days=n) for n in range(7)])
    return csv_download(
        csv_text(["date", "day", "this day", "note", "expert", "hours (UK time)", "areas"], rows),
        f"advice-line-rota-{monday.isoformat()}.csv",
    )


@bp.route("/experts/nominate", methods=["GET", "POST"])
@requires("nominate_experts")
def nominate():
    form = NominationForm()
    led = list_areas() if has_role(current_user, "admin") else areas_led_by(current_user)
    form.area.choices = area_choices("Choose an area", led)
    if form.validate_on_submit():
        draft = nominations.NominationDraft(
            area=form.area.data or "",
            name=form.name.data or "",
            username=form.username.data or "",
            email=form.email.data or "",
            job_title=form.job_title.data or "",
            region=form.region.data or "",
            skills=split_on_commas_or_lines(form.skills.data),
            reason=form.reason.data or "",
            confirm_safe=bool(form.confirm_safe.data),
        )
        nomination = commit_or_show_errors(
            form, lambda: nominations.nominate(current_user, draft), shown_at=lambda _: url_for("experts.nominate")
        )
        if nomination:
            flash(
                f"{nomination.name} is nominated. The register administrator will accept or decline, and you will be "
                f"told.",
                "success",
            )
            return redirect(url_for("experts.nominate"))
    return render_template(
        "experts/nominate.html", form=form, mine=nominations.nominations_by(current_user)
    ), form_status(form)


@bp.post("/experts/nominations/<int(max=2147483647):nomination_id>/<any(accept, decline):decision>")
@requires("manage_register")
def decide(nomination_id: int, decision: str):
    nomination = db.session.get(Nomination, nomination_id) or abort(404)
    form = DecisionForm()
    if form.validate_on_submit():
        done = commit_or_show_errors(
            form,
            lambda: nominations.decide_nomination(
                current_user, nomination, accept=decision == "accept", note=form.note.data or ""
            ),
        )
        if done and decision == "accept":
            flash(
                f"{nomination.name} is on the register. Check the entry: add how to reach them and when they take "
                f"calls.",
                "success",
            )
            return redirect(url_for("experts.edit", slug=nomination.expert.slug))
        if done:
            flash(
                f"The nomination of {nomination.name} is declined; {nomination.nominated_by.name} is told why.",
                "success",
            )
            return redirect(url_for("experts.register"))
    flash(
        f"Nothing was decided for {nomination.name}: "
        + " ".join([*form.form_errors, *(m for errs in form.errors.values() if isinstance(errs, list) for m in errs)]),
        "error",
    )
    return redirect(url_for("experts.register") + f"#nomination-{nomination.id}")
