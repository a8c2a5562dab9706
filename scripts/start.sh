#!/usr/bin/env bash
# First command: install CAFpedia in .venv and start it at http://127.0.0.1:5000 on
# SQLite with the demo content (prints the demo sign-ins). Extra arguments go to
# `cafpedia serve`, e.g. scripts/start.sh --port 8000 --workers 4
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_python.sh
ensure_debian_packages "${PDF_PACKAGES[@]}"  # for the record PDFs (WeasyPrint)
make_venv ""
exec .venv/bin/cafpedia serve "$@"
