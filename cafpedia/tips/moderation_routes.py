"""Moderating: the queue and its health, decisions on a proposal, restoring, reviewing and
archiving a tip. The tips due for review (with the legal updates that sent them) and an area's
changes over a period show other domains too: they are in cafpedia.composed, on this blueprint."""

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

from cafpedia.areas.services import areas_led_by
from cafpedia.core.errors import NotAllowed, ServiceError, ValidationError
from cafpedia.core.forms import commit_or_show_errors
from cafpedia.core.permissions import (
    can_moderate,
    ensure,
    requires,
)
from cafpedia.core.spreadsheet import csv_download
from cafpedia.tips import moderation, reviewing
from cafpedia.tips.diff import word_diff
from cafpedia.tips.forms import (
    ApproveForm,
    ArchiveForm,
    CommentForm,
    ConfirmForm,
    ReviewedForm,
)
from cafpedia.tips.health import WINDOW_DAYS, health_csv, moderation_health
from cafpedia.tips.pages import bp, decision_page, header_counts, load_revision, load_tip, tip_page


@bp.get("/moderation")
@requires("moderate")
def queue():
    waiting = moderation.moderation_queue(current_user)
    diffs = {}
    for rev in waiting:
        base = rev.tip.revision(rev.based_on)
        diffs[rev.id] = word_diff(base.body if base else "", rev.body)
    return render_template(
        "tips/queue.html",
        proposals=waiting,
        diffs=diffs,
        due=header_counts()[1],  # as the header counts them
        led=areas_led_by(current_user),  # their "What people need" pages (an administrator's: from the area pages)
    )


@bp.get("/moderation/health")
@requires("read_moderation_health")
def health():
    return render_template("tips/health.html", health=moderation_health(), window=WINDOW_DAYS)


@bp.get("/moderation/health.csv")
@requires("read_moderation_health")
def health_download():
    figures = moderation_health()
    return csv_download(health_csv(figures), f"moderation-health-{figures.today.isoformat()}.csv")


def _decide(slug: str, number: int, form, action):
    tip = load_tip(slug)
    rev = load_revision(tip, number)
    form_name = "approve_form" if isinstance(form, ApproveForm) else "comment_form"
    if not form.validate_on_submit():
        return decision_page(tip, rev, **{form_name: form})
    try:
        aliases = {"comment": "note"} if isinstance(form, ApproveForm) else None
        message = commit_or_show_errors(form, lambda: action(tip, rev), aliases=aliases, raise_refusals=True)
    except NotAllowed as exc:
        abort(403, str(exc))
    except ServiceError as exc:  # already decided, or a conflict
        flash(str(exc), "error")
        return redirect(url_for("tips.revision", slug=tip.slug, number=rev.number))
    if message is None:
        return decision_page(tip, rev, **{form_name: form})
    flash(message, "success")
    return redirect(
        url_for("tips.queue")
        if request.form.get("next") == "queue"
        else url_for("tips.revision", slug=tip.slug, number=rev.number)
    )


@bp.post("/tips/<slug>/revisions/<int:number>/approve")
@requires("moderate")
def approve(slug: str, number: int):
    form = ApproveForm()

    def act(tip, rev):
        correction = (
            (form.corrected_title.data or "", form.corrected_body.data or "")
            if "corrected_body" in request.form
            else None
        )
        moderation.approve(
            current_user,
            rev,
            checklist=form.checklist.data or [],
            confidentiality_confirmed=bool(form.confidentiality_confirmed.data),
            review_by=form.review_by.data,
            comment=form.note.data or "",
            correction=correction,
            confirm_safe=bool(form.confirm_safe.data),
        )
        corrected = " with your correction" if rev.corrected and rev.editor_id == current_user.id else ""
        return (
            f"Revision {rev.number} of “{rev.title}” is published{corrected}. Next review by {tip.review_by:%d %B %Y}."
        )

    return _decide(slug, number, form, act)


@bp.post("/tips/<slug>/revisions/<int:number>/send-back")
@requires("moderate")
def send_back(slug: str, number: int):
    form = CommentForm()

    def act(tip, rev):
        moderation.send_back(current_user, rev, form.comment.data, confirm_safe=bool(form.confirm_safe.data))
        return f"Sent back to {rev.author.name} with your comment."

    return _decide(slug, number, form, act)


@bp.post("/tips/<slug>/revisions/<int:number>/reject")
@requires("moderate")
def reject(slug: str, number: int):
    form = CommentForm()

    def act(tip, rev):
        if not form.confirm_reject.data:
            raise ValidationError(
                {
                    "confirm_reject": "Tick the box to confirm: a rejected proposal cannot be reopened. To ask for "
                    "changes, use Send back."
                }
            )
        moderation.reject(current_user, rev, form.comment.data, confirm_safe=bool(form.confirm_safe.data))
        return f"Rejected; {rev.author.name} will see your reason."

    return _decide(slug, number, form, act)


def _tip_action(slug: str, form, action, success: str):
    """A moderator's action on a tip. Refused input is shown again on the tip's page, with
    the errors at the fields and what was typed kept; other refusals come back as a message."""
    tip = load_tip(slug)
    ensure(can_moderate(current_user, tip.area))
    back = url_for("tips.reviews") if request.form.get("next") == "reviews" else url_for("tips.show", slug=tip.slug)
    if form.validate_on_submit():
        aliases = {"note": "reason"} if isinstance(form, ArchiveForm) else None
        try:
            done = commit_or_show_errors(form, lambda: action(tip) or True, aliases=aliases, raise_refusals=True)
        except ServiceError as exc:
            flash(str(exc), "error")
            return redirect(back)
        if done:
            flash(success, "success")
            return redirect(back)
    if isinstance(form, ReviewedForm):
        return tip_page(tip, reviewed_form=form, status=400)
    if isinstance(form, ArchiveForm):
        return tip_page(tip, archive_form=form, status=400)
    flash(" ".join(e for errors in form.errors.values() for e in errors) or "That could not be done.", "error")
    return redirect(back)


@bp.post("/tips/<slug>/restore/<int:number>")
@requires("moderate")
def restore(slug: str, number: int):
    return _tip_action(
        slug,
        ConfirmForm(),
        lambda tip: moderation.restore(current_user, tip, number),
        f"Revision {number} restored and published as a new revision.",
    )


@bp.post("/tips/<slug>/reviewed")
@requires("moderate")
def reviewed(slug: str):
    form = ReviewedForm()
    return _tip_action(
        slug,
        form,
        lambda tip: reviewing.mark_reviewed(
            current_user,
            tip,
            review_by=form.review_by.data,
            note=form.note.data or "",
            confirm_safe=bool(form.confirm_safe.data),
        ),
        "Marked reviewed. The content is unchanged.",
    )


@bp.post("/tips/<slug>/archive")
@requires("moderate")
def archive(slug: str):
    form = ArchiveForm()
    return _tip_action(
        slug,
        form,
        lambda tip: reviewing.archive(
            current_user,
            tip,
            superseded_by=form.superseded_by.data,
            note=form.reason.data or "",
            confirm_safe=bool(form.confirm_safe.data),
        ),
        "Archived. It stays readable at its address with a notice.",
    )
