"""A tip's page: the tip with its related panels (the research behind it, the legal updates
about the law it cites, the updates it is under review after), the tip as at a day and the
record of it to hand over. Registered on the tips' blueprint (`tips.show`, `tips.record`); the
tips' own pages that show the tip again (a refused problem report, review or archiving) draw it
here too, through `init_app`'s hook.

What every reader sees of a published tip (its top, its text, the facts and panels about it) is
drawn once and kept while the content version stands (cafpedia.core.content_version), for the
day (it says what is overdue, or not yet in force, today). For people signed out the whole page
is kept. What is a reader's own (their proposals, their answer and report, their watch, the
moderator's tools) is read fresh on every request: for a reader who moderates nothing, in the
same statement as the reader (accounts.sessions.read_on_page), so the page costs one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from types import SimpleNamespace

from flask import (
    Flask,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import bindparam, select

from cafpedia.accounts.sessions import read_on_page
from cafpedia.areas.services import moderated_area_ids
from cafpedia.composed import tip_as_at as as_at
from cafpedia.core import as_at as dates
from cafpedia.core import clock, offline_copies
from cafpedia.core.content_version import kept, kept_page, same_for_everyone
from cafpedia.core.form_keys import new_key
from cafpedia.core.pdf import PdfUnavailable
from cafpedia.core.permissions import ADMIN, requires
from cafpedia.core.templating import kept_markup
from cafpedia.digest.reading import research_for_tip
from cafpedia.extensions import db
from cafpedia.legal.citing import open_flags, updates_for_tip
from cafpedia.notifications.services import watch_of
from cafpedia.tips import feedback, reading, readings, reviewing
from cafpedia.tips.forms import ArchiveForm, ProblemForm, ReviewedForm
from cafpedia.tips.models import PUBLISHED, Tip, TipProblem
from cafpedia.tips.pages import TIP_PAGE, bp, load_tip, render_body

READER_STATE = "tip_reader_state"  # in g: the reader's state on the tip, read with the reader
REVIEW_NOTE_REQUIRED = "Note (required: what you checked against the legal update)"


@dataclass(frozen=True)
class ShownTip:
    """What the reader's own parts of the page need of the tip, kept with the parts."""

    id: int
    slug: str
    status: str
    current_number: int | None
    area_id: int
    title: str
    kind: str
    last_reviewed_at: datetime | None
    last_viewed_on: date | None

    @classmethod
    def of(cls, tip: Tip) -> ShownTip:
        revision = tip.current
        return cls(
            id=tip.id,
            slug=tip.slug,
            status=tip.status,
            current_number=tip.current_number,
            area_id=tip.area_id,
            title=revision.title if revision else tip.slug,
            kind=revision.kind if revision else "tip",
            last_reviewed_at=tip.last_reviewed_at,
            last_viewed_on=tip.last_viewed_on,
        )


@dataclass(frozen=True)
class TipParts:
    """A tip's page as every reader sees it, drawn: the top (where it is filed, its notices),
    the title and text, and what is known about it (with or without the moderators' link)."""

    tip: ShownTip
    head: Markup
    body: Markup
    details: Markup
    details_moderating: Markup


def related_panels(tip) -> dict:
    """What the tip page shows beside the tip from the research digest and the legal updates."""
    return {
        "research": research_for_tip(tip),
        "legal_updates": updates_for_tip(tip),
        "under_review": open_flags([tip.id]) if tip.current_number else [],
    }


def _draw_parts(tip: Tip) -> TipParts:
    revision = tip.current
    context = {
        "tip": tip,
        "revision": revision,
        "body": render_body(revision.body),
        "overdue": reviewing.is_overdue(tip),
        "linked_from": reading.tips_linking_to(tip),
        **related_panels(tip),
    }
    return TipParts(
        tip=ShownTip.of(tip),
        head=Markup(render_template("tips/_tip_head.html", **context)),
        body=Markup(render_template("tips/_tip_body.html", **context)),
        details=Markup(render_template("tips/_tip_details.html", moderator=False, **context)),
        details_moderating=Markup(render_template("tips/_tip_details.html", moderator=True, **context)),
    )


