"""CAFpedia: the practice knowledge base for CAFCASS.

`create_app()` reads as the table of contents of the application. Its parts are imported
inside the functions that build the app, on purpose: every module imports `cafpedia.config`
or `cafpedia.extensions`, and so this package, which must not import every blueprint and
domain in turn (that would be a circle, and a slow import for a script that needs one model).
The command line is not part of it: `cafpedia` (cafpedia/__main__.py) puts the commands of
cafpedia.cli on the app it builds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from cafpedia.config import build_config, instance_path_from_env


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. `config` overrides defaults and environment (tests pass one)."""
    config = dict(config or {})
    app = Flask(
        __name__,
        instance_path=config.pop("INSTANCE_PATH", None) or instance_path_from_env(),
        instance_relative_config=False,
    )
    app.config.update(build_config(app.instance_path, config))
    configure_extensions(app)
    configure_templates(app)
    register_blueprints(app)
    configure_events(app)
    configure_search(app)
    register_content_sections(app)
    configure_security(app)
    register_error_pages(app)
    return app


def configure_extensions(app: Flask) -> None:
    # Import every model so that metadata (and Alembic's autogenerate) sees all tables.
    from cafpedia import models  # noqa: F401
    from cafpedia.core import connections, content_version, observability
    from cafpedia.extensions import csrf, db, limiter, login_manager

    observability.init_app(app)  # first: its request id and timing wrap everything after
    db.init_app(app)
    content_version.init_app(app)  # commits that change content move the number kept pages stand on
    connections.init_app(app)  # PostgreSQL: a transaction that only read ends with COMMIT; idle connections checked
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    from cafpedia.accounts import oidc

    oidc.init_app(app)  # the identity provider, when CAFPEDIA_OIDC_ISSUER is set
    if app.config["TRUSTED_PROXIES"]:  # the client's address (for limits and logs) from X-Forwarded-For
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)


def configure_templates(app: Flask) -> None:
    from cafpedia.core import templating

    templating.init_app(app)


def register_blueprints(app: Flask) -> None:
    from cafpedia.core.urls import BoundedInt

    app.url_map.converters["int"] = BoundedInt  # before any route: every <int:...> is bounded
    from cafpedia.accounts.routes import bp as accounts_bp
    from cafpedia.admin.routes import bp as admin_bp
    from cafpedia.areas.routes import bp as areas_bp

    # The pages that show several domains at once, on the domains' blueprints (so before these
    # are registered): an area's page, a tip's, the review dashboard, a new tip, a clause's.
    from cafpedia.composed import area_admin, area_page, clause_page, new_tip, reviews, tip_page  # noqa: F401
    from cafpedia.digest.routes import bp as digest_bp
    from cafpedia.experts.routes import bp as experts_bp
    from cafpedia.gaps.routes import bp as gaps_bp
    from cafpedia.home.routes import bp as home_bp
    from cafpedia.legal.routes import bp as legal_bp
    from cafpedia.mail.routes import bp as mail_bp
    from cafpedia.notifications.routes import bp as notifications_bp
    from cafpedia.offline.routes import bp as offline_bp
    from cafpedia.ops.routes import bp as ops_bp
    from cafpedia.search.routes import bp as search_bp
    from cafpedia.standards.routes import bp as standards_bp
    from cafpedia.tips import routes as tips

    for blueprint in (
        home_bp,
        accounts_bp,
        areas_bp,
        standards_bp,
        tips.bp,
        digest_bp,
        legal_bp,
        experts_bp,
        gaps_bp,
        notifications_bp,
        search_bp,
        admin_bp,
        mail_bp,
        offline_bp,
        ops_bp,
    ):
        app.register_blueprint(blueprint)
    tips.init_app(app)
    from cafpedia import composed

    composed.init_app(app)  # the panels beside a tip, for the tips' own pages too
    from cafpedia.notifications import routes as notifications

    notifications.init_app(app)


def configure_events(app: Flask) -> None:
    """Subscribers to the domain events (cafpedia.core.events): who is told what, and the
    legal flags a review clears. Importing them connects them."""
    from cafpedia.gaps import marks  # noqa: F401  (a line closes when the tip written for it is published)
    from cafpedia.legal import citing as legal  # noqa: F401
    from cafpedia.notifications import rules  # noqa: F401


def configure_search(app: Flask) -> None:
    """Search follows the change log into this app's index with the documents of these Sources
    (each domain's search_documents.py; a kind of document left out of the list is an error
    at the next drain, rebuild or check, not a silent gap), and asks the areas domain who
    moderates what, what each area is called, and (for search demand) the areas a reader works
    in and an area's id."""
    from cafpedia.accounts import search_documents as people
    from cafpedia.accounts.people import area_ids_of
    from cafpedia.areas import search_documents as areas
    from cafpedia.areas.services import area_id_of, area_titles, moderated_area_ids
    from cafpedia.digest import search_documents as digest
    from cafpedia.experts import search_documents as experts
    from cafpedia.legal import search_documents as legal_updates
    from cafpedia.search import service as search
    from cafpedia.standards import search_documents as standards
    from cafpedia.tips import search_documents as tips

    search.init_app(
        app,
        sources=[
            areas.SOURCE,
            people.SOURCE,
            digest.SOURCE,
            experts.SOURCE,
            legal_updates.SOURCE,
            standards.SOURCE,
            tips.SOURCE,
        ],
        moderated_area_ids=moderated_area_ids,
        area_titles=area_titles,
        own_area_ids=area_ids_of,
        area_id_of=area_id_of,
    )


def register_content_sections(app: Flask) -> None:
    """The content format's sections (cafpedia.content), in the order a load applies them:
    what others refer to first; the audit trail last, after the accounts it names."""
    from cafpedia.accounts import people
    from cafpedia.accounts.content import UsersSection
    from cafpedia.areas.content import AreasSection
    from cafpedia.content.audit_file import AuditSection
    from cafpedia.content.loader import register_sections
    from cafpedia.digest.content import DigestSection
    from cafpedia.experts.content import ExpertsSection
    from cafpedia.legal.content import LegalSection
    from cafpedia.standards.content import StandardsSection
    from cafpedia.tips.content import TipsSection

    register_sections(
        app,
        [
            StandardsSection(),
            UsersSection(),
            AreasSection(people=people.by_username),
            TipsSection(),
            DigestSection(),
            LegalSection(),
            ExpertsSection(),
            AuditSection(actor_ids=people.ids_by_username),
        ],
    )


def configure_security(app: Flask) -> None:
    from cafpedia.accounts import sessions
    from cafpedia.core import redaction
    from cafpedia.core.error_pages import refuse_control_characters
    from cafpedia.core.permissions import check_request
    from cafpedia.extensions import login_manager

    redaction.init_app(app)  # after the routes: no log line holds a query string, a token or a form's values
    login_manager.user_loader(sessions.load_user_from_session)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    app.before_request(refuse_control_characters)
    app.before_request(check_request)

    # Images may come from CAFpedia itself and the places CAFPEDIA_IMAGE_SOURCES names.
    content_security_policy = (
        "default-src 'self'; "
        + " ".join(["img-src 'self' data:", *app.config["IMAGE_SOURCES"]])
        + "; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
    )

    @app.after_request
    def security_headers(response):
        from flask import g

        # A signed-in page is nobody else's: never cached. Only a user this request already
        # loaded counts (reading current_user here would cost static files a query).
        if getattr(g.get("_login_user"), "is_authenticated", False):
            response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", content_security_policy)
        return response


def register_error_pages(app: Flask) -> None:
    from cafpedia.core import error_pages

    error_pages.init_app(app)
