"""The quick tier (`pytest --quick`, or `scripts/test.sh --quick`): every test that needs no
PostgreSQL server, no Chromium and no real server, on SQLite, for working between pushes.
The whole suite (without --quick) still runs in CI on every push.

The quick tier leaves out the tests marked `postgres`, `browser`, `server` or `slow`, and it
keeps those markers honest: a test it runs that connects to the test PostgreSQL server,
launches Chromium or starts the real server fails, with the marker it lacks named, rather than
running slowly (or skipping) unnoticed. The places that do those things call `reaching()`.
"""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

LEFT_OUT = {
    "postgres": "connects to the test PostgreSQL server",
    "browser": "launches Chromium",
    "server": "starts the real server",
    "slow": "runs CAFpedia's commands in processes of their own, for seconds",
}
QUICK = pytest.StashKey[bool]()
_running: list[pytest.Item] = []  # the test running now (a stack: a test may run pytest inside)


def pytest_addoption(parser):
    parser.addoption(
        "--quick",
        action="store_true",
        default=False,
        help="the quick tier: leave out the tests marked " + ", ".join(LEFT_OUT) + "; a test that reaches one "
        "of those without its marker fails",
    )


def pytest_configure(config):
    config.stash[QUICK] = bool(config.getoption("quick", False))


def pytest_collection_modifyitems(config, items):
    if not config.stash.get(QUICK, False):
        return
    kept, left_out = [], []
    for item in items:
        (left_out if any(item.get_closest_marker(name) for name in LEFT_OUT) else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


def pytest_report_header(config):
    if config.stash.get(QUICK, False):
        return "quick tier: leaving out the tests marked " + ", ".join(LEFT_OUT)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item):
    _running.append(item)
    try:
        return (yield)
    finally:
        _running.pop()


def reaching(marker: str) -> None:
    """Called where a test reaches what `marker` stands for. In the quick tier that fails the
    test, saying which marker it lacks (a marked test is never run there); otherwise nothing."""
    item = _running[-1] if _running else None
    if item is None or not item.config.stash.get(QUICK, False) or item.get_closest_marker(marker):
        return
    pytest.fail(
        f"This test {LEFT_OUT[marker]} but is not marked `{marker}`: mark it "
        f"(@pytest.mark.{marker}, or pytestmark in its module) so that the quick tier leaves it out",
        pytrace=False,
    )


def reaching_postgres_at(url: str, host: str | None, port) -> None:
    """`reaching("postgres")` if a connection to host:port goes to the server `url` names."""
    server = make_url(url)
    if (host or "localhost") in _same_host(server.host) and int(port or 5432) == (server.port or 5432):
        reaching("postgres")


def _same_host(host: str | None) -> set[str]:
    local = {"localhost", "127.0.0.1", "::1", ""}
    return local if (host or "localhost") in local else {host}
