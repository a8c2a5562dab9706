"""Composing the research digest: starting and editing a draft issue, correcting a published
issue's introduction, deleting a draft, adding, editing (or correcting), moving and removing
items, and publishing."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from cafpedia.areas.services import area_choices
from cafpedia.core import events
from cafpedia.core.errors import ServiceError
from cafpedia.core.forms import commit_or_show_errors, confirmed, form_status
from cafpedia.core.permissions import requires
from cafpedia.core.text import normalise_tag, split_on_commas_or_lines
from cafpedia.digest import composing as digest_composing
from cafpedia.digest import drafts as digest_drafts
from cafpedia.digest.forms import (
    IntroductionForm,
    IssueForm,
    ItemForm,
)
from cafpedia.digest.pages import bp, button_action_of, load_issue, load_item
from cafpedia.extensions import db


@bp.route("/digest/new", methods=["GET", "POST"])
@requires("compose_digest")
def new_issue():
    form = IssueForm()
    if form.validate_on_submit():
        created = commit_or_show_errors(
            form,
            lambda: digest_composing.create_issue(current_user, _issue_draft(form)),
            shown_at=lambda issue: url_for("digest.issue", issue_slug=issue.slug),
        )
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
        confirm_safe=bool(form.confirm_safe.data),
    )


@bp.route("/digest/<issue_slug>/edit", methods=["GET", "POST"])
@requires("compose_digest")
def edit_issue(issue_slug: str):
    found = load_issue(issue_slug)
    if not found.is_draft:
        flash(
            "This issue is published: its number, quarter and title stay as published. Correct its introduction or "
            "its items instead.",
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


@bp.route("/digest/<issue_slug>/introduction", methods=["GET", "POST"])
@requires("compose_digest")
def correct_introduction(issue_slug: str):
    """A published issue's introduction, corrected with a reason that readers see."""
    found = load_issue(issue_slug)
    if found.is_draft:
        return redirect(url_for("digest.edit_issue", issue_slug=found.slug))
    form = IntroductionForm(data={"introduction": found.introduction} if request.method == "GET" else None)
    if form.validate_on_submit():
        corrected = commit_or_show_errors(
            form,
            lambda: digest_composing.correct_introduction(
                current_user,
                found,
                form.introduction.data or "",
                form.reason.data or "",
                confirm_safe=bool(form.confirm_safe.data),
            ),
        )
        if corrected:
            flash(
                "The introduction is corrected. Readers see the reason, and the earlier text in its history.", "success"
            )
            return redirect(url_for("digest.issue", issue_slug=found.slug) + "#introduction")
        db.session.refresh(found)
    return render_template("digest/introduction_form.html", form=form, issue=found), form_status(form)


@bp.post("/digest/<issue_slug>/delete")
@requires("compose_digest")
def delete_issue(issue_slug: str):
    found = load_issue(issue_slug)
    if button_action_of(lambda: digest_composing.delete_draft(current_user, found)):
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
        tags=[normalise_tag(t) for t in split_on_commas_or_lines(form.tags.data)],
        confirm_safe=bool(form.confirm_safe.data),
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
    found = load_issue(issue_slug)
    if not found.is_draft:
        flash("This issue is published: items can no longer be added.", "error")
        return redirect(url_for("digest.issue", issue_slug=found.slug))
    form = ItemForm()
    form.areas.choices = area_choices()
    if form.validate_on_submit():
        created = commit_or_show_errors(
            form,
            lambda: digest_composing.add_item(current_user, found, _item_draft(form)),
            shown_at=lambda item: url_for("digest.issue", issue_slug=found.slug) + f"#item-{item.slug}",
        )
        if created:
            flash(f"Item added: {created.title}.", "success")
            return redirect(url_for("digest.issue", issue_slug=found.slug) + f"#item-{created.slug}")
    return render_template("digest/item_form.html", form=form, issue=found, item=None), form_status(form)


@bp.route("/digest/<issue_slug>/<item_slug>/edit", methods=["GET", "POST"])
@requires("compose_digest")
def edit_item(issue_slug: str, item_slug: str):
    found = load_item(issue_slug, item_slug)
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
    found = load_item(issue_slug, item_slug)
    button_action_of(
        lambda: digest_composing.move_item(current_user, found, -1 if request.form.get("direction") == "up" else 1)
    )
    return redirect(url_for("digest.issue", issue_slug=issue_slug) + f"#item-{item_slug}")


@bp.post("/digest/<issue_slug>/<item_slug>/remove")
@requires("compose_digest")
def remove_item(issue_slug: str, item_slug: str):
    found = load_item(issue_slug, item_slug)
    if button_action_of(lambda: digest_composing.remove_item(current_user, found)):
        flash("Item removed from the draft.", "success")
    return redirect(url_for("digest.issue", issue_slug=issue_slug))


@bp.get("/digest/<issue_slug>/publish")
@requires("compose_digest")
def confirm_publish(issue_slug: str):
    """Publishing asks first: the issue as readers will see it, and who will be told."""
    found = load_issue(issue_slug)
    try:
        digest_composing.check_publishable(found)
    except ServiceError as exc:
        flash(f"Not published: {exc.plainly()}", "error")
        return redirect(url_for("digest.issue", issue_slug=issue_slug))
    told, emailed = events.would_be_told("digest", except_user_id=current_user.id)
    return render_template("digest/confirm_publish.html", issue=found, told=told, emailed=emailed)


@bp.post("/digest/<issue_slug>/publish")
@requires("compose_digest")
def publish(issue_slug: str):
    found = load_issue(issue_slug)
    if not confirmed(request.form):  # a publish button that skipped the confirmation page
        return redirect(url_for("digest.confirm_publish", issue_slug=issue_slug))
    told = button_action_of(lambda: digest_composing.publish(current_user, found), refused="Not published: ")
    if told is not None:
        flash(f"{found.title} is published. {told} people were notified.", "success")
    return redirect(url_for("digest.issue", issue_slug=issue_slug))
