"""Settings of the buyer suite (one Django site, its own database and user table)."""

from __future__ import annotations

import os

from openprocure.core.settings_base import *  # noqa: F403
from openprocure.core.settings_base import (
    SHARED_APPS,
    cache_settings,
    data_dir,
    database_settings,
    email_settings,
    persistent_secret,
    rq_settings,
    tasks_settings,
)

SITE_NAME = "buyer"
SITE_TITLE = "OpenProcure Buyer"
DATA_DIR = data_dir(SITE_NAME)

SECRET_KEY = os.environ.get("OPENPROCURE_SECRET_KEY") or persistent_secret(SITE_NAME, "secret_key")
# Key that encrypts the shared secrets we must send to suppliers (Fernet, urlsafe base64, 32 bytes).
ENCRYPTION_KEY = os.environ.get("OPENPROCURE_ENCRYPTION_KEY") or persistent_secret(
    SITE_NAME, "encryption_key"
)

INSTALLED_APPS = [
    *SHARED_APPS,
    "openprocure.buyer.portal",
    "openprocure.buyer.organization",
    "openprocure.buyer.suppliers",
    "openprocure.buyer.punchout",
    "openprocure.buyer.requisitions",
    "openprocure.buyer.approvals",
    "openprocure.buyer.purchasing",
    "openprocure.buyer.fulfilment",
    "openprocure.buyer.invoicing",
    "openprocure.buyer.spend",
]

ROOT_URLCONF = "openprocure.buyer.urls"
NAVIGATION = "openprocure.buyer.portal.navigation.menu"
WSGI_APPLICATION = "openprocure.buyer.wsgi.application"
DATABASES = database_settings(SITE_NAME)
CACHES = cache_settings(SITE_NAME)
TASKS = tasks_settings()
# Reads the shared secret an outbox document carries at delivery (bodies are stored with it masked).
OUTBOX_SECRET_LOOKUP = "openprocure.buyer.suppliers.services.outbox_secret"  # noqa: S105 - a dotted path, not a secret
globals().update(rq_settings(SITE_NAME))
globals().update(email_settings(SITE_NAME))
DEFAULT_FROM_EMAIL = os.environ.get("OPENPROCURE_FROM_EMAIL", "procurement@acme.test")

SESSION_COOKIE_NAME = "openprocure_buyer_session"
CSRF_COOKIE_NAME = "openprocure_buyer_csrftoken"
LANGUAGE_COOKIE_NAME = "openprocure_buyer_language"

# Where this site is reachable from the outside: used in links sent by e-mail and in BrowserFormPost URLs.
PUBLIC_URL = os.environ.get("OPENPROCURE_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# The demo's other site (storefront); used only to seed demo connections.
DEMO_PEER_URL = os.environ.get("OPENPROCURE_DEMO_PEER_URL", "http://127.0.0.1:8100").rstrip("/")
# The host part of every payloadID we generate (cXML recommends the sender's domain name).
PAYLOAD_ID_DOMAIN = os.environ.get("OPENPROCURE_PAYLOAD_ID_DOMAIN", "buyer.openprocure.local")

# Purchase-order numbers: {year}, {month} and {seq} (with a format spec) are filled in.
PO_NUMBER_PATTERN = os.environ.get("OPENPROCURE_PO_NUMBER_PATTERN", "PO-{year}-{seq:06}")
# Seconds between two rebuilds of the spend summary the dashboards read (SPEND_REFRESH_SECONDS in core.tunables).
SPEND_REFRESH_SECONDS = float(os.environ.get("OPENPROCURE_SPEND_REFRESH_SECONDS", "600"))
# Periodic tasks run by the `worker` command: (dotted path, seconds between runs).
PERIODIC_TASKS = [
    ("openprocure.buyer.approvals.tasks.remind_and_escalate", 300.0),
    ("openprocure.buyer.spend.tasks.refresh_monthly_spend", SPEND_REFRESH_SECONDS),
    # Each connection's supported transactions (its ProfileResponse), read once a day; the task
    # runs every minute and asks only the connections due (never read, a day old, retry after a failure).
    ("openprocure.buyer.suppliers.tasks.refresh_profiles", 60.0),
]
