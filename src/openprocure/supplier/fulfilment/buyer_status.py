"""The buyer's status of its orders and of our invoices: a cXML StatusUpdateRequest kept as a
``BuyerStatus`` (an invoice paid in full moves to Paid, a lifecycle status is recorded), and the
disputed invoices the operators must answer. Called through ``services``.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery

from openprocure.core.fields import PAYLOAD_ID_LENGTH
from openprocure.core.lifecycle import LifecycleError, LifecycleStatus, check_reason
from openprocure.core.status import set_status
from openprocure.supplier.business.models import Business
from openprocure.supplier.fulfilment import lifecycle
from openprocure.supplier.fulfilment.choices import (
    CREDIT_MEMO_REQUESTED,
    INVOICE_STATUS_DETAIL_EXTRINSIC,
    INVOICE_TRANSITIONS,
    BuyerStatusKind,
    InvoiceStatus,
)
from openprocure.supplier.fulfilment.models import BuyerStatus, Invoice
from openprocure.supplier.orders.models import Order
from punchout import cxml


class StatusNotRecorded(ValidationError):
    """A StatusUpdateRequest we cannot attach to anything; ``path`` names the element to correct."""

    def __init__(self, message: str, *, path: str) -> None:
        self.path = path
        super().__init__(message)


STATUS_PATH = "/cXML/Request/StatusUpdateRequest"


def _status_target(
    business: Business, request: cxml.StatusUpdateRequest
) -> tuple[Order | None, Invoice | None]:
    """The order or invoice a status is about: by the referenced payloadID, else by the number in
    InvoiceIDInfo / DocumentInfo (ours or the buyer's PO number)."""
    reference = (request.document_reference or "").strip()
    invoices = Invoice.objects.filter(business=business).select_related("order")
    orders = Order.objects.filter(business=business)
    if reference:
        invoice = invoices.filter(payload_id=reference).first()
        if invoice is not None:
            return invoice.order, invoice
        order = orders.filter(payload_id=reference).order_by("-order_version").first()
        if order is not None:
            return order, None
    if request.invoice_status is not None and request.invoice_status.invoice_id:
        invoice = invoices.filter(number=request.invoice_status.invoice_id.strip()).first()
        if invoice is not None:
            return invoice.order, invoice
    if request.document_status is not None and request.document_status.document_id:
        number = request.document_status.document_id.strip()
        order = (
            orders.filter(number=number).first()
            or orders.filter(buyer_order_id=number).order_by("-order_version").first()
        )
        if order is not None:
            return order, None
    shown = reference or (request.invoice_status.invoice_id if request.invoice_status else None)
    if not shown and request.document_status is not None:
        shown = request.document_status.document_id
    if not shown:
        raise StatusNotRecorded(
            "The status names no document: send DocumentReference with the payloadID of the order or "
            "invoice it is about (or InvoiceIDInfo/DocumentInfo with its number).",
            path=f"{STATUS_PATH}/DocumentReference",
        )
    raise StatusNotRecorded(
        f"We have no order or invoice of yours for {shown!r}: send the payloadID of an order you sent "
        "us or of an invoice we sent you, in DocumentReference.",
        path=f"{STATUS_PATH}/DocumentReference/@payloadID",
    )


#: How a buyer that sends no ``invoiceStatusDetail`` Extrinsic words a request for a credit memo (an
#: earlier OpenProcure, in English, at the start of its status message or comment).
_CREDIT_MEMO_WORDS = "credit memo requested"


def _invoice_status_detail(request: cxml.StatusUpdateRequest, comments: list[str]) -> str:
    """What the buyer says beyond the invoice status type: its ``invoiceStatusDetail`` Extrinsic, else
    ``creditMemoRequested`` when its words start so."""
    sent = cxml.get_extrinsic(request.extrinsics, INVOICE_STATUS_DETAIL_EXTRINSIC)
    if sent:
        return sent.strip()
    words = [request.status.message or "", *comments]
    if any(text.strip().casefold().startswith(_CREDIT_MEMO_WORDS) for text in words):
        return CREDIT_MEMO_REQUESTED
    return ""


def record_buyer_status(
    *, business: Business, document: cxml.CXML, journal: Any = None
) -> tuple[BuyerStatus, bool]:
    """Keep the buyer's status of one of its orders or of one of our invoices; ``(status, created)``.

    The same update (same payloadID) is kept once. An invoice the buyer says is paid in full moves
    to Paid; a partial payment is kept with its amount and leaves the invoice issued.
    """
    request = document.message
    assert isinstance(request, cxml.StatusUpdateRequest)
    payload_id = (document.payload_id or "").strip()
    if len(payload_id) > PAYLOAD_ID_LENGTH:
        raise StatusNotRecorded(
            f"The payloadID has {len(payload_id)} characters; at most {PAYLOAD_ID_LENGTH} are accepted. "
            "Send a shorter one.",
            path="/cXML/@payloadID",
        )
    with transaction.atomic():
        # Without a payloadID an update cannot be told from a repeat: each is kept, under a key of its own.
        existing = BuyerStatus.objects.filter(payload_id=payload_id).first() if payload_id else None
        if not payload_id:
            payload_id = f"(none)-{secrets.token_hex(12)}"
        if existing is not None:
            if existing.business_id != business.pk:
                raise StatusNotRecorded(
                    "This payloadID was already used by another document: give each update its own.",
                    path="/cXML/@payloadID",
                )
            return existing, False
        order, invoice = _status_target(business, request)
        if invoice is not None:
            invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        kind, status_type, comments, detail = BuyerStatusKind.STATUS, "", [], ""
        partial: Decimal | None = None
        currency = ""
        if request.invoice_status is not None:
            kind, status_type = BuyerStatusKind.INVOICE, request.invoice_status.type.value
            comments = [c.text for c in request.invoice_status.comments if c.text]
            detail = _invoice_status_detail(request, comments)
            if request.invoice_status.partial_amount is not None:
                partial = request.invoice_status.partial_amount.amount
                currency = request.invoice_status.partial_amount.currency.upper()
        elif request.document_status is not None:
            kind, status_type = BuyerStatusKind.DOCUMENT, request.document_status.type.strip()
            comments = [c.text for c in request.document_status.comments if c.text]
        elif request.source is not None and request.source.find("PaymentStatus") is not None:
            payment = request.source.find("PaymentStatus")
            assert payment is not None
            kind = BuyerStatusKind.PAYMENT
            status_type = (payment.get("type") or "") + (
                " (failed)" if payment.get("isFailed") == "yes" else ""
            )
        lifecycle_code, reason_code = _lifecycle_of(request, invoice)
        status = BuyerStatus.objects.create(
            business=business,
            order=order,
            invoice=invoice,
            lifecycle_code=lifecycle_code,
            reason_code=reason_code,
            payload_id=payload_id,
            document_reference=(request.document_reference or "")[:PAYLOAD_ID_LENGTH],
            kind=kind,
            status_type=status_type[:100],
            detail=detail[:40],
            code=request.status.code,
            text=(request.status.text or "")[:200],
            message=request.status.message or "",
            comments="\n".join(comments),
            partial_amount=partial,
            currency=currency,
            journal=journal if getattr(journal, "pk", None) else None,
        )
        if (
            invoice is not None
            and kind == BuyerStatusKind.INVOICE
            and status_type == cxml.InvoiceStatusType.PAID
            and partial is None
            and invoice.status == InvoiceStatus.ISSUED
        ):
            set_status(invoice, InvoiceStatus.PAID, table=INVOICE_TRANSITIONS)
        if invoice is not None and lifecycle_code:
            lifecycle.record(
                invoice=invoice,
                code=lifecycle_code,
                reason_code=reason_code,
                reason=status.note,
                received=True,
            )
    return status, True


def _lifecycle_of(request: cxml.StatusUpdateRequest, invoice: Invoice | None) -> tuple[str, str]:
    """The lifecycle status code and reason code a StatusUpdateRequest carries (its
    ``invoiceStatusDetailCode`` and ``invoiceStatusDetailReasonCode`` Extrinsics), checked."""
    code = (cxml.get_extrinsic(request.extrinsics, lifecycle.LIFECYCLE_EXTRINSIC) or "").strip()
    reason = (cxml.get_extrinsic(request.extrinsics, lifecycle.REASON_EXTRINSIC) or "").strip()
    if not code:
        return "", ""
    path = f"{STATUS_PATH}/Extrinsic[@name='{lifecycle.LIFECYCLE_EXTRINSIC}']"
    if invoice is None:
        raise StatusNotRecorded(
            "A lifecycle status is about an invoice: name the invoice we sent you in DocumentReference "
            "(its payloadID) or InvoiceIDInfo.",
            path=path,
        )
    try:
        reason = check_reason(code, reason)
    except LifecycleError as error:
        if reason:
            path = f"{STATUS_PATH}/Extrinsic[@name='{lifecycle.REASON_EXTRINSIC}']"
        raise StatusNotRecorded(str(error), path=path) from None
    return code, reason


def disputed_invoices() -> Any:
    """The buyer statuses the operators must answer, newest first: each invoice whose latest status
    from the buyer's system is a request for a credit memo, a rejection, or lifecycle status 207 En
    litige, 210 Refusée or 213 Rejetée (the buyer's platform or intake did not take it), with the
    buyer's reason."""
    latest = (
        BuyerStatus.objects.filter(invoice=OuterRef("pk")).order_by("-received_at", "-id").values("pk")[:1]
    )
    latest_ids = Invoice.objects.annotate(latest_status=Subquery(latest)).values("latest_status")
    return (
        BuyerStatus.objects.filter(pk__in=latest_ids, kind=BuyerStatusKind.INVOICE)
        .filter(
            Q(status_type="rejected")
            | Q(detail=CREDIT_MEMO_REQUESTED)
            | Q(
                lifecycle_code__in=[
                    LifecycleStatus.DISPUTED,
                    LifecycleStatus.REFUSED,
                    LifecycleStatus.REJECTED,
                ]
            )
        )
        .select_related("invoice__order", "business")
        .order_by("-received_at", "-id")
    )
