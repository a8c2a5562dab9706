"""The search page, its JSON twin, and the OpenSearch description for browsers."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import TextAreaField
from wtforms.validators import Length

from cafpedia.core.forms import commit_or_show_errors, form_status
from cafpedia.core.permissions import requires
from cafpedia.core.urls import absolute_url
from cafpedia.search import service
from cafpedia.search.documents import KIND_LABELS
from cafpedia.search.synonyms import current_text, parse_groups, save

bp = Blueprint("search", __name__, template_folder="templates")


def _page_arg() -> int:
    try:
        return int(request.args.get("page", "1"))
    except ValueError:
        return 1


def _run():
    filters = {name: request.args.get(name, "") for name in ("kind", "area") if request.args.get(name)}
    return service.search(
        current_user,
        request.args.get("q", ""),
        filters=filters,
        page=_page_arg(),
        include_archived=request.args.get("archived") == "1",
        as_typed=request.args.get("as_typed") == "1",
    )


@bp.get("/search")
@requires("read_published")
def results():
    found = _run()
    areas = service.areas().area_titles()
    base_args = {k: v for k, v in request.args.items() if k in ("q", "kind", "area", "archived", "as_typed") and v}
    return render_template(
        "search/results.html",
        found=found,
        query=request.args.get("q", "")[:500],
        kind_labels=KIND_LABELS,
        area_titles=areas,
        base_args=base_args,
        snippet=Markup,
    ), 503 if found.problem else 200


@bp.get("/api/search")
@requires("read_published")
def api():
    found = _run()
    if found.problem:
        return {"error": f"Search is unavailable: {found.problem}."}, 503
    hits = found.results.hits if found.results else []
    return {
        "query": found.query.text,
        # When nothing matched the query as typed: what the results are for instead, corrected
        # (corrected_from: the query as typed) or relaxed (relaxed_from: the query not matched in full).
        "showing_results_for": found.showing,
        "corrected_from": found.corrected_from,
        "relaxed_from": found.relaxed_from,
        "total": found.total,
        "total_exact": found.results.total_exact if found.results else True,  # false: more than "total"
        "page": found.page,
        "pages": found.pages,
        "results": [
            {
                "kind": h.kind,
                "title": h.title,
                "url": h.url,
                "snippet": h.snippet,
                "area": h.area or None,
                "status": h.status,
                "updated_at": h.updated_at.isoformat() + "Z" if h.updated_at else None,
            }
            for h in hits
        ],
        "facets": found.results.facets if found.results else {"kind": {}, "area": {}},
        "suggestion": found.rewrite.plan.text() if found.corrected_from else None,
    }


@bp.get("/opensearch.xml")
@requires("read_published")
def opensearch():
    xml = render_template("search/opensearch.xml", search_url=absolute_url("search.results"))
    return Response(xml, mimetype="application/opensearchdescription+xml")


class SynonymsForm(FlaskForm):
    text = TextAreaField(
        "Synonym groups, one a line", validators=[Length(max=200_000, message="The list is too long.")]
    )


@bp.route("/search/synonyms", methods=["GET", "POST"])
@requires("edit_synonyms")
def synonyms():
    """The words practitioners use for the same thing: lead managers and administrators keep the list."""
    text, saved = current_text()
    form = SynonymsForm(data={"text": text})
    if form.validate_on_submit() and commit_or_show_errors(form, lambda: save(current_user, form.text.data or "")):
        flash("The synonym list is saved. Search uses it from the next search on.", "success")
        return redirect(url_for("search.synonyms"))
    return render_template(
        "search/synonyms.html", form=form, saved=saved, groups=len(parse_groups(form.text.data or "")[0])
    ), form_status(form)
