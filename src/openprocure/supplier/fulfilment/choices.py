"""Statuses of shipments and invoices, with their transition tables."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ShipmentStatus(models.TextChoices):
    SHIPPED = "shipped", _("Shipped")  # handed to the carrier; ship notice sent
    DELIVERED = "delivered", _("Delivered")  # the carrier delivered it


SHIPMENT_TRANSITIONS: dict[str, set[str]] = {
    ShipmentStatus.SHIPPED: {ShipmentStatus.DELIVERED},
    ShipmentStatus.DELIVERED: set(),
}


class InvoiceStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")  # created (and sent when e-invoicing is on)
    PAID = "paid", _("Paid")  # settled
    CORRECTED = "corrected", _("Corrected")  # replaced by a corrective invoice (384), kept as issued


INVOICE_TRANSITIONS: dict[str, set[str]] = {
    InvoiceStatus.ISSUED: {InvoiceStatus.PAID, InvoiceStatus.CORRECTED},
    InvoiceStatus.PAID: set(),
    InvoiceStatus.CORRECTED: set(),
}


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")  # for shipped lines
    CREDIT_MEMO = "credit_memo", _("Credit memo")  # for returned lines (cXML lineLevelCreditMemo)
    # replaces a wrong invoice in full (UNTDID 1001 type 384; a standard cXML invoice naming it)
    CORRECTIVE = "corrective", _("Corrective invoice")


class ReturnRequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for the goods")  # asked by the business; staff act on it
    RECORDED = "recorded", _("Return recorded")  # the goods came back: refunded and credited
    DECLINED = "declined", _("Declined")  # staff declined it, with a reason


RETURN_REQUEST_TRANSITIONS: dict[str, set[str]] = {
    ReturnRequestStatus.REQUESTED: {ReturnRequestStatus.RECORDED, ReturnRequestStatus.DECLINED},
    ReturnRequestStatus.RECORDED: set(),
    ReturnRequestStatus.DECLINED: set(),
}


class BuyerStatusKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice status")  # cXML InvoiceStatus: processing, reconciled, paid…
    DOCUMENT = "document", _("Document status")  # cXML DocumentStatus: a type agreed with the buyer
    PAYMENT = "payment", _("Payment status")  # cXML PaymentStatus (a card transaction), kept as sent
    STATUS = "status", _("Status")  # only the Status code and text


# What the buyer's invoice status types read as (cXML InvoiceStatus@type).
INVOICE_STATUS_LABELS = {
    "processing": _("Being processed"),
    "canceled": _("Cancelled"),
    "reconciled": _("Reconciled"),
    "rejected": _("Rejected"),
    "paying": _("Being paid"),
    "paid": _("Paid"),
}


# What the buyer's system says beyond cXML's invoice status types (Extrinsic "invoiceStatusDetail" of
# its StatusUpdateRequest), and how it reads. Both ask the operators to act.
INVOICE_STATUS_DETAIL_EXTRINSIC = "invoiceStatusDetail"
CREDIT_MEMO_REQUESTED = "creditMemoRequested"
INVOICE_STATUS_DETAIL_LABELS = {
    CREDIT_MEMO_REQUESTED: _("Credit memo requested"),
    "onHold": _("On hold"),
}
#: The buyer's invoice statuses the operators must answer (a credit memo, or a talk with the buyer).
DISPUTED_INVOICE_STATUSES = ("rejected", CREDIT_MEMO_REQUESTED)
