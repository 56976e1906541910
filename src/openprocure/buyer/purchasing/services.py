"""Every write on purchase orders, as the other apps and the pages call it: numbering
(:mod:`.numbering`), creation at final approval (:mod:`.creation`), sending through the outbox and
following delivery (:mod:`.sending`), change orders and cancellations (:mod:`.changes`) and what
they do to the lines once accepted (:mod:`.line_changes`).
"""

from __future__ import annotations

from openprocure.buyer.purchasing.changes import (
    apply_change,
    cancel_purchase_order,
    close_remaining,
    request_change,
)
from openprocure.buyer.purchasing.creation import (
    create_purchase_orders,
    create_purchase_orders_many,
    on_final_approval,
    on_final_approval_many,
)
from openprocure.buyer.purchasing.line_changes import cancelled_by_supplier, rejected_by_supplier
from openprocure.buyer.purchasing.numbering import allocate_po_numbers, next_po_number
from openprocure.buyer.purchasing.sending import (
    DELIVERY_RESULT,
    PurchasingError,
    order_problem,
    order_problem_values,
    record_delivery,
    resend,
    send_purchase_order,
    send_purchase_orders,
)

__all__ = [
    "DELIVERY_RESULT",
    "PurchasingError",
    "allocate_po_numbers",
    "apply_change",
    "cancel_purchase_order",
    "cancelled_by_supplier",
    "close_remaining",
    "create_purchase_orders",
    "create_purchase_orders_many",
    "next_po_number",
    "on_final_approval",
    "on_final_approval_many",
    "order_problem",
    "order_problem_values",
    "record_delivery",
    "rejected_by_supplier",
    "request_change",
    "resend",
    "send_purchase_order",
    "send_purchase_orders",
]
