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
# Two worker processes by default (each with its own databases, index and test server).
exec .venv/bin/python -m pytest -n "${CAFPEDIA_TEST_WORKERS:-2}" "$@"
