"""Shipments of accepted order lines, the invoices they produce, returns with their credit memos,
and the charges and refunds on our ledger."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openprocure.core.fields import currency_field, optional_link, payload_id_field
from openprocure.core.lifecycle import LifecycleStatus, reason_label, status_label
from openprocure.core.models import NewestFirst, NumberedDocument
from openprocure.core.status import status_field
from openprocure.supplier.business.choices import InvoiceFormat
from openprocure.supplier.fulfilment.choices import (
    INVOICE_STATUS_DETAIL_LABELS,
    INVOICE_STATUS_LABELS,
    BuyerStatusKind,
    InvoiceKind,
    InvoiceStatus,
    ReturnRequestStatus,
    ShipmentStatus,
)


class Shipment(models.Model):
    """A parcel that left our warehouse: carrier, tracking, and the order lines in it.

    A shipment may hold lines of several orders of the same business when they go to one address
    with a preferred delivery day (a consolidated delivery).
    """

    business = models.ForeignKey("business.Business", on_delete=models.PROTECT, related_name="shipments")
    shipment_id = models.CharField(_("shipment number"), max_length=40, unique=True)
    shipping_address = optional_link("business.ShippingAddress")
    carrier = models.CharField(_("carrier"), max_length=100)
    tracking_number = models.CharField(_("tracking number"), max_length=100)
    tracking_url = models.URLField(_("tracking link"), max_length=500, blank=True)
    status = status_field(ShipmentStatus, ShipmentStatus.SHIPPED, max_length=12)
    consolidated = models.BooleanField(_("consolidated delivery"), default=False)
    automatic = models.BooleanField(_("shipped automatically"), default=False)
    shipped_by = optional_link(settings.AUTH_USER_MODEL)
    shipped_at = models.DateTimeField(_("shipped"), default=timezone.now, db_index=True)
    expected_delivery = models.DateField(_("expected delivery"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-shipped_at", "-id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")

    def __str__(self) -> str:
        return self.shipment_id


class ShipmentLine(models.Model):
    """How much of one order line is in a shipment."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="shipment_lines"
    )
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["shipment", "order_line__order", "order_line__line_number"]
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")

    def __str__(self) -> str:
        return f"{self.shipment_id}: {self.quantity} × {self.order_line_id}"


