"""The research digest's pages: reading, composing, readers' suggestions and the research
behind tips.

The blueprint and what the pages share are in `digest.pages`; the pages are in three
modules by use (`reading_routes`, `composing_routes`, `research_routes`). Importing them
here attaches their pages to the blueprint, so the app registers `routes.bp`."""

from cafpedia.digest import composing_routes, reading_routes, research_routes
from cafpedia.digest.pages import bp

__all__ = ["bp", "composing_routes", "reading_routes", "research_routes"]
