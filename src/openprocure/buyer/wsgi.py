"""WSGI entry point of the buyer site (served by gunicorn)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openprocure.buyer.settings")
application = get_wsgi_application()
