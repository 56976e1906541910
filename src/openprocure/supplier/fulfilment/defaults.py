"""Tunables of fulfilment, each with why it has this value."""

from __future__ import annotations

# The carrier named on shipments made by the automatic fulfilment task (the demo's warehouse).
AUTO_CARRIER = "Marketplace Logistics"
# Tracking numbers of automatic shipments start with this, so people see they were not typed.
AUTO_TRACKING_PREFIX = "ML"
# How often the automatic fulfilment task looks for orders to ship (seconds); see PERIODIC_TASKS.
AUTO_FULFIL_INTERVAL_SECONDS = 60
# The SCAC-like domain of carrier names in ship notices.
CARRIER_DOMAIN = "companyName"
