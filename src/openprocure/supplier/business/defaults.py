"""Recommended defaults of a PunchOut integration's order safeguards and settings.

A new integration starts with these values; they are shown to the business administrator and only
an operator changes them afterwards (each change recorded with who and why).
"""

from __future__ import annotations

from decimal import Decimal

# An order line's unit price may differ from the punched-out cart's by at most this percentage.
UNIT_PRICE_TOLERANCE_PERCENT = Decimal("10")
# What to do when the ordered quantity is not available.
QUANTITY_ACTION = "ship_available"
# Largest shipping charge accepted on an order without asking; None means no limit.
MAX_SHIPPING_PRICE: Decimal | None = None
# Longest delivery time accepted, in days; None means no limit.
MAX_DELIVERY_DAYS: int | None = None
# Only items we ship ourselves (no marketplace sellers).
FULFILLED_BY_US_ONLY = False
# The buyer may send an OrderRequest type="update" until the order ships.
ALLOW_ORDER_UPDATES = True
# One invoice per shipment (the Amazon Business default) or per order.
INVOICE_GROUPING = "per_shipment"
# Invoices sent as cXML InvoiceDetailRequest.
E_INVOICING = True
# Default cart return encoding for cXML.
CART_ENCODING = "cxml-urlencoded"
# Businesses whose administrator's e-mail is at one of these domains are verified at once
# (setting BUSINESS_VERIFIED_DOMAINS overrides it); every other one waits for an operator.
VERIFIED_DOMAINS: list[str] = []
