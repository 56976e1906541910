"""The French lifecycle statuses (``core.lifecycle``) of our invoices: what the buyer's system says
(205 Approuvée … 211 Paiement transmis, 210 Refusée with its reason) and what we say (212 Encaissée
when the payment is recorded).

:func:`record` is the one way a status of one of our invoices is recorded, whichever way it came:
the cXML StatusUpdateRequest of the buyer (``services.record_buyer_status``, its
``invoiceStatusDetailCode`` Extrinsic), a platform's inbound flow (:func:`receive`), or our own
(:func:`record_payment`). It moves the invoice's ``lifecycle_status`` with ``set_status``, writes the
order's timeline, and once committed calls ``core.lifecycle.status_recorded`` (where a platform
transport plugs in to send ours).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.core.audit import record_event
from openprocure.core.fields import PAYLOAD_ID_LENGTH
from openprocure.core.lifecycle import (
    LIFECYCLE_TRANSITIONS,
    LifecycleError,
    LifecycleStatus,
    StatusMessage,
    check_reason,
    status_recorded,
)
from openprocure.core.status import can_move, set_status
from openprocure.supplier.fulfilment.choices import INVOICE_TRANSITIONS, BuyerStatusKind, InvoiceStatus
from openprocure.supplier.fulfilment.einvoice import business_identifiers, seller
from openprocure.supplier.fulfilment.models import BuyerStatus, Invoice
from openprocure.supplier.orders.choices import EventKind
from openprocure.supplier.orders.models import OrderEvent

#: The Extrinsics of a buyer's StatusUpdateRequest that carry the lifecycle status code and its reason.
LIFECYCLE_EXTRINSIC = "invoiceStatusDetailCode"
REASON_EXTRINSIC = "invoiceStatusDetailReasonCode"


def record(
    *, invoice: Invoice, code: str, reason_code: str = "", reason: str = "", received: bool, actor: Any = None
) -> bool:
    """Record lifecycle status ``code`` of ``invoice`` (said by the buyer when ``received``, by us
    otherwise); returns whether it became the invoice's status of record.

    ``LifecycleError`` when the code is unknown or its reason code missing or not allowed. A status
    the invoice's current one may not move to (a late 207 after 210 Refusée) stays in the history
    without moving it.
    """
    reason_code = check_reason(code, reason_code)
    with transaction.atomic():
        moved = can_move(LIFECYCLE_TRANSITIONS, current=invoice.lifecycle_status, target=code)
        if moved:
            set_status(invoice, code, field="lifecycle_status", table=LIFECYCLE_TRANSITIONS)
        record_event(
            OrderEvent,
            invoice.order,
            EventKind.INVOICE_LIFECYCLE,
            actor=actor,
            detail={
                "invoice": invoice.number,
                "code": code,
                "reason_code": reason_code,
                "reason": reason,
                "received": received,
                "moved": moved,
            },
        )
        buyer_siren, _vat = business_identifiers(invoice.business)
        message = StatusMessage(
            sender_role="buyer" if received else "seller",
            invoice_number=invoice.number,
            issue_date=timezone.localdate(invoice.issued_at),
            seller_siren=seller().siren,
            buyer_siren=buyer_siren,
            status=code,
            reason_code=reason_code,
            reason=reason,
            site="supplier",
            invoice_pk=invoice.pk,
        )
        transaction.on_commit(partial(status_recorded, message, received=received))
    return moved


def receive(
    *,
    invoice: Invoice,
    code: str,
    reason_code: str = "",
    reason: str = "",
    reference: str,
    journal: Any = None,
) -> BuyerStatus:
    """A lifecycle status of our invoice from the buyer that came another way than cXML (a platform's
    inbound flow): kept like a StatusUpdateRequest (``reference``: the message's own id, kept once),
    then recorded."""
    payload_id = reference[:PAYLOAD_ID_LENGTH]  # kept and looked up as stored
    with transaction.atomic():
        existing = BuyerStatus.objects.filter(payload_id=payload_id).first()
        if existing is not None:
            return existing
        status = BuyerStatus.objects.create(
            business=invoice.business,
            order=invoice.order,
            invoice=invoice,
            payload_id=payload_id,
            kind=BuyerStatusKind.INVOICE,
            lifecycle_code=code,
            reason_code=reason_code.strip().upper()[:20],
            code=200,
            comments=reason,
            journal=journal,
        )
        record(invoice=invoice, code=code, reason_code=reason_code, reason=reason, received=True)
    return status


def record_payment(*, invoice: Invoice, actor: Any) -> Invoice:
    """Our staff record that the invoice's payment was received: it is paid, and we say 212 Encaissée."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().select_related("order", "business").get(pk=invoice.pk)
        if invoice.status == InvoiceStatus.CORRECTED:
            raise ValidationError(
                _("Invoice %(number)s was replaced by a corrective invoice: record the payment on that one.")
                % {"number": invoice.number}
            )
        if invoice.lifecycle_status == LifecycleStatus.CASHED:
            raise ValidationError(
                _("The payment of invoice %(number)s is already recorded.") % {"number": invoice.number}
            )
        if not can_move(
            LIFECYCLE_TRANSITIONS, current=invoice.lifecycle_status, target=LifecycleStatus.CASHED
        ):
            raise ValidationError(
                _("Invoice %(number)s was %(status)s by the buyer: it cannot be cashed.")
                % {"number": invoice.number, "status": invoice.get_lifecycle_status_display()}
            )
        if invoice.status == InvoiceStatus.ISSUED:
            set_status(invoice, InvoiceStatus.PAID, table=INVOICE_TRANSITIONS)
        try:
            record(invoice=invoice, code=LifecycleStatus.CASHED, received=False, actor=actor)
        except LifecycleError as error:  # pragma: no cover - 212 needs no reason
            raise ValidationError(str(error)) from None
    return invoice
