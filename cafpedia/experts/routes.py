"""The Register of Experts and the Practice Advice Line's pages."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from cafpedia.areas.services import area_choices, areas_led_by, list_areas
from cafpedia.core import clock
from cafpedia.core.clock import utcnow
from cafpedia.core.errors import NotFound, ValidationError
from cafpedia.core.forms import choices, commit_or_show_errors, form_status
from cafpedia.core.permissions import can_edit_expert, can_manage_register, ensure, has_role, requires
from cafpedia.core.spreadsheet import csv_download, csv_text
from cafpedia.experts import advice_log, advice_report, availability, entries, finder, nominations, rota_plan
from cafpedia.experts.forms import (
    AwayForm,
    ButtonForm,
    CallForm,
    DecisionForm,
    ExpertForm,
    FindForm,
    NominationForm,
    ReasonForm,
    WeekForm,
)
from cafpedia.experts.models import Nomination
from cafpedia.extensions import db
from cafpedia.offline import services as offline

bp = Blueprint("experts", __name__, template_folder="templates")


def _expert(slug: str):
    try:
        return entries.get_expert(slug)
    except NotFound:
        abort(404)


def _described(filters: finder.Filters, form: FindForm) -> str:
    """The search in a few words, for the folded filters: “adoption”, Adoption, Urdu, on the line now."""
    area = next((c.label for c in form.area.choices if c.value == filters.area), filters.area) if filters.area else ""
    parts = [
        f"“{filters.text}”" if filters.text else "",
        area,
        filters.skill,
        filters.region,
        filters.language,
        "on the line now" if filters.available_now else "",
    ]
    return ", ".join(p for p in parts if p)


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _today() -> date:
    return clock.today()


# --- Finding an expert -------------------------------------------------------------------------


@bp.get("/experts")
@requires("read_published")
def index():
    form = FindForm(request.args)
    form.area.choices = area_choices("Any area")
    skills, languages = finder.skill_and_language_choices()
    form.skill.choices = choices([("", "Any skill"), *((s, s) for s in skills)])
    form.language.choices = choices([("", "Any language"), *((lang, lang) for lang in languages)])
    filters = finder.Filters()
    if request.args and form.validate():
        filters = finder.Filters(
            text=form.q.data or "",
            area=form.area.data or "",
            skill=form.skill.data or "",
            region=form.region.data or "",
            language=form.language.data or "",
            available_now=bool(form.now.data),
        )
    searched = filters != finder.Filters()
    later_url = url_for(
        "experts.index",
        **{k: request.args[k] for k in ("q", "area", "skill", "region", "language") if request.args.get(k)},
    )
    response = make_response(
        render_template(
            "experts/index.html",
            form=form,
            entries=finder.find_experts(filters),
            searched=searched,
            later_url=later_url,
            summary=_described(filters, form),
            mine=entries.expert_for_user(current_user),
        ),
        form_status(form),
    )
    if not request.args and current_user.is_authenticated:  # the advice line's numbers, kept for reading offline
        offline.mark_savable(response, title=offline.ADVICE_LINE_TITLE, version="", user=current_user)
    return response


@bp.get("/experts/<slug>")
@requires("read_published")
def show(slug: str):
    expert = _expert(slug)
    if not expert.active and not can_manage_register(current_user):
        abort(404)
    return _show_page(expert, ReasonForm(formdata=None))


def _show_page(expert, retire_form: ReasonForm, status: int = 200):
    admin = can_manage_register(current_user)
    today = _today()
    entry = finder.entry_for(expert, utcnow(), rota_plan.load_rota(today, today + timedelta(days=14)))
    return render_template(
        "experts/show.html",
        expert=expert,
        entry=entry,
        admin=admin,
        can_edit=can_edit_expert(current_user, expert),
        slots=availability.slots_of(expert),
        days=availability.DAY_NAMES,
        hhmm=availability.hhmm,
        today=today,
        history=entries.history(expert) if admin else [],
        retire_form=retire_form,
    ), status


@bp.get("/experts/mine")
@requires("keep_expert_entry")
def mine():
    expert = entries.expert_for_user(current_user)
    if expert is None or not expert.active:
        flash(
            "You have no entry on the Register of Experts. Ask the register administrator, or your lead manager, to "
            "add you.",
            "info",
        )
        return redirect(url_for("experts.index"))
    return redirect(url_for("experts.show", slug=expert.slug))


# --- Keeping entries ---------------------------------------------------------------------------


def _draft(form: ExpertForm) -> entries.ExpertDraft:
    return entries.ExpertDraft(
        name=form.name.data or "",
        username=form.username.data or "",
        job_title=form.job_title.data or "",
        region=form.region.data or "",
        areas=list(form.areas.data or []),
        skills=_split(form.skills.data),
        languages=_split(form.languages.data),
        phone=form.phone.data or "",
        email=form.email.data or "",
        availability=(form.availability.data or "").splitlines(),
        about=form.about.data or "",
        review_by=form.review_by.data,
    )


@bp.route("/experts/new", methods=["GET", "POST"])
@requires("manage_register")
def new():
    form = ExpertForm()
    form.areas.choices = area_choices()
    if form.validate_on_submit():
        expert = commit_or_show_errors(form, lambda: entries.add_expert(current_user, _draft(form)))
        if expert:
            flash(f"{expert.name} is on the register.", "success")
            return redirect(url_for("experts.show", slug=expert.slug))
    return render_template("experts/edit.html", form=form, expert=None, admin=True), form_status(form)


@bp.route("/experts/<slug>/edit", methods=["GET", "POST"])
@requires("keep_expert_entry")
def edit(slug: str):
    expert = _expert(slug)
    ensure(can_edit_expert(current_user, expert))
    admin = can_manage_register(current_user)
    form = ExpertForm()
    form.areas.choices = area_choices()
    if request.method == "GET":
        draft = entries.ExpertDraft.of(expert)
        form.process(
            data={
                "name": draft.name,
                "username": draft.username,
                "job_title": draft.job_title,
                "region": draft.region,
                "areas": draft.areas,
                "skills": ", ".join(draft.skills),
                "languages": ", ".join(draft.languages),
                "phone": draft.phone,
                "email": draft.email,
                "availability": "\n".join(draft.availability),
                "about": draft.about,
                "review_by": draft.review_by,
            }
        )
    if form.validate_on_submit():
        saved = commit_or_show_errors(form, lambda: entries.edit_expert(current_user, expert, _draft(form)))
        if saved:
            own = saved.user_id == current_user.id
            flash(
                "Your entry is saved and confirmed as up to date." if own else f"{saved.name}'s entry is saved.",
                "success",
            )
            return redirect(url_for("experts.show", slug=slug))
    return render_template("experts/edit.html", form=form, expert=expert, admin=admin), form_status(form)


def _button(slug: str, act, done: str):
    """A one-button change to an entry (confirm, back from away, reinstate): do it, say so, show the entry."""
    expert = _expert(slug)
    ensure(can_edit_expert(current_user, expert))
    form = ButtonForm()
    if form.validate_on_submit() and commit_or_show_errors(form, lambda: act(current_user, expert)):
        flash(done.format(expert=expert), "success")
    else:
        flash("Nothing was changed: " + " ".join(form.form_errors or ["the form had expired; try again."]), "error")
    return redirect(url_for("experts.show", slug=slug))


@bp.post("/experts/<slug>/confirm")
@requires("keep_expert_entry")
def confirm(slug: str):
    return _button(slug, entries.confirm_entry, "Thank you: the entry is confirmed until {expert.review_by:%-d %B %Y}.")


@bp.route("/experts/<slug>/away", methods=["GET", "POST"])
@requires("keep_expert_entry")
def away(slug: str):
    expert = _expert(slug)
    ensure(can_edit_expert(current_user, expert))
    form = AwayForm()
    if request.method == "GET":
        form.away_from.data = expert.away_from or _today()
        form.away_until.data, form.away_note.data = expert.away_until, expert.away_note
    if form.validate_on_submit():
        done = commit_or_show_errors(
            form,
            lambda: entries.set_away(
                current_user,
                expert,
                away_from=form.away_from.data,
                away_until=form.away_until.data,
                note=form.away_note.data or "",
            ),
        )
        if done:
            flash(
                f"Marked away until {expert.away_until.day} {expert.away_until:%B %Y}. Callers see you back after "
                f"that.",
                "success",
            )
            return redirect(url_for("experts.show", slug=slug))
    return render_template("experts/away.html", form=form, expert=expert), form_status(form)


@bp.post("/experts/<slug>/back")
@requires("keep_expert_entry")
def back(slug: str):
    return _button(slug, entries.clear_away, "Welcome back: the entry shows as available again in its usual slots.")


@bp.post("/experts/<slug>/retire")
@requires("manage_register")
def retire(slug: str):
    expert = _expert(slug)
    form = ReasonForm()
    if form.validate_on_submit() and commit_or_show_errors(
        form, lambda: entries.retire(current_user, expert, form.reason.data or "")
    ):
        flash(
            f"{expert.name} is retired from the register. The entry and its history stay, for administrators.",
            "success",
        )
        return redirect(url_for("experts.show", slug=slug))
    return _show_page(expert, form, 400)


@bp.post("/experts/<slug>/reinstate")
@requires("manage_register")
def reinstate(slug: str):
    return _button(
        slug,
        entries.reinstate,
        "{expert.name} is back on the register, shown as unconfirmed until they check their entry.",
    )


# --- The administrator's pages -----------------------------------------------------------------


def _week_from(value: date | None) -> date:
    """The week asked for, or the coming one (this week's past days are no use to plan)."""
    return rota_plan.monday_of(value) if value else rota_plan.coming_monday(_today())


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
        retired=entries.all_experts(active=False),
        decision_form=DecisionForm(formdata=None),
        timedelta=timedelta,
    ), form_status(form)


