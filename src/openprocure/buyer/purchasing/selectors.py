"""Read-only queries of purchasing shared by the pages and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.core.models import Document


def _admin(user: Any) -> bool:
    from openprocure.buyer.approvals.services import is_procurement_admin

    return is_procurement_admin(user)


def visible_orders(user: Any) -> QuerySet[PurchaseOrder]:
    """The requester sees their orders; procurement administrators see all."""
    rows = PurchaseOrder.objects.select_related("supplier", "requisition", "buyer").order_by(
        "-created_at", "-id"
    )
    return rows if _admin(user) else rows.filter(buyer=user)


def can_view(user: Any, po: PurchaseOrder) -> bool:
    from openprocure.buyer.approvals.selectors import can_view_requisition

    return po.buyer_id == user.pk or can_view_requisition(user, po.requisition)


def can_manage(user: Any, po: PurchaseOrder) -> bool:
    return po.buyer_id == user.pk or _admin(user)


def timeline(po: PurchaseOrder) -> list[Document]:
    """Every document exchanged for the PO (journal rows whose business reference is its number)."""
    return list(Document.objects.filter(reference=po.number).order_by("created_at", "id"))
