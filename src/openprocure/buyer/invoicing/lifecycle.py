"""The invoice's life told to its supplier: the French lifecycle status (``core.lifecycle``) of each move
of an invoice, recorded in its history and handed to the invoice's channels.

:func:`emit` is the one way out, called by ``decisions.move_invoice`` after every move of an invoice:
it records the lifecycle status the move means (205 Approuvée, 206 Approuvée partiellement, 207 En
litige, 208 Suspendue, 210 Refusée, 211 Paiement transmis) with its reason code, sends the supplier a
cXML StatusUpdateRequest (its ``invoiceStatusDetail`` Extrinsics carry the code and reason for the
supplier's system), and once committed calls ``core.lifecycle.status_recorded`` (where a platform
transport plugs in). :func:`reject_on_intake` tells the same hook that a received file was refused
(213 Rejetée), since no invoice is stored for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from openprocure.buyer.invoicing.choices import ExceptionStatus, InvoiceStatus
from openprocure.buyer.invoicing.findings import waits_for_receipt
from openprocure.buyer.invoicing.models import Invoice, InvoiceEvent
from openprocure.buyer.suppliers.services import cxml_envelope
from openprocure.core.audit import new_event, record_event
from openprocure.core.lifecycle import (
    LIFECYCLE_TRANSITIONS,
    REASONS_BY_STATUS,
    LifecycleStatus,
    StatusMessage,
    check_reason,
    status_recorded,
)
from openprocure.core.outbox import enqueue_document
from openprocure.core.status import set_status
from punchout import cxml

#: The lifecycle status each move of an invoice means.
LIFECYCLE_OF: dict[str, str] = {
    InvoiceStatus.APPROVED: LifecycleStatus.APPROVED,
    InvoiceStatus.CREDIT_REQUESTED: LifecycleStatus.PARTLY_APPROVED,
    InvoiceStatus.EXCEPTION: LifecycleStatus.DISPUTED,
    InvoiceStatus.ON_HOLD: LifecycleStatus.SUSPENDED,
    InvoiceStatus.REJECTED: LifecycleStatus.REFUSED,
    InvoiceStatus.EXPORTED: LifecycleStatus.PAYMENT_SENT,
}

#: The reason code each failed matching check gives (the first one allowed for the status wins).
EXCEPTION_REASONS: dict[str, str] = {
    "no_order_line": "CMD_ERR",
    "unit_mismatch": "QTE_ERR",
    "currency_mismatch": "CMD_ERR",
    "quantity_over_ordered": "QTE_ERR",
    "quantity_over_received": "LIVR_INCOMP",
    "price_over": "PU_ERR",
    "line_amount_variance": "CALCUL_ERR",
    "credit_exceeds_invoiced": "MONTANTTOTAL_ERR",
    "subtotal_variance": "CALCUL_ERR",
    "total_variance": "MONTANTTOTAL_ERR",
    "line_tax_variance": "TX_TVA_ERR",
    "shipping_tax_variance": "TX_TVA_ERR",
    "handling_tax_variance": "TX_TVA_ERR",
    "tax_variance": "TX_TVA_ERR",
    "tax_charges_variance": "TX_TVA_ERR",
    "tax_details_variance": "TX_TVA_ERR",
    "vat_breakdown_variance": "TX_TVA_ERR",
    "tax_rate_over": "TX_TVA_ERR",
    "shipping_not_allowed": "CMD_ERR",
    "shipping_over": "MONTANTTOTAL_ERR",
    "corrects_unknown": "REF_ERR",
    "corrects_settled": "DOUBLE_FACT",
}
#: The reason given when nothing better is known (each allowed for its status).
DEFAULT_REASONS: dict[str, str] = {
    LifecycleStatus.PARTLY_APPROVED: "AUTRE",
    LifecycleStatus.DISPUTED: "AUTRE",
    LifecycleStatus.SUSPENDED: "JUSTIF_ABS",
    LifecycleStatus.REFUSED: "NON_CONFORME",
}


def reason_for(status: str, chosen: str, exception_codes: Iterable[str]) -> str:
    """The reason code of ``status``: the one a person chose, else the first its exceptions give that
    the status allows (an exception that alone only waits for the goods comes after the others),
    else its default; empty for a status that takes none."""
    allowed = REASONS_BY_STATUS.get(status)
    if allowed is None:
        return ""
    if chosen:
        return chosen
    for code in sorted(exception_codes, key=lambda code: waits_for_receipt([code])):
        reason = EXCEPTION_REASONS.get(code, "")
        if reason in allowed:
            return reason
    return DEFAULT_REASONS.get(status, allowed[0])


def emit(*, invoice: Invoice, comment: str = "", reason_code: str = "", actor: Any = None) -> Any:
    """Record the lifecycle status of the invoice's new status (history + ``lifecycle_status``) and
    hand it to its channels; returns the outbox message of the cXML status, or None.

    Inside the caller's transaction; ``reason_code`` is a person's choice (checked against the
    status's list, ``core.lifecycle.LifecycleError`` otherwise).
    """
    code = LIFECYCLE_OF.get(invoice.status, "")
    lifecycle: tuple[str, str] | None = None
    if code:
        # the variances of the decision: the ones still open, or resolved by it (held, rejected…)
        codes = list(
            invoice.exceptions.exclude(status__in=[ExceptionStatus.CLEARED, ExceptionStatus.ACCEPTED])
            .order_by("pk")
            .values_list("code", flat=True)
        )
        reason = check_reason(code, reason_for(code, reason_code, codes))
        set_status(
            invoice,
            code,
            field="lifecycle_status",
            table=LIFECYCLE_TRANSITIONS,
            event=new_event(
                InvoiceEvent,
                invoice,
                "lifecycle",
                actor=actor,
                detail={"code": code, "reason_code": reason, "reason": comment},
            ),
        )
        lifecycle = (code, reason)
        message = StatusMessage(
            sender_role="buyer",
            invoice_number=invoice.number,
            issue_date=invoice.invoice_date,
            seller_siren=invoice.seller_siren,
            buyer_siren=invoice.buyer_siren,
            status=code,
            reason_code=reason,
            reason=comment,
            site="buyer",
            invoice_pk=invoice.pk,
        )
        transaction.on_commit(partial(status_recorded, message, received=False))
    return send_status(invoice=invoice, comment=comment, lifecycle=lifecycle)


def reject_on_intake(
    *,
    number: str,
    issue_date: date | None,
    seller_siren: str,
    buyer_siren: str,
    reason_code: str,
    reason: str,
) -> StatusMessage:
    """A received file refused before it became an invoice (its rules failed, or a duplicate): 213
    Rejetée, handed to ``status_recorded`` once the refusal is committed."""
    message = StatusMessage(
        sender_role="buyer",
        invoice_number=number,
        issue_date=issue_date or date.today(),
        seller_siren=seller_siren,
        buyer_siren=buyer_siren,
        status=LifecycleStatus.REJECTED,
        reason_code=check_reason(LifecycleStatus.REJECTED, reason_code),
        reason=reason,
        site="buyer",
    )
    transaction.on_commit(partial(status_recorded, message, received=False))
    return message


# -- the cXML channel ---------------------------------------------------------------------------------
SUPPLIER_STATUS: dict[str, cxml.InvoiceStatusType] = {
    InvoiceStatus.APPROVED: cxml.InvoiceStatusType.RECONCILED,
    InvoiceStatus.EXPORTED: cxml.InvoiceStatusType.PAYING,
    InvoiceStatus.REJECTED: cxml.InvoiceStatusType.REJECTED,
    InvoiceStatus.CANCELLED: cxml.InvoiceStatusType.CANCELED,
    InvoiceStatus.ON_HOLD: cxml.InvoiceStatusType.PROCESSING,
    InvoiceStatus.CREDIT_REQUESTED: cxml.InvoiceStatusType.PROCESSING,
    InvoiceStatus.EXCEPTION: cxml.InvoiceStatusType.PROCESSING,
}


#: The Extrinsics of a StatusUpdateRequest that say more than its InvoiceStatus type can (the
#: storefront reads them; another supplier's system may ignore them): what we ask (``STATUS_DETAIL``
#: values by our status), the lifecycle status code (CDAR ProcessConditionCode, 200–213) and its
#: reason code (BR-FR-CDV-CL-09).
STATUS_DETAIL_EXTRINSIC = "invoiceStatusDetail"
LIFECYCLE_EXTRINSIC = "invoiceStatusDetailCode"
REASON_EXTRINSIC = "invoiceStatusDetailReasonCode"
STATUS_DETAIL: dict[str, str] = {
    InvoiceStatus.CREDIT_REQUESTED: "creditMemoRequested",
    InvoiceStatus.ON_HOLD: "onHold",
}


def send_status(*, invoice: Invoice, comment: str = "", lifecycle: tuple[str, str] | None = None) -> Any:
    """Tell the supplier the invoice's status (cXML StatusUpdateRequest through the outbox), with its
    lifecycle status ``(code, reason code)`` when it has one.

    Only for invoices received as cXML from a supplier with a cXML order URL (the document reference
    is the invoice's payloadID); returns the outbox message or None.
    """
    status_type = SUPPLIER_STATUS.get(invoice.status)
    if status_type is None or invoice.source != "cxml" or not invoice.payload_id:
        return None
    connection = (
        invoice.supplier.connections.filter(protocol="cxml", is_active=True).exclude(order_url="").first()
    )
    if connection is None or not connection.cxml_url("StatusUpdateRequest"):
        return None
    if not connection.accepts("StatusUpdateRequest"):
        # Its ProfileResponse lists no StatusUpdateRequest (or it never answered one): sending it
        # would be refused, so the history says it was not sent, and why.
        record_event(
            InvoiceEvent,
            invoice,
            "status_not_sent",
            detail={"status": str(status_type), "connection": connection.pk},
        )
        return None

    # The Status message is for people at the supplier and is written in English, whoever acted
    # (the Comment carries the person's reason as typed); the Extrinsics name what cXML's status
    # types cannot say (a credit memo is requested, the invoice is on hold, its lifecycle status).
    with translation.override("en"):
        texts: dict[str, str] = {
            InvoiceStatus.CREDIT_REQUESTED: _("Credit memo requested"),
            InvoiceStatus.ON_HOLD: _("On hold"),
            InvoiceStatus.EXCEPTION: _("Disputed"),
        }
        note = " — ".join(t for t in [str(texts.get(invoice.status, "")), comment] if t)
    detail = STATUS_DETAIL.get(invoice.status)
    extrinsics = [cxml.Extrinsic(STATUS_DETAIL_EXTRINSIC, detail)] if detail else []
    if lifecycle is not None:
        extrinsics.append(cxml.Extrinsic(LIFECYCLE_EXTRINSIC, lifecycle[0]))
        if lifecycle[1]:
            extrinsics.append(cxml.Extrinsic(REASON_EXTRINSIC, lifecycle[1]))
    request = cxml.StatusUpdateRequest(
        status=cxml.Status(200, "OK", note),
        document_reference=invoice.payload_id,
        invoice_status=cxml.InvoiceStatus(
            type=status_type,
            invoice_id=invoice.number,
            invoice_date=datetime(
                invoice.invoice_date.year, invoice.invoice_date.month, invoice.invoice_date.day, tzinfo=UTC
            ),
            comments=[cxml.Comment(comment)] if comment else [],
        ),
        extrinsics=extrinsics,
    )
    document = cxml_envelope(connection, request, masked_secret=True)
    message = enqueue_document(
        kind="StatusUpdateRequest",
        url=connection.cxml_url("StatusUpdateRequest"),
        payload_id=document.payload_id or "",
        body=cxml.build(document),
        reference=invoice.number,
        partner=invoice.supplier.name[:200],
        secret_source=str(connection.pk),
    )
    record_event(
        InvoiceEvent,
        invoice,
        "status_sent",
        detail={"status": str(status_type), "payload_id": document.payload_id, "note": note},
    )
    return message
