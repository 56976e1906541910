"""Our invoices' lifecycle statuses through our e-invoicing platform (CDAR).

A status the buyer's platform sends about one of our invoices is recorded by the one recording
function (``lifecycle.receive``, as a cXML StatusUpdateRequest's is), after checking that the invoice
is ours and the status comes from its buyer (registered on ``core.platform.hooks.status_received``).
A status we record ourselves (212 Encaissée) goes to the buyer through the platform when the business
receives its invoices that way (registered on ``core.lifecycle.status_recorded``).
"""

from __future__ import annotations

from typing import Any

from openprocure.core import platform
from openprocure.core.lifecycle import LifecycleStatus, StatusMessage
from openprocure.core.tunables import tunable
from openprocure.supplier.fulfilment import lifecycle
from openprocure.supplier.fulfilment.einvoice import business_identifiers
from openprocure.supplier.fulfilment.models import Invoice
from punchout import cdar


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
    if status.status_code not in LifecycleStatus.values:
        return f"unknown lifecycle status {status.status_code} for invoice {status.invoice_id}"
    lifecycle.receive(
        invoice=invoice,
        code=status.status_code,
        reason_code=status.reason_code,
        reason=status.reason,
        reference=f"cdar:{status.issuer.id}:{status.id}",
        journal=journal if getattr(journal, "pk", None) else None,
    )
    return ""


def send_through_platform(message: StatusMessage, *, received: bool) -> None:
    """Send a status we recorded about one of our invoices (212 Encaissée…) to the buyer through our
    platform, when the business receives its invoices that way (registered on
    ``core.lifecycle.status_recorded``)."""
    if received or message.site != "supplier" or message.invoice_pk is None:
        return
    invoice = Invoice.objects.select_related("order__integration").filter(pk=message.invoice_pk).first()
    integration = invoice.order.integration if invoice is not None else None
    if invoice is None or integration is None or not integration.through_platform:
        return
    seller = message.seller_siren or str(tunable("EINVOICE_SELLER_SIREN"))
    if not platform.is_configured(seller) or not message.buyer_siren:
        return
    platform.send_status(
        seller,
        invoice.number,
        message.status,
        message.reason_code,
        message.reason,
        invoice_date=message.issue_date,
        recipient=cdar.Party(id=message.buyer_siren, role="BY"),
        invoice_issuer_id=seller,
        role="SE",
        amount=invoice.total,
        currency=invoice.currency,
        vat_rate=invoice.tax_rate,
    )
