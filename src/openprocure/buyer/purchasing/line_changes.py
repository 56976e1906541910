"""What an accepted change order or cancellation, or a supplier's cancellation, does to a purchase
order: its lines' quantities, amounts and cost-center distributions, its total, the budget released
and its status; and what the supplier's rejected quantities do to the budget.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from openprocure.buyer.approvals import budgets
from openprocure.buyer.purchasing import hooks
from openprocure.buyer.purchasing.choices import PO_TRANSITIONS, POStatus, TransmissionType
from openprocure.buyer.purchasing.documents import amount_at, rescale
from openprocure.buyer.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderEvent,
    PurchaseOrderLine,
    Transmission,
)
from openprocure.core.audit import record_event
from openprocure.core.status import can_move, set_status
from punchout.money import quantize_money


def _at_quantity(
    po: PurchaseOrder, line: PurchaseOrderLine, quantity: Decimal
) -> tuple[Decimal, list[dict[str, str]], dict[str, Decimal]]:
    """A line's amount and cost-center distributions at ``quantity`` (its splits in proportion), and
    what each cost center would then commit less, by cost-center code."""
    amount = amount_at(line, quantity, po.currency)
    distributions = rescale(line.distributions, Decimal(line.amount), amount, po.currency)
    freed: dict[str, Decimal] = defaultdict(Decimal)
    for old, new in zip(line.distributions, distributions, strict=True):
        freed[old["cost_center"]] += Decimal(old["amount"]) - Decimal(new["amount"])
    return amount, distributions, freed


def _requantify(
    po: PurchaseOrder, line: PurchaseOrderLine, quantity: Decimal, released: dict[str, Decimal]
) -> None:
    """Set a line's new quantity, its amount and its cost-center distributions (not saved); what each
    cost center no longer commits is added to ``released``."""
    amount, distributions, freed = _at_quantity(po, line, quantity)
    for code, value in freed.items():
        released[code] += value
    line.quantity, line.amount, line.distributions = quantity, amount, distributions


def _apply_version(po: PurchaseOrder, transmission: Transmission) -> None:
    """The supplier accepted a change order or cancellation: lines, total, budget and status follow."""
    changes = {int(number): Decimal(change["to"]) for number, change in transmission.changes.items()}
    if transmission.type == TransmissionType.DELETE:
        changes = {line.line_number: Decimal(0) for line in po.lines.all() if not line.is_cancelled}
    lines = {line.line_number: line for line in po.lines.all()}
    cancelled = {number for number, quantity in changes.items() if quantity == 0}
    _cancel_lines(po, cancelled, reason=transmission.reason, save_po=False)
    released: dict[str, Decimal] = defaultdict(Decimal)
    lowered: set[int] = set()
    for number, quantity in changes.items():
        line = lines[number]
        if quantity == 0 or quantity == line.quantity:
            continue
        _requantify(po, line, quantity, released)
        line.save(update_fields=["quantity", "amount", "distributions"])
        lowered.add(number)
    _release(po, released, version=transmission.version)
    po.version = transmission.version
    po.total_amount = quantize_money(
        sum((Decimal(line.amount) for line in po.lines.all()), Decimal(0)), po.currency
    )
    if all(line.is_cancelled for line in po.lines.all()):
        _cancelled(po)
    else:
        rows = [row for result in hooks.refresh_lines(purchase_order=po) for row in result.values()]
        # What the supplier rejected of a lowered line is counted again against its new quantity.
        rejected_by_supplier(
            po=po,
            quantities={
                row.po_line.line_number: row.rejected_quantity
                for row in rows
                if row.po_line.line_number in lowered
            },
        )
    record_event(
        PurchaseOrderEvent,
        po,
        "cancelled" if po.status == POStatus.CANCELLED else "change_accepted",
        detail={
            "version": transmission.version,
            "total": str(quantize_money(po.total_amount, po.currency)),
            "changes": transmission.changes,
        },
    )


def _release(po: PurchaseOrder, amounts: dict[str, Decimal], *, version: int | None = None) -> None:

    if any(amounts.values()):
        reference = f"{po.number} v{version}" if version else po.number
        budgets.release_part(
            requisition=po.requisition, reference=reference, amounts=dict(amounts), currency=po.currency
        )


def _cancel_lines(po: PurchaseOrder, numbers: set[int], *, reason: str, save_po: bool = True) -> list[int]:
    """Cancel these lines (nothing more is expected of them) and release their budget, less what the
    supplier's rejection of them already released; returns the numbers of the lines that were still
    open."""
    released: dict[str, Decimal] = defaultdict(Decimal)
    done = []
    lines = list(po.lines.filter(line_number__in=numbers).order_by("line_number"))
    already = budgets.released_for_rejections(line_ids=[line.pk for line in lines if not line.is_cancelled])
    for line in lines:
        if line.is_cancelled:
            continue
        for split in line.distributions:
            released[split["cost_center"]] += Decimal(split["amount"])
        for code, amount in already[line.pk].items():
            released[code] -= amount
        line.cancelled_quantity = line.quantity
        line.quantity = Decimal(0)
        line.amount = Decimal(0)
        line.distributions = [{**d, "amount": "0"} for d in line.distributions]
        line.cancel_reason = reason
        line.save(
            update_fields=["cancelled_quantity", "quantity", "amount", "distributions", "cancel_reason"]
        )
        done.append(line.line_number)
    if done:
        hooks.lines_cancelled(purchase_order=po, line_numbers=done)
        _release(po, released)
        if save_po:
            po.total_amount = quantize_money(
                sum((Decimal(line.amount) for line in po.lines.all()), Decimal(0)), po.currency
            )
            po.save(update_fields=["total_amount"])
    return done


def _cancelled(po: PurchaseOrder) -> None:

    # A supplier that accepts a cancellation after a ship notice arrived: the lines are cancelled,
    # the status stays where the shipment took it.
    if can_move(PO_TRANSITIONS, current=po.status, target=POStatus.CANCELLED):
        set_status(po, POStatus.CANCELLED, table=PO_TRANSITIONS)
    if not po.requisition.purchase_orders.exclude(pk=po.pk).exclude(status=POStatus.CANCELLED).exists():
        budgets.release(requisition=po.requisition)


def cancelled_by_supplier(
    *, po: PurchaseOrder, line_numbers: set[int] | None, reason: str, actor: Any = None
) -> list[int]:
    """The supplier cancelled the whole order (``line_numbers`` None) or these lines: they move to
    Cancelled with the supplier's reason and their budget is released. The caller holds the PO's lock.

    Returns the lines cancelled now (already cancelled ones are left as they are).
    """
    if line_numbers is None:
        numbers = {line.line_number for line in po.lines.all()}
        done = _cancel_lines(po, numbers, reason=reason)
        if po.status != POStatus.CANCELLED:
            _cancelled(po)
            po.supplier_message = reason
            po.save(update_fields=["status", "supplier_message", "total_amount"])
            record_event(
                PurchaseOrderEvent,
                po,
                "cancelled_by_supplier",
                actor=actor,
                detail={"reason": reason, "lines": sorted(numbers)},
            )
        return done
    done = _cancel_lines(po, line_numbers, reason=reason)
    if done:
        record_event(
            PurchaseOrderEvent,
            po,
            "lines_cancelled_by_supplier",
            actor=actor,
            detail={"reason": reason, "lines": done},
        )
        if all(line.is_cancelled for line in po.lines.all()) and po.status != POStatus.CANCELLED:
            _cancelled(po)
            po.save(update_fields=["status"])
    return done


def rejected_by_supplier(*, po: PurchaseOrder, quantities: dict[int, Decimal]) -> None:
    """The supplier's answer leaves these quantities of these lines rejected (by line number): the
    money committed for each open line follows what the order still expects of it.

    The rejected part of a line (its share of each cost-center split, as cancelling the line computes
    it when the whole line is rejected) is released, or committed again when the supplier accepts it
    again, against what was released for that line before: the same answer twice changes nothing.
    Rows carry the order's number. The caller holds the PO's lock."""
    if po.status == POStatus.CANCELLED:
        return
    lines = [line for line in po.lines.filter(line_number__in=quantities) if not line.is_cancelled]
    already = budgets.released_for_rejections(line_ids=[line.pk for line in lines])
    for line in sorted(lines, key=lambda line: line.line_number):
        rejected = min(quantities[line.line_number], Decimal(line.quantity))
        target = _at_quantity(po, line, line.quantity - rejected)[2] if rejected > 0 else {}
        change = {
            code: target.get(code, Decimal(0)) - already[line.pk].get(code, Decimal(0))
            for code in target.keys() | already[line.pk].keys()
        }
        if any(change.values()):
            budgets.release_part(
                requisition=po.requisition,
                reference=po.number,
                amounts=change,
                currency=po.currency,
                rejected_line=line,
            )
