"""Signing in and out, one's own account, and the administrators' people pages.

The blueprint and what the pages share are in `accounts.pages`; the pages are in two
modules by use (`sign_in_routes`, `people_routes`). Importing them here attaches their
pages to the blueprint, so the app registers `routes.bp`."""

from cafpedia.accounts import people_routes, sign_in_routes
from cafpedia.accounts.pages import bp

__all__ = ["bp", "people_routes", "sign_in_routes"]
