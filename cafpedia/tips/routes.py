"""Tip pages: reading, proposing, moderating, history, reviews and archiving."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from cafpedia.areas.services import area_choices, find_area
from cafpedia.config import escalate_days_from
from cafpedia.core import as_at as dates
from cafpedia.core import clock
from cafpedia.core.errors import NotAllowed, ServiceError, ValidationError
from cafpedia.core.forms import apply_service_errors, button_action, commit_or_show_errors, form_status
from cafpedia.core.markdown import render_markdown
from cafpedia.core.pdf import PdfUnavailable
from cafpedia.core.permissions import (
    can_decide,
    can_moderate,
    can_read_advice_log,
    can_see_revision,
    can_see_unpublished_tip,
    ensure,
    requires,
)
from cafpedia.core.spreadsheet import csv_download
from cafpedia.digest.services import research_for_tip
from cafpedia.experts.advice_log import find_call
from cafpedia.experts.advice_log import link_tip as link_call_to_tip
from cafpedia.extensions import db
from cafpedia.legal.services import open_flags, updates_for_tip
from cafpedia.mail.settings import parse_base_url
from cafpedia.offline import services as offline
from cafpedia.tips import as_at, changes, feedback, moderation, proposals, reading, reviewing
from cafpedia.tips.diff import field_changes, word_diff
from cafpedia.tips.forms import (
    ApproveForm,
    ArchiveForm,
    CommentForm,
    ConfirmForm,
    NewTipForm,
    ProblemForm,
    ReviewedForm,
    TipForm,
)
from cafpedia.tips.health import WINDOW_DAYS, health_csv, moderation_health
from cafpedia.tips.models import ARCHIVED, CHECKLIST, PENDING, PUBLISHED, SENT_BACK
from cafpedia.tips.proposals import TITLE_MAX

bp = Blueprint("tips", __name__, template_folder="templates")


def _load_tip(slug: str):
    """The tip, if this reader may see it: published and archived tips for readers,
    a tip never published only for its authors and the area's moderators."""
    tip = reading.find_tip(slug) or abort(404)
    if tip.current_number is None and not can_see_unpublished_tip(current_user, tip):
        abort(404)
    return tip


def _load_revision(tip, number: int):
    revision = tip.revision(number) or abort(404)
    ensure(can_see_revision(current_user, revision))
    return revision


def _draft_from_form(form: TipForm) -> proposals.Draft:
    return proposals.Draft(
        title=form.title.data or "",
        body=form.body.data or "",
        kind=form.kind.data or "tip",
        tags=[proposals.normalise_tag(t) for t in proposals.split_list(form.tags.data)],
        standards=[
            c.strip() for c in (form.standards.data or "").replace(";", ",").replace(" ", ",").split(",") if c.strip()
        ],
        legal_refs=[r.strip() for r in (form.legal_refs.data or "").splitlines() if r.strip()],
        confirm_safe=bool(form.confirm_safe.data),
        change_note=form.change_note.data or "",
    )


def _fill_form(form: TipForm, revision) -> None:
    form.title.data, form.kind.data, form.body.data = revision.title, revision.kind, revision.body
    form.tags.data = ", ".join(revision.tags)
    form.standards.data = ", ".join(revision.standards)
    form.legal_refs.data = "\n".join(revision.legal_refs)


def _render_body(source: str):
    return render_markdown(source, resolve_link=reading.link_resolver(source))


# --- Reading -------------------------------------------------------------------------------


@bp.get("/tips/<slug>")
@requires("read_published")
def show(slug: str):
    tip = _load_tip(slug)
    if "as_at" in request.args:
        return _as_at_page(tip)
    if tip.current_number is not None and not offline.is_background_refresh(
        request
    ):  # a phone refreshing its copy is not a reading
        reading.record_view(tip)
        db.session.commit()
    response = make_response(_tip_page(tip))
    if tip.status == PUBLISHED and current_user.is_authenticated and not request.args:
        offline.mark_savable(
            response, title=tip.title, version=offline.tip_version(tip.current_number), user=current_user
        )
    return response


