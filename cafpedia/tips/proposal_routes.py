"""Proposing: an edit to a tip, and a person's own proposals. A new tip, which may start from an
advice-line call (the experts' log), is in cafpedia.composed.new_tip, on this blueprint."""

from __future__ import annotations

from flask import (
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from cafpedia.core.errors import NotAllowed, ServiceError, ValidationError
from cafpedia.core.form_keys import once
from cafpedia.core.forms import apply_service_errors, form_status
from cafpedia.core.permissions import (
    requires,
)
from cafpedia.extensions import db, limiter
from cafpedia.tips import proposals, reading
from cafpedia.tips.diff import word_diff
from cafpedia.tips.forms import (
    TipForm,
)
from cafpedia.tips.models import ARCHIVED, SENT_BACK
from cafpedia.tips.pages import (
    bp,
    draft_from_form,
    fill_form,
    load_tip,
    marked_preview,
    proposal_case_details,
    revision_url,
)
from cafpedia.tips.similar import BODY_MAX_CHARS, TITLE_MAX_CHARS, similar_tips


@bp.route("/tips/<slug>/edit", methods=["GET", "POST"])
@requires("propose_tips")
def edit(slug: str):
    tip = load_tip(slug)
    if tip.status == ARCHIVED:
        flash("This tip is archived and can no longer be changed.", "error")
        return redirect(url_for("tips.show", slug=tip.slug))
    form = TipForm()
    revises = None
    if request.method == "GET":
        source = tip.current
        wanted = request.args.get("revises", "")
        if wanted.isdecimal():
            sent_back = tip.revision(int(wanted))
            if sent_back and sent_back.status == SENT_BACK and sent_back.author_id == current_user.id:
                source, revises = sent_back, sent_back.number
        fill_form(form, source)
        form.based_on.data = str(tip.current_number or "")
        form.revises.data = str(revises or "")
    preview = None
    found = {}
    conflict = None
    if form.validate_on_submit():
        draft = draft_from_form(form)
        findings = draft.findings()
        found = proposal_case_details(draft, findings)
        based_on = int(form.based_on.data) if (form.based_on.data or "").isdecimal() else None
        revises = int(form.revises.data) if (form.revises.data or "").isdecimal() else None
        if form.preview.data:
            preview = marked_preview(draft, findings)
        else:
            try:
                revision = once(
                    form,
                    current_user,
                    lambda: proposals.propose_edit(current_user, tip, based_on=based_on, draft=draft, revises=revises),
                    revision_url,
                )()
                db.session.commit()
            except ValidationError as exc:
                db.session.rollback()
                apply_service_errors(form, exc.errors)
            except proposals.Conflict:
                db.session.rollback()
                # Show what changed since they started; their text stays in the form.
                base, current = tip.revision(based_on), tip.current
                conflict = {
                    "base": base,
                    "current": current,
                    "pieces": word_diff(base.body if base else "", current.body),
                }
                form.based_on.data = str(tip.current_number or "")
                form.form_errors.append(
                    f"While you were writing, revision {tip.current_number} was published. Your text is kept below: "
                    "check the changes shown, merge them into your text if needed, and send it again."
                )
            except (ServiceError, NotAllowed) as exc:
                db.session.rollback()
                form.form_errors.append(str(exc))
            else:
                flash(
                    "Your proposed edit has been sent to the lead manager. Readers see the published version until it "
                    "is approved.",
                    "success",
                )
                return redirect(revision_url(revision))
    answering = proposals.sent_back_comment(current_user, tip, revises)
    return render_template(
        "tips/edit.html",
        form=form,
        tip=tip,
        preview=preview,
        conflict=conflict,
        **found,
        sent_back_comment=answering[1] if answering else None,
    ), form_status(form)


@bp.get("/my/proposals")
@requires("propose_tips")
def mine():
    return render_template("tips/mine.html", proposals=reading.proposals_by(current_user))


@bp.post("/tips/similar")
@requires("propose_tips")
@limiter.limit("60 per minute", key_func=lambda: f"similar:{current_user.get_id()}")
def similar():
    """The published tips and pending proposals like a new tip's title and first lines, as
    JSON, for the new-tip form as its author types (cafpedia.js); the form's preview shows the
    same list without a script. Sent with the form's CSRF token."""
    title, body = request.form.get("title", ""), request.form.get("body", "")
    if len(title) > TITLE_MAX_CHARS or len(body) > BODY_MAX_CHARS:
        message = f"Send at most {TITLE_MAX_CHARS} characters of title and {BODY_MAX_CHARS:,} of text."
        return jsonify({"error": message}), 400
    return jsonify({"similar": [found.as_dict() for found in similar_tips(current_user, title, body)]})