@bp.route("/experts/rota", methods=["GET", "POST"])
@requires("manage_register")
def rota():
    week_form, monday = _week_asked()
    days = [monday + timedelta(days=n) for n in range(7)]
    experts = entries.all_experts()
    form = ButtonForm()
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        inputs = [
            rota_plan.DayInput(
                day=d,
                mode=request.form.get(f"mode-{d}", rota_plan.REGULAR),
                note=request.form.get(f"note-{d}", ""),
                hours={e.id: request.form.get(f"hours-{d}-{e.id}", "") for e in experts},
            )
            for d in days
            if d >= _today()
        ]
        try:
            rota_plan.set_rota(current_user, inputs)
            db.session.commit()
        except ValidationError as exc:  # messages keyed by the grid's field names, shown beside them
            db.session.rollback()
            errors = exc.errors
        else:
            flash("The rota is saved. On the days it sets, it replaces the experts' usual slots.", "success")
            return redirect(url_for("experts.rota", week=monday.isoformat()))
    saved = rota_plan.rota_days(days[0], days[-1])
    values = request.form if request.method == "POST" else None
    return render_template(
        "experts/rota.html",
        monday=monday,
        days=days,
        experts=experts,
        saved=saved,
        values=values,
        errors=errors,
        form=form,
        week_form=week_form,
        hhmm=availability.hhmm,
        today=_today(),
        timedelta=timedelta,
        usual={(e.id, d): availability.hours_on(e, d, {}) for e in experts for d in days},
    ), 400 if errors or form.errors else 200


