"""WSGI entry point of the buyer site (served by gunicorn)."""

import os

from openprocure.core.wsgi import warmed_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openprocure.buyer.settings")
application = warmed_application()
