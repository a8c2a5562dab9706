"""Addresses: bounded numbers in routes, absolute URLs that never trust the Host header, and
pages whose address holds a secret."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import current_app, make_response, url_for
from werkzeug.routing import IntegerConverter

INT_MAX = 2**31 - 1  # PostgreSQL's integer: a larger id is "no such page", not a database error


class BoundedInt(IntegerConverter):
    """`<int:...>` in every route: from 0 to INT_MAX unless the route says otherwise."""

    def __init__(self, map, fixed_digits=0, min=0, max=INT_MAX, signed=False):  # noqa: A002 (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def base_url(value: str | None) -> str:
    """CAFPEDIA_BASE_URL: where CAFpedia is reached, without a trailing slash; ValueError if
    it is not an http(s) address with a host and nothing after its path."""
    text = (value or "").strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(
            f"CAFPEDIA_BASE_URL must be the address CAFpedia is reached at, such as https://cafpedia.example.org, not "
            f"{value!r}."
        )
    return text


def absolute_url(endpoint: str, **values) -> str:
    """An address for outside CAFpedia (feeds, OpenSearch, mail), built on CAFPEDIA_BASE_URL:
    a request's Host header could be anything its sender liked."""
    return base_url(current_app.config.get("BASE_URL")) + url_for(endpoint, **values)


def path_for(endpoint: str, _anchor: str | None = None, **values) -> str:
    """A page's path, in a request or out of one (the worker's jobs, commands): for links that
    are stored (notifications) or mailed on CAFPEDIA_BASE_URL. Built from the route, so that a
    renamed route cannot leave a link behind."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return path + (f"#{_anchor}" if _anchor else "")


def holds_a_secret(view):
    """For a page whose address holds a secret (an invitation's token, the identity provider's
    code): no cache keeps the page, no site it links to is told its address, and no log holds
    the token."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    wrapper.holds_a_secret = True  # its address is never logged (cafpedia.core.redaction)
    return wrapper
