"""Settings of the supplier storefront (one Django site, its own database and user table)."""

from __future__ import annotations

import os
from decimal import Decimal

from openprocure.core.settings_base import *  # noqa: F403
from openprocure.core.settings_base import (
    SHARED_APPS,
    cache_settings,
    data_dir,
    database_settings,
    email_settings,
    env_list,
    persistent_secret,
    rq_settings,
    tasks_settings,
)

SITE_NAME = "supplier"
SITE_TITLE = "OpenProcure Marketplace"
DATA_DIR = data_dir(SITE_NAME)

SECRET_KEY = os.environ.get("OPENPROCURE_SECRET_KEY") or persistent_secret(SITE_NAME, "secret_key")
ENCRYPTION_KEY = os.environ.get("OPENPROCURE_ENCRYPTION_KEY") or persistent_secret(
    SITE_NAME, "encryption_key"
)

INSTALLED_APPS = [
    *SHARED_APPS,
    "openprocure.supplier.storefront",
    "openprocure.supplier.catalog",
    "openprocure.supplier.business",
    "openprocure.supplier.punchout",
    "openprocure.supplier.orders",
    "openprocure.supplier.fulfilment",
    "openprocure.supplier.support",
]
# The PunchOut session travels in the URL (/po/<key>/…): this middleware resolves it, and keeps
# PunchOut-only (linked) accounts out of the rest of the storefront.
MIDDLEWARE = [*MIDDLEWARE, "openprocure.supplier.punchout.middleware.PunchOutSessionMiddleware"]  # noqa: F405

ROOT_URLCONF = "openprocure.supplier.urls"
NAVIGATION = "openprocure.supplier.storefront.navigation.menu"
WSGI_APPLICATION = "openprocure.supplier.wsgi.application"
DATABASES = database_settings(SITE_NAME)
CACHES = cache_settings(SITE_NAME)
# Keep connections between requests: opening SQLite and running its PRAGMAs costs 5–10 ms a request.
DATABASES["default"].setdefault("CONN_MAX_AGE", 600)
TASKS = tasks_settings()
# Reads the shared secret an outbox document carries at delivery (bodies are stored with it masked).
OUTBOX_SECRET_LOOKUP = "openprocure.supplier.orders.documents.outbox_secret"  # noqa: S105 - a dotted path, not a secret
globals().update(rq_settings(SITE_NAME))
# Catalog search backend (a dotted path to a SearchBackend class): OPENPROCURE_SEARCH_BACKEND, else
# PostgreSQL full text on PostgreSQL, else the catalog's own choice (FTS5 on SQLite).
CATALOG_SEARCH_BACKEND = os.environ.get("OPENPROCURE_SEARCH_BACKEND") or (
    "openprocure.supplier.catalog.search_postgres.PostgresSearchBackend"
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    else ""
)
# The operations status page shows the search backend in use (a function returning its class).
OPERATIONS_SEARCH_BACKEND = "openprocure.supplier.catalog.search.get_backend_class"
globals().update(email_settings(SITE_NAME))
DEFAULT_FROM_EMAIL = os.environ.get("OPENPROCURE_FROM_EMAIL", "orders@marketplace.test")

# Inside a PunchOut session, flash messages live on the session, not in a cookie.
MESSAGE_STORAGE = "openprocure.supplier.punchout.messages.PunchOutMessageStorage"
SESSION_COOKIE_NAME = "openprocure_supplier_session"
CSRF_COOKIE_NAME = "openprocure_supplier_csrftoken"
LANGUAGE_COOKIE_NAME = "openprocure_supplier_language"
# PunchOut pages open inside the buyer's window or iframe: the session travels in the URL, and
# cookies must survive a cross-site top-level POST back from the buyer.
SESSION_COOKIE_SAMESITE = "Lax"
# Forms post to the storefront itself; the cart return page alone may post to the procurement
# system's return address (openprocure.core.security.allow_form_post). The buyer suite sets no
# form-action: its PunchOut button posts to itself and is redirected to the supplier's StartPage,
# whose address is known only then (browsers apply form-action to that redirect too).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {**CONTENT_SECURITY_POLICY["DIRECTIVES"], "form-action": ["'self'"]}  # noqa: F405
}

PUBLIC_URL = os.environ.get("OPENPROCURE_PUBLIC_URL", "http://127.0.0.1:8100").rstrip("/")
# The demo's other site (buyer suite); used only to seed demo connections.
DEMO_PEER_URL = os.environ.get("OPENPROCURE_DEMO_PEER_URL", "http://127.0.0.1:8000").rstrip("/")
# Our own cXML identity, used in To/From of every document we exchange.
CXML_IDENTITY = os.environ.get("OPENPROCURE_CXML_IDENTITY", "MARKETPLACE")
CXML_DOMAIN = os.environ.get("OPENPROCURE_CXML_DOMAIN", "NetworkId")
# Businesses whose administrator's e-mail domain is listed here are verified without review.
BUSINESS_VERIFIED_DOMAINS = env_list("OPENPROCURE_BUSINESS_VERIFIED_DOMAINS")
# The host part of every payloadID we generate (cXML recommends the sender's domain name).
PAYLOAD_ID_DOMAIN = os.environ.get("OPENPROCURE_PAYLOAD_ID_DOMAIN", "supplier.openprocure.local")
# VAT rate in percent of the cart's tax estimate and of our invoices (default: France's standard 20).
VAT_RATE = Decimal(os.environ.get("OPENPROCURE_VAT_RATE", "20"))
# Periodic tasks run by the site's worker: (dotted path, seconds between runs).
PERIODIC_TASKS = [("openprocure.supplier.fulfilment.tasks.auto_fulfil", 60.0)]
