"""WSGI entry point of the supplier site (served by gunicorn)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openprocure.supplier.settings")
application = get_wsgi_application()
