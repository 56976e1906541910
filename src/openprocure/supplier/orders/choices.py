"""Statuses of orders and order lines, with their transition tables."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")  # at least one line accepted or backordered; nothing shipped
    PARTIALLY_SHIPPED = "partially_shipped", _("Partially shipped")  # some quantity shipped
    SHIPPED = "shipped", _("Shipped")  # every accepted quantity shipped (backorders may remain)
    DELIVERED = "delivered", _("Delivered")  # the carrier delivered every shipment
    CANCELLED = "cancelled", _("Cancelled")  # cancelled by the buyer before anything shipped


ORDER_TRANSITIONS: dict[str, set[str]] = {
    OrderStatus.ACCEPTED: {OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.CANCELLED},
    OrderStatus.PARTIALLY_SHIPPED: {OrderStatus.SHIPPED, OrderStatus.PARTIALLY_SHIPPED},
    OrderStatus.SHIPPED: {OrderStatus.DELIVERED, OrderStatus.PARTIALLY_SHIPPED},
    OrderStatus.DELIVERED: set(),
    OrderStatus.CANCELLED: set(),
}


class LineOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")  # will ship as ordered
    BACKORDERED = "backordered", _("Backordered")  # part or all waits for stock
    REJECTED = "rejected", _("Rejected")  # will not ship; see the code and reason
    CANCELLED = "cancelled", _("Cancelled")  # cancelled by a delete or replaced by an update


class RequestType(models.TextChoices):
    NEW = "new", _("New order")  # OrderRequestHeader@type="new"
    UPDATE = "update", _("Update")  # replaces the unshipped lines
    DELETE = "delete", _("Cancellation")  # cancels the order


class EventKind(models.TextChoices):
    RECEIVED = "order_received", _("Order received")
    UPDATED = "order_updated", _("Order updated")
    CANCELLED = "order_cancelled", _("Order cancelled")
    CONFIRMED = "order_confirmed", _("Confirmation sent")
    SHIPPED = "order_shipped", _("Shipment sent")
    DELIVERED = "order_delivered", _("Delivered")
    INVOICED = "order_invoiced", _("Invoiced")
    INVOICE_CORRECTED = "invoice_corrected", _("Invoice corrected")  # detail: invoice, corrective, reason
    CHARGED = "order_charged", _("Charged")
    RETURNED = "order_returned", _("Goods returned")
    CONFORMANCE_CHECKED = "conformance_checked", _("Procurement system checked with this order")
    INVOICE_LIFECYCLE = "invoice_lifecycle", _("Invoice lifecycle status")  # 207, 210, 212… (detail: code)
    REDATED = "delivery_redated", _("Delivery day changed")  # the address's day changed (detail: from, to)


class ConformanceStatus(models.TextChoices):
    """A run of the checks of a business's procurement system (``ConformanceRun``)."""

    QUEUED = "queued", _("Waiting to start")  # asked for; the worker has not taken it yet
    RUNNING = "running", _("Running")  # the checks are being sent
    DONE = "done", _("Finished")  # every check ran; the report says which passed
    FAILED = "failed", _("Could not run")  # the run stopped before its report (see its error)


CONFORMANCE_TRANSITIONS: dict[str, set[str]] = {
    ConformanceStatus.QUEUED: {ConformanceStatus.RUNNING, ConformanceStatus.FAILED},
    ConformanceStatus.RUNNING: {ConformanceStatus.DONE, ConformanceStatus.FAILED},
    ConformanceStatus.DONE: set(),
    ConformanceStatus.FAILED: set(),
}
