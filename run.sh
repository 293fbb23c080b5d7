#!/usr/bin/env bash
# One entry point for people and CI:  ./run.sh app    start the web app (installs first)
#                                     ./run.sh test   install what the tests need, then run them (args go to pytest)
#                                     ./run.sh lint   ruff and mypy
#                                     ./run.sh install
# Everything goes into ./.venv (made with the system python3) unless a virtual environment is already active.
set -euo pipefail
cd "$(dirname "$0")"

choose_python() {
  if [ -n "${VIRTUAL_ENV:-}" ]; then PY="$VIRTUAL_ENV/bin/python"; return; fi
  if [ ! -x .venv/bin/python ]; then
    if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "This project needs Python 3.11 or newer as python3; install it (Debian: sudo apt-get install python3) and retry." >&2
      exit 1
    fi
    if ! python3 -m venv .venv >/dev/null 2>&1; then
      rm -rf .venv
      echo "python3 cannot create a virtual environment; install its venv module (Debian: sudo apt-get install python3-venv) and retry." >&2
      exit 1
    fi
  fi
  PY=.venv/bin/python
}

pip_install() {
  "$PY" -m pip install -q --disable-pip-version-check "$@"
}

# Re-installs only when a requirements file or pyproject.toml changed since the last install into this environment.
install() {
  local what="$1" stamp files hash
  files="pyproject.toml requirements.txt"
  [ "$what" = dev ] && files="$files requirements-dev.txt requirements-nodeps.txt"
  hash=$(cat $files | sha256sum | cut -c1-16)
  stamp="$("$PY" -c 'import sys; print(sys.prefix)')/.factcheck-$what-$hash"
  [ -f "$stamp" ] && return
  pip_install -r requirements.txt
  if [ "$what" = dev ]; then
    pip_install -r requirements-dev.txt
    pip_install --no-deps -r requirements-nodeps.txt
  fi
  pip_install --no-deps -e .
  touch "$stamp"
}

install_browser() {
  [ -x /usr/bin/chromium ] && return
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "The browser tests need Debian's chromium and will be skipped: run 'sudo apt-get install -y chromium' to include them." >&2
  fi
}

choose_python
case "${1:-}" in
  install) install app ;;
  app) install app; shift; exec "$PY" -m streamlit run app.py "$@" ;;
  lint) install dev; "$PY" -m ruff check . && "$PY" -m mypy ;;
  test) install dev; install_browser; shift; exec "$PY" -m pytest "$@" ;;
  *) echo "usage: ./run.sh app|test|lint|install" >&2; exit 2 ;;
esac
