#!/usr/bin/env bash
# Refresh the French catalog from the sources and compile it. Edit locale/fr/LC_MESSAGES/django.po
# afterwards to translate the new strings, then run this again to compile.
set -euo pipefail
cd "$(dirname "$0")/../src/openprocure"
DJANGO_SETTINGS_MODULE=openprocure.buyer.settings OPENPROCURE_DATA_DIR=${OPENPROCURE_DATA_DIR:-$(mktemp -d)} \
  ../../.venv/bin/python -m django makemessages -l fr --no-obsolete --no-location -v 0
msgfmt -o locale/fr/LC_MESSAGES/django.mo locale/fr/LC_MESSAGES/django.po
