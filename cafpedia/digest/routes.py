"""Research digest pages: reading and the archive, the Atom feed, composing and publishing,
suggestions from readers, and the research behind tips."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from cafpedia.areas.services import area_choices
from cafpedia.core import as_at as dates
from cafpedia.core.clock import format_date, utcnow
from cafpedia.core.errors import NotAllowed, NotFound, ServiceError
from cafpedia.core.forms import commit_or_show_errors, confirmed, form_status
from cafpedia.core.permissions import can_compose_digest, can_link_research, ensure, requires
from cafpedia.core.urls import absolute_url
from cafpedia.digest import composing as digest_composing
from cafpedia.digest import drafts as digest_drafts
from cafpedia.digest import reading as digest_reading
from cafpedia.digest import suggestions as digest_suggestions
from cafpedia.digest.as_at import item_as_at
from cafpedia.digest.forms import ConfirmForm, DecisionForm, IssueForm, ItemForm, LinkResearchForm, SuggestionForm
from cafpedia.digest.models import SUGGESTION_STATUSES
from cafpedia.extensions import db
from cafpedia.notifications.services import audience
from cafpedia.tips.proposals import normalise_tag, split_list
from cafpedia.tips.reading import find_tip

bp = Blueprint("digest", __name__, template_folder="templates")


def _issue(slug: str):
    try:
        return digest_reading.get_issue(current_user, slug)
    except NotFound:
        abort(404)


def _item(issue_slug: str, item_slug: str):
    try:
        return digest_reading.get_item(current_user, issue_slug, item_slug)
    except NotFound:
        abort(404)


def _composer() -> bool:
    return can_compose_digest(current_user)


# --- Reading ----------------------------------------------------------------------------------


@bp.get("/digest")
@requires("read_published")
def home():
    return render_template(
        "digest/home.html",
        issue=digest_reading.latest_issue(),
        drafts=digest_reading.draft_issues(current_user),
        composer=_composer(),
        open_suggestions=digest_suggestions.open_suggestion_count() if _composer() else 0,
    )


@bp.get("/digest/archive")
@requires("read_published")
def archive():
    return render_template("digest/archive.html", years=digest_reading.issues_by_year())


@bp.get("/digest/feed.atom")
@requires("read_published")
def feed():
    issues = digest_reading.published_issues()[:20]
    items = digest_reading.published_items(limit=60)
    entries = sorted(
        [("issue", i, i.published_at or i.updated_at) for i in issues]
        + [("item", i, i.corrected_at or i.issue.published_at or i.updated_at) for i in items],
        key=lambda e: e[2],
        reverse=True,
    )
    updated = max((e[2] for e in entries), default=None) or utcnow()
    response = make_response(render_template("digest/feed.atom.xml", entries=entries, updated=updated))
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    return response


@bp.get("/digest/<issue_slug>/print.css")
@requires("read_published")
def print_styles(issue_slug: str):
    """The issue's name, date, address and page numbers in the margins of every printed page."""
    found = _issue(issue_slug)
    response = make_response(
        render_template(
            "digest/print.css",
            issue=found,
            heading=f"Research digest · Issue {found.number}: {found.title}",
            date=f"Published {format_date(found.published_on)}" if found.published_on else "Draft: not yet published",
            address=absolute_url("digest.issue", issue_slug=found.slug),
        )
    )
    response.headers["Content-Type"] = "text/css; charset=utf-8"
    return response


@bp.get("/digest/<issue_slug>")
@requires("read_published")
def issue(issue_slug: str):
    found = _issue(issue_slug)
    as_reader = request.args.get("view") == "reader"  # the coordinator's preview, without the controls
    return render_template(
        "digest/issue.html",
        issue=found,
        composer=_composer() and not as_reader,
        confirm_form=ConfirmForm(),
        preview=found.is_draft,
        as_reader=as_reader,
    )


@bp.get("/digest/<issue_slug>/<item_slug>")
@requires("read_published")
def item(issue_slug: str, item_slug: str):
    found = _item(issue_slug, item_slug)
    if "as_at" in request.args:
        day, refused = dates.requested_day("digest/as_at.html", item=found, issue=found.issue)
        return refused or render_template(
            "digest/as_at.html",
            item=found,
            issue=found.issue,
            then=item_as_at(found, day),
            problem=None,
            value=day.isoformat(),
        )
    return render_template(
        "digest/item.html",
        item=found,
        issue=found.issue,
        tips=digest_reading.tips_for_item(found),
        composer=_composer(),
    )


