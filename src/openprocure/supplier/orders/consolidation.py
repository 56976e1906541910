"""Consolidated delivery day: a business's recurring orders to an address with a delivery day are
held and delivered together on that weekday.

A buyer marks the order of a recurring purchase with the header ``<Extrinsic name="recurring">``
(the schedule's id). When its ship-to matches one of the business's addresses that has a delivery
day, the order is held for the next such weekday that leaves our handling time: received at or
after the cut-off hour it counts from the next day, then ``FULFILMENT_CONSOLIDATION_HANDLING_DAYS``
are added. Other orders are not held.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from openprocure.core.tunables import tunable
from openprocure.supplier.business.models import ShippingAddress
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
