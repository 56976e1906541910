"""Where an order stands: each line's quantities (confirmed, shipped, received, refused) and state,
and the purchase order's status that follows from them; what purchasing asks of fulfilment through
its hooks; and what every write of fulfilment shares (its refusal, the order's lock, quantities in
words). The other modules of the services call :func:`refresh_po_status` after each document.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openprocure.buyer.fulfilment import hooks
from openprocure.buyer.fulfilment.choices import LINE_STATE_TRANSITIONS, LineState, ShipNoticeStatus
from openprocure.buyer.fulfilment.models import ZERO, GoodsReceiptLine, LineFulfilment, ShipNoticeLine
from openprocure.buyer.purchasing.choices import PO_TRANSITIONS, POStatus
from openprocure.buyer.purchasing.models import PurchaseOrder, PurchaseOrderEvent
from openprocure.core.audit import new_event
from openprocure.core.exceptions import ServiceError
from openprocure.core.status import can_move, set_derived_many, set_status, set_status_where

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LineRefusal:
    """Why one line of a receipt or return was refused: ``field`` names the entry of the line it is
    about (``qty``, ``rejected`` or ``reason``), so the page shows ``message`` beside it."""

    po_line_id: int
    field: str
    message: str


class FulfilmentError(ServiceError):
    """A refused receiving action; the message says what was wrong and what to do next. A receipt or
    return refused for what was entered on its lines carries each line's refusal in ``lines``."""

    def __init__(self, message: str, *, lines: Sequence[LineRefusal] = ()) -> None:
        self.lines = list(lines)
        super().__init__(message)


def fmt(value: Decimal) -> str:
    """A quantity as people write it: 12, 2.5 (never 12.0000)."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def lock_po(po: PurchaseOrder | int) -> PurchaseOrder:
    pk = po if isinstance(po, int) else po.pk
    return PurchaseOrder.objects.select_for_update(of=("self",)).select_related("supplier").get(pk=pk)


def fulfilments(po: PurchaseOrder) -> dict[int, LineFulfilment]:
    """The fulfilment row of every line of ``po`` (created on first use), by line id."""
    lines = list(po.lines.all())
    rows = {f.po_line_id: f for f in LineFulfilment.objects.filter(po_line__purchase_order=po)}
    missing = [LineFulfilment(po_line=line) for line in lines if line.pk not in rows]
    if missing:
        LineFulfilment.objects.bulk_create(missing)
        rows = {f.po_line_id: f for f in LineFulfilment.objects.filter(po_line__purchase_order=po)}
    for line in lines:
        rows[line.pk].po_line = line
    return rows


def derive_state(
    *,
    ordered: Decimal,
    confirmed: bool,
    backordered: Decimal,
    rejected: Decimal,
    shipped: Decimal,
    received: Decimal,
) -> str:
    """The state of a line from its quantities (a pure function; see :class:`LineState`)."""
    expected = ordered - rejected
    if confirmed and expected <= 0:
        return LineState.REJECTED
    if expected > 0 and received >= expected:
        return LineState.RECEIVED
    if received > 0:
        return LineState.PART_RECEIVED
    if expected > 0 and shipped >= expected:
        return LineState.SHIPPED
    if shipped > 0:
        return LineState.PART_SHIPPED
    if backordered > 0:
        return LineState.BACKORDERED
    return LineState.ACCEPTED if confirmed else LineState.OPEN


def refresh_lines(po: PurchaseOrder) -> dict[int, LineFulfilment]:
    """Recompute shipped and received quantities from the documents, then each line's state."""
    rows = fulfilments(po)
    shipped = shipped_in_order_unit(po)
    received: dict[int, Decimal] = {}
    refused: dict[int, Decimal] = {}
    for line in GoodsReceiptLine.objects.filter(po_line__purchase_order=po).select_related("receipt"):
        received[line.po_line_id] = received.get(line.po_line_id, ZERO) + line.net_quantity
        refused[line.po_line_id] = refused.get(line.po_line_id, ZERO) + line.rejected_quantity
    states: dict[int, str] = {}
    for line_id, row in rows.items():
        row.shipped_quantity = Decimal(shipped.get(line_id) or 0)
        row.received_quantity = received.get(line_id, ZERO)
        row.refused_quantity = refused.get(line_id, ZERO)
        states[row.pk] = (
            LineState.CANCELLED
            if row.po_line.is_cancelled
            else derive_state(
                ordered=row.po_line.quantity,
                confirmed=row.confirmed,
                backordered=row.backordered_quantity,
                rejected=row.rejected_quantity,
                shipped=row.shipped_quantity,
                received=row.received_quantity,
            )
        )
    set_derived_many(
        list(rows.values()),
        states,
        table=LINE_STATE_TRANSITIONS,
        field="state",
        also=["shipped_quantity", "received_quantity", "refused_quantity", "updated_at"],
    )
    return rows


