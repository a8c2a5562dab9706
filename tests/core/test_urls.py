"""Paths built from routes, for links that are stored or mailed (cafpedia/core/urls.py)."""

from __future__ import annotations

import pytest
from werkzeug.routing import BuildError

from cafpedia.core.urls import path_for


def test_a_path_is_built_from_its_route_outside_a_request(app):
    """The worker's jobs (review reminders, daily summaries) run with no request: the links
    they store and mail still come from the routes, so a renamed route changes them too."""
    with app.app_context():
        assert path_for("tips.show", slug="seeing-children") == "/tips/seeing-children"
        assert path_for("tips.show", slug="a", _anchor="what-readers-said") == "/tips/a#what-readers-said"
        assert path_for("tips.edit", slug="a", revises=3) == "/tips/a/edit?revises=3"
        assert path_for("digest.item", issue_slug="2026-q3", item_slug="x") == "/digest/2026-q3/x"
        with pytest.raises(BuildError):
            path_for("tips.no_such_page")


def test_a_path_is_the_same_in_a_request(app):
    with app.test_request_context("/anything"):
        assert path_for("legal.show", slug="2026-01-02-x") == "/legal/2026-01-02-x"
