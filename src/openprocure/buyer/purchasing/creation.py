"""Purchase orders made from approved requisitions: one per requisition and supplier, numbered,
with the lines that were approved, then sent.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.buyer.approvals import budgets
from openprocure.buyer.approvals.services import approval_mismatch, restart_after_change
from openprocure.buyer.organization.choices import AddressKind
from openprocure.buyer.organization.models import Address
from openprocure.buyer.purchasing.changes import apply_change
from openprocure.buyer.purchasing.documents import address_snapshot
from openprocure.buyer.purchasing.models import PurchaseOrder, PurchaseOrderEvent, PurchaseOrderLine
from openprocure.buyer.purchasing.numbering import allocate_po_numbers, next_po_number
from openprocure.buyer.purchasing.sending import send_purchase_order, send_purchase_orders
from openprocure.buyer.requisitions.services import ITEM_FIELDS, change_status, change_status_many
from openprocure.buyer.suppliers.choices import OrderChannel
from openprocure.buyer.suppliers.models import PunchOutConnection, Supplier
from openprocure.core.audit import new_event, record_event
from punchout.money import quantize_money

logger = logging.getLogger(__name__)


def _distributions(line: Any) -> list[dict[str, str]]:
    splits = list(line.splits.all())
    if not splits and line.cost_center_id:
        cc, gl = line.cost_center, line.gl_account
        return [
            {
                "cost_center": cc.code,
                "cost_center_name": cc.name,
                "gl_account": gl.code if gl else "",
                "gl_account_name": gl.name if gl else "",
                "amount": str(line.amount),
            }
        ]
    result = []
    for split in splits:
        if split.amount is not None:
            amount = quantize_money(Decimal(split.amount), line.currency)
        else:
            amount = quantize_money(
                line.amount * Decimal(split.percentage or 0) / Decimal(100), line.currency
            )
        result.append(
            {
                "cost_center": split.cost_center.code,
                "cost_center_name": split.cost_center.name,
                "gl_account": split.gl_account.code if split.gl_account else "",
                "gl_account_name": split.gl_account.name if split.gl_account else "",
                "amount": str(amount),
                "percentage": str(split.percentage) if split.percentage is not None else "",
            }
        )
    return result


def _bill_to(requisition: Any) -> Any:

    profile = getattr(requisition.requester, "buyer_profile", None)
    rows = Address.objects.filter(kind=AddressKind.BILL_TO)
    if profile is not None:
        rows = rows.filter(company_id=profile.company_id)
    return rows.order_by("-is_default", "code").first()


def _connection_for(supplier: Any, line_connection: Any) -> Any:
    if line_connection is not None and line_connection.sends_orders and line_connection.is_active:
        return line_connection
    return (
        supplier.connections.filter(
            Q(protocol="cxml", order_channel=OrderChannel.CXML) | Q(order_channel=OrderChannel.OAGIS),
            is_active=True,
        )
        .exclude(order_url="")
        .order_by("pk")
        .first()
        or line_connection
    )


#: The fields a PO line copies from its requisition line, as they are.
_ORDERED_AS_REQUESTED = (*ITEM_FIELDS, "amount", "need_by")


def _po_line(po: PurchaseOrder, line_number: int, line: Any) -> PurchaseOrderLine:
    """The PO line ordering one requisition line (not saved: callers create them in bulk)."""
    return PurchaseOrderLine(
        purchase_order=po,
        line_number=line_number,
        requisition_line=line,
        distributions=_distributions(line),
        **{name: getattr(line, name) for name in _ORDERED_AS_REQUESTED},
    )


def create_purchase_orders(*, requisition: Any, actor: Any = None) -> list[PurchaseOrder]:
    """One PO per supplier from an approved requisition, each sent through the outbox.

    Only the lines that were approved are ordered: when the requisition changed after its approval
    (lines, total, currency or suppliers), no order is made and it goes back to approval.
    """

    if _back_to_approval_if_changed(requisition, actor=actor):
        return []

    lines = list(
        requisition.lines.select_related("supplier", "connection", "cost_center", "gl_account", "ship_to")
        .prefetch_related("splits__cost_center", "splits__gl_account")
        .order_by("line_number")
    )
    groups: dict[int, list[Any]] = defaultdict(list)
    for line in lines:
        if line.supplier_id:
            groups[line.supplier_id].append(line)
    bill_to = address_snapshot(_bill_to(requisition))
    orders = []
    for supplier_lines in groups.values():
        first = supplier_lines[0]
        supplier = first.supplier
        total = sum((line.amount for line in supplier_lines), Decimal(0))
        po = PurchaseOrder.objects.create(
            number=next_po_number(),
            requisition=requisition,
            supplier=supplier,
            connection=_connection_for(supplier, first.connection),
            buyer_id=requisition.requester_id,
            currency=requisition.currency,
            total_amount=quantize_money(total, requisition.currency),
            ship_to=address_snapshot(requisition.ship_to or first.ship_to),
            bill_to=bill_to,
        )
        PurchaseOrderLine.objects.bulk_create(
            [_po_line(po, index, line) for index, line in enumerate(supplier_lines, start=1)]
        )
        record_event(
            PurchaseOrderEvent, po, "created", actor=actor, detail={"requisition": requisition.number}
        )
        orders.append(po)
    if orders:
        change_status(
            requisition=requisition,
            target="ordered",
            actor=actor,
            reason=_("Purchase orders %(numbers)s created.")
            % {"numbers": ", ".join(po.number for po in orders)},
            data={"purchase_orders": [po.number for po in orders]},
        )
        budgets.move_to_purchase_order(requisition=requisition, po_numbers=[po.number for po in orders])
        for po in orders:
            send_purchase_order(po=po, actor=actor)
    return orders


def _back_to_approval_if_changed(requisition: Any, *, actor: Any, approval: Any = None) -> bool:
    """True (and the requisition back in approval) when it is not what its approvers approved."""

    mismatch = approval_mismatch(requisition, approval)
    if not mismatch:
        return False
    logger.warning("no order for requisition %s: %s", requisition.number, mismatch)
    restart_after_change(
        requisition=requisition,
        actor=actor,
        reason=_("No order was made: %(why)s It goes back to approval.") % {"why": mismatch},
    )
    return True


def on_final_approval(*, requisition: Any, approval: Any, actor: Any = None) -> None:
    """Registered in ``approvals.hooks``: create the POs, or send the change orders that waited."""
    waiting = list(requisition.purchase_orders.exclude(pending_change={}))
    if waiting:
        for po in waiting:
            apply_change(po=po, actor=actor)
    elif not requisition.purchase_orders.exists():
        create_purchase_orders(requisition=requisition, actor=actor)


def on_final_approval_many(*, requisitions: list[Any], approvals: list[Any], actor: Any = None) -> None:
    """Registered in ``approvals.hooks.FINAL_APPROVAL_BATCH_HOOKS``: :func:`on_final_approval` for a batch."""
    ids = [r.pk for r in requisitions]
    ordered = set(
        PurchaseOrder.objects.filter(requisition_id__in=ids).values_list("requisition_id", flat=True)
    )
    approved = {a.requisition_id: a for a in approvals}
    requisitions = [
        r
        for r in requisitions
        if r.pk in ordered  # change orders: checked by their own round
        or not _back_to_approval_if_changed(r, actor=actor, approval=approved.get(r.pk))
    ]
    for po in PurchaseOrder.objects.filter(requisition_id__in=ids).exclude(pending_change={}):
        apply_change(po=po, actor=actor)  # change orders are rare: one by one
    create_purchase_orders_many(requisitions=[r for r in requisitions if r.pk not in ordered], actor=actor)


def create_purchase_orders_many(*, requisitions: list[Any], actor: Any = None) -> list[PurchaseOrder]:
    """:func:`create_purchase_orders` for many approved requisitions, with bulk statements.

    One PO per requisition and supplier, numbered from one block of the counter, sent through the
    outbox. Requisitions come from ``requisitions.services.batch_queryset`` (requester, ship-to,
    lines with their accounting already loaded).
    """

    if not requisitions:
        return []
    lines = [line for r in requisitions for line in r.lines.all()]
    # The few suppliers, connections and addresses the lines point to, read once for the batch.
    suppliers = Supplier.objects.in_bulk({line.supplier_id for line in lines if line.supplier_id})
    connections_by_id = PunchOutConnection.objects.in_bulk(
        {line.connection_id for line in lines if line.connection_id}
    )
    addresses = Address.objects.in_bulk({line.ship_to_id for line in lines if line.ship_to_id})
    groups: dict[int, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for line in lines:
        if line.supplier_id:
            line.supplier = suppliers[line.supplier_id]
            line.connection = connections_by_id.get(line.connection_id) if line.connection_id else None
            line.ship_to = addresses.get(line.ship_to_id) if line.ship_to_id else None
            groups[line.requisition_id][line.supplier_id].append(line)
    plans = [(r, supplier_lines) for r in requisitions for supplier_lines in groups[r.pk].values()]
    if not plans:
        return []
    numbers = allocate_po_numbers(len(plans))
    bill_to: dict[Any, dict[str, str]] = {}
    connections: dict[tuple[int, Any], Any] = {}
    orders = []
    now = timezone.now()
    for (requisition, supplier_lines), number in zip(plans, numbers, strict=True):
        first = supplier_lines[0]
        profile = getattr(requisition.requester, "buyer_profile", None)
        company = profile.company_id if profile is not None else None
        if company not in bill_to:
            bill_to[company] = address_snapshot(_bill_to(requisition))
        key = (first.supplier_id, first.connection_id)
        if key not in connections:
            connections[key] = _connection_for(first.supplier, first.connection)
        total = sum((line.amount for line in supplier_lines), Decimal(0))
        orders.append(
            PurchaseOrder(
                number=number,
                requisition=requisition,
                supplier=first.supplier,
                connection=connections[key],
                buyer=requisition.requester,
                currency=requisition.currency,
                total_amount=quantize_money(total, requisition.currency),
                ship_to=address_snapshot(requisition.ship_to or first.ship_to),
                bill_to=bill_to[company],
                created_at=now,
            )
        )
    orders = PurchaseOrder.objects.bulk_create(orders)
    PurchaseOrderLine.objects.bulk_create(
        [
            _po_line(po, index, line)
            for po, (_requisition, supplier_lines) in zip(orders, plans, strict=True)
            for index, line in enumerate(supplier_lines, start=1)
        ]
    )
    prefetch_related_objects(orders, "lines")  # what the OrderRequest documents are built from
    PurchaseOrderEvent.objects.bulk_create(
        [
            new_event(
                PurchaseOrderEvent,
                po,
                "created",
                actor=actor,
                detail={"requisition": po.requisition.number},
                created_at=now,
            )
            for po in orders
        ]
    )
    per_requisition: dict[int, list[str]] = defaultdict(list)
    for po in orders:
        per_requisition[po.requisition_id].append(po.number)
    ordered = [r for r in requisitions if r.pk in per_requisition]
    change_status_many(
        requisitions=ordered,
        target="ordered",
        actor=actor,
        reasons={
            pk: _("Purchase orders %(numbers)s created.") % {"numbers": ", ".join(found)}
            for pk, found in per_requisition.items()
        },
        data={pk: {"purchase_orders": found} for pk, found in per_requisition.items()},
    )
    budgets.move_to_purchase_orders(po_numbers=dict(per_requisition))
    send_purchase_orders(orders=orders, actor=actor)
    return orders
