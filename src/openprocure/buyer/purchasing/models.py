"""Purchase orders created at final approval, their lines, the documents sent for them, and the
counter that numbers them."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.purchasing.choices import (
    PO_EVENT_LABELS,
    POStatus,
    TransmissionStatus,
    TransmissionType,
)
from openprocure.buyer.requisitions.models import ItemLine
from openprocure.core.audit import AuditEvent
from openprocure.core.fields import (
    amount_field,
    currency_field,
    optional_link,
    payload_id_field,
    quantity_field,
)
from openprocure.core.formatting import format_money
from openprocure.core.models import NewestFirst, NumberedDocument
from openprocure.core.status import status_field


class PONumberCounter(models.Model):
    """The last number used for one scope of the PO-number pattern (e.g. one year).

    Locked with SELECT … FOR UPDATE while a number is taken, so two approvals never get the same one.
    """

    scope = models.CharField(_("scope"), max_length=64, unique=True)
    last_value = models.PositiveBigIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("PO number counter")
        verbose_name_plural = _("PO number counters")

    def __str__(self) -> str:
        return f"{self.scope}: {self.last_value}"


def order_problem_text(values: Mapping[str, Any]) -> str:
    """Why an order was not sent, from its values (``purchasing.services.order_problem``), in the
    reader's language; empty for values of another kind."""
    code = values.get("code")
    if code == "line-mismatch":
        return gettext("Line %(n)s of order %(number)s does not add up; it was not sent.") % {
            "n": values["line"],
            "number": values["number"],
        }
    if code == "total-mismatch":
        currency = values["currency"]
        return gettext(
            "Order %(number)s totals %(total)s but its lines add up to %(sum)s; it was not sent."
        ) % {
            "number": values["number"],
            "total": format_money(Decimal(values["total"]), currency),
            "sum": format_money(Decimal(values["sum"]), currency),
        }
    return ""


class PurchaseOrder(NumberedDocument, NewestFirst):
    """An order to one supplier, from one approved requisition, sent as a cXML OrderRequest."""

    number = models.CharField(_("PO number"), max_length=64, unique=True)
    requisition = models.ForeignKey(
        "requisitions.Requisition", on_delete=models.PROTECT, related_name="purchase_orders"
    )
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.PROTECT, related_name="purchase_orders"
    )
    connection = optional_link(
        "suppliers.PunchOutConnection", on_delete=models.PROTECT, related_name="purchase_orders"
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="purchase_orders"
    )
    status = status_field(POStatus, POStatus.APPROVED, db_index=True)
    version = models.PositiveIntegerField(_("order version"), default=1)
    currency = currency_field()
    total_amount = amount_field(_("total"))
    ship_to = models.JSONField(_("ship to"), default=dict, blank=True)
    bill_to = models.JSONField(_("bill to"), default=dict, blank=True)
    supplier_message = models.TextField(_("supplier's answer"), blank=True)
    # When the message is ours (an order that was not sent), what it says as data: ``code`` and its
    # numbers, with the ``message`` it was written as; the page tells it in the reader's language.
    supplier_message_values = models.JSONField(_("message values"), default=dict, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    pending_change = models.JSONField(_("change waiting for approval"), default=dict, blank=True)

    class Meta(NewestFirst.Meta):
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")

    @property
    def supplier_message_text(self) -> str:
        """The message in the reader's language when it is one of ours, else as it was written."""
        values = self.supplier_message_values or {}
        if values.get("message") == self.supplier_message:
            return order_problem_text(values) or self.supplier_message
        return self.supplier_message


class PurchaseOrderLine(ItemLine):
    """One ordered line, copied from the requisition (supplier IDs byte for byte)."""

    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    requisition_line = optional_link("requisitions.RequisitionLine")
    supplier_part_id = models.TextField(_("supplier part ID"))
    unit_of_measure = models.CharField(_("unit of measure"), max_length=16)
    price_basis_quantity = quantity_field(_("price basis quantity"), default=1)
    amount = amount_field(_("amount"))
    distributions = models.JSONField(_("accounting"), default=list, blank=True)
    cancelled_quantity = quantity_field(_("cancelled quantity"), default=0)
    cancel_reason = models.TextField(_("why cancelled"), blank=True)

    class Meta:
        ordering = ["purchase_order", "line_number"]
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        constraints = [
            models.UniqueConstraint(fields=["purchase_order", "line_number"], name="unique_po_line")
        ]

    def __str__(self) -> str:
        return f"{self.purchase_order_id}/{self.line_number} {self.supplier_part_id}"

    @property
    def is_cancelled(self) -> bool:
        """The whole line is cancelled (by our change order or by the supplier): nothing is expected."""
        return self.quantity == 0 and self.cancelled_quantity > 0


class Transmission(models.Model):
    """One OrderRequest sent for a PO (new, change or cancellation) and its outbox message: the PO's
    versions. A change or cancellation is applied to the lines only once the supplier accepts it;
    ``changes`` says what it asked (line number → ordered quantity before and after) and
    ``answer`` what the supplier said when it refused."""

    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="transmissions")
    type = models.CharField(_("type"), max_length=8, choices=TransmissionType.choices)
    version = models.PositiveIntegerField(_("order version"))
    payload_id = payload_id_field(unique=True)
    outbox_message = models.OneToOneField(
        "core.OutboxMessage", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = status_field(TransmissionStatus, TransmissionStatus.QUEUED, db_index=True)
    changes = models.JSONField(_("changes asked"), default=dict, blank=True)
    reason = models.TextField(_("reason given"), blank=True)
    answer = models.TextField(_("supplier's answer"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["purchase_order", "created_at", "id"]
        verbose_name = _("order transmission")
        verbose_name_plural = _("order transmissions")

    def __str__(self) -> str:
        return f"{self.purchase_order} {self.type} v{self.version}"


class PurchaseOrderEvent(AuditEvent):
    """What happened to a PO: created, sent, accepted, refused, changed, cancelled."""

    SUBJECT = "purchase_order"
    KIND_LABELS = PO_EVENT_LABELS

    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="events")

    class Meta(AuditEvent.Meta):
        verbose_name = _("purchase order event")
        verbose_name_plural = _("purchase order events")
