"""A real CAFpedia server on a free local port, and headless Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

from cafpedia import create_app
from cafpedia.cli.installation import upgrade_database
from cafpedia.config import DEFAULT_CONTENT_DIR
from cafpedia.content.loader import load_folder
from cafpedia.extensions import db
from tests.support import tiers

CHROMIUM = os.environ.get("CAFPEDIA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="session")
def live_app(live_server):
    """The app behind the live server, for a test that looks at its database or its mail."""
    return LIVE["app"]


LIVE: dict = {}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    tiers.reaching("browser")
    app = demo_app(tmp_path_factory.mktemp("live"))
    LIVE["app"] = app
    with serving(app) as url:
        yield url


def demo_app(folder):
    """CAFpedia on its own SQLite database in `folder`, with the demo content loaded."""
    app = create_app(
        {
            "SECRET_KEY": "browser-test-key",
            "INSTANCE_PATH": str(folder / "instance"),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'live.sqlite3'}",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            # Every browser test signs in from 127.0.0.1; the per-client limit has tests of its own.
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade_database()
        load_folder(DEFAULT_CONTENT_DIR)
        db.session.commit()
        db.session.remove()
    return app


@contextmanager
def serving(app):
    """`app` on a free local port, in a thread; yields its address (also its BASE_URL)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"  # the links in messages
    try:
        yield app.config["BASE_URL"]
    finally:
        server.shutdown()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    tiers.reaching("browser")
    if not (shutil.which(CHROMIUM) or os.path.exists(CHROMIUM)):
        if os.environ.get("CAFPEDIA_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CAFPEDIA_REQUIRE_BROWSER=1 but there is no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium package (scripts/test.sh does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield WorkerOptIn(browser)
        browser.close()


class WorkerOptIn:
    """Chromium, with CAFpedia's service worker blocked unless a test asks for it
    (`service_workers="allow"`, as test_offline_pages does): otherwise its background
    refresh of saved pages would load the shared test server during every other test."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        options.setdefault("service_workers", "block")
        return self._browser.new_context(**options)

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def axe_check():
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page) -> None:
        page.wait_for_load_state(
            "load"
        )  # a click that navigates returns once the new page starts loading, before its styles apply
        results = axe.run(
            page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
        )
        assert results.violations_count == 0, f"{page.url}:\n{results.generate_report()}"

    return check


def pytest_collection_modifyitems(items):
    # When Chromium drops a request mid-response (a print stylesheet it no longer needs, say),
    # the test server's thread may leave the static file to the garbage collector; that is
    # the development server's business, not CAFpedia's, so it is not an error here.
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.filterwarnings("ignore::ResourceWarning"))
            item.add_marker(pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"))
