"""Who may see which requisition: one rule, used by the pages and by the API."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from openprocure.buyer.organization.services import is_procurement_admin
from openprocure.buyer.requisitions import hooks
from openprocure.buyer.requisitions.models import Requisition


def visible_requisitions(user: Any) -> QuerySet[Requisition]:
    """The requisitions ``user`` may open: their own, those the apps above add through
    ``hooks.also_visible_to`` (the approvals app: those they were asked to approve), and all of
    them for procurement administrators (and staff). Nobody else sees one, whatever their role:
    a page or the API answers 404 as if it did not exist."""
    rows = Requisition.objects.all()
    if not getattr(user, "is_authenticated", False):
        return rows.none()
    if is_procurement_admin(user):
        return rows
    visible = Q(requester=user)
    for also in hooks.also_visible_to(user):
        visible |= also
    return rows.filter(visible)
