"""Invoice kinds, sources and statuses (with their transition table), exception statuses, identifiers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")  # cXML purpose standard / EN 16931 type 380
    CREDIT_MEMO = "credit_memo", _("Credit memo")  # header-level credit (cXML creditMemo, UNTDID 381)
    LINE_CREDIT_MEMO = "line_credit", _("Line-level credit memo")  # cXML lineLevelCreditMemo


class InvoiceSource(models.TextChoices):
    CXML = "cxml", _("cXML")  # InvoiceDetailRequest at POST /cxml/
    UBL = "ubl", _("UBL 2.1")  # EN 16931 UBL invoice or credit note (upload or API)
    CII = "cii", _("UN/CEFACT CII")  # EN 16931 CII (upload or API)
    FACTURX = "facturx", _("Factur-X PDF")  # PDF/A-3 with embedded CII
    MANUAL = "manual", _("Paper (entered by hand)")  # keyed in by an AP clerk


class InvoiceStatus(models.TextChoices):
    RECEIVED = "received", _("Received")  # stored, not matched yet
    AWAITING_RECEIPT = (
        "awaiting",
        _("Waiting for the goods receipt"),
    )  # matched but for goods not received yet
    EXCEPTION = "exception", _("Exception")  # matching found variances waiting for an AP clerk
    ON_HOLD = "on_hold", _("On hold")  # an AP clerk put it aside
    CREDIT_REQUESTED = "credit_req", _("Credit memo requested")  # waiting for the supplier's credit memo
    APPROVED = "approved", _("Approved for payment")  # matched, or every variance accepted
    EXPORTED = "exported", _("Sent to payment")  # included in a payment export
    REJECTED = "rejected", _("Rejected")  # refused by an AP clerk
    CANCELLED = "cancelled", _("Cancelled")  # the supplier cancelled it (cXML operation delete)
    SUPERSEDED = "superseded", _("Replaced by a corrective invoice")  # a 384 took its place in matching


INVOICE_TRANSITIONS: dict[str, set[str]] = {
    InvoiceStatus.RECEIVED: {
        InvoiceStatus.EXCEPTION,
        InvoiceStatus.AWAITING_RECEIPT,
        InvoiceStatus.APPROVED,
        InvoiceStatus.CANCELLED,
        InvoiceStatus.SUPERSEDED,
    },
    # the receipt matches it (approved), or a later match finds another variance (exception)
    InvoiceStatus.AWAITING_RECEIPT: {
        InvoiceStatus.APPROVED,
        InvoiceStatus.EXCEPTION,
        InvoiceStatus.ON_HOLD,
        InvoiceStatus.REJECTED,
        InvoiceStatus.CANCELLED,
        InvoiceStatus.SUPERSEDED,
    },
    InvoiceStatus.EXCEPTION: {
        InvoiceStatus.EXCEPTION,
        InvoiceStatus.AWAITING_RECEIPT,
        InvoiceStatus.APPROVED,
        InvoiceStatus.ON_HOLD,
        InvoiceStatus.CREDIT_REQUESTED,
        InvoiceStatus.REJECTED,
        InvoiceStatus.CANCELLED,
        InvoiceStatus.SUPERSEDED,
    },
    InvoiceStatus.ON_HOLD: {
        InvoiceStatus.EXCEPTION,
        InvoiceStatus.APPROVED,
        InvoiceStatus.CREDIT_REQUESTED,
        InvoiceStatus.REJECTED,
        InvoiceStatus.CANCELLED,
        InvoiceStatus.SUPERSEDED,
    },
    InvoiceStatus.CREDIT_REQUESTED: {
        InvoiceStatus.EXCEPTION,
        InvoiceStatus.APPROVED,
        InvoiceStatus.ON_HOLD,
        InvoiceStatus.REJECTED,
        InvoiceStatus.CANCELLED,
        InvoiceStatus.SUPERSEDED,
    },
    # a late credit memo or receipt may re-open an approved invoice before it is paid
    InvoiceStatus.APPROVED: {
        InvoiceStatus.EXPORTED,
        InvoiceStatus.EXCEPTION,
        InvoiceStatus.AWAITING_RECEIPT,
        InvoiceStatus.CANCELLED,
    },
    InvoiceStatus.EXPORTED: set(),
    InvoiceStatus.REJECTED: set(),
    InvoiceStatus.CANCELLED: set(),
    # a corrective invoice (384) replaced it before it was approved; it stays, out of matching
    InvoiceStatus.SUPERSEDED: set(),
}

#: Statuses a corrective invoice (384) takes the place of; approved or paid, a person decides.
SUPERSEDABLE = {
    InvoiceStatus.RECEIVED,
    InvoiceStatus.AWAITING_RECEIPT,
    InvoiceStatus.EXCEPTION,
    InvoiceStatus.ON_HOLD,
    InvoiceStatus.CREDIT_REQUESTED,
}

#: Statuses whose invoice counts as invoiced quantity for later matches.
LIVE_STATUSES = {
    InvoiceStatus.RECEIVED,
    InvoiceStatus.AWAITING_RECEIPT,
    InvoiceStatus.EXCEPTION,
    InvoiceStatus.ON_HOLD,
    InvoiceStatus.CREDIT_REQUESTED,
    InvoiceStatus.APPROVED,
    InvoiceStatus.EXPORTED,
}


class ExceptionStatus(models.TextChoices):
    OPEN = "open", _("Open")  # waiting for an AP clerk
    ACCEPTED = "accepted", _("Variance accepted")  # accepted with a recorded reason
    CREDIT_REQUESTED = "credit_req", _("Credit memo requested")  # asked the supplier for a credit
    ON_HOLD = "on_hold", _("On hold")  # set aside
    REJECTED = "rejected", _("Rejected")  # the invoice was rejected
    CLEARED = "cleared", _("Cleared")  # a later match no longer finds it


_STILL_OPEN: set[str] = {
    ExceptionStatus.ACCEPTED,
    ExceptionStatus.CREDIT_REQUESTED,
    ExceptionStatus.ON_HOLD,
    ExceptionStatus.REJECTED,
    ExceptionStatus.CLEARED,
}
EXCEPTION_TRANSITIONS: dict[str, set[str]] = {
    # An AP clerk decides (accept, ask for a credit, hold, reject the invoice), or a later match no
    # longer finds the variance (cleared). Held or waiting for a credit, it may be decided again.
    ExceptionStatus.OPEN: _STILL_OPEN,
    ExceptionStatus.ON_HOLD: _STILL_OPEN,
    ExceptionStatus.CREDIT_REQUESTED: _STILL_OPEN,
    ExceptionStatus.ACCEPTED: {ExceptionStatus.CLEARED},  # a later match no longer finds it
    ExceptionStatus.REJECTED: set(),
    ExceptionStatus.CLEARED: set(),
}


class MatchMode(models.TextChoices):
    TWO_WAY = "2way", _("2-way (order / invoice)")  # services and goods without receipts
    THREE_WAY = "3way", _("3-way (order / receipt / invoice)")  # goods that must be received first


class IdentifierScheme(models.TextChoices):
    VAT = "vat", _("VAT number")  # EU VAT identifier, e.g. FR40303265045
    SIREN = "siren", _("SIREN")  # French company number (9 digits)
    SIRET = "siret", _("SIRET")  # French establishment number (14 digits)
    CXML = "cxml", _("cXML identity")  # domain:identity, e.g. NetworkId:AN0100000123
    GLN = "gln", _("GLN")  # GS1 global location number
    DUNS = "duns", _("D-U-N-S")  # Dun & Bradstreet number
    ADDRESS = "eaddr", _("Electronic address")  # BT-34 endpoint: EAS scheme, colon, address (0225:123456789)
    OTHER = "other", _("Other")  # any other scheme (EAS code in the value)


# What people read for each ``InvoiceEvent.kind`` (the stored kinds are identifiers).
INVOICE_EVENT_LABELS = {
    "received": _("Invoice received"),
    "matched": _("Matched against the order and receipts"),
    "status_changed": _("Status changed"),
    "variance_accepted": _("Variance accepted"),
    "status_sent": _("Status sent to the supplier"),
    "status_not_sent": _("Status not sent: the supplier does not accept status updates"),
    "platform_status": _("Lifecycle status from the supplier's platform"),
    "lifecycle": _("Lifecycle status sent"),
}

# A "status_sent" event as its outbox message stands now (the event is written when the status is
# stored for delivery; whether it reached the supplier is the message's state).
STATUS_DELIVERY_LABELS = {
    "pending": _("Status waiting to be sent to the supplier"),
    "delivering": _("Status being sent to the supplier"),
    "retrying": _("Status not delivered yet; the supplier will be tried again"),
    "delivered": _("Status sent to the supplier"),
    "failed": _("Status could not be delivered to the supplier"),
    "cancelled": _("Status withdrawn before delivery"),
}


# What people read for each kind of invoice exception (``InvoiceException.code``, the failing check of
# ``matching``); the page explains the figures with the exception's message.
EXCEPTION_LABELS = {
    "no_order_line": _("No matching order line"),
    "unit_mismatch": _("Unit differs from the order"),
    "currency_mismatch": _("Currency differs from the order"),
    "quantity_over_ordered": _("More invoiced than ordered"),
    "quantity_over_received": _("More invoiced than received"),
    "price_over": _("Price above the order"),
    "line_amount_variance": _("Line amount does not add up"),
    "credit_exceeds_invoiced": _("Credit above what was invoiced"),
    "subtotal_variance": _("Subtotal does not add up"),
    "total_variance": _("Total does not add up"),
    "line_tax_variance": _("Line tax does not add up"),
    "shipping_tax_variance": _("Tax on shipping does not add up"),
    "handling_tax_variance": _("Tax on special handling does not add up"),
    "tax_variance": _("Tax differs from the line taxes"),
    "tax_charges_variance": _("Tax differs from the line and charge taxes"),
    "tax_details_variance": _("Tax differs from its details"),
    "vat_breakdown_variance": _("VAT of a rate does not add up"),
    "tax_rate_over": _("Tax rate higher than expected"),
    "shipping_not_allowed": _("Shipping charged but not accepted"),
    "shipping_over": _("Shipping above the limit"),
    "corrects_unknown": _("Corrective invoice for an unknown invoice"),
    "corrects_settled": _("Corrective invoice for an approved or paid invoice"),
}


def exception_label(code: str) -> str:
    """An invoice exception's kind in words (the code itself for one this version does not know)."""
    return str(EXCEPTION_LABELS.get(code, code))
