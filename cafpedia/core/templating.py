"""What every template can use: permission checks, dates, Markdown."""

from __future__ import annotations

from collections.abc import Callable, Hashable

from flask import Flask, current_app, has_request_context, render_template, request
from markupsafe import Markup, escape

from cafpedia.core import clock
from cafpedia.core.case_details import case_details_in
from cafpedia.core.clock import format_date, format_datetime, utcnow
from cafpedia.core.content_version import Kept
from cafpedia.core.markdown import plain_text, render_markdown
from cafpedia.core.permissions import ROLE_LABELS, allowed, can_moderate
from cafpedia.core.text import css_string
from cafpedia.core.urls import absolute_url


def audit_value(value) -> str:
    """A value from an audit entry, as a person reads it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {audit_value(v)}" for k, v in value.items())
    return str(value) if value != "" else "(empty)"


def markdown_with_links(source: str | None):
    """The `markdown` filter: the one renderer, with [[links]] resolved by the tips package."""
    return render_markdown(source, resolve_link=current_app.extensions.get("cafpedia_link_resolver"))


def age(value) -> str:
    """How long ago, in words: "3 days", "5 hours"."""

    seconds = max((utcnow() - value).total_seconds(), 0)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return "less than a minute"


FRAGMENTS = "cafpedia_fragments"
FRAGMENTS_KEPT = 512
HOLE = "kept-hole-{}"  # a stand-in that HTML escaping leaves as it is


def _kept(name: str, limit: int) -> Kept:
    """This app's store `name`: content_version's `Kept`, used at one version that never moves,
    for what holds no content (markup, addresses) and so is kept for the life of the process."""
    store = current_app.extensions.get(name)
    if store is None:
        store = current_app.extensions.setdefault(name, Kept(limit))
    return store


def kept_markup(name: Hashable, draw: Callable[[dict[str, str]], str], **holes: str) -> Markup:
    """Markup that is a function of `name` alone, but for its `holes` (values that change on
    every request: a CSRF token, a one-time form key), drawn once per process: `draw(stand_ins)`
    renders it with a stand-in for each hole, and each request gets it with its own values put
    in (escaped). Only for markup that holds nothing from the database and nothing of the
    person's but the holes."""
    found = _kept(FRAGMENTS, FRAGMENTS_KEPT).get(
        (request.script_root, name), 0, lambda: str(draw({hole: HOLE.format(hole) for hole in holes}))
    )
    for hole, value in holes.items():
        found = found.replace(HOLE.format(hole), str(escape(value)))
    return Markup(found)


def fragment(template: str, **args) -> Markup:
    """`template` rendered with `args` only, kept by them for the life of the process: for markup
    that is a function of its arguments and the app's addresses, such as the main navigation,
    drawn on every page (its two dozen `url_for`s and permission checks were a tenth of a
    signed-in page's time). The template must use nothing else: not `current_user`, not the
    request, not content from the database. The arguments must be hashable."""
    return kept_markup((template, tuple(sorted(args.items()))), lambda _: render_template(template, **args))


URLS = "cafpedia_urls"
URLS_KEPT = 8192


def kept_url_for(endpoint: str, **values) -> str:
    """Templates' `url_for`: an address is a function of the endpoint, its values and where the
    app is mounted, so each is built once per process and kept (a tip page asked for two dozen,
    a twentieth of its time). External addresses, anchors, methods and schemes, values that
    cannot be a key (a list) and calls outside a request go to Flask's own, every time."""
    if not has_request_context() or any(name[:1] == "_" for name in values):
        return current_app.url_for(endpoint, **values)
    try:
        key = (
            request.script_root,
            endpoint,
            request.blueprint if endpoint[:1] == "." else None,
            frozenset(values.items()),  # a value that cannot be a key (a list) raises here
        )
    except TypeError:
        return current_app.url_for(endpoint, **values)
    app = current_app._get_current_object()
    return _kept(URLS, URLS_KEPT).get(key, 0, lambda: app.url_for(endpoint, **values))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        url_for=kept_url_for,
        fragment=fragment,
        today=clock.today,
        can=allowed,
        can_moderate=can_moderate,
        role_labels=ROLE_LABELS,
        absolute_url=absolute_url,
        case_details_in=case_details_in,
    )
    app.jinja_env.filters.update(
        markdown=markdown_with_links,
        plain=plain_text,
        datetime=format_datetime,
        date=format_date,
        role=lambda role: ROLE_LABELS.get(role, role),
        audit_value=audit_value,
        age=age,
        css_string=css_string,
        atom_date=lambda value: value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else "",
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
