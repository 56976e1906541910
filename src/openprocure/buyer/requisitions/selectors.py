"""Who may see which requisition: one rule, used by the pages and by the API; and which lines of a
copied draft still carry the prices of an earlier cart."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from openprocure.buyer.organization.services import is_procurement_admin
from openprocure.buyer.requisitions import hooks
from openprocure.buyer.requisitions.choices import EventKind
from openprocure.buyer.requisitions.models import Requisition, RequisitionLine


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


def unchecked_price_lines(requisition: Requisition, lines: Any = None) -> list[RequisitionLine]:
    """The PunchOut lines of an editable copy (Reorder, Copy into a new draft) whose price comes from a
    cart that came back before the copy was made: the supplier has not confirmed it since. ``lines``
    are the requisition's lines when already read (with ``punchout_session``)."""
    if not requisition.is_editable:
        return []
    copied = requisition.events.filter(kind=EventKind.CREATED, detail__copied_from__isnull=False).exists()
    if not copied:
        return []
    if lines is None:
        lines = requisition.lines.select_related("punchout_session", "connection")
    return [
        line
        for line in lines
        if not line.is_free_text
        and line.connection_id is not None
        and (
            line.punchout_session is None
            or line.punchout_session.returned_at is None
            or line.punchout_session.returned_at < requisition.created_at
        )
    ]
