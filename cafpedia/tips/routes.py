"""Tip pages: reading, proposing, moderating, history, reviews and archiving.

The blueprint and what its pages share are in `tips.pages`; the pages themselves are in
three modules by use (`reading_routes`, `proposal_routes`, `moderation_routes`). Importing
them here attaches their pages to the blueprint, so the app registers `routes.bp`. The pages
on it that show other domains too (the tip itself, with its research and legal updates; a new
tip from an advice-line call; the reviews dashboard; an area's changes) are cafpedia.composed's,
which create_app imports before it registers the blueprint."""

from cafpedia.tips import moderation_routes, proposal_routes, reading_routes
from cafpedia.tips.pages import bp, init_app

__all__ = ["bp", "init_app", "moderation_routes", "proposal_routes", "reading_routes"]
