"""Fixtures: a fresh app per test on SQLite and on PostgreSQL, with builders.

Every test that takes `app` (or `client`, `db_session`...) runs twice: once on a
SQLite file copied from a migrated template, once on a PostgreSQL database that
this run creates and drops. The PostgreSQL runs are marked `postgres` and are
skipped, with the reason, when no server answers, unless
CAFPEDIA_REQUIRE_POSTGRES=1 (as in CI), where that is an error.

`pytest --quick` runs the quick tier: SQLite only, no browser, no real server
(tests/support/tiers.py).
"""

from __future__ import annotations

import gc
import os
import re
import shutil
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from cafpedia import cli, create_app
from cafpedia.config import DEFAULT_CONTENT_DIR
from cafpedia.core import clock as app_clock
from cafpedia.extensions import db
from cafpedia.tips import readings
from tests.support import compiled_once

# Every app this run builds shares its templates' compiled code and its URL builders.
compiled_once.install()

# Builders for tips (people, propose, publish) are shared by the tips and search tests.
# The quick tier (--quick) and its guards are tests.support.tiers; pytester runs the guards' test.
pytest_plugins = ["tests.tips.builders", "tests.support.tiers", "pytester"]

# Every test runs on a pinned clock: Monday 23 November 2026, 10:00 UTC, ticking on from
# there (so "newer" still means later). A test moves it with the `clock` fixture.
PINNED_AT = datetime(2026, 11, 23, 10, 0)
PG_ADMIN_URL = os.environ.get("CAFPEDIA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TEST_PASSWORD = "correct-horse-battery"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def pytest_sessionstart(session):
    """Fewer full garbage collections, as the server has (cafpedia/server.py): what every test
    shares (modules, the apps' compiled templates) is moved out of the collector's way, and a
    collection waits for more new objects. About a tenth of a run's time, with the same tests."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 1_000)


def pytest_configure(config):
    """In the quick tier, a connection to the test PostgreSQL server fails the test that makes
    it unless it is marked `postgres` (a marked test is not run there)."""
    if config.getoption("quick", False):
        import psycopg

        from tests.support import tiers

        connect = psycopg.connect

        def watched_connect(conninfo: str = "", **kwargs):
            from psycopg.conninfo import conninfo_to_dict

            target = conninfo_to_dict(conninfo, **kwargs)
            tiers.reaching_postgres_at(PG_ADMIN_URL, target.get("host"), target.get("port"))
            return connect(conninfo, **kwargs)

        psycopg.connect = watched_connect
        config.add_cleanup(lambda: setattr(psycopg, "connect", connect))


class PinnedClock:
    """The clock every test runs on: `set(datetime)` pins it elsewhere, `advance(days=...)`
    moves it on, `freeze()` stops it ticking."""

    def set(self, at: datetime, *, ticking: bool = True) -> None:
        app_clock.pin(at, ticking=ticking)

    def freeze(self) -> None:
        app_clock.pin(app_clock.utcnow(), ticking=False)

    def advance(self, **delta) -> None:
        app_clock.advance(**delta)

    def now(self) -> datetime:
        return app_clock.utcnow()

    def today(self):
        return app_clock.today()


@pytest.fixture(autouse=True)
def clock():
    app_clock.pin(PINNED_AT)
    yield PinnedClock()
    app_clock.unpin()


def base_config(tmp_path: Path, database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SEARCH_DIR": str(tmp_path / "search"),
        "PUBLIC_READ": False,
        # Fast hashing in tests; production uses scrypt.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # Tests sign in many times from one address; the limit has a test of its own.
        "RATELIMIT_ENABLED": False,
    }


def migrate(database_url: str, tmp_path: Path) -> None:
    from cafpedia.cli.installation import upgrade_database

    app = create_app(base_config(tmp_path, database_url))
    with app.app_context():
        upgrade_database()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite3"
    migrate(f"sqlite:///{path}", folder)
    return path


def _pg_problem() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # no server: the reason goes into the skip message
        return f"no PostgreSQL server answers at {PG_ADMIN_URL} ({type(exc).__name__})"
    return None


@pytest.fixture(scope="session")
def pg_database(tmp_path_factory):
    """A PostgreSQL database of this run's own, migrated once, dropped at the end."""
    from tests.support import tiers

    tiers.reaching("postgres")
    problem = _pg_problem()
    if problem:
        if os.environ.get("CAFPEDIA_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"CAFPEDIA_REQUIRE_POSTGRES=1 but {problem}")
        pytest.skip(problem)
    name = f"cafpedia_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        migrate(url, tmp_path_factory.mktemp("pg"))
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


_RESET_ENGINES: dict = {}


def _reset_engine(url: str):
    engine = _RESET_ENGINES.get(url)
    if engine is None:
        engine = _RESET_ENGINES[url] = create_engine(url, poolclass=NullPool)
    return engine


def _table_names() -> list[str]:
    return [t.name for t in reversed(db.metadata.sorted_tables)]


def _triggers_off(conn) -> bool:
    """Triggers (and so foreign-key checks, and the audit chain's refusal of deletions) off
    until the transaction ends; False if this role may not do that."""
    try:
        with conn.begin_nested():
            conn.execute(text("SET LOCAL session_replication_role = replica"))
    except DBAPIError:
        return False
    return True


def _empty_database(url: str) -> None:
    """Every table emptied and every sequence back at 1, as a fresh database. DELETE with
    triggers off takes a few milliseconds on a test's few rows, where TRUNCATE of 48 tables
    takes a third of a second; a role that may not turn triggers off gets TRUNCATE."""
    with _reset_engine(url).begin() as conn:
        if not _triggers_off(conn):
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in _table_names()) + " RESTART IDENTITY CASCADE"))
        else:
            for table in _table_names():
                conn.execute(text(f'DELETE FROM "{table}"'))
            conn.execute(
                text(
                    "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = "
                    "c.relnamespace "
                    "WHERE c.relkind = 'S' AND n.nspname = 'public'"
                )
            )
        conn.execute(text("INSERT INTO content_version (id, n) VALUES (1, 1)"))  # as the migration leaves it


