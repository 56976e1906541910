"""Settings of the supplier storefront (one Django site, its own database and user table)."""

from __future__ import annotations

import os
from decimal import Decimal

from openprocure.core.settings_base import *  # noqa: F403
from openprocure.core.settings_base import (
    PLATFORM_PULL_SECONDS,
    PLATFORM_PULL_TASK,
    SHARED_APPS,
    env_list,
    site_settings,
)

SITE_NAME = "supplier"
SITE_TITLE = "OpenProcure Marketplace"
_site = site_settings(SITE_NAME, public_port=8100, peer_port=8000)
globals().update(_site)

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

NAVIGATION = "openprocure.supplier.storefront.navigation.menu"
# Who may open the "E-invoicing platforms" page (openprocure.core.platform.views): "" or why not.
PLATFORM_ADMINISTRATION_REFUSAL = "openprocure.supplier.business.services.platform_refusal"
# Keep connections between requests: opening SQLite and running its PRAGMAs costs 5–10 ms a request.
_site["DATABASES"]["default"].setdefault("CONN_MAX_AGE", 600)
# Reads the shared secret an outbox document carries at delivery (bodies are stored with it masked).
OUTBOX_SECRET_LOOKUP = "openprocure.supplier.orders.documents.outbox_secret"  # noqa: S105 - a dotted path, not a secret
# Catalog search backend (a dotted path to a SearchBackend class): OPENPROCURE_SEARCH_BACKEND, else
# PostgreSQL full text on PostgreSQL, else the catalog's own choice (FTS5 on SQLite).
CATALOG_SEARCH_BACKEND = os.environ.get("OPENPROCURE_SEARCH_BACKEND") or (
    "openprocure.supplier.catalog.search_postgres.PostgresSearchBackend"
    if _site["DATABASES"]["default"]["ENGINE"] == "django.db.backends.postgresql"
    else ""
)
# The operations status page shows the search backend in use (a function returning its class).
OPERATIONS_SEARCH_BACKEND = "openprocure.supplier.catalog.search.get_backend_class"
DEFAULT_FROM_EMAIL = os.environ.get("OPENPROCURE_FROM_EMAIL", "orders@marketplace.test")

# Inside a PunchOut session, flash messages live on the session, not in a cookie.
MESSAGE_STORAGE = "openprocure.supplier.punchout.messages.PunchOutMessageStorage"
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

# Our own cXML identity, used in To/From of every document we exchange.
CXML_IDENTITY = os.environ.get("OPENPROCURE_CXML_IDENTITY", "MARKETPLACE")
CXML_DOMAIN = os.environ.get("OPENPROCURE_CXML_DOMAIN", "NetworkId")
# Businesses whose administrator's e-mail domain is listed here are verified without review.
BUSINESS_VERIFIED_DOMAINS = env_list("OPENPROCURE_BUSINESS_VERIFIED_DOMAINS")
# VAT rate in percent of the cart's tax estimate and of our invoices (default: France's standard 20).
VAT_RATE = Decimal(os.environ.get("OPENPROCURE_VAT_RATE", "20"))
# Us, the seller on EN 16931 e-invoices: each OPENPROCURE_EINVOICE_SELLER_* variable, when set, replaces
# the demo identity of the EINVOICE_SELLER_* tunable of the same name (openprocure.core.tunables).
for _part in ("NAME", "STREET", "POSTAL_CODE", "CITY", "COUNTRY", "SIREN", "SIRET", "VAT_NUMBER"):
    if f"OPENPROCURE_EINVOICE_SELLER_{_part}" in os.environ:
        globals()[f"EINVOICE_SELLER_{_part}"] = os.environ[f"OPENPROCURE_EINVOICE_SELLER_{_part}"]
# Periodic tasks run by the site's worker: (dotted path, seconds between runs).
PERIODIC_TASKS = [
    ("openprocure.supplier.fulfilment.tasks.auto_fulfil", 60.0),
    # Statuses (and any invoice) waiting at our e-invoicing platform.
    (PLATFORM_PULL_TASK, PLATFORM_PULL_SECONDS),
]