def parts_of(tip: Tip) -> TipParts:
    """The tip's parts: kept while the content stands, for a tip readers can see; drawn afresh
    for a tip never published (only its authors and moderators see it)."""
    if tip.current_number is None:
        return _draw_parts(tip)
    return kept(("tip parts", tip.slug, clock.today()), lambda: _draw_parts(tip))


def published_parts(slug: str) -> TipParts | None:
    """The parts of the published (or archived) tip at `slug`, kept, without reading the tip
    when they are; None for no such tip or one never published."""

    def draw() -> TipParts | None:
        tip = reading.find_tip(slug)
        return _draw_parts(tip) if tip is not None and tip.current_number is not None else None

    return kept(("tip parts", slug, clock.today()), draw)


@dataclass(frozen=True)
class ReaderState:
    """What is this reader's own on the tip page."""

    vote: bool | None = None
    report: TipProblem | None = None
    open_proposals: int = 0
    watching: bool | None = None


def reader_state(shown: ShownTip) -> ReaderState:
    """The signed-in reader's answer, open report, open proposals and watch on the tip: read
    with the reader on a GET of the tip's page (`_read_with_reader`), else in one statement of
    its own; and a statement more only to read an open report."""
    read = g.get(READER_STATE)
    if read is not None and read[0] == shown.id:  # read with the reader, for this tip
        vote, report_id, proposals, watch_id = read[1:]
    else:
        params = {"user_id": current_user.id, "tip_id": shown.id}
        if shown.last_reviewed_at is not None:
            params["reviewed_at"] = shown.last_reviewed_at
        row = db.session.execute(_reader_state_query(shown.last_reviewed_at is not None), params).one()
        vote, report_id, proposals, watch_id = row
    return ReaderState(
        vote=vote,
        report=db.session.get(TipProblem, report_id) if report_id is not None else None,
        open_proposals=proposals or 0,
        watching=watch_id is not None,
    )


@lru_cache(maxsize=2)
def _reader_state_query(reviewed: bool):
    """The statement, built once (building it is most of its cost): the reader and the tip are
    parameters; a tip reviewed at some time has one more."""
    user = SimpleNamespace(id=bindparam("user_id"))
    tip = SimpleNamespace(id=bindparam("tip_id"), last_reviewed_at=bindparam("reviewed_at") if reviewed else None)
    return select(*_reader_state_columns(user, tip))


def _reader_state_columns(user, tip) -> tuple:
    """The reader's answer, open report, open proposals and watch on `tip` (its id and last
    review: parameters, or the tip table's own columns), as four one-value subqueries."""
    return (
        feedback.vote_of(user, tip).scalar_subquery(),
        feedback.open_report_of(user, tip).scalar_subquery(),
        reading.count_open_proposals_of(user, tip.id).scalar_subquery(),
        watch_of(user, "tip", tip.id).scalar_subquery(),
    )


def _read_with_reader(user_id) -> tuple:
    """For `read_on_page`: the tip of the page's address joined to the reader's session, its id
    and the reader's state on it read in the same statement as the reader (`reader_state`)."""
    return Tip, Tip.slug == bindparam("slug"), (Tip.id, *_reader_state_columns(SimpleNamespace(id=user_id), Tip))


def blank_problem_form(action: str) -> Markup:
    """The form to report a problem, shown afresh: drawn once per process (making and rendering
    the WTForms form was a tenth of a signed-in tip page), with this request's CSRF token, a
    new one-time key and its address (`action`, the tip's) put in."""

    def draw(holes: dict[str, str]) -> str:
        return render_template(
            "tips/_problem_form.html",
            problem_form=ProblemForm(formdata=None, form_key=holes["form_key"]),
            problem_action=holes["action"],
            problem_findings=[],
            problem_excerpts=[],
            csrf_token=lambda: holes["csrf"],
        )

    return kept_markup("blank problem form", draw, csrf=generate_csrf(), form_key=new_key(), action=action)


