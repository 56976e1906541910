"""Supplier invoices and credit memos, how we recognise their senders, the tolerances they are matched
with, every match result with its explanation, the exceptions queue and payment exports."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.invoicing.choices import (
    INVOICE_EVENT_LABELS,
    STATUS_DELIVERY_LABELS,
    ExceptionStatus,
    IdentifierScheme,
    InvoiceKind,
    InvoiceSource,
    InvoiceStatus,
    MatchMode,
    exception_label,
)
from openprocure.buyer.invoicing.findings import Finding
from openprocure.core.audit import AuditEvent
from openprocure.core.fields import (
    amount_field,
    currency_field,
    optional_link,
    payload_id_field,
    price_field,
    quantity_field,
)
from openprocure.core.lifecycle import LifecycleStatus, reason_label, status_label
from openprocure.core.models import NewestFirst, NumberedDocument, OutboxMessage, RaisedIssue
from openprocure.core.status import status_field

ZERO = Decimal(0)


class SupplierIdentifier(models.Model):
    """A registered identifier of a supplier (VAT, SIREN, SIRET, cXML identity…) by which an invoice's
    seller is recognised — never by name."""

    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(_("scheme"), max_length=8, choices=IdentifierScheme.choices)
    value = models.CharField(
        _("identifier"), max_length=200, help_text=_("Stored without spaces, upper case.")
    )

    class Meta:
        ordering = ["supplier", "scheme", "value"]
        verbose_name = _("supplier identifier")
        verbose_name_plural = _("supplier identifiers")
        constraints = [models.UniqueConstraint(fields=["scheme", "value"], name="unique_supplier_identifier")]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.value}"


class ToleranceRule(models.Model):
    """Matching tolerances for everyone, one supplier, one category (UNSPSC prefix), or both.

    The most specific rule wins: supplier + category, then category, then supplier, then the global
    rule, then ``INVOICING_DEFAULT_TOLERANCE`` (``openprocure.core.tunables``).
    """

    supplier = optional_link("suppliers.Supplier", on_delete=models.CASCADE, related_name="tolerance_rules")
    unspsc_prefix = models.CharField(_("UNSPSC prefix"), max_length=8, blank=True)
    mode = models.CharField(_("match"), max_length=4, choices=MatchMode.choices, default=MatchMode.THREE_WAY)
    quantity_pct = models.DecimalField(
        _("quantity tolerance (%)"), max_digits=7, decimal_places=3, default=ZERO
    )
    price_pct = models.DecimalField(
        _("unit price tolerance (%)"), max_digits=7, decimal_places=3, null=True, blank=True, default=ZERO
    )
    price_abs = price_field(_("unit price tolerance (amount)"), null=True, blank=True, default=ZERO)
    line_amount_abs = amount_field(_("line amount tolerance"), default=ZERO)
    header_amount_abs = amount_field(_("header amount tolerance"), default=ZERO)
    tax_abs = amount_field(_("tax tolerance"), default=ZERO)
    max_tax_rate_pct = models.DecimalField(
        _("highest tax rate (%)"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    shipping_max = amount_field(
        _("highest shipping charge"),
        null=True,
        blank=True,
        help_text=_("Empty: any shipping accepted; 0: no shipping accepted."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["supplier__name", "unspsc_prefix"]
        verbose_name = _("tolerance rule")
        verbose_name_plural = _("tolerance rules")
        constraints = [
            models.UniqueConstraint(fields=["supplier", "unspsc_prefix"], name="unique_tolerance_scope"),
            models.UniqueConstraint(
                fields=["unspsc_prefix"],
                condition=models.Q(supplier=None),
                name="unique_tolerance_scope_no_supplier",
            ),
        ]

    def __str__(self) -> str:
        scope = [str(self.supplier) if self.supplier_id else "", self.unspsc_prefix]
        return " / ".join(s for s in scope if s) or str(_("Global"))


class PaymentExport(NumberedDocument, NewestFirst):
    """A CSV of invoices approved for payment, handed to the payment system."""

    number = models.CharField(_("export number"), max_length=32, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content = models.TextField(_("CSV"))
    invoice_count = models.PositiveIntegerField(_("invoices"))

    class Meta(NewestFirst.Meta):
        verbose_name = _("payment export")
        verbose_name_plural = _("payment exports")


class Invoice(NumberedDocument, NewestFirst):
    """A supplier's invoice or credit memo, as received (original kept) and as matched."""

    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(_("invoice number"), max_length=100)
    year = models.PositiveIntegerField(_("year"))
    invoice_date = models.DateField(_("invoice date"))
    kind = models.CharField(
        _("kind"), max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE
    )
    source = models.CharField(_("received as"), max_length=8, choices=InvoiceSource.choices)
    status = status_field(InvoiceStatus, InvoiceStatus.RECEIVED, max_length=12, db_index=True)
    currency = currency_field()
    subtotal = models.DecimalField(_("subtotal"), max_digits=19, decimal_places=3, null=True, blank=True)
    tax = models.DecimalField(_("tax"), max_digits=19, decimal_places=3, default=ZERO)
    shipping = models.DecimalField(_("shipping"), max_digits=19, decimal_places=3, default=ZERO)
    special_handling = models.DecimalField(
        _("special handling"), max_digits=19, decimal_places=3, default=ZERO
    )
    total = models.DecimalField(_("total"), max_digits=19, decimal_places=3, null=True, blank=True)
    due_amount = models.DecimalField(_("amount due"), max_digits=19, decimal_places=3)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    discount_due_date = models.DateField(_("discount if paid by"), null=True, blank=True)
    discount_percent = models.DecimalField(
        _("early-payment discount (%)"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    discount_amount = amount_field(_("early-payment discount"), null=True, blank=True)
    reverse_charge = models.BooleanField(
        _("VAT reverse-charged"),
        default=False,
        help_text=_("The supplier's invoice says the VAT is reverse-charged: we account for it."),
    )
    purchase_orders = models.ManyToManyField("purchasing.PurchaseOrder", related_name="invoices", blank=True)
    credited_invoice = optional_link("self", related_name="credit_memos")
    payload_id = payload_id_field(blank=True)
    journal = optional_link("core.Document")
    original = models.BinaryField(_("original file"), blank=True, default=b"")
    original_name = models.CharField(_("original file name"), max_length=200, blank=True)
    original_content_type = models.CharField(_("original content type"), max_length=100, blank=True)
    #: SHA-256 of ``original`` (hex): the received file is the legal invoice, kept unchanged.
    sha256 = models.CharField(_("SHA-256 of the original"), max_length=64, blank=True)
    seller_siren = models.CharField(_("seller's SIREN"), max_length=9, blank=True, db_index=True)
    buyer_siren = models.CharField(_("buyer's SIREN"), max_length=9, blank=True)
    #: The French lifecycle status last told to the supplier (``core.lifecycle``; empty before any).
    lifecycle_status = models.CharField(
        _("lifecycle status"), max_length=3, choices=LifecycleStatus.choices, blank=True, default=""
    )
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    seller_identifiers = models.JSONField(_("seller identifiers"), default=list, blank=True)
    #: The header tax broken down as stated: ``[{"purpose", "rate", "taxable", "amount"}]`` (strings),
    #: purpose ``tax`` (lines), ``shippingTax`` or ``specialHandlingTax`` (see ``punchout.amounts``).
    tax_details = models.JSONField(_("tax details"), default=list, blank=True)
    match_mode = models.CharField(_("match"), max_length=4, choices=MatchMode.choices, blank=True)
    matched_at = models.DateTimeField(_("last matched"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved for payment"), null=True, blank=True)
    payment_export = optional_link(PaymentExport, related_name="invoices")
    entered_by = optional_link(settings.AUTH_USER_MODEL)
    #: A corrective invoice (type 384) replaces in full the invoice it names: its number (BT-25) and
    #: date (BT-26) as stated, and that invoice of the same supplier when it was received.
    corrective = models.BooleanField(_("corrective invoice"), default=False)
    corrects_number = models.CharField(_("corrects invoice"), max_length=100, blank=True)
    corrects_date = models.DateField(_("date of the corrected invoice"), null=True, blank=True)
    corrects = optional_link("self", _("corrects invoice"), related_name="corrections")
    created_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta(NewestFirst.Meta):
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "number", "year"], name="unique_invoice_per_supplier_year"
            )
        ]

    @property
    def is_credit(self) -> bool:
        return self.kind != InvoiceKind.INVOICE


class InvoiceLine(models.Model):
    """One invoiced line with the order reference it carries and the order line it was mapped to."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField(_("line"))
    order_number = models.CharField(_("order reference"), max_length=64, blank=True)
    order_line_number = models.PositiveIntegerField(_("order line"), null=True, blank=True)
    po_line = optional_link(
        "purchasing.PurchaseOrderLine", on_delete=models.PROTECT, related_name="invoice_lines"
    )
    part_id = models.TextField(_("part number"), blank=True)
    description = models.TextField(_("description"), blank=True)
    quantity = quantity_field()
    unit_of_measure = models.CharField(_("unit of measure"), max_length=16, blank=True)
    unit_price = price_field(_("unit price"))
    amount = models.DecimalField(_("amount"), max_digits=19, decimal_places=3)
    tax = models.DecimalField(_("tax"), max_digits=19, decimal_places=3, null=True, blank=True)
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=7, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ["invoice", "line_number"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")

    def __str__(self) -> str:
        return f"{self.invoice} / {self.line_number}"


class MatchRun(models.Model):
    """One run of the matcher on an invoice: the outcome and every check made, in order."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="match_runs")
    mode = models.CharField(_("match"), max_length=4, choices=MatchMode.choices)
    matched = models.BooleanField(_("matched"))
    findings = models.JSONField(_("checks"), default=list)
    trigger = models.CharField(_("why it ran"), max_length=64)
    created_at = models.DateTimeField(_("run at"), default=timezone.now)

    class Meta:
        ordering = ["invoice", "-created_at", "-id"]
        verbose_name = _("match run")
        verbose_name_plural = _("match runs")

    def __str__(self) -> str:
        return f"{self.invoice} {self.created_at:%Y-%m-%d %H:%M}"


class InvoiceException(RaisedIssue):
    """A failed matching check waiting for an AP clerk: accept (with reason), request a credit memo,
    hold or reject."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="exceptions")
    match_run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="exceptions")
    code = models.CharField(_("check"), max_length=32)
    line_number = models.PositiveIntegerField(_("invoice line"), null=True, blank=True)
    params = models.JSONField(_("figures"), default=dict)
    status = status_field(ExceptionStatus, ExceptionStatus.OPEN, max_length=12, db_index=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta(RaisedIssue.Meta):
        verbose_name = _("invoice exception")
        verbose_name_plural = _("invoice exceptions")

    def __str__(self) -> str:
        return f"{self.invoice} {self.code}"

    @property
    def label(self) -> str:
        """The kind of exception in words (“More invoiced than received”)."""
        return exception_label(self.code)

    @property
    def message(self) -> str:
        return Finding(self.code, False, self.line_number, self.params).message

    @property
    def text(self) -> str:
        """The message for a page, its figures in the reader's language."""
        return Finding(self.code, False, self.line_number, self.params).text


class InvoiceEvent(AuditEvent):
    """What happened to an invoice: received, matched, exception handled, status sent, exported."""

    SUBJECT = "invoice"
    KIND_LABELS = INVOICE_EVENT_LABELS

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="events")

    class Meta(AuditEvent.Meta):
        verbose_name = _("invoice event")
        verbose_name_plural = _("invoice events")

    @property
    def label(self) -> str:
        """What happened, in the reader's language; a status sent to the supplier as its outbox
        message stands now (waiting, delivered, failed with the supplier's answer)."""
        if self.kind == "status_sent" and self.detail.get("payload_id"):
            message = OutboxMessage.objects.filter(payload_id=self.detail["payload_id"]).first()
            if message is not None:
                label = str(STATUS_DELIVERY_LABELS.get(message.status, message.get_status_display()))
                if message.status == "failed" and message.last_error:
                    return f"{label}: {message.last_error}"
                return label
        if self.kind == "lifecycle":
            parts = [status_label(self.detail.get("code", ""))]
            if self.detail.get("reason_code"):
                parts.append(f"{self.detail['reason_code']} {reason_label(self.detail['reason_code'])}")
            return str(_("Lifecycle status sent: %(status)s")) % {"status": " — ".join(parts)}
        if self.kind == "platform_status" and self.detail.get("code"):
            parts = [status_label(self.detail["code"])]
            if self.detail.get("reason"):
                parts.append(self.detail["reason"])
            return str(_("Lifecycle status from the supplier's platform: %(status)s")) % {
                "status": " — ".join(parts)
            }
        return super().label


class RejectedFile(models.Model):
    """A received e-invoice refused before it became an invoice (lifecycle 213 Rejetée): its rules
    failed, or it repeats an invoice already received. The file is kept as it came, with why."""

    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    name = models.CharField(_("file name"), max_length=200, blank=True)
    content = models.BinaryField(_("file"), blank=True, default=b"")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    number = models.CharField(_("invoice number"), max_length=100, blank=True)
    seller_siren = models.CharField(_("seller's SIREN"), max_length=9, blank=True)
    reason_code = models.CharField(_("reason code"), max_length=20)
    message = models.TextField(_("message"))
    #: The failed rules: ``[{"rule", "flag", "message", "location"}]``.
    findings = models.JSONField(_("failed rules"), default=list, blank=True)
    actor = optional_link(settings.AUTH_USER_MODEL)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("rejected e-invoice")
        verbose_name_plural = _("rejected e-invoices")

    def __str__(self) -> str:
        return f"{self.number or self.name} ({self.reason_code})"
