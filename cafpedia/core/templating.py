"""What every template can use: permission checks, dates, Markdown."""

from __future__ import annotations

from flask import Flask, current_app

from cafpedia.core import clock
from cafpedia.core.case_details import case_details_in
from cafpedia.core.clock import format_date, format_datetime, utcnow
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


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
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
