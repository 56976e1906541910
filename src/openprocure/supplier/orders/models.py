"""Orders received from buyers' procurement systems, their lines and what happened to them."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openprocure.core.audit import AuditEvent
from openprocure.core.fields import currency_field, optional_link, payload_id_field
from openprocure.core.models import ApiCredential, ConformanceRunRecord, NewestFirst
from openprocure.core.status import status_field
from openprocure.supplier.orders.choices import (
    ConformanceStatus,
    EventKind,
    LineOutcome,
    OrderStatus,
    RequestType,
)


class OrderSettings(models.Model):
    """How we send documents back to one business's procurement system, and how we fulfil its orders.

    One per integration (``business.Integration`` lacks these fields). The integration keeps only a
    hash of the buyer's shared secret, but we must send that secret in the Sender of every
    document we send the buyer, so this keeps it encrypted (Fernet, key from
    ``settings.ENCRYPTION_KEY``): captured from the first OrderRequest that authenticated with it,
    or entered by an operator (checked against the integration's hash, so a typo is refused).
    """

    integration = models.OneToOneField(
        "business.Integration", on_delete=models.CASCADE, related_name="order_settings"
    )
    buyer_cxml_url = models.URLField(
        _("buyer's inbound cXML URL"),
        max_length=1000,
        blank=True,
        help_text=_("Where we send confirmations, ship notices and invoices."),
    )
    outbound_secret_encrypted = models.TextField(blank=True, editable=False)
    auto_fulfil_after_minutes = models.PositiveIntegerField(
        _("ship automatically after (minutes)"),
        null=True,
        blank=True,
        help_text=_("Empty: operators ship from the fulfilment queue."),
    )
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("order settings")
        verbose_name_plural = _("order settings")

    def __str__(self) -> str:
        return f"{self.integration}"


class Order(NewestFirst):
    """A purchase order a business sent us (cXML OrderRequest), accepted for processing.

    Whole-order refusals create no Order: they are kept as :class:`OrderRequestReceipt` with their
    answer. A test order (the integration was in Test) is recorded the same way, never charged,
    shipped nor invoiced.
    """

    business = models.ForeignKey("business.Business", on_delete=models.PROTECT, related_name="orders")
    integration = models.ForeignKey("business.Integration", on_delete=models.PROTECT, related_name="orders")
    number = models.CharField(_("our order number"), max_length=32, unique=True)
    buyer_order_id = models.CharField(_("buyer's PO number"), max_length=200, db_index=True)
    order_version = models.PositiveIntegerField(_("order version"), default=1)
    payload_id = payload_id_field(_("payloadID of the order"), db_index=True)
    is_test = models.BooleanField(_("test order"), default=False)
    status = status_field(OrderStatus, OrderStatus.ACCEPTED, max_length=20, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    email = models.EmailField(_("PunchOut user's e-mail"), blank=True, db_index=True)
    ship_to = models.JSONField(_("ship to"), default=dict, blank=True)
    shipping_address = models.ForeignKey(
        "business.ShippingAddress", null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    payment_method = models.ForeignKey(
        "business.PaymentMethod", null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    currency = currency_field()
    subtotal = models.DecimalField(_("subtotal"), max_digits=15, decimal_places=3, default=Decimal("0"))
    shipping = models.DecimalField(_("shipping"), max_digits=15, decimal_places=3, default=Decimal("0"))
    tax = models.DecimalField(_("tax"), max_digits=15, decimal_places=3, default=Decimal("0"))
    total = models.DecimalField(_("total"), max_digits=15, decimal_places=3, default=Decimal("0"))
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    held_until = models.DateField(
        _("held for consolidated delivery on"),
        null=True,
        blank=True,
        help_text=_("A recurring order to an address with a delivery day ships on that day."),
    )
    journal = optional_link("core.Document")

    class Meta(NewestFirst.Meta):
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(
                fields=["business", "buyer_order_id"], name="unique_buyer_order_per_business"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.buyer_order_id})"


class OrderLine(models.Model):
    """One line of an order: what was ordered, matched to its punched-out cart line, and its outcome.

    Quantities: ``accepted`` ships now, ``backordered`` waits for stock, ``rejected`` never ships;
    ``shipped`` counts what left. Prices are ours (re-priced from the catalog); the buyer's price is
    kept for reference. An update replaces the unshipped lines: the old ones stay with
    ``is_current=False`` and outcome cancelled.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField(_("line"))
    cart_line = optional_link("punchout.CartLine")
    product = optional_link("catalog.Product")
    supplier_part_id = models.CharField(_("SupplierPartID"), max_length=200)
    supplier_part_auxiliary_id = models.CharField(_("SupplierPartAuxiliaryID"), max_length=200, blank=True)
    description = models.CharField(_("description"), max_length=500)
    unit_of_measure = models.CharField(_("unit"), max_length=8, blank=True)
    seller_name = models.CharField(_("sold by"), max_length=200, blank=True)
    fulfilled_by_us = models.BooleanField(_("fulfilled by us"), default=True)
    quantity = models.PositiveIntegerField(_("ordered"))
    accepted_quantity = models.PositiveIntegerField(_("accepted"), default=0)
    backordered_quantity = models.PositiveIntegerField(_("backordered"), default=0)
    rejected_quantity = models.PositiveIntegerField(_("rejected"), default=0)
    shipped_quantity = models.PositiveIntegerField(_("shipped"), default=0)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=4)
    buyer_unit_price = models.DecimalField(
        _("buyer's unit price"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    currency = currency_field()
    shipping = models.DecimalField(_("shipping"), max_digits=13, decimal_places=3, default=Decimal("0"))
    delivery_days = models.PositiveSmallIntegerField(_("delivery time (days)"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=LineOutcome.choices)
    code = models.CharField(_("code"), max_length=40)
    reason = models.TextField(_("reason"), blank=True)
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "line_number", "id"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        indexes = [models.Index(fields=["cart_line", "is_current"], name="orders_line_cart_current")]

    def __str__(self) -> str:
        return f"{self.order.number}/{self.line_number}"

    @property
    def open_quantity(self) -> int:
        """Quantity that may still ship (accepted or backordered, not shipped yet)."""
        return max(0, self.accepted_quantity + self.backordered_quantity - self.shipped_quantity)

    @property
    def line_total(self) -> Decimal:
        return Decimal(self.unit_price) * (self.accepted_quantity + self.backordered_quantity)


class OrderRequestReceipt(NewestFirst):
    """Every authenticated OrderRequest and the answer we gave it, found again by the sender's payloadID.

    This is what makes intake idempotent: a retry with the same payloadID gets this answer back,
    unchanged, and creates nothing. Refused orders live only here (with their code).
    """

    payload_id = payload_id_field()
    business = models.ForeignKey("business.Business", on_delete=models.CASCADE, related_name="order_receipts")
    buyer_order_id = models.CharField(_("buyer's PO number"), max_length=200, blank=True, db_index=True)
    order_version = models.PositiveIntegerField(_("order version"), null=True, blank=True)
    request_type = models.CharField(_("type"), max_length=8, choices=RequestType.choices)
    status_code = models.PositiveIntegerField(_("status code"))
    status_text = models.CharField(_("status text"), max_length=64)
    message = models.TextField(_("message"), blank=True)
    code = models.CharField(_("code"), max_length=40, blank=True)
    email = models.EmailField(_("PunchOut user's e-mail"), blank=True, db_index=True)
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="receipts"
    )
    journal = optional_link("core.Document")
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)

    class Meta(NewestFirst.Meta):
        verbose_name = _("order request")
        verbose_name_plural = _("order requests")
        # A payloadID is the sender's own key: two businesses may use the same one.
        constraints = [
            models.UniqueConstraint(
                fields=["business", "payload_id"], name="unique_order_request_payload_per_business"
            )
        ]

    def __str__(self) -> str:
        return f"{self.payload_id} → {self.status_code}"


class OrderEvent(AuditEvent):
    """Something that happened to an order (received, confirmed, shipped…), for its timeline."""

    SUBJECT = "order"
    KIND_LABELS = dict(EventKind.choices)

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=32, choices=EventKind.choices)

    class Meta(AuditEvent.Meta):
        verbose_name = _("order event")
        verbose_name_plural = _("order events")