# --- Composing ---------------------------------------------------------------------------------


@bp.route("/digest/new", methods=["GET", "POST"])
@requires("compose_digest")
def new_issue():
    form = IssueForm()
    if form.validate_on_submit():
        created = commit_or_show_errors(form, lambda: digest_composing.create_issue(current_user, _issue_draft(form)))
        if created:
            flash(f"Draft issue {created.number} created. Add its items, preview it, then publish it.", "success")
            return redirect(url_for("digest.issue", issue_slug=created.slug))
    return render_template("digest/issue_form.html", form=form, issue=None), form_status(form)


def _issue_draft(form: IssueForm) -> digest_drafts.IssueDraft:
    return digest_drafts.IssueDraft(
        number=form.number.data,
        quarter=form.quarter.data or "",
        title=form.title.data or "",
        introduction=form.introduction.data or "",
    )


@bp.route("/digest/<issue_slug>/edit", methods=["GET", "POST"])
@requires("compose_digest")
def edit_issue(issue_slug: str):
    found = _issue(issue_slug)
    if not found.is_draft:
        flash(
            "This issue is published: its number, quarter, title and introduction stay as published. Correct its items "
            "instead.",
            "error",
        )
        return redirect(url_for("digest.issue", issue_slug=found.slug))
    form = IssueForm(obj=found if request.method == "GET" else None)
    if form.validate_on_submit():
        updated = commit_or_show_errors(
            form, lambda: digest_composing.update_issue(current_user, found, _issue_draft(form))
        )
        if updated:
            flash("Issue details saved.", "success")
            return redirect(url_for("digest.issue", issue_slug=updated.slug))
        db.session.refresh(found)
    return render_template("digest/issue_form.html", form=form, issue=found), form_status(form)


def _button(call, *, refused: str = ""):
    """A confirm button's action (CSRF only): run the service call as the request's one
    transaction; on refusal roll back and flash why. Returns the call's result, or None."""
    if not ConfirmForm().validate_on_submit():
        return None
    try:
        result = call()
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        flash(f"{refused}{exc.plainly()}", "error")
        return None
    return result if result is not None else True


@bp.post("/digest/<issue_slug>/delete")
@requires("compose_digest")
def delete_issue(issue_slug: str):
    found = _issue(issue_slug)
    if _button(lambda: digest_composing.delete_draft(current_user, found)):
        flash("The draft issue was deleted.", "success")
        return redirect(url_for("digest.home"))
    return redirect(url_for("digest.issue", issue_slug=found.slug))


def _item_draft(form: ItemForm) -> digest_drafts.ItemDraft:

    return digest_drafts.ItemDraft(
        title=form.title.data or "",
        source=form.source.data or "",
        summary=form.summary.data or "",
        implications=form.implications.data or "",
        authors=[a.strip() for a in (form.authors.data or "").split(";") if a.strip()],
        year=form.year.data,
        url=(form.url.data or "").strip() or None,
        areas=list(form.areas.data or []),
        tags=[normalise_tag(t) for t in split_list(form.tags.data)],
    )


def _fill_item_form(form: ItemForm, found) -> None:
    form.title.data, form.source.data, form.summary.data = found.title, found.source, found.summary
    form.implications.data, form.year.data, form.url.data = found.implications, found.year, found.url or ""
    form.authors.data = "; ".join(found.authors)
    form.areas.data = found.area_slugs
    form.tags.data = ", ".join(found.tags)


@bp.route("/digest/<issue_slug>/items/new", methods=["GET", "POST"])
@requires("compose_digest")
def new_item(issue_slug: str):
    found = _issue(issue_slug)
    if not found.is_draft:
        flash("This issue is published: items can no longer be added.", "error")
        return redirect(url_for("digest.issue", issue_slug=found.slug))
    form = ItemForm()
    form.areas.choices = area_choices()
    if form.validate_on_submit():
        created = commit_or_show_errors(form, lambda: digest_composing.add_item(current_user, found, _item_draft(form)))
        if created:
            flash(f"Item added: {created.title}.", "success")
            return redirect(url_for("digest.issue", issue_slug=found.slug) + f"#item-{created.slug}")
    return render_template("digest/item_form.html", form=form, issue=found, item=None), form_status(form)


