"""Read-only queries of fulfilment shared by its pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from openprocure.buyer.organization.choices import Role
from openprocure.buyer.organization.services import has_role
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.purchasing.selectors import visible_orders


def receiving_orders(user: Any) -> QuerySet[PurchaseOrder]:
    """The orders whose receiving pages ``user`` may open: those they may see (purchasing's one rule,
    ``visible_orders``, which holds the requester who receives and the procurement administrators)
    and, for accounts-payable clerks, who match invoices against receipts, every order."""
    if has_role(user, Role.AP_CLERK):
        return PurchaseOrder.objects.select_related("supplier", "requisition", "buyer").order_by(
            "-created_at", "-id"
        )
    return visible_orders(user)
