# Sourced by the scripts: picks Python 3.11+ and makes the project's virtual environment.
pick_python() {
  for candidate in "${PYTHON:-}" python3.11 python3.12 python3.13 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "CAFpedia needs Python 3.11 or newer; none was found (set PYTHON=/path/to/python3.11)." >&2
  return 1
}

make_venv() {
  local python extras="$1"
  python=$(pick_python)
  if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
  fi
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".${extras}"
}
