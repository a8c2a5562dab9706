"""The Register of Experts and the Practice Advice Line's pages.

The blueprint and what the pages share are in `experts.pages`; the pages are in three
modules by use (`register_routes`, `rota_routes`, `advice_routes`). Importing them here
attaches their pages to the blueprint, so the app registers `routes.bp`."""

from cafpedia.experts import advice_routes, register_routes, rota_routes
from cafpedia.experts.pages import bp

__all__ = ["advice_routes", "bp", "register_routes", "rota_routes"]
