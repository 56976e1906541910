"""Copying a requisition into a new draft: started again, bought again (reorder), or made for an
occurrence of a recurring schedule.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from openprocure.buyer.requisitions.choices import EventKind, RequisitionStatus
from openprocure.buyer.requisitions.drafting import (
    RequisitionError,
    _copy_splits,
    _lock,
    _new_draft,
    _refresh_total,
)
from openprocure.buyer.requisitions.models import Requisition, RequisitionEvent, RequisitionLine
from openprocure.core.audit import record_event
from openprocure.core.models import User

#: Statuses whose requisition may be copied into a new draft: it ended without an order (rejected,
#: cancelled), was sent back for changes, or is a past purchase (ordered, closed) bought again; the
#: copy starts again without the approval history.
COPYABLE_STATUSES = frozenset(
    {
        RequisitionStatus.REJECTED,
        RequisitionStatus.CANCELLED,
        RequisitionStatus.RETURNED,
        RequisitionStatus.ORDERED,
        RequisitionStatus.CLOSED,
    }
)


#: The copyable statuses of a past purchase, whose copy is offered as "Reorder".
REORDER_STATUSES = frozenset({RequisitionStatus.ORDERED, RequisitionStatus.CLOSED})


#: Line fields that describe the item, quantity and price as the supplier's cart gave them (supplier
#: IDs byte for byte): a copy and a purchase-order line keep them as they are.
ITEM_FIELDS = (
    "supplier_part_id",
    "supplier_part_auxiliary_id",
    "description",
    "quantity",
    "unit_of_measure",
    "unit_price",
    "price_basis_quantity",
    "unspsc",
    "manufacturer_name",
    "manufacturer_part_id",
    "extrinsics",
    "classifications",
)


#: Line fields a copy keeps as they are (the item, the supplier and cart it came from, accounting).
_COPIED_LINE_FIELDS = (
    "line_number",
    "supplier_id",
    "connection_id",
    "punchout_session_id",
    *ITEM_FIELDS,
    "from_catalog",
    "currency",
    "lead_time_days",
    "cost_center_id",
    "gl_account_id",
    "split_mode",
    "need_by",
    "ship_to_id",
    "justification",
    "is_free_text",
)


def copy_requisition(
    *, requisition: Requisition, actor: User, line_ids: Sequence[int] | None = None
) -> Requisition:
    """A new draft holding a past requisition's title, justification, need-by date, ship-to and lines
    with their accounting (a rejected, cancelled or returned one started again, an ordered or closed
    one bought again); its approval history stays with the old one.

    Both requisitions record the copy in their history (copied from / copied to). ``line_ids`` copies
    only those lines (a purchase order's, reordered from the order's page).
    """
    with transaction.atomic():
        source = _lock(requisition)
        if actor.pk != source.requester_id:
            raise RequisitionError(
                _("Only the requester can copy requisition %(number)s.") % {"number": source.number}
            )
        if source.status not in COPYABLE_STATUSES:
            raise RequisitionError(
                _(
                    "Requisition %(number)s is %(status)s: only a rejected, cancelled, returned, "
                    "ordered or closed requisition can be copied into a new draft."
                )
                % {"number": source.number, "status": source.get_status_display()}
            )
        return _copy(source, actor=actor, detail={}, line_ids=line_ids)


def copy_for_schedule(*, requisition: Requisition, schedule: str) -> Requisition:
    """A new draft copied from ``requisition`` for an occurrence of a recurring schedule (named by
    ``schedule``), made by the worker for the requester: the same copy as :func:`copy_requisition`,
    whatever the source's status now."""
    with transaction.atomic():
        source = _lock(requisition)
        return _copy(source, actor=None, detail={"schedule": schedule})


def _copy(
    source: Requisition, *, actor: User | None, detail: dict[str, Any], line_ids: Sequence[int] | None = None
) -> Requisition:
    """Copy the locked ``source`` (all its lines, or those of ``line_ids``) into a new numbered draft of
    its requester and record it on both."""
    copy = _new_draft(
        requester=source.requester,
        title=source.title,
        currency=source.currency,
        justification=source.justification,
        need_by=source.need_by,
        ship_to=source.ship_to,
        cost_center=source.cost_center,
        gl_account=source.gl_account,
    )
    chosen = source.lines.all() if line_ids is None else source.lines.filter(pk__in=line_ids)
    lines = list(chosen.prefetch_related("splits").order_by("line_number"))
    for line in lines:
        new_line = RequisitionLine.objects.create(
            requisition=copy, **{name: getattr(line, name) for name in _COPIED_LINE_FIELDS}
        )
        _copy_splits(new_line, line.splits.all())
    _refresh_total(copy)
    record_event(
        RequisitionEvent,
        copy,
        EventKind.CREATED,
        actor=actor,
        to_status=RequisitionStatus.DRAFT,
        detail={"copied_from": source.number, "lines": len(lines), **detail},
        reason=_("Copied from %(number)s") % {"number": source.number},
    )
    record_event(
        RequisitionEvent,
        source,
        EventKind.NOTE,
        actor=actor,
        detail={"copied_to": copy.number, **detail},
        reason=_("Copied to %(number)s") % {"number": copy.number},
    )
    return copy
