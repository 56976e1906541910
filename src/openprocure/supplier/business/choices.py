"""Statuses and roles of business accounts, with their transition tables."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")  # registered, an operator must approve or refuse
    VERIFIED = "verified", _("Verified")  # may buy and add PunchOut
    REFUSED = "refused", _("Refused")  # an operator refused it, with a reason


VERIFICATION_TRANSITIONS: dict[str, set[str]] = {
    VerificationStatus.PENDING: {VerificationStatus.VERIFIED, VerificationStatus.REFUSED},
    VerificationStatus.VERIFIED: set(),
    VerificationStatus.REFUSED: set(),
}


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")  # manages the business, its users and PunchOut
    PUNCHOUT_USER = "punchout_user", _("PunchOut user")  # shops from the business's procurement system
    TECHNICAL_ADMINISTRATOR = (
        "technical_administrator",
        _("Technical administrator"),
    )  # sees integration credentials and the document log; cannot buy


class StaffRole(models.TextChoices):
    OPERATOR = "operator", _("Operator")  # reviews businesses, changes PunchOut settings on request
    SUPPORT = "support", _("Support representative")  # looks up purchase orders and documents


class IntegrationStatus(models.TextChoices):
    TEST = "test", _("Test")  # orders are recorded and flagged test: never charged nor fulfilled
    ACTIVE = "active", _("Active")  # real orders


# Both moves are one-way: a business never goes back to Test once Active.
INTEGRATION_TRANSITIONS: dict[str, set[str]] = {
    IntegrationStatus.TEST: {IntegrationStatus.ACTIVE},
    IntegrationStatus.ACTIVE: set(),
}


class CartEncoding(models.TextChoices):
    URLENCODED = "cxml-urlencoded", _("cxml-urlencoded")  # the cXML in a form field, URL-encoded
    BASE64 = "cxml-base64", _("cxml-base64")  # the cXML in a form field, base64-encoded


class QuantityAction(models.TextChoices):
    SHIP_AVAILABLE = "ship_available", _("Ship what is available")  # accept, backorder the rest
    REJECT_LINE = "reject_line", _("Reject the line")  # refuse only the short line
    REJECT_ORDER = "reject_order", _("Reject the order")  # refuse the whole order


class InvoiceGrouping(models.TextChoices):
    PER_SHIPMENT = "per_shipment", _("One invoice per shipment")
    PER_ORDER = "per_order", _("One invoice per order")


class InvoiceFormat(models.TextChoices):
    """How our invoices and credit memos reach the business: cXML, or an EN 16931 e-invoice."""

    CXML = "cxml", _("cXML InvoiceDetailRequest")
    CII = "cii", _("UN/CEFACT CII (EN 16931)")
    UBL = "ubl", _("UBL 2.1 (EN 16931)")
    FACTURX = "facturx", _("Factur-X PDF (EN 16931)")


class InvoiceDelivery(models.TextChoices):
    """How an issued invoice reaches the business: directly (cXML to its system; an EN 16931 file is
    kept with the invoice), or through our e-invoicing platform (Plateforme Agréée) to its own."""

    DIRECT = "direct", _("Directly (cXML to the buyer's system)")
    PLATFORM = "platform", _("Through the e-invoicing platform")


class PaymentKind(models.TextChoices):
    CARD = "card", _("Payment card")  # charged when an order ships
    INVOICE = "invoice", _("Pay by invoice")  # invoiced with payment terms
