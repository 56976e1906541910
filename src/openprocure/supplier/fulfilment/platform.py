"""Lifecycle statuses of our invoices that come through our e-invoicing platform (CDAR), kept with
the buyer's other statuses of the invoice (:class:`~.models.BuyerStatus`, as a cXML
StatusUpdateRequest would be), registered from ``AppConfig.ready`` on
``openprocure.core.platform.hooks.status_received``.

The CDAR status code is kept as the status's detail and its official French label as its text; the
cXML invoice status type it amounts to (``reconciled``, ``rejected``, ``paying``…) is kept as its
type, so a refusal, a dispute or a rejection reaches the operators' queue of disputed invoices with
the buyer's reason.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from openprocure.supplier.fulfilment.choices import BuyerStatusKind
from openprocure.supplier.fulfilment.einvoice import business_identifiers
from openprocure.supplier.fulfilment.models import BuyerStatus, Invoice
from punchout import cdar

#: The cXML invoice status type each CDAR status amounts to (processing for the others).
CXML_TYPES = {
    "205": "reconciled",
    "206": "reconciled",
    "207": "rejected",
    "210": "rejected",
    "211": "paying",
    "213": "rejected",
    "220": "canceled",
}


def record_platform_status(*, entity: str, status: cdar.StatusMessage, flow: Any, journal: Any = None) -> str:
    """Keep a CDAR status about one of our invoices; ``""`` when kept (or already kept), else why not."""
    invoice = Invoice.objects.select_related("order", "business").filter(number=status.invoice_id).first()
    if invoice is None:
        return f"no invoice {status.invoice_id} was issued by us (SIREN {entity})"
    buyer_siren, _vat = business_identifiers(invoice.business)
    if status.issuer.role != "WK" and buyer_siren and status.issuer.id != buyer_siren:
        return (
            f"invoice {status.invoice_id} was issued to SIREN {buyer_siren}, "
            f"not to the status's issuer {status.issuer.id or '(none)'}"
        )
    with transaction.atomic():
        BuyerStatus.objects.get_or_create(
            payload_id=f"cdar:{status.issuer.id}:{status.id}"[:250],
            defaults={
                "business_id": invoice.business_id,
                "order": invoice.order,
                "invoice": invoice,
                "document_reference": status.invoice_id[:250],
                "kind": BuyerStatusKind.INVOICE,
                "status_type": CXML_TYPES.get(status.status_code, "processing"),
                "detail": status.status_code[:40],
                "code": 200,
                "text": status.label[:200],
                "message": " ".join(part for part in (status.reason_code, status.reason) if part),
                "comments": status.reason,
                "journal": journal if getattr(journal, "pk", None) else None,
            },
        )
    return ""
