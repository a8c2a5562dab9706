"""Tip pages: reading, proposing, moderating, history, reviews and archiving.

The blueprint and what its pages share are in `tips.pages`; the pages themselves are in
three modules by use (`reading_routes`, `proposal_routes`, `moderation_routes`). Importing
them here attaches their pages to the blueprint, so the app registers `routes.bp`."""

from cafpedia.tips import moderation_routes, proposal_routes, reading_routes
from cafpedia.tips.pages import bp, init_app

__all__ = ["bp", "init_app", "moderation_routes", "proposal_routes", "reading_routes"]
