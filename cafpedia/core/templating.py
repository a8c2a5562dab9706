"""What every template can use: permission checks, dates, Markdown."""
from __future__ import annotations

from flask import Flask

from cafpedia.core.clock import format_date, format_datetime
from cafpedia.core.markdown import plain_text, render_markdown
from cafpedia.core.permissions import ROLE_LABELS, allowed, can_moderate


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(can=allowed, can_moderate=can_moderate, role_labels=ROLE_LABELS)
    app.jinja_env.filters.update(
        markdown=render_markdown,
        plain=plain_text,
        datetime=format_datetime,
        date=format_date,
        role=lambda role: ROLE_LABELS.get(role, role),
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
