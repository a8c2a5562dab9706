"""The review dashboard: the tips due for review in the areas a person moderates, each with the
legal updates that sent it for review. Registered on the tips' blueprint (`tips.reviews`)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from cafpedia.core import clock
from cafpedia.core.permissions import requires
from cafpedia.legal.citing import open_flags
from cafpedia.tips import reviewing
from cafpedia.tips.forms import ReviewedForm
from cafpedia.tips.pages import bp


@bp.get("/reviews")
@requires("moderate")
def reviews():

    tips = reviewing.due_for_review(current_user)
    reasons: dict[int, list] = {}
    for flag in open_flags([t.id for t in tips]):
        reasons.setdefault(flag.tip_id, []).append(flag.update)
    return render_template(
        "tips/reviews.html", tips=tips, reviewed_form=ReviewedForm(), today=clock.today(), reasons=reasons
    )
