"""Reading a tip: a reader's vote and problem report, its history, a comparison of two revisions
and one revision. The tip's page itself, with the research and legal updates beside it, and the
tip as at a day with its record, are in cafpedia.composed.tip_page, on this blueprint."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from cafpedia.core.errors import ServiceError
from cafpedia.core.forms import button_action, commit_or_show_errors
from cafpedia.core.permissions import (
    can_moderate,
    can_see_revision,
    requires,
)
from cafpedia.tips import feedback
from cafpedia.tips.diff import field_changes, word_diff
from cafpedia.tips.forms import (
    ConfirmForm,
    ProblemForm,
)
from cafpedia.tips.pages import bp, decision_page, load_revision, load_tip, report_case_details, tip_page


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
