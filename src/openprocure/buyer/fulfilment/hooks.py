"""Hooks of fulfilment (see :mod:`openprocure.core.hooks`), so fulfilment never imports invoicing.

- ``RECEIPTS_CHANGED``: called with ``purchase_order=`` after a receipt or return was recorded, on
  commit (invoicing re-runs the matching of the order's invoices).
- ``INVOICE_STATE``: called with ``purchase_order=``; returns ``"invoiced"``, ``"closed"`` or ``""``
  so the PO status can show invoicing progress.
"""

from __future__ import annotations

from openprocure.core.hooks import Hook

RECEIPTS_CHANGED = Hook()
INVOICE_STATE = Hook()
