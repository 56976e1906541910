"""Who may see which requisition: one rule, used by the pages and by the API."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from openprocure.buyer.requisitions.models import Requisition


def _procurement_admin(user: Any) -> bool:
    from openprocure.buyer.approvals.services import is_procurement_admin

    return is_procurement_admin(user)


def approver_of(user: Any) -> Q:
    """Requisitions ``user`` was asked to approve (or holds for someone away), in any round."""
    from openprocure.buyer.approvals.models import ApprovalAssignment

    asked = ApprovalAssignment.objects.filter(
        Q(approver=user) | Q(on_behalf_of=user), step__request__requisition=OuterRef("pk")
    )
    return Q(Exists(asked))


def visible_requisitions(user: Any) -> QuerySet[Requisition]:
    """The requisitions ``user`` may open: their own, those they were asked to approve, and all of
    them for procurement administrators (and staff). Nobody else sees one, whatever their role:
    a page or the API answers 404 as if it did not exist."""
    rows = Requisition.objects.all()
    if not getattr(user, "is_authenticated", False):
        return rows.none()
    if _procurement_admin(user):
        return rows
    return rows.filter(Q(requester=user) | approver_of(user))
