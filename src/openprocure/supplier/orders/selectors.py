"""Read-only queries of orders for pages and the API, each scoped to who asks."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from openprocure.supplier.business.models import Membership
from openprocure.supplier.orders.models import Order, OrderLine


def orders_for(membership: Membership, *, whole_business: bool = False) -> QuerySet[Order]:
    """A PunchOut user's own orders; the administrator's whole business when asked."""
    orders = Order.objects.filter(business_id=membership.business_id)
    if not (whole_business and membership.is_administrator):
        orders = orders.filter(Q(user_id=membership.user_id) | Q(email__iexact=membership.user.email))
    return orders.select_related("business").order_by("-created_at", "-id")


def with_lines(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Orders with their current lines, their shipments and invoices, in a fixed number of queries."""
    return orders.prefetch_related(
        Prefetch(
            "lines",
            queryset=OrderLine.objects.filter(is_current=True)
            .prefetch_related("shipment_lines__shipment", "return_lines__goods_return")
            .order_by("line_number", "id"),
            to_attr="current_lines",
        ),
        "invoices__buyer_statuses",
        "buyer_statuses__invoice",
    )
