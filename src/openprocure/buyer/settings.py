"""Settings of the buyer suite (one Django site, its own database and user table)."""

from __future__ import annotations

import os

from openprocure.core.settings_base import *  # noqa: F403
from openprocure.core.settings_base import (
    PLATFORM_PULL_SECONDS,
    PLATFORM_PULL_TASK,
    SHARED_APPS,
    site_settings,
)

SITE_NAME = "buyer"
SITE_TITLE = "OpenProcure Buyer"
globals().update(site_settings(SITE_NAME, public_port=8000, peer_port=8100))
# A supplier's account on the supplier portal opens nothing else (after the sign-in is known).
MIDDLEWARE = [*MIDDLEWARE, "openprocure.buyer.supplierportal.middleware.SupplierAccountMiddleware"]  # noqa: F405

INSTALLED_APPS = [
    *SHARED_APPS,
    "openprocure.buyer.portal",
    "openprocure.buyer.organization",
    "openprocure.buyer.suppliers",
    "openprocure.buyer.punchout",
    "openprocure.buyer.requisitions",
    "openprocure.buyer.approvals",
    "openprocure.buyer.catalogs",
    "openprocure.buyer.purchasing",
    "openprocure.buyer.recurring",
    "openprocure.buyer.fulfilment",
    "openprocure.buyer.invoicing",
    "openprocure.buyer.spend",
    "openprocure.buyer.supplierportal",
]

NAVIGATION = "openprocure.buyer.portal.navigation.menu"
# Who may open the "E-invoicing platforms" page (openprocure.core.platform.views): "" or why not.
PLATFORM_ADMINISTRATION_REFUSAL = "openprocure.buyer.organization.services.platform_refusal"
# Reads the shared secret an outbox document carries at delivery (bodies are stored with it masked).
OUTBOX_SECRET_LOOKUP = "openprocure.buyer.suppliers.services.outbox_secret"  # noqa: S105 - a dotted path, not a secret
DEFAULT_FROM_EMAIL = os.environ.get("OPENPROCURE_FROM_EMAIL", "procurement@acme.test")


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
    # Occurrences of recurring requisitions are made on their day; the task looks every hour.
    ("openprocure.buyer.recurring.tasks.create_due_occurrences", 3600.0),
    # Invoices and statuses waiting at each legal entity's e-invoicing platform.
    (PLATFORM_PULL_TASK, PLATFORM_PULL_SECONDS),
    # Hosted catalogs' dated prices: the search's price columns follow the day. The task looks every
    # 15 minutes and sets each version in force once a day (the first look of the day, or of the day
    # the version came into force); a look with nothing due costs two small queries.
    ("openprocure.buyer.catalogs.tasks.follow_dated_prices", 900.0),
]