# --- Nominations -------------------------------------------------------------------------------


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
            skills=_split(form.skills.data),
            reason=form.reason.data or "",
        )
        nomination = commit_or_show_errors(form, lambda: nominations.nominate(current_user, draft))
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


# --- The advice log ----------------------------------------------------------------------------


@bp.get("/advice-line")
@requires("read_advice_log")
def calls():
    mine = entries.expert_for_user(current_user)
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
    mine = entries.expert_for_user(current_user)
    admin = can_manage_register(current_user)
    allowed = entries.all_experts() if admin else ([mine] if mine and mine.active else [])
    ensure(bool(allowed))  # only experts on the register, and the register administrator, log calls
    form.expert.choices = choices((e.slug, e.name) for e in allowed)
    form.area.choices = area_choices("Choose an area")
    if request.method == "GET":
        form.expert.data = mine.slug if mine and mine.active else allowed[0].slug
        form.called_on.data = _today()
        if mine and mine.area_slugs and not form.area.data:
            form.area.data = mine.area_slugs[0]
    if form.validate_on_submit():
        expert = entries.find_expert(form.expert.data)
        draft = advice_log.CallDraft(
            called_on=form.called_on.data,
            area=form.area.data or "",
            question=form.question.data or "",
            advice=form.advice.data or "",
            minutes=form.minutes.data,
            tip=form.tip.data or "",
        )
        call = commit_or_show_errors(form, lambda: advice_log.log_call(current_user, expert, draft))
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
    data = advice_report.report(months=months, today=_today())
    peak = max([data.month_total(m) for m in data.months] or [0])
    return render_template("experts/report.html", report=data, months=months, peak=peak)


@bp.get("/advice-line/report.csv")
@requires("read_advice_log")
def report_download():
    data = advice_report.report(months=_months_asked(), today=_today())
    header = ["area", *[m.strftime("%Y-%m") for m in data.months], "calls", "minutes"]
    rows = [
        (a.title, *[data.counts.get((a.id, m), 0) for m in data.months], data.area_total(a), data.minutes.get(a.id, 0))
        for a in data.areas
    ]
    rows.append(("all areas", *[data.month_total(m) for m in data.months], data.total, sum(data.minutes.values())))
    return csv_download(csv_text(header, rows), f"advice-line-report-{_today().isoformat()}.csv")
