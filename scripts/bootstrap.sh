#!/usr/bin/env bash
# Create or refresh the project's virtualenv (.venv) from pyproject.toml, with the machine's Python.
# Installs Debian's python3-venv first when the machine lacks it (needs root or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "OpenProcure needs Python 3.11 or newer as '$PYTHON'." >&2
  exit 1
fi

apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@"
}

if ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then
  echo "Installing python3-venv…"
  apt_install python3-venv
fi

# Pango (and fonts) for the PDF documents (WeasyPrint).
if ! ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0" || ! fc-list 2>/dev/null | grep -q .; then
  echo "Installing Pango and fonts for PDF documents…"
  apt_install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi

stamp=".venv/.installed-$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "Installing OpenProcure and its pinned dependencies into .venv…"
  .venv/bin/python -m pip install -q --upgrade pip
  # constraints.txt holds the exact version of every package, the transitive ones too.
  .venv/bin/python -m pip install -q -c constraints.txt -e '.[dev]'
  rm -f .venv/.installed-*
  touch "$stamp"
fi
