"""Tunables of invoicing; each can be overridden by a setting of the same name."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

# Tolerances when no ToleranceRule applies: exact match, 3-way, any shipping accepted.
INVOICING_DEFAULT_TOLERANCE: dict[str, Any] = {
    "mode": "3way",
    "quantity_pct": Decimal(0),
    "price_pct": Decimal(0),
    "price_abs": Decimal(0),
    "line_amount_abs": Decimal(0),
    "header_amount_abs": Decimal(0),
    "tax_abs": Decimal(0),
    "max_tax_rate_pct": None,
    "shipping_max": None,
}
# Largest upload accepted (bytes) for an EN 16931 XML or Factur-X PDF.
INVOICING_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Columns of the payment export CSV, in order.
INVOICING_PAYMENT_COLUMNS = [
    "supplier_number",
    "supplier",
    "vat",
    "invoice_number",
    "invoice_date",
    "due_date",
    "kind",
    "currency",
    "amount_due",
    "purchase_orders",
    # an early-payment discount from the invoice's payment terms: the last day to pay with it,
    # its percent (when it is one), and the amount to deduct
    "discount_due_date",
    "discount_percent",
    "discount_amount",
    # "yes" when the supplier's invoice says the VAT is reverse-charged (we account for it)
    "reverse_charge",
]
