"""Consolidated delivery day: a business's recurring orders to an address with a delivery day are
held and delivered together on that weekday.

A buyer marks the order of a recurring purchase with the header ``<Extrinsic name="recurring">``
(the schedule's id). When its ship-to matches one of the business's addresses that has a delivery
day, the order is held for the next such weekday that leaves our handling time: received at or
after the cut-off hour it counts from the next day, then ``FULFILMENT_CONSOLIDATION_HANDLING_DAYS``
are added. Other orders are not held. When an address's delivery day changes, the orders held for
it move to the new day (:func:`redate_held_orders`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from openprocure.core.audit import record_event
from openprocure.core.models import User
from openprocure.core.tunables import tunable
from openprocure.supplier.business.models import ShippingAddress
from openprocure.supplier.orders import documents
from openprocure.supplier.orders.choices import EventKind, OrderStatus
from openprocure.supplier.orders.models import Order, OrderEvent
from punchout import cxml

#: The OrderRequest header Extrinsic that says the order recurs (its value: the buyer's schedule).
RECURRING_EXTRINSIC = "recurring"


def next_weekday(weekday: int, *, on_or_after: date) -> date:
    """The first date on or after ``on_or_after`` falling on ``weekday`` (0 = Monday)."""
    return on_or_after + timedelta(days=(weekday - on_or_after.weekday()) % 7)


def delivery_date(weekday: int, *, received: datetime) -> date:
    """The consolidated delivery date of an order received at ``received`` for ``weekday``."""
    local = timezone.localtime(received)
    late = local.hour >= tunable("FULFILMENT_CONSOLIDATION_CUTOFF_HOUR")
    earliest = local.date() + timedelta(days=tunable("FULFILMENT_CONSOLIDATION_HANDLING_DAYS") + int(late))
    return next_weekday(weekday, on_or_after=earliest)


def is_recurring(header: cxml.OrderRequestHeader) -> bool:
    """Whether the buyer marked the order as an occurrence of a recurring purchase."""
    return bool((cxml.get_extrinsic(header.extrinsics, RECURRING_EXTRINSIC) or "").strip())


def held_until(
    header: cxml.OrderRequestHeader, address: ShippingAddress | None, *, received: datetime
) -> date | None:
    """The day a received order is held for, or None when it ships as usual."""
    if address is None or address.preferred_delivery_day is None or not is_recurring(header):
        return None
    return delivery_date(address.preferred_delivery_day, received=received)


def redate_held_orders(*, address: ShippingAddress, before: int | None, by: User | None) -> list[Order]:
    """The address's delivery day changed (``business.hooks.delivery_day_changed``, in its
    transaction): each recurring order still held for a later day moves to the next new delivery day
    we can still make from now (the cut-off and handling days of :func:`delivery_date`), or
    is released when the address has no day any more. The buyer is told as the first date was: a
    new ConfirmationRequest with the new deliveryDate, through the outbox; the order's timeline
    records the move."""
    now = timezone.now()
    today = timezone.localtime(now).date()
    held = list(
        Order.objects.select_for_update()
        .select_related("integration")
        .filter(shipping_address=address, status=OrderStatus.ACCEPTED, held_until__gt=today)
        .order_by("created_at", "id")
    )
    moved = []
    for order in held:
        old = order.held_until
        new = (
            None
            if address.preferred_delivery_day is None
            else delivery_date(address.preferred_delivery_day, received=now)
        )
        if new == old:
            continue
        order.held_until = new
        order.updated_at = now
        order.save(update_fields=["held_until", "updated_at"])
        record_event(
            OrderEvent,
            order,
            EventKind.REDATED,
            actor=by,
            detail={"from": old.isoformat() if old else "", "to": new.isoformat() if new else ""},
        )
        lines = list(order.lines.filter(is_current=True).order_by("line_number", "id"))
        documents.send_all(
            order.integration,
            documents.confirmation_requests(order, lines, revision=f"-{new:%Y%m%d}" if new else "-released"),
            reference=order.number,
            is_test=order.is_test,
        )
        moved.append(order)
    return moved
