#!/usr/bin/env bash
# Second command: install the test dependencies and run the whole suite, on SQLite,
# on PostgreSQL (127.0.0.1:5432, skipped with a message if no server answers) and in
# headless Chromium. Extra arguments go to pytest, e.g. scripts/test.sh -m "not browser"
#
# scripts/test.sh --quick runs the quick tier instead, for working between pushes: every test
# that needs no PostgreSQL, no browser and no real server, on SQLite (tests/support/tiers.py).
# It installs no Debian packages but Pango's (the record PDFs) and starts no PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_python.sh

quick=""
for arg in "$@"; do
  [ "$arg" = "--quick" ] && quick=1
done

if [ -z "$quick" ]; then
  # Debian's Chromium drives the browser tests (Playwright cannot download its own here);
  # Pango and a font let WeasyPrint make the record PDFs.
  ensure_debian_packages chromium "${PDF_PACKAGES[@]}"

  # A PostgreSQL cluster that is installed but stopped is started.
  if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    version=$(ls /etc/postgresql 2>/dev/null | head -n 1)
    [ -n "$version" ] && pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
else
  ensure_debian_packages "${PDF_PACKAGES[@]}"
fi

make_venv "[test]"
use_memory_for_test_files
# Compiled modules are kept (__pycache__, ignored by git): every test process, and every
# CAFpedia process a test starts, then loads them rather than compiling the code again, and
# pytest keeps its rewritten test modules. An environment that asks Python not to write them
# costs each run about 4 seconds of collection per worker.
unset PYTHONDONTWRITEBYTECODE
# Two worker processes by default (each with its own databases, index and test server); a
# worker that runs out of tests takes some of the other's, so neither waits at the end.
exec .venv/bin/python -m pytest -n "${CAFPEDIA_TEST_WORKERS:-2}" --dist worksteal "$@"
