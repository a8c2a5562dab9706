"""A tip's page: the tip with its related panels (the research behind it, the legal updates
about the law it cites, the updates it is under review after), the tip as at a day and the
record of it to hand over. Registered on the tips' blueprint (`tips.show`, `tips.record`).

The panels are also shown by the tips' own pages that show the tip again (a refused problem
report, review or archiving): tips.pages asks for them through `init_app`'s hook."""

from __future__ import annotations

from flask import Flask, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from cafpedia.composed import tip_as_at as as_at
from cafpedia.core import as_at as dates
from cafpedia.core import offline_copies
from cafpedia.core.pdf import PdfUnavailable
from cafpedia.core.permissions import requires
from cafpedia.digest.reading import research_for_tip
from cafpedia.extensions import db
from cafpedia.legal.citing import open_flags, updates_for_tip
from cafpedia.tips import readings
from cafpedia.tips.models import PUBLISHED
from cafpedia.tips.pages import PANELS, bp, load_tip, render_body, tip_page


def related_panels(tip) -> dict:
    """What the tip page shows beside the tip from the research digest and the legal updates."""
    return {
        "research": research_for_tip(tip),
        "legal_updates": updates_for_tip(tip),
        "under_review": open_flags([tip.id]) if tip.current_number else [],
    }


def init_app(app: Flask) -> None:
    app.extensions[PANELS] = related_panels


@bp.get("/tips/<slug>")
@requires("read_published")
def show(slug: str):
    tip = load_tip(slug)
    if "as_at" in request.args:
        return _as_at_page(tip)
    response = make_response(tip_page(tip))
    if tip.status == PUBLISHED and current_user.is_authenticated and not request.args:
        offline_copies.mark_savable(
            response, title=tip.title, version=offline_copies.tip_version(tip.current_number), user=current_user
        )
    # Counted after the page is made: the commit expires every object the page read (the tip,
    # its area, the reader's roles), which would otherwise be read from the database again.
    if tip.current_number is not None and not offline_copies.is_background_refresh(
        request
    ):  # a phone refreshing its copy is not a reading
        readings.count_reading(tip)
        db.session.commit()
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
