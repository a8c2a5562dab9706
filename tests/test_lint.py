"""The code follows the project's lint rules, including ruff's DTZ rules: nothing but
cafpedia/core/clock.py asks the system for the time, so tests can pin it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _ruff() -> str:
    found = Path(sys.executable).with_name("ruff")
    if found.exists():
        return str(found)
    path = shutil.which("ruff")
    if path is None:
        pytest.fail("ruff is not installed: pip install -e '.[test]'")
    return path


def test_ruff_finds_nothing():
    result = subprocess.run(
        [_ruff(), "check", "--no-cache", "--output-format", "concise", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_code_is_formatted():
    """ruff format, at the project's line length: a diff that only moves code about says so."""
    result = subprocess.run(
        [_ruff(), "format", "--check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_clock_rules_catch_the_system_clock():
    """DTZ and the banned-API rules are on: a new read of the system clock anywhere in the
    package would fail the check above. The probe is only text handed to ruff, never run;
    it is assembled from parts so that it reads no clock here."""
    calls = ("date." + "today()", "datetime." + "now()", "datetime." + "now(UTC)")
    source = "from datetime import UTC, date, datetime\n\n" + "".join(
        f"{name} = {call}\n" for name, call in zip("ABC", calls, strict=True)
    )
    result = subprocess.run(
        [_ruff(), "check", "--no-cache", "--output-format", "concise", "--stdin-filename", "cafpedia/probe.py", "-"],
        cwd=ROOT,
        input=source,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "DTZ011" in result.stdout and "DTZ005" in result.stdout, result.stdout
    assert result.stdout.count("TID251") == 3, result.stdout  # even an aware now() must come from the clock