@bp.route("/digest/<issue_slug>/<item_slug>/edit", methods=["GET", "POST"])
@requires("compose_digest")
def edit_item(issue_slug: str, item_slug: str):
    found = _item(issue_slug, item_slug)
    form = ItemForm()
    form.areas.choices = area_choices()
    if request.method == "GET":
        _fill_item_form(form, found)
    if form.validate_on_submit():
        updated = commit_or_show_errors(
            form,
            lambda: digest_composing.update_item(current_user, found, _item_draft(form), reason=form.reason.data or ""),
        )
        if updated:
            flash(
                "Correction published: readers see the note and the earlier text stays in the history."
                if not found.issue.is_draft
                else "Item saved.",
                "success",
            )
            return redirect(url_for("digest.item", issue_slug=issue_slug, item_slug=found.slug))
    return render_template("digest/item_form.html", form=form, issue=found.issue, item=found), form_status(form)


@bp.post("/digest/<issue_slug>/<item_slug>/move")
@requires("compose_digest")
def move_item(issue_slug: str, item_slug: str):
    found = _item(issue_slug, item_slug)
    _button(lambda: digest_composing.move_item(current_user, found, -1 if request.form.get("direction") == "up" else 1))
    return redirect(url_for("digest.issue", issue_slug=issue_slug) + f"#item-{item_slug}")


@bp.post("/digest/<issue_slug>/<item_slug>/remove")
@requires("compose_digest")
def remove_item(issue_slug: str, item_slug: str):
    found = _item(issue_slug, item_slug)
    if _button(lambda: digest_composing.remove_item(current_user, found)):
        flash("Item removed from the draft.", "success")
    return redirect(url_for("digest.issue", issue_slug=issue_slug))


@bp.get("/digest/<issue_slug>/publish")
@requires("compose_digest")
def confirm_publish(issue_slug: str):
    """Publishing asks first: the issue as readers will see it, and who will be told."""
    found = _issue(issue_slug)
    try:
        digest_composing.check_publishable(found)
    except ServiceError as exc:
        flash(f"Not published: {exc.plainly()}", "error")
        return redirect(url_for("digest.issue", issue_slug=issue_slug))
    told, emailed = audience("digest", except_user_id=current_user.id)
    return render_template("digest/confirm_publish.html", issue=found, told=told, emailed=emailed)


@bp.post("/digest/<issue_slug>/publish")
@requires("compose_digest")
def publish(issue_slug: str):
    found = _issue(issue_slug)
    if not confirmed(request.form):  # a publish button that skipped the confirmation page
        return redirect(url_for("digest.confirm_publish", issue_slug=issue_slug))
    told = _button(lambda: digest_composing.publish(current_user, found), refused="Not published: ")
    if told is not None:
        flash(f"{found.title} is published. {told} people were notified.", "success")
    return redirect(url_for("digest.issue", issue_slug=issue_slug))


# --- Suggestions -----------------------------------------------------------------------------------


@bp.route("/digest/suggestions", methods=["GET", "POST"])
@requires("suggest_research")
def suggestions():
    form = SuggestionForm()
    if form.validate_on_submit():
        made = commit_or_show_errors(
            form, lambda: digest_suggestions.suggest(current_user, form.topic.data, form.details.data or "")
        )
        if made:
            flash("Thank you: the research coordinator will read your suggestion and reply here.", "success")
            return redirect(url_for("digest.suggestions"))
    everyone = digest_suggestions.all_suggestions(current_user) if _composer() else []
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
            lambda: digest_suggestions.decide_suggestion(current_user, suggestion, form.status.data, form.reply.data),
        )
        if done:
            flash("Your reply was saved; the person who suggested it sees it under their suggestions.", "success")
            return redirect(url_for("digest.suggestions"))
    return render_template(
        "digest/decide.html", form=form, suggestion=suggestion, labels=SUGGESTION_STATUSES
    ), form_status(form)


# --- The research behind a tip ----------------------------------------------------------------------


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
