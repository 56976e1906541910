"""API shapes shared by the orders and invoices routers: the statuses the buyer's system sent us
(fulfilment.BuyerStatus rows, read through their attributes)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from punchout.money import quantize_money


class BuyerStatusOut(Schema):
    received_at: datetime
    kind: str = Field(description="invoice, document, payment, or status (only a code and text)")
    status: str = Field(description="as the buyer sent it: reconciled, paid… (InvoiceStatus@type)")
    invoice: str | None = Field(description="our invoice number, when the status is about an invoice")
    code: int
    text: str
    message: str
    comments: str
    amount_paid: Decimal | None = Field(description="a partial payment, in the invoice's currency")
    lifecycle_code: str = Field(
        description="the French lifecycle status it carries (CDAR code, 205…), or empty"
    )
    reason_code: str = Field(description="its reason code (BR-FR-CDV-CL-09), or empty")


def buyer_status_out(status: Any) -> dict[str, Any]:
    """A status the buyer's system sent us (fulfilment.BuyerStatus), newest first in lists."""
    return {
        "received_at": status.received_at,
        "kind": status.kind,
        "status": status.status_type,
        "invoice": status.invoice.number if status.invoice_id else None,
        "code": status.code,
        "text": status.text,
        "message": status.message,
        "comments": status.comments,
        "lifecycle_code": status.lifecycle_code,
        "reason_code": status.reason_code,
        "amount_paid": (
            quantize_money(status.partial_amount, status.currency)
            if status.partial_amount is not None
            else None
        ),
    }
