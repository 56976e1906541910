"""Hooks other apps register into (from their ``AppConfig.ready()``), so fulfilment never imports them.

- ``RECEIPTS_CHANGED``: called with ``purchase_order=`` after a receipt or return was recorded, on
  commit (invoicing re-runs the matching of the order's invoices).
- ``INVOICE_STATE``: called with ``purchase_order=``; returns ``"invoiced"``, ``"closed"`` or ``""``
  so the PO status can show invoicing progress.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

RECEIPTS_CHANGED: list[Callable[..., Any]] = []
INVOICE_STATE: list[Callable[..., str]] = []
