"""WSGI entry point of the supplier site (served by gunicorn)."""

import os

from openprocure.core.wsgi import warmed_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openprocure.supplier.settings")
application = warmed_application()
