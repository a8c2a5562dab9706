"""Finding an expert and keeping entries: the finder, an expert's page, a person's own entries,
adding and editing an entry, confirming it, time away, retiring and reinstating."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from cafpedia.areas.services import area_choices
from cafpedia.core import clock, offline_copies
from cafpedia.core.clock import utcnow
from cafpedia.core.forms import choices, commit_or_show_errors, form_status
from cafpedia.core.permissions import can_edit_expert, can_manage_register, ensure, requires
from cafpedia.core.text import split_on_commas_or_lines
from cafpedia.experts import availability, drafts, entries, finder, lookups, rota_plan
from cafpedia.experts.forms import (
    AwayForm,
    ButtonForm,
    ExpertForm,
    FindForm,
    ReasonForm,
)
from cafpedia.experts.pages import bp, load_expert


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
    finder_query = {
        k: request.args[k] for k in ("q", "area", "skill", "region", "language", "now") if request.args.get(k)
    }
    # The same search without "on the line now", opening at its results.
    later_url = url_for("experts.index", **{k: v for k, v in finder_query.items() if k != "now"}) + "#results"
    # This week's rota, keeping the search so that its "back" link returns to these results.
    rota_url = url_for("experts.rota", week=rota_plan.monday_of(clock.today()).isoformat(), **finder_query)
    response = make_response(
        render_template(
            "experts/index.html",
            form=form,
            entries=finder.find_experts(filters),
            searched=searched,
            later_url=later_url,
            rota_url=rota_url,
            summary=_described(filters, form),
            mine=lookups.expert_for_user(current_user),
        ),
        form_status(form),
    )
    if not request.args and current_user.is_authenticated:  # the advice line's numbers, kept for reading offline
        offline_copies.mark_savable(response, title=offline_copies.ADVICE_LINE_TITLE, version="", user=current_user)
    return response


@bp.get("/experts/<slug>")
@requires("read_published")
def show(slug: str):
    expert = load_expert(slug)
    if not expert.active and not can_manage_register(current_user):
        abort(404)
    return _show_page(expert, ReasonForm(formdata=None))


def _show_page(expert, retire_form: ReasonForm, status: int = 200):
    admin = can_manage_register(current_user)
    today = clock.today()
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
    expert = lookups.expert_for_user(current_user)
    if expert is None or not expert.active:
        flash(
            "You have no entry on the Register of Experts. Ask the register administrator, or your lead manager, to "
            "add you.",
            "info",
        )
        return redirect(url_for("experts.index"))
    return redirect(url_for("experts.show", slug=expert.slug))


def _draft(form: ExpertForm) -> drafts.ExpertDraft:
    return drafts.ExpertDraft(
        name=form.name.data or "",
        username=form.username.data or "",
        job_title=form.job_title.data or "",
        region=form.region.data or "",
        areas=list(form.areas.data or []),
        skills=split_on_commas_or_lines(form.skills.data),
        languages=split_on_commas_or_lines(form.languages.data),
        phone=form.phone.data or "",
        email=form.email.data or "",
        availability=(form.availability.data or "").splitlines(),
        about=form.about.data or "",
        review_by=form.review_by.data,
        confirm_safe=bool(form.confirm_safe.data),
    )


@bp.route("/experts/new", methods=["GET", "POST"])
@requires("manage_register")
def new():
    form = ExpertForm()
    form.areas.choices = area_choices()
    if form.validate_on_submit():
        expert = commit_or_show_errors(
            form,
            lambda: entries.add_expert(current_user, _draft(form)),
            shown_at=lambda added: url_for("experts.show", slug=added.slug),
        )
        if expert:
            flash(f"{expert.name} is on the register.", "success")
            return redirect(url_for("experts.show", slug=expert.slug))
    return render_template("experts/edit.html", form=form, expert=None, admin=True), form_status(form)


@bp.route("/experts/<slug>/edit", methods=["GET", "POST"])
@requires("keep_expert_entry")
def edit(slug: str):
    expert = load_expert(slug)
    ensure(can_edit_expert(current_user, expert))
    admin = can_manage_register(current_user)
    form = ExpertForm()
    form.areas.choices = area_choices()
    if request.method == "GET":
        draft = drafts.ExpertDraft.of(expert)
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
    expert = load_expert(slug)
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
    expert = load_expert(slug)
    ensure(can_edit_expert(current_user, expert))
    form = AwayForm()
    if request.method == "GET":
        form.away_from.data = expert.away_from or clock.today()
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
                confirm_safe=bool(form.confirm_safe.data),
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
    expert = load_expert(slug)
    form = ReasonForm()
    if form.validate_on_submit() and commit_or_show_errors(
        form,
        lambda: entries.retire(current_user, expert, form.reason.data or "", confirm_safe=bool(form.confirm_safe.data)),
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
