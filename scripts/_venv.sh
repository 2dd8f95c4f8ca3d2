# Shared by scripts/run and scripts/test: find Python 3.11+ and make .venv with the project installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
pick_python() {
  for candidate in python3.13 python3.12 python3.11 python3 python; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Python 3.11 or newer is required (python3 --version says: $(python3 --version 2>&1))." >&2
  return 1
}
ensure_venv() {
  local extras="$1"
  if [ ! -x .venv/bin/python ]; then
    "$(pick_python)" -m venv .venv
  fi
  local stamp=".venv/.installed-${extras:-base}"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
    # setuptools tells every editable install of a flat layout (bot/, cogs/) to mind same-named folders: an
    # information-only note, not a problem; hide just that one so the first run shows nothing but progress.
    PYTHONWARNINGS="ignore:Editable installation:UserWarning" \
      .venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}"
    touch "$stamp"
  fi
}