def _tip_page(tip, *, reviewed_form=None, archive_form=None, problem_form=None, status: int = 200):
    """The tip as readers see it; for its moderators, with the review and archive forms
    (shown again with their errors and what was typed, when one was refused)."""
    revision = tip.current
    mine = [
        r
        for r in tip.revisions
        if current_user.is_authenticated and r.author_id == current_user.id and r.status in (PENDING, SENT_BACK)
    ]
    moderator = current_user.is_authenticated and can_moderate(current_user, tip.area)
    return render_template(
        "tips/show.html",
        tip=tip,
        revision=revision,
        body=_render_body(revision.body),
        overdue=reviewing.is_overdue(tip),
        linked_from=reading.tips_linking_to(tip),
        research=research_for_tip(tip),
        legal_updates=updates_for_tip(tip),
        under_review=open_flags([tip.id]) if tip.current_number else [],
        my_open_proposals=mine,
        pending=reading.pending_proposals(tip),
        moderator=moderator,
        review_reasons=reviewing.review_reasons(tip) if moderator else [],
        reviewed_form=reviewed_form or ReviewedForm(formdata=None),
        archive_form=archive_form or ArchiveForm(formdata=None),
        problem_form=problem_form or ProblemForm(formdata=None),
        confirm_form=ConfirmForm(),
        my_vote=feedback.my_vote(current_user, tip) if current_user.is_authenticated and tip.current_number else None,
        reader_feedback=feedback.feedback_for(tip) if moderator and tip.current_number else None,
    ), status


@bp.post("/tips/<slug>/useful")
@requires("signed_in")
def useful(slug: str):
    """ "Was this useful? Yes / No": the reader's latest answer counts."""
    tip = _load_tip(slug)
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
    tip = _load_tip(slug)
    form = ProblemForm()
    if form.validate_on_submit():
        try:
            feedback.report_problem(current_user, tip, form.problem.data or "")
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            apply_service_errors(form, exc.errors)
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.plainly(), "error")
            return redirect(url_for("tips.show", slug=tip.slug))
        else:
            flash("Thank you: your report has gone to the lead manager for this area.", "success")
            return redirect(url_for("tips.show", slug=tip.slug) + "#reader-feedback")
    return _tip_page(tip, problem_form=form, status=400)


def _as_at_page(tip):
    """The tip as readers saw it at the end of a day, with everything a court asks for."""
    day, refused = dates.requested_day("tips/as_at.html", tip=tip)
    if refused:
        return refused
    then = as_at.tip_as_at(tip, day)
    body = _render_body(then.revision.body) if then.revision else None
    return render_template("tips/as_at.html", tip=tip, then=then, body=body, problem=None, value=day.isoformat())


@bp.get("/tips/<slug>/record")
@requires("read_published")
def record(slug: str):
    """The record of the tip as at a day, as a PDF to hand over."""
    tip = _load_tip(slug)
    day, refused = dates.requested_day("tips/as_at.html", tip=tip)
    if refused:
        return refused
    then = as_at.tip_as_at(tip, day)
    if then.revision is None:
        return redirect(
            url_for("tips.show", slug=tip.slug, as_at=day.isoformat())
        )  # the page says why there is nothing to record
    user = current_user._get_current_object()
    try:
        pdf = as_at.record_pdf(then, user, produced_by=f"{user.name} ({user.username})")
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
    tip = _load_tip(slug)
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
    tip = _load_tip(slug)
    try:
        old_number, new_number = int(request.args.get("from", "")), int(request.args.get("to", ""))
    except ValueError:
        abort(400)
    old, new = _load_revision(tip, old_number), _load_revision(tip, new_number)
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
    tip = _load_tip(slug)
    return _decision_page(tip, _load_revision(tip, number), status=200)


# --- Proposing -------------------------------------------------------------------------------


@bp.route("/tips/new", methods=["GET", "POST"])
@requires("propose_tips")
def new():
    form = NewTipForm()
    form.area.choices = area_choices()
    call = _advice_call(form.call.data if request.method == "POST" else request.args.get("call", ""))
    if request.method == "GET":
        area = find_area(request.args.get("area", "")) or (call.area if call else None)
        if area:
            form.area.data = area.slug
        if call:  # a question to the advice line becomes the title of a tip that answers it
            form.call.data, form.title.data = str(call.id), call.question[:TITLE_MAX]
    preview = None
    findings = []
    if form.validate_on_submit():
        draft = _draft_from_form(form)
        findings = draft.findings()
        if form.preview.data:
            preview = _render_body(draft.body)
        else:
            try:
                revision = proposals.propose_new_tip(
                    current_user, area_slug=form.area.data, slug=form.slug.data, draft=draft
                )
                if call:
                    link_call_to_tip(call, revision.tip)
                db.session.commit()
            except ValidationError as exc:
                db.session.rollback()
                apply_service_errors(form, exc.errors)
            except ServiceError as exc:
                db.session.rollback()
                form.form_errors.append(str(exc))
            else:
                flash(
                    "Your proposal has been sent to the lead manager for approval. You can follow it in My proposals.",
                    "success",
                )
                return redirect(url_for("tips.revision", slug=revision.tip.slug, number=revision.number))
    return render_template(
        "tips/edit.html", form=form, tip=None, preview=preview, findings=findings, call=call
    ), form_status(form)


