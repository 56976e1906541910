"""Goods received and returned against an order's lines, by a person or from a ship notice."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.buyer.fulfilment import hooks
from openprocure.buyer.fulfilment.choices import SHIP_NOTICE_TRANSITIONS, ReceiptKind, ShipNoticeStatus
from openprocure.buyer.fulfilment.models import (
    ZERO,
    GoodsReceipt,
    GoodsReceiptLine,
    LineFulfilment,
    ShipNotice,
    ShipNoticeLine,
)
from openprocure.buyer.fulfilment.progress import (
    FulfilmentError,
    LineRefusal,
    fmt,
    lock_po,
    refresh_lines,
    refresh_po_status,
)
from openprocure.buyer.purchasing import notices
from openprocure.buyer.purchasing.choices import POStatus
from openprocure.buyer.purchasing.models import PurchaseOrder, PurchaseOrderEvent, PurchaseOrderLine
from openprocure.core.audit import record_event
from openprocure.core.status import can_move, set_status


@dataclass(frozen=True)
class ReceiptLineInput:
    """One line of a receipt as entered: accepted quantity, refused quantity and why."""

    po_line_id: int
    quantity: Decimal
    rejected_quantity: Decimal = ZERO
    reason: str = ""


def _new_receipt(po: PurchaseOrder, **values: Any) -> GoodsReceipt:
    receipt = GoodsReceipt.objects.create(
        purchase_order=po, number=f"tmp-{timezone.now().timestamp()}", **values
    )
    receipt.number = f"GR-{receipt.received_at:%Y}-{receipt.pk:06d}"
    receipt.save(update_fields=["number"])
    return receipt


def _receipts_changed(po: PurchaseOrder) -> None:
    for hook in hooks.RECEIPTS_CHANGED:
        transaction.on_commit(partial(hook, purchase_order=po))


def receive_goods(
    *,
    po: PurchaseOrder,
    actor: Any,
    lines: list[ReceiptLineInput],
    ship_notice: ShipNotice | None = None,
    note: str = "",
    automatic: bool = False,
) -> GoodsReceipt:
    """Record goods received against order lines: the quantity accepted (at most what is still
    expected) and the quantity refused at the door, with why (still due from the supplier)."""
    return _record_lines(
        po=po,
        actor=actor,
        kind=ReceiptKind.RECEIPT,
        lines=lines,
        note=note,
        ship_notice=ship_notice,
        automatic=automatic,
    )


def return_goods(
    *, po: PurchaseOrder, actor: Any, lines: list[ReceiptLineInput], note: str = ""
) -> GoodsReceipt:
    """Send received goods back, with why: at most what was received and not yet returned. The
    received quantity goes down, so the goods are expected again. A return has no refused quantity
    (goods are refused on the receipt, when they arrive): one is refused beside its line."""
    return _record_lines(po=po, actor=actor, kind=ReceiptKind.RETURN, lines=lines, note=note)


def _record_lines(
    *,
    po: PurchaseOrder,
    actor: Any,
    kind: ReceiptKind,
    lines: list[ReceiptLineInput],
    note: str,
    ship_notice: ShipNotice | None = None,
    automatic: bool = False,
) -> GoodsReceipt:
    """What receipts and returns share: lock the order, check every line against its order line
    (each refusal beside its line), write the receipt and its lines, roll the quantities up to the
    order lines and the order's status, record the event and tell who follows receipts."""
    receiving = kind == ReceiptKind.RECEIPT
    with transaction.atomic():
        po = lock_po(po)
        if receiving and po.status in (POStatus.APPROVED, POStatus.FAILED, POStatus.CANCELLED):
            raise FulfilmentError(
                _(
                    "Order %(order)s is %(status)s: goods can be received only on an order sent to the supplier."
                )
                % {"order": po.number, "status": po.get_status_display()}
            )
        wanted = [entry for entry in lines if entry.quantity or entry.rejected_quantity]
        if not wanted:
            raise FulfilmentError(
                _("Enter a quantity received (or refused) on at least one line.")
                if receiving
                else _("Enter the quantity returned on at least one line.")
            )
        check = _receipt_refusal if receiving else _return_refusal
        refusals = [
            refusal for entry, row in _with_rows(po, wanted) if (refusal := check(entry, row)) is not None
        ]
        if refusals:
            raise FulfilmentError(" ".join(r.message for r in refusals), lines=refusals)
        receipt = _new_receipt(
            po, ship_notice=ship_notice, received_by=actor, automatic=automatic, note=note, kind=kind
        )
        GoodsReceiptLine.objects.bulk_create(
            [
                GoodsReceiptLine(
                    receipt=receipt,
                    po_line_id=entry.po_line_id,
                    quantity=entry.quantity,
                    rejected_quantity=entry.rejected_quantity,
                    reason=entry.reason.strip(),
                )
                for entry in wanted
            ]
        )
        if receiving:
            event, detail = "goods_received", {"receipt": receipt.number, "automatic": automatic}
        else:
            event, detail = "goods_returned", {"receipt": receipt.number}
        record_event(PurchaseOrderEvent, po, event, actor=actor, detail=detail)
        before = po.status
        if refresh_po_status(po, actor=actor) == POStatus.RECEIVED and before != POStatus.RECEIVED:
            notices.notify_requester(po, notices.RECEIVED)
        if ship_notice is not None:
            _refresh_ship_notice(ship_notice)
        _receipts_changed(po)
    return receipt


