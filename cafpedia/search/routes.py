"""The search page, its JSON twin, and the OpenSearch description for browsers."""

from __future__ import annotations

import re
from functools import partial
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import TextAreaField
from wtforms.validators import Length

from cafpedia.core.error_pages import render_error
from cafpedia.core.forms import commit_or_show_errors, form_status
from cafpedia.core.permissions import requires
from cafpedia.core.urls import absolute_url
from cafpedia.search import service
from cafpedia.search.demand import recording as demand
from cafpedia.search.documents import KIND_LABELS
from cafpedia.search.synonyms import current_text, parse_groups, save

bp = Blueprint("search", __name__, template_folder="templates")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,32}$")
MAX_PATH = 2000


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
    token = _note(found)
    response = make_response(
        render_template(
            "search/results.html",
            found=found,
            query=request.args.get("q", "")[:500],
            kind_labels=KIND_LABELS,
            area_titles=areas,
            base_args=base_args,
            snippet=Markup,
            # each result link goes through /search/go, which marks the search opened (built once)
            go_link=url_for("search.go", t=token) + "&to=" if token else None,
        ),
        503 if found.problem else 200,
    )
    if token:
        response.call_on_close(partial(demand.flush, current_app._get_current_object()))
    return response


def _note(found) -> str | None:
    """Note a search for the areas' "What people need" lists (search.demand): the first page of
    a signed-in reader's search, not one asked for "as typed" (a second look at the same
    search). The token its result links carry, or None."""
    if (
        found.problem
        or found.results is None
        or not found.query.parts
        or found.page != 1
        or request.args.get("as_typed") == "1"
        or not getattr(current_user, "is_authenticated", False)
    ):
        return None
    total = found.total
    return demand.note_search(
        current_user,
        request.args.get("q", "")[:500],
        found.query.filters,
        0 if found.relaxed_from or not total else total,  # nothing matched the words in full
        found.results.facets.get("area"),
        results_total=total,
    )


def local_path(to: str) -> bool:
    """A path on this site ("/tips/x"), not an address elsewhere ("//evil.example", "https://...")."""
    if not to.startswith("/") or to.startswith("//") or "\\" in to or len(to) > MAX_PATH:
        return False
    parts = urlsplit(to)
    return not parts.scheme and not parts.netloc


@bp.get("/search/go")
@requires("read_published")
def go():
    """A search result opened: marks the search (by its token) as having led somewhere, then
    goes on to the result."""
    to = request.args.get("to", "")
    if not local_path(to):
        return render_error(
            400,
            "That link does not lead to a page of CAFpedia",
            "A search result opens a page of CAFpedia only. Go back to the search and choose a result.",
        )
    token = request.args.get("t", "")
    if TOKEN_RE.match(token):
        demand.mark_opened(token)
    return redirect(to, 302)


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
