"""Reading the research digest: its home, every issue, the Atom feed, an issue (and its print
stylesheet) and an item."""

from __future__ import annotations

from flask import make_response, render_template, request
from flask_login import current_user

from cafpedia.core import as_at as dates
from cafpedia.core.clock import format_date, utcnow
from cafpedia.core.permissions import requires
from cafpedia.core.urls import absolute_url
from cafpedia.digest import reading as digest_reading
from cafpedia.digest import suggestions as digest_suggestions
from cafpedia.digest.as_at import item_as_at
from cafpedia.digest.forms import (
    ConfirmForm,
)
from cafpedia.digest.pages import bp, is_composer, load_issue, load_item


@bp.get("/digest")
@requires("read_published")
def home():
    return render_template(
        "digest/home.html",
        issue=digest_reading.latest_issue(),
        drafts=digest_reading.draft_issues(current_user),
        composer=is_composer(),
        open_suggestions=digest_suggestions.open_suggestion_count() if is_composer() else 0,
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
    found = load_issue(issue_slug)
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
    found = load_issue(issue_slug)
    as_reader = request.args.get("view") == "reader"  # the coordinator's preview, without the controls
    return render_template(
        "digest/issue.html",
        issue=found,
        composer=is_composer() and not as_reader,
        confirm_form=ConfirmForm(),
        preview=found.is_draft,
        as_reader=as_reader,
    )


@bp.get("/digest/<issue_slug>/<item_slug>")
@requires("read_published")
def item(issue_slug: str, item_slug: str):
    found = load_item(issue_slug, item_slug)
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
        composer=is_composer(),
    )