def po_target_status(po: PurchaseOrder, rows: dict[int, LineFulfilment]) -> str | None:
    """The fulfilment status the PO should show, or None when nothing happened yet."""
    invoice_state = ""
    for hook in hooks.INVOICE_STATE:
        invoice_state = hook(purchase_order=po) or invoice_state
    if invoice_state == "closed":
        return POStatus.CLOSED
    if invoice_state == "invoiced":
        return POStatus.INVOICED
    live = [r for r in rows.values() if r.state not in (LineState.REJECTED, LineState.CANCELLED)]
    if not live:
        return None
    states = {r.state for r in live}
    if states == {LineState.RECEIVED}:
        return POStatus.RECEIVED
    if states & {LineState.RECEIVED, LineState.PART_RECEIVED}:
        return POStatus.PART_RECEIVED
    if states == {LineState.SHIPPED}:
        return POStatus.SHIPPED
    if states & {LineState.SHIPPED, LineState.PART_SHIPPED}:
        return POStatus.PART_SHIPPED
    if any(r.confirmed for r in rows.values()):
        return POStatus.CONFIRMED
    return None


def refresh_po_status(po: PurchaseOrder, *, actor: Any = None) -> str:
    """Recompute the lines and move the PO's status when the table allows it; returns the status."""
    rows = refresh_lines(po)
    target = po_target_status(po, rows)
    if target is None or target == po.status:
        return po.status
    if not can_move(PO_TRANSITIONS, current=po.status, target=target):
        # e.g. the OrderRequest's delivery is not yet recorded (still "sent"): lines are up to date,
        # the PO status follows at the next document.
        logger.info("PO %s stays %s (would be %s)", po.number, po.status, target)
        return po.status
    set_status(
        po,
        target,
        table=PO_TRANSITIONS,
        event=new_event(
            PurchaseOrderEvent, po, "status_changed", actor=actor, detail={"from": po.status, "to": target}
        ),
    )
    return target


def same_unit(shipped: str, ordered: str) -> bool:
    """Whether a ship notice line's unit is the order line's (a notice without a unit is taken as it)."""
    return not shipped.strip() or shipped.strip().casefold() == ordered.strip().casefold()


def shipped_in_order_unit(po: PurchaseOrder) -> dict[int, Decimal]:
    """Per order line, what the live ship notices say ships in the line's own unit: a quantity in
    another unit (30 EA against a line of 3 RM) is never added to it (it is a supplier issue)."""
    shipped: dict[int, Decimal] = {}
    lines = (
        ShipNoticeLine.objects.filter(po_line__purchase_order=po)
        .exclude(ship_notice__status=ShipNoticeStatus.CANCELLED)
        .values_list("po_line_id", "quantity", "unit_of_measure", "po_line__unit_of_measure")
    )
    for line_id, quantity, unit, ordered_unit in lines:
        if same_unit(unit, ordered_unit):
            shipped[line_id] = shipped.get(line_id, ZERO) + Decimal(quantity)
    return shipped


# -- what purchasing tells us (registered in purchasing.hooks) ---------------------------------------
def on_lines_changed(*, purchase_order: PurchaseOrder) -> dict[int, LineFulfilment]:
    """The order's quantities changed: recompute what each line still expects."""
    return refresh_lines(purchase_order)


def on_status_asked(*, purchase_order: PurchaseOrder, actor: Any = None) -> None:
    """The order's lines are settled: recompute its progress."""
    refresh_po_status(purchase_order, actor=actor)


def on_lines_cancelled(*, purchase_order: PurchaseOrder, line_numbers: list[int]) -> None:
    """These lines are cancelled: nothing more is expected of them."""
    set_status_where(
        LineFulfilment.objects.filter(
            po_line__purchase_order=purchase_order, po_line__line_number__in=line_numbers
        ),
        LineState.CANCELLED,
        table=LINE_STATE_TRANSITIONS,
        field="state",
        accepted_quantity=0,
        backordered_quantity=0,
    )


def has_shipped(*, purchase_order: PurchaseOrder) -> bool:
    """Whether goods of the order have shipped."""
    return LineFulfilment.objects.filter(
        po_line__purchase_order=purchase_order, shipped_quantity__gt=0
    ).exists()