def moderates(area_id: int) -> bool:
    """The signed-in reader is a moderator of the area (lead, deputy or administrator)."""
    if not current_user.is_authenticated or not getattr(current_user, "is_active", False):
        return False
    if ADMIN in current_user.roles:
        return True
    return area_id in moderated_area_ids(current_user)


def tip_page(
    tip,
    *,
    parts: TipParts | None = None,
    reviewed_form=None,
    archive_form=None,
    problem_form=None,
    problem_findings=(),
    problem_excerpts=(),
    status: int = 200,
):
    """The tip as readers see it; for its moderators, with the review and archive forms
    (shown again with their errors and what was typed, when one was refused). A reader's
    problem report refused comes back with what the confidentiality guard found in it.
    `tip` is the tip, or for a reader who moderates nothing, what the kept parts know of it."""
    parts = parts or parts_of(tip)
    shown = parts.tip
    moderator = moderates(shown.area_id)
    if moderator and not isinstance(tip, Tip):
        tip = load_tip(shown.slug)
    signed_in = current_user.is_authenticated
    state = reader_state(shown) if signed_in else ReaderState()
    review_reasons = reviewing.review_reasons(tip) if moderator else []
    if moderator:  # their forms, made only for them
        reviewed_form = reviewed_form or ReviewedForm(formdata=None)
        archive_form = archive_form or ArchiveForm(formdata=None)
    if review_reasons:  # the note answers them, so it is required: the label (and the error summary) say so
        reviewed_form.note.label.text = REVIEW_NOTE_REQUIRED
    problem_action = url_for("tips.report_problem", slug=shown.slug) if signed_in else None
    blank = signed_in and problem_form is None and state.report is None
    return render_template(
        "tips/show.html",
        tip=tip,
        revision=shown,
        parts=parts,
        my_open_proposals=reading.my_open_proposals(current_user, shown.id) if state.open_proposals else [],
        pending=reading.pending_proposals(tip) if moderator else [],
        moderator=moderator,
        review_reasons=review_reasons,
        reviewed_form=reviewed_form,
        archive_form=archive_form,
        problem_form=problem_form,
        problem_form_markup=blank_problem_form(problem_action) if blank else None,
        problem_action=problem_action,
        problem_findings=list(problem_findings),
        problem_excerpts=list(problem_excerpts),
        my_vote=state.vote,
        my_report=state.report,
        watch_on=state.watching,
        reader_feedback=feedback.feedback_for(tip) if moderator and shown.current_number else None,
    ), status


def init_app(app: Flask) -> None:
    app.extensions[TIP_PAGE] = tip_page
    read_on_page("tips.show", READER_STATE, ("slug",), _read_with_reader)


@bp.get("/tips/<slug>")
@requires("read_published")
def show(slug: str):
    if "as_at" in request.args:
        return _as_at_page(load_tip(slug))
    parts = published_parts(slug)
    if parts is None:  # no such tip, or one never published: only its authors and moderators see it
        tip = load_tip(slug)
        response, shown = make_response(*tip_page(tip)), ShownTip.of(tip)
    elif same_for_everyone():
        response, shown = (
            kept_page(("tip page", slug, clock.today()), lambda: tip_page(parts.tip, parts=parts)[0]),
            parts.tip,
        )
    else:
        response, shown = make_response(*tip_page(parts.tip, parts=parts)), parts.tip
    if shown.status == PUBLISHED and current_user.is_authenticated and not request.args:
        offline_copies.mark_savable(
            response, title=shown.title, version=offline_copies.tip_version(shown.current_number), user=current_user
        )
    # Counted after the page is made; a phone refreshing its copy is not a reading.
    counted = shown.current_number is not None and not offline_copies.is_background_refresh(request)
    if counted and readings.count_reading(shown.id, shown.last_viewed_on):
        db.session.commit()  # only when written: a commit expires what the request has loaded
    return response


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
