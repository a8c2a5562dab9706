"""Addresses: bounded numbers in routes, and absolute URLs that never trust the Host header."""
from __future__ import annotations

from flask import current_app, url_for
from werkzeug.routing import IntegerConverter

INT_MAX = 2**31 - 1  # PostgreSQL's integer: a larger id is "no such page", not a database error


class BoundedInt(IntegerConverter):
    """`<int:...>` in every route: from 0 to INT_MAX unless the route says otherwise."""

    def __init__(self, map, fixed_digits=0, min=0, max=INT_MAX, signed=False):  # noqa: A002 (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def absolute_url(endpoint: str, **values) -> str:
    """An address for outside CAFpedia (feeds, OpenSearch, mail), built on CAFPEDIA_BASE_URL:
    a request's Host header could be anything its sender liked."""
    from cafpedia.mail.settings import parse_base_url

    return parse_base_url(current_app.config.get("BASE_URL")) + url_for(endpoint, **values)
