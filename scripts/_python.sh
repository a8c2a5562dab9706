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

# The install is done again only when pyproject.toml (or the extras asked for) changed since
# the last one: the code itself is installed editable, so a change to it needs no install.
# pip's own chatter goes to .venv/install.log, shown only if the install fails.
make_venv() {
  local python extras="$1" wanted stamp=.venv/cafpedia-installed
  python=$(pick_python)
  wanted="$(cat pyproject.toml | cksum | cut -d' ' -f1) ${extras:-[]}"
  if [ -x .venv/bin/python ] && [ -f "$stamp" ] &&
     { grep -qxF "$wanted" "$stamp" || { [ -z "$extras" ] && grep -q "^${wanted%% *} " "$stamp"; }; }; then
    return 0  # installed from this pyproject.toml (with extras, which include the plain install)
  fi
  if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
  fi
  rm -f "$stamp"
  if ! { .venv/bin/python -m pip install --quiet --upgrade pip &&
         .venv/bin/python -m pip install --quiet -e ".${extras}"; } >.venv/install.log 2>&1; then
    tail -n 40 .venv/install.log >&2
    echo "Installing CAFpedia's Python packages failed; the whole log is .venv/install.log." >&2
    return 1
  fi
  echo "$wanted" >"$stamp"
}

# Debian packages the project needs from the operating system (Chromium for the browser
# tests; Pango and a font for WeasyPrint's PDFs): any missing are installed with apt-get when
# this user can (root or sudo); otherwise a warning says what will not work.
ensure_debian_packages() {
  command -v dpkg >/dev/null 2>&1 || return 0
  local missing=() package sudo
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else sudo="none"; fi
  if [ "$sudo" = none ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "Missing Debian packages (${missing[*]}) and no way to install them: browser tests skip, PDFs are unavailable." >&2
    return 0
  fi
  echo "Installing Debian packages: ${missing[*]}..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

PDF_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)

# The tests' files (a database and a search index per test, thousands of small files a run)
# go to /dev/shm when it is a memory file system with 4 GB free: no disk syncs on each commit,
# and pytest's removal of the runs before the last three costs milliseconds, not many seconds.
# CAFPEDIA_TEST_TMPDIR chooses another folder; TMPDIR, if set, is left as it is.
use_memory_for_test_files() {
  local folder="${CAFPEDIA_TEST_TMPDIR:-}"
  if [ -z "$folder" ] && [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ] &&
     [ "$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')" -ge 4194304 ] 2>/dev/null; then
    folder=/dev/shm/cafpedia-tests
  fi
  if [ -n "$folder" ]; then
    mkdir -p "$folder"
    export TMPDIR="$folder"
  fi
}