def _receipt_refusal(entry: ReceiptLineInput, row: LineFulfilment) -> LineRefusal | None:
    """Why a line of a receipt cannot be recorded, if it cannot."""
    line = row.po_line.line_number
    if entry.quantity < 0 or entry.rejected_quantity < 0:
        field = "qty" if entry.quantity < 0 else "rejected"
        message = _("Quantities cannot be negative; record a return instead.")
        return LineRefusal(po_line_id=entry.po_line_id, field=field, message=message)
    if entry.rejected_quantity > 0 and not entry.reason.strip():
        message = _("Line %(line)s: say why %(quantity)s were refused.") % {
            "line": line,
            "quantity": fmt(entry.rejected_quantity),
        }
        return LineRefusal(po_line_id=entry.po_line_id, field="reason", message=message)
    if entry.quantity > row.open_quantity:
        message = _(
            "Line %(line)s: %(quantity)s received but only %(open)s are still expected "
            "(ordered %(ordered)s, received %(received)s)."
        ) % {
            "line": line,
            "quantity": fmt(entry.quantity),
            "open": fmt(row.open_quantity),
            "ordered": fmt(row.expected_quantity),
            "received": fmt(row.received_quantity),
        }
        return LineRefusal(po_line_id=entry.po_line_id, field="qty", message=message)
    return None


def _return_refusal(entry: ReceiptLineInput, row: LineFulfilment) -> LineRefusal | None:
    """Why a line of a return cannot be recorded, if it cannot."""
    line = row.po_line.line_number
    if entry.rejected_quantity:
        message = _(
            "Line %(line)s: a return has no refused quantity. Goods are refused on the receipt, "
            "when they arrive; a return sends back goods that were received."
        ) % {"line": line}
        return LineRefusal(po_line_id=entry.po_line_id, field="rejected", message=message)
    if not entry.reason.strip():
        message = _("Line %(line)s: say why the goods go back.") % {"line": line}
        return LineRefusal(po_line_id=entry.po_line_id, field="reason", message=message)
    if entry.quantity < 0 or entry.quantity > row.received_quantity:
        message = _(
            "Line %(line)s: %(quantity)s cannot be returned, only %(received)s received and not yet returned."
        ) % {"line": line, "quantity": fmt(entry.quantity), "received": fmt(row.received_quantity)}
        return LineRefusal(po_line_id=entry.po_line_id, field="qty", message=message)
    return None