def _advice_call(value: str | None):
    """The advice-line call a new tip starts from, for those who may read the advice log."""
    if not (value or "").isdecimal() or len(value) > 9 or not can_read_advice_log(current_user):
        return None
    return find_call(int(value))


@bp.route("/tips/<slug>/edit", methods=["GET", "POST"])
@requires("propose_tips")
def edit(slug: str):
    tip = _load_tip(slug)
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
        _fill_form(form, source)
        form.based_on.data = str(tip.current_number or "")
        form.revises.data = str(revises or "")
    preview = None
    findings = []
    conflict = None
    if form.validate_on_submit():
        draft = _draft_from_form(form)
        findings = draft.findings()
        based_on = int(form.based_on.data) if (form.based_on.data or "").isdecimal() else None
        revises = int(form.revises.data) if (form.revises.data or "").isdecimal() else None
        if form.preview.data:
            preview = _render_body(draft.body)
        else:
            try:
                revision = proposals.propose_edit(current_user, tip, based_on=based_on, draft=draft, revises=revises)
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
                return redirect(url_for("tips.revision", slug=tip.slug, number=revision.number))
    answering = proposals.sent_back_comment(current_user, tip, revises)
    return render_template(
        "tips/edit.html",
        form=form,
        tip=tip,
        preview=preview,
        findings=findings,
        conflict=conflict,
        sent_back_comment=answering[1] if answering else None,
    ), form_status(form)


@bp.get("/my/proposals")
@requires("propose_tips")
def mine():
    return render_template("tips/mine.html", proposals=reading.proposals_by(current_user))


# --- Moderating ---------------------------------------------------------------------------


@bp.get("/moderation")
@requires("moderate")
def queue():
    waiting = moderation.moderation_queue(current_user)
    diffs = {}
    for rev in waiting:
        base = rev.tip.revision(rev.based_on)
        diffs[rev.id] = word_diff(base.body if base else "", rev.body)
    return render_template(
        "tips/queue.html", proposals=waiting, diffs=diffs, due=_moderation_counts()[1]
    )  # as the header counts them


@bp.get("/moderation/health")
@requires("read_moderation_health")
def health():
    return render_template("tips/health.html", health=moderation_health(), window=WINDOW_DAYS)


@bp.get("/moderation/health.csv")
@requires("read_moderation_health")
def health_download():
    figures = moderation_health()
    return csv_download(health_csv(figures), f"moderation-health-{figures.today.isoformat()}.csv")


def _changes_request(slug: str):
    """The area (its moderators and administrators only), and the period asked for: from and
    to as YYYY-MM-DD, by default the last 90 days; or the problems, by field."""
    area = find_area(slug) or abort(404)
    ensure(can_moderate(current_user, area))
    today, problems, period = clock.today(), {}, {}
    for name, default in (("from", today - timedelta(days=90)), ("to", today)):
        value = request.args.get(name, "").strip()
        try:
            period[name] = dates.parse_day(value, today) if value else default
        except dates.AsAtError as exc:
            problems[name] = f"{'From' if name == 'from' else 'To'}: {exc}"
    if not problems and period["from"] > period["to"]:
        problems["from"] = "From: choose a date on or before the “to” date."
    if not problems and (period["to"] - period["from"]).days > changes.MAX_DAYS:
        problems["from"] = "From: choose a period of at most ten years."
    return area, period, problems


@bp.get("/areas/<slug>/changes")
@requires("read_published")
def area_changes(slug: str):
    area, period, problems = _changes_request(slug)
    found = [] if problems else changes.area_changes(area, period["from"], period["to"])
    return render_template(
        "tips/changes.html",
        area=area,
        changes=found,
        problems=problems,
        start=period.get("from"),
        end=period.get("to"),
        values={
            k: request.args.get(k, "")[:10] or (period[k].isoformat() if k in period else "") for k in ("from", "to")
        },
    ), 400 if problems else 200


@bp.get("/areas/<slug>/changes.csv")
@requires("read_published")
def area_changes_download(slug: str):
    area, period, problems = _changes_request(slug)
    if problems:
        return area_changes(slug)
    found = changes.area_changes(area, period["from"], period["to"])
    name = f"changes-{area.slug}-{period['from'].isoformat()}-to-{period['to'].isoformat()}.csv"
    return csv_download(changes.changes_csv(found, parse_base_url(current_app.config.get("BASE_URL"))), name)


