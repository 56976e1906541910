"""What suppliers tell us about our orders (confirmations, ship notices, status updates) and what we
received: the per-line fulfilment state, goods receipts and returns, and issues for the buyer."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.fulfilment.choices import (
    CONFIRMATION_TYPE_LABELS,
    IssueKind,
    IssueStatus,
    LineState,
    ReceiptKind,
    ShipNoticeStatus,
)
from openprocure.core.fields import (
    currency_field,
    optional_link,
    payload_id_field,
    price_field,
    quantity_field,
)
from openprocure.core.models import NewestFirst, NumberedDocument, RaisedIssue
from openprocure.core.status import status_field

ZERO = Decimal(0)


class InboundDocument(NewestFirst):
    """A supplier document accepted at ``POST /cxml/``, kept by payloadID so a retry gets the same
    answer and creates nothing twice."""

    payload_id = payload_id_field(unique=True)
    kind = models.CharField(_("type"), max_length=64)
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="+")
    journal = optional_link("core.Document")
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    status_code = models.PositiveIntegerField(_("status code"), default=200)
    status_text = models.CharField(_("status text"), max_length=100, default="OK")
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta(NewestFirst.Meta):
        verbose_name = _("inbound supplier document")
        verbose_name_plural = _("inbound supplier documents")

    def __str__(self) -> str:
        return f"{self.kind} {self.payload_id}"


class LineFulfilment(models.Model):
    """Where one purchase-order line stands: what the supplier confirmed, shipped, and what we
    received (kept up to date by the services in the same transaction as each document)."""

    po_line = models.OneToOneField(
        "purchasing.PurchaseOrderLine", on_delete=models.CASCADE, related_name="fulfilment"
    )
    state = status_field(LineState, LineState.OPEN)
    confirmed = models.BooleanField(_("confirmed"), default=False)
    accepted_quantity = quantity_field(_("accepted"), default=ZERO)
    backordered_quantity = quantity_field(_("backordered"), default=ZERO)
    rejected_quantity = quantity_field(_("rejected"), default=ZERO)
    confirmed_unit_price = price_field(_("confirmed unit price"), null=True, blank=True)
    confirmed_delivery_date = models.DateTimeField(_("confirmed delivery"), null=True, blank=True)
    shipped_quantity = quantity_field(_("shipped"), default=ZERO)
    received_quantity = quantity_field(_("received (net of returns)"), default=ZERO)
    refused_quantity = quantity_field(_("refused at receipt"), default=ZERO)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("line fulfilment")
        verbose_name_plural = _("line fulfilments")

    def __str__(self) -> str:
        return f"{self.po_line}: {self.state}"

    @property
    def expected_quantity(self) -> Decimal:
        """The quantity we still expect: ordered minus what the supplier rejected."""
        return self.po_line.quantity - self.rejected_quantity

    @property
    def open_quantity(self) -> Decimal:
        """What may still be received: expected less received (goods refused at the door are still due)."""
        return self.expected_quantity - self.received_quantity

    @property
    def still_to_receive(self) -> Decimal:
        """What a receipt of everything records (the open quantity, never below zero), written plainly."""
        rest = max(ZERO, self.open_quantity)
        return rest.quantize(Decimal(1)) if rest == rest.to_integral_value() else rest.normalize()


class Confirmation(models.Model):
    """A ConfirmationRequest received for one purchase order (accept, detail, reject…)."""

    purchase_order = models.ForeignKey(
        "purchasing.PurchaseOrder", on_delete=models.CASCADE, related_name="confirmations"
    )
    confirm_id = models.CharField(_("confirmation ID"), max_length=200, blank=True)
    type = models.CharField(_("type"), max_length=32)
    operation = models.CharField(_("operation"), max_length=16, default="new")
    notice_date = models.DateTimeField(_("notice date"), null=True, blank=True)
    payload_id = payload_id_field(blank=True)
    journal = optional_link("core.Document")
    comments = models.TextField(_("comments"), blank=True)
    created_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        ordering = ["purchase_order", "created_at", "id"]
        verbose_name = _("order confirmation")
        verbose_name_plural = _("order confirmations")

    def __str__(self) -> str:
        return f"{self.purchase_order} {self.type}"

    @property
    def type_label(self) -> str:
        """The confirmation type in words (the cXML code itself when it is not a known one)."""
        return str(CONFIRMATION_TYPE_LABELS.get(self.type, self.type))


class ConfirmationLine(models.Model):
    """One status of one line in a confirmation: a quantity accepted, backordered or rejected."""

    confirmation = models.ForeignKey(Confirmation, on_delete=models.CASCADE, related_name="lines")
    po_line = models.ForeignKey("purchasing.PurchaseOrderLine", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=16)
    quantity = quantity_field()
    unit_price = price_field(_("unit price"), null=True, blank=True)
    currency = currency_field(blank=True)
    delivery_date = models.DateTimeField(_("delivery date"), null=True, blank=True)
    comments = models.TextField(_("comments"), blank=True)

    class Meta:
        ordering = ["confirmation", "po_line__line_number", "id"]
        verbose_name = _("confirmation line")
        verbose_name_plural = _("confirmation lines")

    def __str__(self) -> str:
        return f"{self.po_line} {self.status} {self.quantity}"


class SupplierIssue(RaisedIssue):
    """Something a supplier's confirmation or ship notice says that the buyer must look at (a rejected
    line, a new price, another unit or more than ordered shipped); listed for buyers and e-mailed to
    the requester."""

    purchase_order = models.ForeignKey(
        "purchasing.PurchaseOrder", on_delete=models.CASCADE, related_name="supplier_issues"
    )
    po_line = optional_link("purchasing.PurchaseOrderLine", on_delete=models.CASCADE)
    # The document that raised it: a confirmation, or a ship notice (another unit, more than ordered).
    confirmation = optional_link(Confirmation, on_delete=models.CASCADE, related_name="issues")
    ship_notice = optional_link("ShipNotice", on_delete=models.CASCADE, related_name="issues")
    kind = models.CharField(_("kind"), max_length=16, choices=IssueKind.choices)
    message = models.TextField(_("explanation"))
    status = status_field(IssueStatus, IssueStatus.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)

    class Meta(RaisedIssue.Meta):
        verbose_name = _("supplier issue")
        verbose_name_plural = _("supplier issues")

    def __str__(self) -> str:
        return f"{self.purchase_order} {self.kind}"


class ShipNotice(NewestFirst):
    """An advance ship notice: a shipment (carrier, tracking, dates) of lines of one or more orders."""

    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="+")
    shipment_id = models.CharField(_("shipment ID"), max_length=200)
    status = status_field(ShipNoticeStatus, ShipNoticeStatus.EXPECTED)
    notice_date = models.DateTimeField(_("notice date"), null=True, blank=True)
    shipment_date = models.DateTimeField(_("shipped"), null=True, blank=True)
    delivery_date = models.DateTimeField(_("expected delivery"), null=True, blank=True)
    carrier = models.CharField(_("carrier"), max_length=200, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=200, blank=True)
    tracking_url = models.URLField(_("tracking URL"), max_length=1000, blank=True)
    service_level = models.CharField(
        _("service level"),
        max_length=200,
        blank=True,
        help_text=_("The carrier's service, as the supplier names it."),
    )
    incoterms = models.CharField(
        _("Incoterms"),
        max_length=200,
        blank=True,
        help_text=_("The delivery terms the shipment travels under."),
    )
    payload_id = payload_id_field(blank=True)
    journal = optional_link("core.Document")
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta(NewestFirst.Meta):
        verbose_name = _("ship notice")
        verbose_name_plural = _("ship notices")
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "shipment_id"], name="unique_ship_notice_per_supplier"
            )
        ]

    def __str__(self) -> str:
        return self.shipment_id


class ShipNoticeLine(models.Model):
    """How much of one order line travels in a shipment."""

    ship_notice = models.ForeignKey(ShipNotice, on_delete=models.CASCADE, related_name="lines")
    po_line = models.ForeignKey(
        "purchasing.PurchaseOrderLine", on_delete=models.CASCADE, related_name="ship_notice_lines"
    )
    quantity = quantity_field()
    unit_of_measure = models.CharField(_("unit of measure"), max_length=16, blank=True)
    description = models.CharField(
        _("description"),
        max_length=500,
        blank=True,
        help_text=_("What the supplier says ships on this line."),
    )

    class Meta:
        ordering = ["ship_notice", "po_line__purchase_order_id", "po_line__line_number"]
        verbose_name = _("ship notice line")
        verbose_name_plural = _("ship notice lines")

    def __str__(self) -> str:
        return f"{self.ship_notice} {self.po_line} × {self.quantity}"


class GoodsReceipt(NumberedDocument):
    """A receipt (or a return) of goods for one purchase order, by a person or automatically."""

    number = models.CharField(_("receipt number"), max_length=32, unique=True)
    purchase_order = models.ForeignKey(
        "purchasing.PurchaseOrder", on_delete=models.PROTECT, related_name="goods_receipts"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=ReceiptKind.choices, default=ReceiptKind.RECEIPT)
    ship_notice = optional_link(ShipNotice, related_name="receipts")
    received_by = optional_link(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    automatic = models.BooleanField(_("automatic"), default=False)
    note = models.TextField(_("note"), blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("goods receipt")
        verbose_name_plural = _("goods receipts")


class GoodsReceiptLine(models.Model):
    """One order line in a receipt: quantity accepted, quantity refused (with the reason), or returned."""

    receipt = models.ForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="lines")
    po_line = models.ForeignKey(
        "purchasing.PurchaseOrderLine", on_delete=models.PROTECT, related_name="receipt_lines"
    )
    quantity = quantity_field(_("quantity accepted or returned"))
    rejected_quantity = quantity_field(_("quantity refused"), default=ZERO)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["receipt", "po_line__line_number"]
        verbose_name = _("goods receipt line")
        verbose_name_plural = _("goods receipt lines")

    def __str__(self) -> str:
        return f"{self.receipt} {self.po_line} {self.quantity}"

    @property
    def net_quantity(self) -> Decimal:
        """What this line adds to the received quantity (a return subtracts)."""
        return -self.quantity if self.receipt.kind == ReceiptKind.RETURN else self.quantity


class StatusUpdate(NewestFirst):
    """A StatusUpdateRequest from a supplier about a document we sent (an order, a change…)."""

    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="+")
    purchase_order = optional_link(
        "purchasing.PurchaseOrder", on_delete=models.CASCADE, related_name="status_updates"
    )
    document_reference = payload_id_field(_("document payloadID"), blank=True)
    code = models.PositiveIntegerField(_("code"))
    text = models.CharField(_("text"), max_length=100, blank=True)
    message = models.TextField(_("message"), blank=True)
    payload_id = payload_id_field(blank=True)
    created_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta(NewestFirst.Meta):
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")

    def __str__(self) -> str:
        return f"{self.document_reference} {self.code} {self.text}"