def _with_rows(
    po: PurchaseOrder, entries: list[ReceiptLineInput]
) -> Iterator[tuple[ReceiptLineInput, LineFulfilment]]:
    """Each entry with its order line's fulfilment, refreshed from the documents; an entry for a line
    not on ``po`` is refused when reached."""
    rows = refresh_lines(po)
    for entry in entries:
        row = rows.get(entry.po_line_id)
        if row is None:
            raise FulfilmentError(_("That line is not on order %(order)s.") % {"order": po.number})
        yield entry, row


def receive_ship_notice(
    *,
    ship_notice: ShipNotice,
    actor: Any,
    automatic: bool = False,
    purchase_order: PurchaseOrder | None = None,
) -> list[GoodsReceipt]:
    """Receive everything still open on a ship notice in one action (one receipt per order)."""
    with transaction.atomic():
        notice = ShipNotice.objects.select_for_update().get(pk=ship_notice.pk)
        if notice.status not in (ShipNoticeStatus.EXPECTED, ShipNoticeStatus.PART_RECEIVED):
            raise FulfilmentError(
                _("Ship notice %(shipment)s is %(status)s: nothing left to receive.")
                % {"shipment": notice.shipment_id, "status": notice.get_status_display()}
            )
        by_po: dict[int, list[ShipNoticeLine]] = {}
        for line in notice.lines.select_related("po_line"):
            if purchase_order is None or line.po_line.purchase_order_id == purchase_order.pk:
                by_po.setdefault(line.po_line.purchase_order_id, []).append(line)
        already = _received_on_notice(notice)
        receipts = []
        for po_id, notice_lines in by_po.items():
            entries = []
            for line in notice_lines:
                remaining = line.quantity - already.get(line.po_line_id, ZERO)
                if remaining > 0:
                    entries.append(ReceiptLineInput(po_line_id=line.po_line_id, quantity=remaining))
            if entries:
                receipts.append(
                    receive_goods(
                        po=PurchaseOrder.objects.get(pk=po_id),
                        actor=actor,
                        lines=entries,
                        ship_notice=notice,
                        automatic=automatic,
                        note=_("Everything on ship notice %(shipment)s.") % {"shipment": notice.shipment_id},
                    )
                )
        if not receipts:
            raise FulfilmentError(_("Everything on this ship notice was already received."))
    return receipts


def _received_on_notice(notice: ShipNotice) -> dict[int, Decimal]:
    received: dict[int, Decimal] = {}
    for line in GoodsReceiptLine.objects.filter(
        receipt__ship_notice=notice, receipt__kind=ReceiptKind.RECEIPT
    ):
        received[line.po_line_id] = (
            received.get(line.po_line_id, ZERO) + line.quantity + line.rejected_quantity
        )
    return received


def _refresh_ship_notice(notice: ShipNotice) -> None:
    notice = ShipNotice.objects.select_for_update().get(pk=notice.pk)
    already = _received_on_notice(notice)
    lines = list(notice.lines.all())
    done = all(already.get(line.po_line_id, ZERO) >= line.quantity for line in lines)
    target = ShipNoticeStatus.RECEIVED if done else ShipNoticeStatus.PART_RECEIVED
    if target != notice.status and can_move(SHIP_NOTICE_TRANSITIONS, current=notice.status, target=target):
        set_status(notice, target, table=SHIP_NOTICE_TRANSITIONS, also=["updated_at"])


def receipt_history(po_line: PurchaseOrderLine) -> list[GoodsReceiptLine]:
    """Every receipt and return of one order line, oldest first."""
    return list(
        GoodsReceiptLine.objects.filter(po_line=po_line)
        .select_related("receipt", "receipt__received_by", "receipt__ship_notice")
        .order_by("receipt__received_at", "receipt_id")
    )