def _decision_page(tip, rev, *, approve_form=None, comment_form=None, status=400):
    base = tip.revision(rev.based_on)
    current = tip.revision(tip.current_number)
    conflict = rev.status == PENDING and rev.based_on != tip.current_number
    answers = None
    answering = proposals.sent_back_comment(current_user, tip, rev.revises)
    if answering is not None:
        earlier, comment = answering
        answers = {"rev": earlier, "comment": comment, "pieces": word_diff(earlier.body, rev.body)}
    return render_template(
        "tips/revision.html",
        tip=tip,
        rev=rev,
        base=base,
        current=current,
        conflict=conflict,
        body=_render_body(rev.body),
        pieces=word_diff(base.body if base else "", rev.body),
        fields=field_changes(base, rev),
        conflict_pieces=word_diff(base.body if base else "", current.body) if conflict and current else [],
        can_decide=current_user.is_authenticated and can_decide(current_user, rev),
        checklist=CHECKLIST,
        approve_form=approve_form or ApproveForm(formdata=None, corrected_title=rev.title, corrected_body=rev.body),
        comment_form=comment_form or CommentForm(formdata=None),
        answers=answers,
        correction_pieces=word_diff(rev.proposed_body, rev.body) if rev.corrected else None,
    ), status


def _decide(slug: str, number: int, form, action):
    tip = _load_tip(slug)
    rev = _load_revision(tip, number)
    form_name = "approve_form" if isinstance(form, ApproveForm) else "comment_form"
    if not form.validate_on_submit():
        return _decision_page(tip, rev, **{form_name: form})
    try:
        aliases = {"comment": "note"} if isinstance(form, ApproveForm) else None
        message = commit_or_show_errors(form, lambda: action(tip, rev), aliases=aliases, raise_refusals=True)
    except NotAllowed as exc:
        abort(403, str(exc))
    except ServiceError as exc:  # already decided, or a conflict
        flash(str(exc), "error")
        return redirect(url_for("tips.revision", slug=tip.slug, number=rev.number))
    if message is None:
        return _decision_page(tip, rev, **{form_name: form})
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
        moderation.send_back(current_user, rev, form.comment.data)
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
        moderation.reject(current_user, rev, form.comment.data)
        return f"Rejected; {rev.author.name} will see your reason."

    return _decide(slug, number, form, act)


def _tip_action(slug: str, form, action, success: str):
    """A moderator's action on a tip. Refused input is shown again on the tip's page, with
    the errors at the fields and what was typed kept; other refusals come back as a message."""
    tip = _load_tip(slug)
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
        return _tip_page(tip, reviewed_form=form, status=400)
    if isinstance(form, ArchiveForm):
        return _tip_page(tip, archive_form=form, status=400)
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
            current_user, tip, review_by=form.review_by.data, note=form.note.data or ""
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
            current_user, tip, superseded_by=form.superseded_by.data, note=form.reason.data or ""
        ),
        "Archived. It stays readable at its address with a notice.",
    )


@bp.get("/reviews")
@requires("moderate")
def reviews():
    from cafpedia.legal.services import open_flags

    tips = reviewing.due_for_review(current_user)
    reasons: dict[int, list] = {}
    for flag in open_flags([t.id for t in tips]):
        reasons.setdefault(flag.tip_id, []).append(flag.update)
    return render_template(
        "tips/reviews.html", tips=tips, reviewed_form=ReviewedForm(), today=clock.today(), reasons=reasons
    )


def _moderation_counts() -> tuple[int, int]:
    """For the header: (proposals waiting, tips due or overdue for review) in the areas the
    signed-in person moderates; counted once per request."""
    from flask import g

    if "moderation_counts" not in g:
        g.moderation_counts = moderation.moderation_counts(current_user) if current_user.is_authenticated else (0, 0)
    return g.moderation_counts


def init_app(app) -> None:
    """[[links]] in any Markdown rendered by templates resolve to tips; labels for templates."""
    from cafpedia.core.confidentiality import KIND_LABELS as FLAG_LABELS
    from cafpedia.tips.models import KIND_LABELS, STATUS_LABELS

    app.extensions["cafpedia_link_resolver"] = reading.resolve_link
    app.jinja_env.globals.update(
        moderation_counts=_moderation_counts,
        working_days_waiting=moderation.working_days_waiting,
        escalate_after=escalate_days_from(app.config),
    )
    app.jinja_env.globals.update(status_labels=STATUS_LABELS, kind_labels=KIND_LABELS, flag_labels=FLAG_LABELS)
    app.jinja_env.filters["checklist_label"] = lambda key: CHECKLIST.get(key, key)