def _search_backend(request) -> str:
    """The search backend this test's app runs on: the search tests run each one (their `app`
    fixture is parametrised by it); every other test runs on the default, Whoosh."""
    callspec = getattr(request.node, "callspec", None)
    backend = callspec.params.get("app") if callspec else None
    return backend if backend in ("whoosh", "postgres") else "whoosh"


class DemoSnapshots:
    """The demo content, loaded once per test session (and xdist worker) for each database
    and search backend, and copied for each test that asks for `demo_content`: loading it
    takes seconds, copying it a fraction of one. A SQLite snapshot is a database file and
    its search folder; a PostgreSQL one is a template database that each test's database is
    created from (and dropped after).

    The snapshot is loaded on a clock pinned a minute before the tests' own, so everything it
    stamps "now" is older than whatever a test does next, as it was when each test loaded it.

    `what="standards"` is the same for the tests that ask for `standards_loaded`: the real
    standards.yml alone, loaded once (YAML and 64 clauses: a tenth of a second a test). Its
    snapshot has no search index, as a test that loaded the file itself had none: the changes
    it queued for search wait in the database for the test's first search to take in."""

    WHAT = {"demo": "the demo content", "standards": "the standards"}

    def __init__(self, tmp_path_factory, request):
        self._tmp = tmp_path_factory
        self._request = request
        self._built: dict[tuple[str, str, str], object] = {}

    def _load(self, url: str, folder: Path, backend: str, what: str = "demo") -> None:
        from cafpedia.content.loader import load_folder
        from cafpedia.search import service

        with app_clock.frozen(PINNED_AT - timedelta(minutes=1)):
            app = create_app(base_config(folder, url) | {"SEARCH_BACKEND": backend})
            with app.app_context():
                if what == "standards":
                    content = folder / "standards-only"
                    content.mkdir()
                    shutil.copy(DEFAULT_CONTENT_DIR / "standards.yml", content / "standards.yml")
                    load_folder(content)
                    db.session.commit()
                else:
                    load_folder(DEFAULT_CONTENT_DIR)
                    db.session.commit()
                    # built, as `cafpedia init` leaves it (else each test's first search would build it)
                    service.follower().ensure()
                db.session.remove()
                db.engine.dispose()

    @staticmethod
    def _copy_folders(source: Path, tmp_path: Path) -> None:
        for name in ("instance", "search"):
            if (source / name).is_dir():
                shutil.copytree(source / name, tmp_path / name, dirs_exist_ok=True)

    def sqlite(self, backend: str, tmp_path: Path, what: str = "demo") -> str:
        """A copy of the SQLite snapshot in `tmp_path`; its URL."""
        folder = self._built.get(("sqlite", backend, what))
        if folder is None:
            folder = self._tmp.mktemp(f"{what}-sqlite-{backend}")
            shutil.copy(self._request.getfixturevalue("sqlite_template"), folder / "demo.sqlite3")
            self._load(f"sqlite:///{folder / 'demo.sqlite3'}", folder, backend, what)
            self._built["sqlite", backend, what] = folder
        path = tmp_path / "cafpedia.sqlite3"
        shutil.copy(folder / "demo.sqlite3", path)
        self._copy_folders(folder, tmp_path)
        return f"sqlite:///{path}"

    def postgres(self, backend: str, tmp_path: Path, what: str = "demo") -> str:
        """This run's PostgreSQL database holding the snapshot again; its URL. The snapshot is
        a schema of its own in the same database (a copy of every table, and where each
        sequence stood): restoring it is a DELETE and an INSERT ... SELECT per table, all
        inside PostgreSQL, in milliseconds."""
        url = self._request.getfixturevalue("pg_database")
        schema = f"{what}_{backend}"
        built = self._built.get(("postgres", backend, what))
        if built is None:
            folder = self._tmp.mktemp(f"{what}-postgres-{backend}")
            _empty_database(url)
            self._load(url, folder, backend, what)
            with _reset_engine(url).begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {schema}"))
                for table in _table_names():
                    conn.execute(text(f'CREATE TABLE {schema}."{table}" AS TABLE public."{table}"'))
                sequences = conn.execute(
                    text(
                        "SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences "
                        "WHERE schemaname = 'public'"
                    )
                ).all()
            built = self._built["postgres", backend, what] = (folder, sequences)
        folder, sequences = built
        with _reset_engine(url).begin() as conn:
            if not _triggers_off(conn):  # a role that may not: the content is loaded afresh, as it once always was
                _empty_database(url)
                self._load(url, tmp_path, backend, what)
                return url
            for table in _table_names():
                conn.execute(text(f'DELETE FROM public."{table}"'))
                conn.execute(text(f'INSERT INTO public."{table}" SELECT * FROM {schema}."{table}"'))
            for sequence, last_value in sequences:
                conn.execute(
                    text("SELECT setval(:s, :v, :called)"),
                    {"s": sequence, "v": last_value or 1, "called": last_value is not None},
                )
        self._copy_folders(folder, tmp_path)
        return url


