"""Reading a tip: the page, a reader's vote and problem report, the tip as at a day and its
record, its history, a comparison of two revisions and one revision."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from cafpedia.core import as_at as dates
from cafpedia.core.errors import ServiceError
from cafpedia.core.forms import button_action, commit_or_show_errors
from cafpedia.core.pdf import PdfUnavailable
from cafpedia.core.permissions import (
    can_moderate,
    can_see_revision,
    requires,
)
from cafpedia.extensions import db
from cafpedia.offline import services as offline
from cafpedia.tips import as_at, feedback, reading
from cafpedia.tips.diff import field_changes, word_diff
from cafpedia.tips.forms import (
    ConfirmForm,
    ProblemForm,
)
from cafpedia.tips.models import PUBLISHED
from cafpedia.tips.pages import bp, decision_page, load_revision, load_tip, render_body, report_case_details, tip_page


@bp.get("/tips/<slug>")
@requires("read_published")
def show(slug: str):
    tip = load_tip(slug)
    if "as_at" in request.args:
        return _as_at_page(tip)
    if tip.current_number is not None and not offline.is_background_refresh(
        request
    ):  # a phone refreshing its copy is not a reading
        reading.record_view(tip)
        db.session.commit()
    response = make_response(tip_page(tip))
    if tip.status == PUBLISHED and current_user.is_authenticated and not request.args:
        offline.mark_savable(
            response, title=tip.title, version=offline.tip_version(tip.current_number), user=current_user
        )
    return response


@bp.post("/tips/<slug>/useful")
@requires("signed_in")
def useful(slug: str):
    """ "Was this useful? Yes / No": the reader's latest answer counts."""
    tip = load_tip(slug)
    answer = request.form.get("useful")
    answer in ("yes", "no") or abort(400)
    button_action(
        lambda: feedback.vote(current_user, tip, answer == "yes"),
        "Thank you: the lead manager for this area sees the answers."
        + ("" if answer == "yes" else " Tell them what would make it better with “Report a problem”."),
    )
    return redirect(url_for("tips.show", slug=tip.slug) + "#reader-feedback")


@bp.post("/tips/<slug>/problem")
@requires("signed_in")
def report_problem(slug: str):
    tip = load_tip(slug)
    form = ProblemForm()
    if form.validate_on_submit():
        try:
            reported = commit_or_show_errors(
                form,
                lambda: (
                    feedback.report_problem(
                        current_user, tip, form.problem.data or "", confirm_safe=bool(form.confirm_safe.data)
                    )
                    or True
                ),
                raise_refusals=True,
                shown_at=lambda _: url_for("tips.show", slug=tip.slug) + "#reader-feedback",
            )
        except ServiceError as exc:  # not about the text: said, and back to the tip
            flash(exc.plainly(), "error")
            return redirect(url_for("tips.show", slug=tip.slug))
        if reported:
            flash("Thank you: your report has gone to the lead manager for this area.", "success")
            return redirect(url_for("tips.show", slug=tip.slug) + "#reader-feedback")
    # The guard's warning, as a tip's author sees it: what it found, above the text they keep.
    return tip_page(tip, problem_form=form, status=400, **report_case_details(form.problem.data or ""))


def _as_at_page(tip):
    """The tip as readers saw it at the end of a day, with everything a court asks for."""
    day, refused = dates.requested_day("tips/as_at.html", tip=tip)
    if refused:
        return refused
    then = as_at.tip_as_at(tip, day, current_user)
    body = render_body(then.revision.body) if then.revision else None
    return render_template("tips/as_at.html", tip=tip, then=then, body=body, problem=None, value=day.isoformat())


@bp.get("/tips/<slug>/record")
@requires("read_published")
def record(slug: str):
    """The record of the tip as at a day, as a PDF to hand over."""
    tip = load_tip(slug)
    day, refused = dates.requested_day("tips/as_at.html", tip=tip)
    if refused:
        return refused
    then = as_at.tip_as_at(tip, day, current_user)
    if then.revision is None:
        return redirect(
            url_for("tips.show", slug=tip.slug, as_at=day.isoformat())
        )  # the page says why there is nothing to record
    try:
        pdf = as_at.record_pdf(then, current_user._get_current_object())
    except PdfUnavailable as exc:
        db.session.rollback()
        flash(f"{exc} Print the page instead: it prints as the record.", "error")
        return redirect(url_for("tips.show", slug=tip.slug, as_at=day.isoformat()))
    db.session.commit()
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="cafpedia-record-{tip.slug}-{day.isoformat()}.pdf"'
    return response


@bp.get("/tips/<slug>/history")
@requires("read_published")
def history(slug: str):
    tip = load_tip(slug)
    visible = [r for r in reversed(tip.revisions) if can_see_revision(current_user, r)]
    return render_template(
        "tips/history.html",
        tip=tip,
        revisions=visible,
        confirm_form=ConfirmForm(),
        moderator=current_user.is_authenticated and can_moderate(current_user, tip.area),
    )


@bp.get("/tips/<slug>/compare")
@requires("read_published")
def compare(slug: str):
    tip = load_tip(slug)
    try:
        old_number, new_number = int(request.args.get("from", "")), int(request.args.get("to", ""))
    except ValueError:
        abort(400)
    old, new = load_revision(tip, old_number), load_revision(tip, new_number)
    return render_template(
        "tips/compare.html",
        tip=tip,
        old=old,
        new=new,
        fields=field_changes(old, new),
        pieces=word_diff(old.body, new.body),
    )


@bp.get("/tips/<slug>/revisions/<int:number>")
@requires("read_published")
def revision(slug: str, number: int):
    """One revision; for a pending proposal, the moderator's decision page."""
    tip = load_tip(slug)
    return decision_page(tip, load_revision(tip, number), status=200)
