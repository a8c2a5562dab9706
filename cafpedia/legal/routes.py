"""The legal-update feed and pages, Atom feeds, and the legal editors' pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from cafpedia.areas.services import area_choices, find_area
from cafpedia.core import as_at as dates
from cafpedia.core import clock, events
from cafpedia.core.clock import utcnow
from cafpedia.core.errors import NotFound, ServiceError, ValidationError
from cafpedia.core.forms import (
    apply_service_errors,
    choices,
    commit_or_show_errors,
    confirmed,
    form_status,
    submitted_fields,
)
from cafpedia.core.permissions import can_post_legal_updates, requires
from cafpedia.core.text import normalise_tag, split_on_commas_or_lines
from cafpedia.core.urls import absolute_url
from cafpedia.extensions import db
from cafpedia.legal import citing as legal_citing
from cafpedia.legal import feed as legal_feed
from cafpedia.legal import posting as legal_posting
from cafpedia.legal.as_at import update_as_at
from cafpedia.legal.forms import FilterForm, FlagForm, UpdateForm, WithdrawForm
from cafpedia.legal.models import KINDS

bp = Blueprint("legal", __name__, template_folder="templates")


def _update(slug: str):
    try:
        return legal_feed.get_update(slug)
    except NotFound:
        abort(404)


@bp.get("/legal")
@requires("read_published")
def index():
    form = FilterForm(request.args)
    form.area.choices = area_choices("Every area")
    filters = legal_feed.FeedFilters()
    if request.args and form.validate():
        filters = legal_feed.FeedFilters(
            kind=form.kind.data or None,
            area=form.area.data or None,
            date_from=form.date_from.data,
            date_to=form.date_to.data,
        )
        if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
            form.date_to.errors = [*form.date_to.errors, "The end of the range is before its start."]
            filters = legal_feed.FeedFilters()
    seen = legal_feed.last_seen(current_user)
    updates = legal_feed.feed(filters)
    legal_feed.mark_seen(current_user)
    db.session.commit()
    return render_template(
        "legal/index.html",
        updates=updates,
        feed_area=find_area(filters.area) if filters.area else None,
        form=form,
        seen=seen,
        kinds=KINDS,
        editor=can_post_legal_updates(current_user),
    ), form_status(form)


def _atom(updates, title: str, self_url: str, home_url: str):
    updated = max((u.updated_at for u in updates), default=None) or utcnow()
    response = make_response(
        render_template(
            "legal/feed.atom.xml",
            updates=updates,
            title=title,
            self_url=self_url,
            home_url=home_url,
            updated=updated,
            kinds=KINDS,
        )
    )
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    return response


@bp.get("/legal/feed.atom")
@requires("read_published")
def feed():
    return _atom(
        legal_feed.feed(limit=50), "CAFpedia legal updates", absolute_url("legal.feed"), absolute_url("legal.index")
    )


@bp.get("/legal/areas/<area_slug>/feed.atom")
@requires("read_published")
def area_feed(area_slug: str):
    area = find_area(area_slug) or abort(404)
    return _atom(
        legal_feed.feed(legal_feed.FeedFilters(area=area.slug), limit=50),
        f"CAFpedia legal updates: {area.title}",
        absolute_url("legal.area_feed", area_slug=area.slug),
        absolute_url("legal.index", area=area.slug),
    )


@bp.get("/legal/<slug>")
@requires("read_published")
def show(slug: str):
    update = _update(slug)
    if "as_at" in request.args:
        day, refused = dates.requested_day("legal/as_at.html", update=update)
        return refused or render_template(
            "legal/as_at.html",
            update=update,
            then=update_as_at(update, day),
            kinds=KINDS,
            problem=None,
            value=day.isoformat(),
        )
    return _show_page(update)


def _show_page(update, *, citing=None, flag_form=None, withdraw_form=None, status: int = 200):
    """The update, the tips citing its law, and (for legal editors) the forms, shown again
    with their errors when one was refused."""
    citing = legal_citing.citing_tips(update) if citing is None else citing
    flagged = {f.tip_id for f in legal_citing.open_flags([t.id for t in citing]) if f.update_id == update.id}
    flag_form = flag_form or FlagForm(formdata=None)
    flag_form.tips.choices = choices((t.slug, t.title) for t in citing if t.id not in flagged)
    return render_template(
        "legal/show.html",
        update=update,
        revision=update.current,
        kinds=KINDS,
        citing=citing,
        flagged=flagged,
        editor=can_post_legal_updates(current_user),
        flag_form=flag_form,
        withdraw_form=withdraw_form or WithdrawForm(formdata=None),
    ), status


@bp.get("/legal/<slug>/history")
@requires("read_published")
def history(slug: str):
    update = _update(slug)
    return render_template("legal/history.html", update=update, kinds=KINDS)


def _draft(form: UpdateForm) -> legal_posting.UpdateDraft:

    return legal_posting.UpdateDraft(
        kind=form.kind.data or "",
        title=form.title.data or "",
        citations=[c.strip() for c in (form.citations.data or "").splitlines() if c.strip()],
        made_on=form.made_on.data,
        in_force_on=form.in_force_on.data,
        summary=form.summary.data or "",
        briefing=form.briefing.data or "",
        practice=form.practice.data or "",
        areas=list(form.areas.data or []),
        tags=[normalise_tag(t) for t in split_on_commas_or_lines(form.tags.data)],
        source_url=(form.source_url.data or "").strip() or None,
        keep_unrecognised=bool(form.keep_unrecognised.data),
        confirm_safe=bool(form.confirm_safe.data),
    )


@bp.route("/legal/new", methods=["GET", "POST"])
@requires("post_legal_updates")
def new():
    """Post a legal update: the form, then a preview to confirm (carrying what was typed), then posting."""
    form = UpdateForm()
    form.areas.choices = area_choices()
    if form.validate_on_submit() and "change" not in request.form:
        if confirmed(request.form):
            posted = commit_or_show_errors(
                form, lambda: legal_posting.post_update(current_user, _draft(form)), shown_at=_posted_url
            )
            if posted:
                flash(
                    "The update is published. Check the tips that cite the same law below, and send any that need it "
                    "for review.",
                    "success",
                )
                return redirect(_posted_url(posted))
        else:
            draft = _draft(form)
            errors, citations, areas = legal_posting.check_draft(draft)
            legal_posting.check_case_details(errors, draft)  # warned on the form, before the preview
            if not errors:
                return _confirm_post(legal_posting.normalised(draft, citations, areas), areas)
            apply_service_errors(form, errors)
    return render_template("legal/edit.html", form=form, update=None), form_status(form)


def _posted_url(update) -> str:
    return url_for("legal.show", slug=update.slug) + "#cited-by"


def _confirm_post(preview: legal_posting.UpdateDraft, areas):
    # As notifications.rules tells them: those watching the legal feed or one of its areas.
    watchers_count, _ = events.would_be_told(
        "watch", except_user_id=current_user.id, watching=[("legal", 0), *[("area", area.id) for area in areas]]
    )
    return render_template(
        "legal/confirm_post.html",
        preview=preview,
        areas=areas,
        kinds=KINDS,
        watchers=watchers_count,
        fields=submitted_fields(request.form),
    )


@bp.route("/legal/<slug>/edit", methods=["GET", "POST"])
@requires("post_legal_updates")
def edit(slug: str):
    update = _update(slug)
    if update.status != "published":
        flash("This update is withdrawn and can no longer be changed.", "error")
        return redirect(url_for("legal.show", slug=slug))
    form = UpdateForm()
    form.areas.choices = area_choices()
    if request.method == "GET":
        revision = update.current
        form.kind.data, form.title.data, form.made_on.data = revision.kind, revision.title, revision.made_on
        form.in_force_on.data = revision.in_force_on
        form.citations.data = "\n".join(revision.citations)
        form.areas.data, form.tags.data = list(revision.areas), ", ".join(revision.tags)
        form.summary.data, form.briefing.data, form.practice.data = (
            revision.summary,
            revision.briefing,
            revision.practice,
        )
        form.source_url.data = revision.source_url or ""
    if form.validate_on_submit():
        saved = commit_or_show_errors(
            form, lambda: legal_posting.edit_update(current_user, update, _draft(form), note=form.note.data or "")
        )
        if saved:
            flash(f"Saved as revision {saved.number}. The earlier text stays in the history.", "success")
            return redirect(url_for("legal.show", slug=slug))
    return render_template("legal/edit.html", form=form, update=update), form_status(form)


@bp.post("/legal/<slug>/withdraw")
@requires("post_legal_updates")
def withdraw(slug: str):
    """Withdraw: the reason on the update's page, then a preview to confirm, then withdrawing."""
    update = _update(slug)
    form = WithdrawForm()
    if form.validate_on_submit():
        if confirmed(request.form):
            if commit_or_show_errors(
                form,
                lambda: legal_posting.withdraw(
                    current_user, update, form.reason.data or "", confirm_safe=bool(form.confirm_safe.data)
                ),
            ):
                flash("The update is withdrawn. It stays readable, marked withdrawn, with your reason.", "success")
                return redirect(url_for("legal.show", slug=slug))
        else:
            try:
                reason = legal_posting.check_withdrawal(
                    update, form.reason.data or "", confirm_safe=bool(form.confirm_safe.data)
                )
            except ValidationError as exc:
                apply_service_errors(form, exc.errors)
            except ServiceError as exc:
                flash(str(exc), "error")
                return redirect(url_for("legal.show", slug=slug))
            else:
                return render_template(
                    "legal/confirm_withdraw.html",
                    update=update,
                    reason=reason,
                    kinds=KINDS,
                    today=clock.today(),
                    fields=submitted_fields(request.form),
                )
    return _show_page(update, withdraw_form=form, status=400)


@bp.post("/legal/<slug>/flag")
@requires("post_legal_updates")
def flag(slug: str):
    update = _update(slug)
    citing = legal_citing.citing_tips(update)
    form = FlagForm()
    form.tips.choices = choices((t.slug, t.title) for t in citing)
    if form.validate_on_submit():
        done = commit_or_show_errors(
            form, lambda: [legal_citing.flag_tips(current_user, update, list(form.tips.data or []))]
        )
        if done:
            count = len(done[0])
            flash(
                f"{count} tip{'s' if count != 1 else ''} sent to {'their' if count != 1 else 'its'} lead manager for "
                f"review now.",
                "success",
            )
            return redirect(url_for("legal.show", slug=slug) + "#cited-by")
    return _show_page(update, citing=citing, flag_form=form, status=400)
