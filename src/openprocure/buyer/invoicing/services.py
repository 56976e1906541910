"""Every write of invoicing, as the other apps and the pages call it: receiving an invoice or credit
memo from any channel and paper entry (:mod:`.receiving`), matching stored invoices and matching
again when receipts change (:mod:`.match_runs`; the rules themselves are :mod:`.matching`), an
invoice's status and the decisions on it (the exceptions queue, the supplier's cancellation, payment
exports: :mod:`.decisions`), suppliers by identifier (:mod:`.identifiers`) and tolerance rules
(:mod:`.tolerances`).
"""

from __future__ import annotations

from openprocure.buyer.invoicing.decisions import (
    FINAL_STATUSES,
    InvoicingError,
    accept_variance,
    cancel_invoice,
    export_payments,
    hold_invoice,
    po_invoice_state,
    reject_invoice,
    request_credit_memo,
)
from openprocure.buyer.invoicing.identifiers import add_identifier, supplier_for
from openprocure.buyer.invoicing.match_runs import invoice_data, on_receipts_changed, tax_details_of
from openprocure.buyer.invoicing.receiving import Original, enter_paper_invoice, receive_invoice
from openprocure.buyer.invoicing.tolerances import delete_tolerance_rule, save_tolerance_rule

__all__ = [
    "FINAL_STATUSES",
    "InvoicingError",
    "Original",
    "accept_variance",
    "add_identifier",
    "cancel_invoice",
    "delete_tolerance_rule",
    "enter_paper_invoice",
    "export_payments",
    "hold_invoice",
    "invoice_data",
    "on_receipts_changed",
    "po_invoice_state",
    "receive_invoice",
    "reject_invoice",
    "request_credit_memo",
    "save_tolerance_rule",
    "supplier_for",
    "tax_details_of",
]