@pytest.fixture(scope="session")
def demo_snapshots(tmp_path_factory, request):
    return DemoSnapshots(tmp_path_factory, request)


def _snapshot_for(request) -> str | None:
    """The content this test's database starts with, copied from a snapshot: the demo, the
    standards (for `standards_loaded`), or none."""
    if "demo_content" in request.fixturenames:
        return "demo"
    if "standards_loaded" in request.fixturenames:
        return "standards"
    return None


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    what = _snapshot_for(request)
    backend = _search_backend(request)
    if request.param == "sqlite":
        if backend == "postgres":
            pytest.skip("the PostgreSQL search backend runs on the PostgreSQL database only")
        if what:
            return request.getfixturevalue("demo_snapshots").sqlite(backend, tmp_path, what)
        path = tmp_path / "cafpedia.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    if what:
        return request.getfixturevalue("demo_snapshots").postgres(backend, tmp_path, what)
    url = request.getfixturevalue("pg_database")
    _empty_database(url)
    return url


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an app on this test's database, with extra settings."""
    apps = []

    def build(**overrides):
        app = create_app(base_config(tmp_path, database_url) | overrides)
        cli.init_app(app)  # the commands, on the app as the `cafpedia` command puts them
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions.pop(readings.EXTENSION, None)  # its database goes with the test: nothing to write at exit
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app
        db.session.remove()