class Invoice(NumberedDocument):
    """Our invoice for shipped lines of one order: per shipment or per order (a business setting)."""

    business = models.ForeignKey("business.Business", on_delete=models.PROTECT, related_name="invoices")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="invoices")
    shipment = models.ForeignKey(
        Shipment, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    number = models.CharField(_("invoice number"), max_length=32, unique=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE
    )
    status = status_field(InvoiceStatus, InvoiceStatus.ISSUED, max_length=12)
    currency = currency_field()
    subtotal = models.DecimalField(_("subtotal"), max_digits=15, decimal_places=3)
    shipping = models.DecimalField(_("shipping"), max_digits=15, decimal_places=3, default=Decimal("0"))
    tax_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    tax = models.DecimalField(_("tax"), max_digits=15, decimal_places=3)
    total = models.DecimalField(_("total"), max_digits=15, decimal_places=3)
    sent_electronically = models.BooleanField(_("sent as cXML"), default=False)
    payload_id = payload_id_field(blank=True)
    # The EN 16931 e-invoice issued for it (CII or UBL XML, or a Factur-X PDF), as it passed its
    # schema and the EN 16931 rules; empty when the business takes cXML.
    einvoice_format = models.CharField(
        _("e-invoice format"), max_length=8, choices=InvoiceFormat.choices, blank=True
    )
    einvoice = models.BinaryField(_("e-invoice"), blank=True, default=b"", editable=False)
    #: The French lifecycle status of record (``core.lifecycle``): the buyer's last, or our 212 Encaissée.
    lifecycle_status = models.CharField(
        _("lifecycle status"), max_length=3, choices=LifecycleStatus.choices, blank=True, default=""
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now, db_index=True)
    #: The invoice a corrective invoice (kind ``corrective``, type 384) replaces in full (BT-25, BT-26).
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("corrects invoice"),
    )
    correction_reason = models.CharField(_("why it was corrected"), max_length=500, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")


class InvoiceLine(models.Model):
    """One invoiced order line: quantity, our unit price, amount and its VAT."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="invoice_lines")
    invoice_line_number = models.PositiveIntegerField(_("invoice line"))
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=4)
    amount = models.DecimalField(_("amount"), max_digits=15, decimal_places=3)
    tax = models.DecimalField(_("tax"), max_digits=15, decimal_places=3)

    class Meta:
        ordering = ["invoice", "invoice_line_number"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.invoice_line_number}"


class GoodsReturn(NumberedDocument, NewestFirst):
    """Goods of one order that came back to us: refunded on the payment method and credited by a
    credit memo (sent as a cXML line-level credit memo when e-invoicing is on)."""

    business = models.ForeignKey("business.Business", on_delete=models.PROTECT, related_name="returns")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="returns")
    number = models.CharField(_("return number"), max_length=32, unique=True)
    reason = models.CharField(_("reason"), max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    credit_memo = models.OneToOneField(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="goods_return"
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now, db_index=True)

    class Meta(NewestFirst.Meta):
        verbose_name = _("return")
        verbose_name_plural = _("returns")


class ReturnLine(models.Model):
    goods_return = models.ForeignKey(GoodsReturn, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="return_lines")
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["goods_return", "order_line__line_number"]
        verbose_name = _("returned line")
        verbose_name_plural = _("returned lines")

    def __str__(self) -> str:
        return f"{self.goods_return_id}: {self.quantity} × {self.order_line_id}"


class ReturnRequest(NewestFirst):
    """A business asks to send goods of an order back; our staff record the return when the goods
    arrive, or decline the request with a reason."""

    business = models.ForeignKey(
        "business.Business", on_delete=models.PROTECT, related_name="return_requests"
    )
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="return_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500)
    #: ``{order line id: quantity}`` as asked.
    quantities = models.JSONField(default=dict)
    status = status_field(ReturnRequestStatus, ReturnRequestStatus.REQUESTED, max_length=12)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decline_reason = models.CharField(_("why it was declined"), max_length=500, blank=True)
    goods_return = models.OneToOneField(
        GoodsReturn, null=True, blank=True, on_delete=models.PROTECT, related_name="request"
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now, db_index=True)

    class Meta(NewestFirst.Meta):
        verbose_name = _("return request")
        verbose_name_plural = _("return requests")

    def __str__(self) -> str:
        return f"{self.order_id} ({self.status})"


class Charge(NewestFirst):
    """Money we took from a business's default payment method when a shipment left, or gave back
    for a return (a negative amount): our ledger.

    Never created for test orders. Recorded, not sent to a card processor: the demo has none.
    """

    business = models.ForeignKey("business.Business", on_delete=models.PROTECT, related_name="charges")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="charges")
    shipment = models.ForeignKey(
        Shipment, null=True, blank=True, on_delete=models.PROTECT, related_name="charges"
    )
    goods_return = models.OneToOneField(
        GoodsReturn, null=True, blank=True, on_delete=models.PROTECT, related_name="refund"
    )
    payment_method = models.ForeignKey(
        "business.PaymentMethod", null=True, on_delete=models.SET_NULL, related_name="charges"
    )
    payment_method_label = models.CharField(_("payment method"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=15, decimal_places=3)
    currency = currency_field()
    created_at = models.DateTimeField(_("charged"), default=timezone.now, db_index=True)

    class Meta(NewestFirst.Meta):
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        constraints = [
            models.UniqueConstraint(fields=["order", "shipment"], name="one_charge_per_order_shipment")
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.order_id})"


class BuyerStatus(models.Model):
    """A status the buyer's system sent about one of its orders or one of our invoices (a cXML
    StatusUpdateRequest): invoice reconciled, rejected, paid…, or a document status."""

    business = models.ForeignKey("business.Business", on_delete=models.CASCADE, related_name="buyer_statuses")
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.CASCADE, related_name="buyer_statuses"
    )
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.CASCADE, related_name="buyer_statuses"
    )
    # The StatusUpdateRequest's own payloadID: the same update sent twice is kept once.
    payload_id = payload_id_field(unique=True)
    document_reference = payload_id_field(_("document referred to"), blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=BuyerStatusKind.choices)
    # InvoiceStatus@type (processing, reconciled, paid…) or DocumentStatus@type, as sent.
    status_type = models.CharField(_("status"), max_length=100, blank=True)
    # What the buyer's system says beyond the type (``creditMemoRequested``, ``onHold``), as sent.
    detail = models.CharField(_("detail"), max_length=40, blank=True)
    # The French lifecycle status it carries (CDAR code, 205…) and its reason code, as sent.
    lifecycle_code = models.CharField(
        _("lifecycle status"), max_length=3, choices=LifecycleStatus.choices, blank=True
    )
    reason_code = models.CharField(_("reason code"), max_length=20, blank=True)
    code = models.PositiveIntegerField(_("status code"))
    text = models.CharField(_("status text"), max_length=200, blank=True)
    message = models.TextField(_("message"), blank=True)
    comments = models.TextField(_("comments"), blank=True)
    partial_amount = models.DecimalField(
        _("amount paid"), max_digits=15, decimal_places=3, null=True, blank=True
    )
    currency = currency_field(blank=True)
    journal = optional_link("core.Document")
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("buyer's status")
        verbose_name_plural = _("buyer's statuses")

    def __str__(self) -> str:
        return f"{self.kind} {self.status_type or self.code}"

    @property
    def note(self) -> str:
        """The buyer's words: the comments of the status (the person's reason), else its message."""
        return self.comments or self.message

    @property
    def label(self) -> str:
        """The status in the reader's language: ``Credit memo requested``, ``Reconciled``, ``Paid``, or
        the type as sent."""
        if self.lifecycle_code:
            label = status_label(self.lifecycle_code)
            if self.reason_code:
                label = f"{label} ({self.reason_code} {reason_label(self.reason_code)})"
            if self.detail in INVOICE_STATUS_DETAIL_LABELS:
                label = f"{label}: {INVOICE_STATUS_DETAIL_LABELS[self.detail]}"
            return label
        if self.kind == BuyerStatusKind.INVOICE:
            if self.detail in INVOICE_STATUS_DETAIL_LABELS:
                return str(INVOICE_STATUS_DETAIL_LABELS[self.detail])
            return str(INVOICE_STATUS_LABELS.get(self.status_type, self.status_type))
        return self.status_type or f"{self.code} {self.text}"