class ApiKey(ApiCredential):
    """A key a business's systems use on the REST API (``Authorization: Bearer <key>``); stored hashed."""

    business = models.ForeignKey("business.Business", on_delete=models.CASCADE, related_name="api_keys")
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = optional_link(settings.AUTH_USER_MODEL)

    class Meta(ApiCredential.Meta):
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")


class ConformanceRun(ConformanceRunRecord):
    """One run of the buyer-role conformance checks against a business's procurement system.

    Asked for by an operator or the business's (technical) administrator while the integration is
    in Test: playing this storefront, the checks confirm, ship and invoice the business's latest test
    order at its inbound cXML URL. ``report`` holds the report as the checks finish (so a page shows
    progress), then whole; ``error`` says why a run stopped before it.
    """

    integration = models.ForeignKey(
        "business.Integration", on_delete=models.CASCADE, related_name="conformance_runs"
    )
    order = models.ForeignKey(Order, null=True, on_delete=models.SET_NULL, related_name="+")
    url = models.URLField(_("checked URL"), max_length=1000)
    status = status_field(ConformanceStatus, ConformanceStatus.QUEUED, max_length=8)
    current = models.CharField(_("running check"), max_length=200, blank=True)
    report = models.JSONField(_("report"), default=dict, blank=True)

    class Meta(ConformanceRunRecord.Meta):
        verbose_name = _("procurement system check")
        verbose_name_plural = _("procurement system checks")

    def __str__(self) -> str:
        return f"{self.integration_id} {self.created_at:%Y-%m-%d %H:%M} ({self.status})"
