"""Every write of fulfilment, as the other apps and the pages call it: supplier confirmations and
what a supplier's cancellation does to the order (:mod:`.confirmations`), ship notices and their
automatic receipt (:mod:`.ship_notices`), status updates (:mod:`.status_updates`), goods receipts
and returns (:mod:`.receiving`), the resolution of supplier issues (:mod:`.supplier_issues`), and
each line's quantities and state with the PO status that follows from them, including what
purchasing asks through its hooks (:mod:`.progress`).

Each service is keyword-only, runs in one transaction with the purchase order locked, updates the
per-line state (:class:`LineFulfilment`) and records a PO event; e-mails and hooks run on commit.
"""

from __future__ import annotations

from openprocure.buyer.fulfilment.confirmations import on_delivered, record_confirmation
from openprocure.buyer.fulfilment.progress import (
    FulfilmentError,
    LineRefusal,
    fulfilments,
    has_shipped,
    lock_po,
    on_lines_cancelled,
    on_lines_changed,
    on_status_asked,
    refresh_po_status,
    shipped_in_order_unit,
)
from openprocure.buyer.fulfilment.receiving import (
    ReceiptLineInput,
    receipt_history,
    receive_goods,
    receive_ship_notice,
    return_goods,
)
from openprocure.buyer.fulfilment.ship_notices import record_ship_notice
from openprocure.buyer.fulfilment.status_updates import record_status_update
from openprocure.buyer.fulfilment.supplier_issues import resolve_issue

__all__ = [
    "FulfilmentError",
    "LineRefusal",
    "ReceiptLineInput",
    "fulfilments",
    "has_shipped",
    "lock_po",
    "on_delivered",
    "on_lines_cancelled",
    "on_lines_changed",
    "on_status_asked",
    "receipt_history",
    "receive_goods",
    "receive_ship_notice",
    "record_confirmation",
    "record_ship_notice",
    "record_status_update",
    "refresh_po_status",
    "resolve_issue",
    "return_goods",
    "shipped_in_order_unit",
]
