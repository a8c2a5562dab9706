"""The quick tier (--quick) leaves the marked tests out, and a test it runs that reaches
PostgreSQL, Chromium or the real server without its marker fails, naming the marker."""

from __future__ import annotations

TESTS = """
import pytest
from tests.support import tiers

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

def test_reaches_postgres_unmarked():
    tiers.reaching("postgres")

def test_reaches_chromium_unmarked():
    tiers.reaching("browser")

def test_connects_to_the_test_server_unmarked():
    tiers.reaching_postgres_at(PG, "localhost", None)

def test_connects_to_another_port():
    tiers.reaching_postgres_at(PG, "127.0.0.1", 1)

@pytest.mark.server
def test_starts_the_server_marked():
    tiers.reaching("server")

@pytest.mark.slow
def test_slow_marked():
    pass

def test_reaches_nothing():
    pass
"""


def example(pytester) -> None:
    pytester.makeini("[pytest]\nmarkers =\n    server\n    slow\n")
    pytester.makepyfile(test_tiers_example=TESTS)


def test_the_quick_tier_leaves_out_marked_tests_and_fails_unmarked_ones(pytester):
    example(pytester)
    result = pytester.runpytest("-p", "tests.support.tiers", "-p", "no:cacheprovider", "--quick")
    result.assert_outcomes(passed=2, failed=3, deselected=2)
    result.stdout.fnmatch_lines(
        [
            "*_ test_reaches_postgres_unmarked _*",
            "This test connects to the test PostgreSQL server but is not marked `postgres`: mark it "
            "(@pytest.mark.postgres, or pytestmark in its module) so that the quick tier leaves it out",
            "*_ test_reaches_chromium_unmarked _*",
            "This test launches Chromium but is not marked `browser`: *",
            "*_ test_connects_to_the_test_server_unmarked _*",
            "This test connects to the test PostgreSQL server but is not marked `postgres`: *",
        ]
    )


def test_without_quick_every_test_runs_and_the_guards_do_nothing(pytester):
    example(pytester)
    result = pytester.runpytest("-p", "tests.support.tiers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=7)