class _FreshRequests:
    """Wraps the test client so each request starts with an empty `g`.

    The `app` fixture keeps an app context pushed for the test body, and Flask reuses it
    for requests: without this, Flask-Login's user and Flask-WTF's token cached in `g`
    by one client's request would leak into another client's.
    """

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name):
        attr = getattr(self._client, name)
        if name not in ("get", "post", "put", "delete", "patch", "head", "open"):
            return attr

        def call(*args, **kwargs):
            _forget_request_state()
            try:
                return attr(*args, **kwargs)
            finally:
                _forget_request_state()

        return call


def _forget_request_state() -> None:
    from flask import g, has_app_context

    if has_app_context():  # everything a request keeps in `g` is that request's own (who is signed in, memos)
        for key in list(vars(g)):
            g.pop(key, None)


class Client:
    """The Flask test client, with the CSRF token a browser would carry."""

    def __init__(self, flask_client):
        self.raw = _FreshRequests(flask_client)

    def __getattr__(self, name):
        return getattr(self.raw, name)

    def csrf_token(self) -> str:
        page = self.raw.get("/sign-in").get_data(as_text=True)
        if "csrf_token" not in page:
            page = self.raw.get("/account").get_data(as_text=True)
        match = CSRF_RE.search(page)
        assert match, "no CSRF token on the page"
        return match.group(1)

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.raw.post(url, data=data, **kwargs)

    def sign_in(self, username: str, password: str = TEST_PASSWORD):
        return self.post_form("/sign-in", {"username": username, "password": password})

    def sign_out(self):
        return self.post_form("/sign-out")


@pytest.fixture
def client(app) -> Client:
    return Client(app.test_client())


@pytest.fixture
def as_user(client):
    """The test client, signed in as this person (signing out whoever was signed in)."""

    def sign_in(username):
        client.sign_out()
        client.sign_in(username)
        return client

    return sign_in


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    from cafpedia.accounts import people

    def build(
        username: str = "jo.smith",
        roles=("practitioner",),
        *,
        areas=(),
        password: str | None = TEST_PASSWORD,
        name=None,
        email="",
        active=True,
    ):
        user = people.create_user(
            None,
            username=username,
            name=name or username.replace(".", " ").title(),
            email=email,
            roles=list(roles),
            areas=list(areas),
            password=password,
            active=active,
        )
        db.session.commit()
        return user

    return build


@pytest.fixture
def make_area(app):
    from cafpedia.accounts.people import moderators_named
    from cafpedia.areas import services

    def build(slug: str = "private-law", title: str | None = None, *, lead=None, deputies=(), summary=""):
        area = services.create_area(
            None,
            slug=slug,
            title=title or slug.replace("-", " ").capitalize(),
            summary=summary,
            **moderators_named(lead, deputies),
        )
        db.session.commit()
        return area

    return build


@pytest.fixture
def demo_content(app):
    """The repository's content/ folder, loaded: `database_url` gave this test a copy of a
    database (and search index) the demo was loaded into once per session."""
    from cafpedia.tips.models import Tip

    assert db.session.scalar(select(func.count()).select_from(Tip)), "the demo snapshot was not restored"


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __str__(self) -> str:
        return f"{self.count} statements:\n" + "\n".join(s.split("\n")[0][:160] for s in self.statements)


@pytest.fixture
def count_queries(app):
    """`with count_queries() as queries:` counts the SQL statements run inside (as Indico's
    fixture does); `queries.count`, and `str(queries)` lists them for an assertion's message."""

    @contextmanager
    def counting():
        counter = QueryCounter()

        def record(conn, cursor, statement, *args):
            counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", record)

    return counting


@pytest.fixture
def admin_client(client, make_user):
    make_user("ada.admin", ["admin"])
    client.sign_in("ada.admin")
    return client
