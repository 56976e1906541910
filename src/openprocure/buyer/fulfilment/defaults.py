"""Tunables of fulfilment and receiving; each can be overridden by a setting of the same name."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

# A ship notice whose value for one order is below this amount (in the order's currency) is
# received automatically when it arrives. None turns automatic receipts off.
FULFILMENT_AUTO_RECEIPT_BELOW: Decimal | None = None


def auto_receipt_below() -> Decimal | None:
    value = getattr(settings, "FULFILMENT_AUTO_RECEIPT_BELOW", FULFILMENT_AUTO_RECEIPT_BELOW)
    return None if value in (None, "") else Decimal(str(value))
