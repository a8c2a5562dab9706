"""Readers' suggestions for research (and the coordinator's answers), and the research behind
a tip, which its lead manager links."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cafpedia.core.errors import NotAllowed, NotFound
from cafpedia.core.forms import commit_or_show_errors, form_status
from cafpedia.core.permissions import can_link_research, ensure, requires
from cafpedia.digest import composing as digest_composing
from cafpedia.digest import reading as digest_reading
from cafpedia.digest import suggestions as digest_suggestions
from cafpedia.digest.forms import (
    DecisionForm,
    LinkResearchForm,
    SuggestionForm,
)
from cafpedia.digest.models import SUGGESTION_STATUSES
from cafpedia.digest.pages import bp, is_composer
from cafpedia.extensions import db
from cafpedia.tips.reading import find_tip


@bp.route("/digest/suggestions", methods=["GET", "POST"])
@requires("suggest_research")
def suggestions():
    form = SuggestionForm()
    if form.validate_on_submit():
        made = commit_or_show_errors(
            form,
            lambda: digest_suggestions.suggest(
                current_user, form.topic.data, form.details.data or "", confirm_safe=bool(form.confirm_safe.data)
            ),
        )
        if made:
            flash("Thank you: the research coordinator will read your suggestion and reply here.", "success")
            return redirect(url_for("digest.suggestions"))
    everyone = digest_suggestions.all_suggestions(current_user) if is_composer() else []
    return render_template(
        "digest/suggestions.html",
        form=form,
        mine=digest_suggestions.suggestions_by(current_user),
        everyone=everyone,
        labels=SUGGESTION_STATUSES,
        decision_form=DecisionForm(formdata=None),
    ), form_status(form)


@bp.route("/digest/suggestions/<int:suggestion_id>", methods=["GET", "POST"])
@requires("compose_digest")
def decide(suggestion_id: int):
    try:
        suggestion = digest_suggestions.get_suggestion(suggestion_id)
    except NotFound:
        abort(404)
    form = DecisionForm()
    if form.validate_on_submit():
        done = commit_or_show_errors(
            form,
            lambda: digest_suggestions.decide_suggestion(
                current_user, suggestion, form.status.data, form.reply.data, confirm_safe=bool(form.confirm_safe.data)
            ),
        )
        if done:
            flash("Your reply was saved; the person who suggested it sees it under their suggestions.", "success")
            return redirect(url_for("digest.suggestions"))
    return render_template(
        "digest/decide.html", form=form, suggestion=suggestion, labels=SUGGESTION_STATUSES
    ), form_status(form)


@bp.route("/tips/<slug>/research", methods=["GET", "POST"])
@requires("moderate")
def tip_research(slug: str):

    tip = find_tip(slug) or abort(404)
    ensure(can_link_research(current_user, tip))
    form = LinkResearchForm()
    if form.validate_on_submit():
        chosen = digest_reading.find_item_by_ref(form.item.data)
        if chosen is None:
            form.item.errors = [*form.item.errors, "Choose a published digest item from the list."]
        else:
            try:
                if request.form.get("action") == "remove":
                    digest_composing.unlink_tip(current_user, tip, chosen)
                else:
                    digest_composing.link_tip(current_user, tip, chosen)
                db.session.commit()
            except NotAllowed:
                db.session.rollback()
                abort(403)
            flash("The research behind this tip was updated.", "success")
            return redirect(url_for("digest.tip_research", slug=tip.slug))
    linked = digest_reading.research_for_tip(tip)
    available = [i for i in digest_reading.published_items() if i not in linked]
    return render_template(
        "digest/tip_research.html",
        tip=tip,
        form=form,
        linked=linked,
        available=available,
        remove_form=LinkResearchForm(formdata=None),
    ), form_status(form)
