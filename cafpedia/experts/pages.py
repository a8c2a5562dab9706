"""The register's blueprint and what its pages share: an entry this person may see, and a list
typed with commas."""

from __future__ import annotations

from flask import Blueprint, abort

from cafpedia.core.errors import NotFound
from cafpedia.experts import lookups

bp = Blueprint("experts", __name__, template_folder="templates")


def load_expert(slug: str):
    try:
        return lookups.get_expert(slug)
    except NotFound:
        abort(404)
