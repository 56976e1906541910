"""Every write of fulfilment: supplier confirmations and ship notices, status updates, goods receipts
and returns, supplier issues, and the PO status that follows from them.

Each service is keyword-only, runs in one transaction with the purchase order locked, updates the
per-line state (:class:`LineFulfilment`) and records a PO event; e-mails and hooks run on commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.buyer.fulfilment import hooks
from openprocure.buyer.fulfilment.choices import (
    ISSUE_TRANSITIONS,
    LINE_STATE_TRANSITIONS,
    SHIP_NOTICE_TRANSITIONS,
    IssueKind,
    IssueStatus,
    LineState,
    ReceiptKind,
    ShipNoticeStatus,
)
from openprocure.buyer.fulfilment.inbound import Conflict, find_purchase_order
from openprocure.buyer.fulfilment.inbound import po_line as find_line
from openprocure.buyer.fulfilment.models import (
    ZERO,
    Confirmation,
    ConfirmationLine,
    GoodsReceipt,
    GoodsReceiptLine,
    LineFulfilment,
    ShipNotice,
    ShipNoticeLine,
    StatusUpdate,
    SupplierIssue,
)
from openprocure.buyer.purchasing import notices
from openprocure.buyer.purchasing.choices import (
    CHANGEABLE,
    PO_TRANSITIONS,
    POStatus,
    TransmissionStatus,
    TransmissionType,
)
from openprocure.buyer.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderEvent,
    PurchaseOrderLine,
    Transmission,
)
from openprocure.buyer.purchasing.services import cancelled_by_supplier, rejected_by_supplier
from openprocure.core.audit import new_event, record_event
from openprocure.core.exceptions import ServiceError
from openprocure.core.fields import PAYLOAD_ID_LENGTH
from openprocure.core.status import can_move, set_derived_many, set_status, set_status_where
from openprocure.core.tunables import tunable
from punchout import cxml
from punchout.cxml.errors import InvalidDocument

logger = logging.getLogger(__name__)

ACCEPTING = {"accept", "detail", "allDetail", "requestToPay"}


class FulfilmentError(ServiceError):
    """A refused receiving action; the message says what was wrong and what to do next."""


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


# -- confirmations ------------------------------------------------------------------------------------
@dataclass
class _LineConfirmation:
    accepted: Decimal = ZERO
    backordered: Decimal = ZERO
    rejected: Decimal = ZERO
    unit_price: cxml.Money | None = None
    delivery_date: Any = None
    comments: str = ""


def record_confirmation(
    *,
    po: PurchaseOrder,
    request: cxml.ConfirmationRequest,
    payload_id: str = "",
    journal: Any = None,
) -> Confirmation:
    """Apply a ConfirmationRequest: line quantities and statuses, issues for rejections and new prices."""
    header = request.header
    confirmation = Confirmation.objects.create(
        purchase_order=po,
        confirm_id=header.confirm_id or "",
        type=str(header.type),
        operation=str(header.operation),
        notice_date=header.notice_date,
        payload_id=payload_id,
        journal=journal,
        comments="\n".join(c.text for c in header.comments),
    )
    rows = fulfilments(po)
    by_number = {row.po_line.line_number: row for row in rows.values()}
    changes: dict[int, _LineConfirmation] = {}
    kind = str(header.type)
    if kind in ("accept", "reject"):
        for number, row in by_number.items():
            quantity = row.po_line.quantity
            changes[number] = (
                _LineConfirmation(accepted=quantity)
                if kind == "accept"
                else _LineConfirmation(rejected=quantity)
            )
    for index, item in enumerate(request.items, start=1):
        path = f"/cXML/Request/ConfirmationRequest/ConfirmationItem[{index}]"
        line = find_line(po, item.line_number, path=path + "/@lineNumber")
        change = changes.setdefault(line.line_number, _LineConfirmation())
        change.accepted = change.backordered = change.rejected = ZERO
        for status in item.statuses or [
            cxml.ConfirmationStatus(type=cxml.ConfirmationStatusType.ACCEPT, quantity=item.quantity)
        ]:
            status_type = str(status.type)
            if status_type in ACCEPTING:
                change.accepted += status.quantity
            elif status_type == "backordered":
                change.backordered += status.quantity
            elif status_type == "reject":
                change.rejected += status.quantity
            if status.unit_price is not None:
                change.unit_price = status.unit_price
            if status.delivery_date is not None:
                change.delivery_date = status.delivery_date
            if status_type == "reject" and status.comments:
                change.comments = "\n".join(c.text for c in status.comments)
            ConfirmationLine.objects.create(
                confirmation=confirmation,
                po_line=line,
                status=status_type,
                quantity=status.quantity,
                unit_price=status.unit_price.amount if status.unit_price else None,
                currency=status.unit_price.currency if status.unit_price else "",
                delivery_date=status.delivery_date,
                comments="\n".join(c.text for c in status.comments),
            )
    if kind == "except":
        for number, row in by_number.items():
            if number not in changes and not row.confirmed:
                changes[number] = _LineConfirmation(accepted=row.po_line.quantity)
    issues: list[SupplierIssue] = []
    # A reject for an order we cancelled (or asked to cancel) is the supplier confirming the
    # cancellation: nothing for the requester to act on.
    ours = (
        po.status == POStatus.CANCELLED
        or po.transmissions.filter(
            type=TransmissionType.DELETE, status__in=[TransmissionStatus.QUEUED, TransmissionStatus.ACCEPTED]
        ).exists()
    )
    confirms_cancellation = kind == "reject" and ours
    supplier_cancels: dict[int, str] = {}  # lines confirmed before, now rejected whole: their reason
    # Lines our change order (its delivery not yet recorded) asks to cancel: the supplier confirms them.
    asked_to_cancel = {
        int(number)
        for sent in po.transmissions.filter(type=TransmissionType.UPDATE, status=TransmissionStatus.QUEUED)
        for number, change in sent.changes.items()
        if Decimal(change["to"]) == 0
    }
    if kind == "reject" and not confirms_cancellation:
        issues.append(
            SupplierIssue(
                purchase_order=po,
                confirmation=confirmation,
                kind=IssueKind.ORDER_REJECTED,
                message=_("%(supplier)s rejected order %(order)s.")
                % {"supplier": po.supplier, "order": po.number}
                + _comments_suffix(confirmation.comments),
            )
        )
    for number, change in sorted(changes.items()):
        row = by_number[number]
        line = row.po_line
        was_open = row.confirmed and (row.accepted_quantity + row.backordered_quantity) > 0
        if line.is_cancelled or number in asked_to_cancel:  # we cancelled it: the supplier confirms it
            row.confirmed = True
            row.save()
            continue
        if (
            kind != "reject"
            and was_open
            and change.rejected >= line.quantity
            and not (change.accepted or change.backordered)
        ):
            supplier_cancels[number] = change.comments or confirmation.comments
        row.confirmed = True
        row.accepted_quantity = change.accepted
        row.backordered_quantity = change.backordered
        row.rejected_quantity = change.rejected
        if change.delivery_date is not None:
            row.confirmed_delivery_date = change.delivery_date
        if change.unit_price is not None:
            row.confirmed_unit_price = change.unit_price.amount
        row.save()
        line_issue = partial(SupplierIssue, purchase_order=po, po_line=line, confirmation=confirmation)
        about = {"line": number, "part": line.supplier_part_id}
        if change.rejected > 0 and kind != "reject":
            message = _(
                "Line %(line)s (%(part)s): %(supplier)s rejected %(rejected)s of %(ordered)s %(uom)s."
            ) % {
                **about,
                "supplier": po.supplier,
                "rejected": fmt(change.rejected),
                "ordered": fmt(line.quantity),
                "uom": line.unit_of_measure,
            }
            issues.append(line_issue(kind=IssueKind.LINE_REJECTED, message=message))
        if change.unit_price is not None and change.unit_price.amount != line.unit_price:
            message = _(
                "Line %(line)s (%(part)s): unit price changed from %(old)s to %(new)s %(currency)s."
            ) % {
                **about,
                "old": fmt(line.unit_price),
                "new": fmt(change.unit_price.amount),
                "currency": change.unit_price.currency,
            }
            issues.append(line_issue(kind=IssueKind.PRICE_CHANGED, message=message))
    SupplierIssue.objects.bulk_create(issues)
    _supplier_cancellation(po, kind, confirms_cancellation, supplier_cancels, confirmation.comments)
    # What the order still expects of the lines answered now is what their budget commits; what has
    # shipped or arrived stays committed whatever the answer says (a reject once shipping started).
    rejected_by_supplier(po=po, quantities={number: _releasable(by_number[number]) for number in changes})
    record_event(
        PurchaseOrderEvent,
        po,
        "cancellation_confirmed" if confirms_cancellation else "order_confirmed",
        detail={"type": kind, "confirm_id": confirmation.confirm_id, "issues": len(issues)},
    )
    refresh_po_status(po)
    if issues:
        notices.notify_requester(po, notices.CHANGED, [issue.message for issue in issues])
    elif not confirms_cancellation and kind != "reject":
        notices.notify_requester(po, notices.CONFIRMED)
    return confirmation


def _releasable(row: LineFulfilment) -> Decimal:
    """What of a line's rejected quantity may leave the budget: not what has shipped or arrived."""
    kept = max(row.shipped_quantity, row.received_quantity)
    return max(min(row.rejected_quantity, row.po_line.quantity - kept), ZERO)


def _supplier_cancellation(
    po: PurchaseOrder, kind: str, ours: bool, lines: dict[int, str], comments: str
) -> None:
    """The supplier cancelled the order (type reject after it was accepted) or lines it had
    confirmed (rejected whole): they move to Cancelled with its reason, their budget released.

    A reject of an order that has started shipping only raises the issue: what shipped stays."""

    if ours or po.status not in CHANGEABLE:
        return
    if kind == "reject":
        cancelled_by_supplier(
            po=po, line_numbers=None, reason=comments or _("Rejected by the supplier without a reason.")
        )
        return
    for number, reason in sorted(lines.items()):
        cancelled_by_supplier(
            po=po,
            line_numbers={number},
            reason=reason or _("Cancelled by the supplier without a reason."),
        )


def _comments_suffix(comments: str) -> str:
    return (" " + _("Supplier's comment: %(comment)s") % {"comment": comments}) if comments else ""


def resolve_issue(*, issue: SupplierIssue, actor: Any, resolution: str) -> SupplierIssue:
    """The buyer acknowledges a supplier issue with a note of what they decided."""
    if not resolution.strip():
        raise FulfilmentError(_("Say what you decided (e.g. “order elsewhere”, “new price accepted”)."))
    with transaction.atomic():
        issue = SupplierIssue.objects.select_for_update().get(pk=issue.pk)
        if issue.status != IssueStatus.OPEN:
            raise FulfilmentError(_("This issue is already resolved."))
        set_status(
            issue,
            IssueStatus.RESOLVED,
            table=ISSUE_TRANSITIONS,
            values={"resolution": resolution.strip(), "resolved_by": actor, "resolved_at": timezone.now()},
        )
        record_event(
            PurchaseOrderEvent,
            issue.purchase_order,
            "supplier_issue_resolved",
            actor=actor,
            detail={"issue": issue.pk, "resolution": issue.resolution},
        )
    return issue


# -- ship notices -------------------------------------------------------------------------------------
def record_ship_notice(
    *,
    supplier: Any,
    request: cxml.ShipNoticeRequest,
    payload_id: str = "",
    journal: Any = None,
) -> ShipNotice:
    """Apply a ShipNoticeRequest (new, update or delete) to the orders of its portions."""
    header = request.header
    operation = str(header.operation)
    notice = (
        ShipNotice.objects.select_for_update()
        .filter(supplier=supplier, shipment_id=header.shipment_id)
        .first()
    )
    affected: dict[int, PurchaseOrder] = {}
    if notice is not None:
        for line in notice.lines.select_related("po_line"):
            affected.setdefault(line.po_line.purchase_order_id, line.po_line.purchase_order)
    if operation == "delete":
        if notice is None:
            raise InvalidDocument(
                _("No ship notice %(shipment)s to delete: check shipmentID.")
                % {"shipment": header.shipment_id},
                path="/cXML/Request/ShipNoticeRequest/ShipNoticeHeader/@shipmentID",
            )
        set_status(notice, ShipNoticeStatus.CANCELLED, table=SHIP_NOTICE_TRANSITIONS, also=["updated_at"])
        for po in affected.values():
            record_event(
                PurchaseOrderEvent, po, "shipment_cancelled", detail={"shipment_id": notice.shipment_id}
            )
            refresh_po_status(lock_po(po))
        return notice
    carrier = tracking = tracking_url = ""
    for control in request.controls:
        if control.carriers and not carrier:
            carrier = control.carriers[0].value
        for identifier in control.shipment_identifiers:
            if not tracking:
                tracking = identifier.value
                tracking_url = identifier.tracking_url or ""
    values = {
        "notice_date": header.notice_date,
        "shipment_date": header.shipment_date,
        "delivery_date": header.delivery_date,
        "carrier": carrier[:200],
        "tracking_number": tracking[:200],
        "tracking_url": tracking_url[:1000],
        "service_level": "; ".join(level.text for level in header.service_levels if level.text)[:200],
        "incoterms": header.terms_of_delivery.incoterm[:200] if header.terms_of_delivery else "",
        "payload_id": payload_id[:PAYLOAD_ID_LENGTH],
        "journal": journal,
    }
    if notice is None:
        notice = ShipNotice.objects.create(supplier=supplier, shipment_id=header.shipment_id[:200], **values)
    else:
        if notice.status != ShipNoticeStatus.EXPECTED:
            raise Conflict(
                _(
                    "Ship notice %(shipment)s is %(status)s here and can no longer change; send a new shipmentID."
                )
                % {"shipment": notice.shipment_id, "status": notice.get_status_display()},
                path="/cXML/Request/ShipNoticeRequest/ShipNoticeHeader/@shipmentID",
            )
        for key, value in values.items():
            setattr(notice, key, value)
        notice.save()
        notice.lines.all().delete()
    new_lines = []
    for p_index, portion in enumerate(request.portions, start=1):
        path = f"/cXML/Request/ShipNoticeRequest/ShipNoticePortion[{p_index}]"
        po = find_purchase_order(
            supplier=supplier, reference=portion.order_reference, path=path + "/OrderReference"
        )
        affected[po.pk] = po
        for i_index, item in enumerate(portion.items, start=1):
            order_line = find_line(po, item.line_number, path=f"{path}/ShipNoticeItem[{i_index}]/@lineNumber")
            new_lines.append(
                ShipNoticeLine(
                    ship_notice=notice,
                    po_line=order_line,
                    quantity=item.quantity,
                    unit_of_measure=item.unit_of_measure[:16],
                    description=_shipped_description(item)[:500],
                )
            )
    ShipNoticeLine.objects.bulk_create(new_lines)
    issues = _ship_notice_issues(notice, new_lines)
    SupplierIssue.objects.bulk_create(issues)
    announced = {line.po_line.purchase_order_id for line in new_lines}
    for po_pk in sorted(announced):
        po_messages = [issue.message for issue in issues if issue.purchase_order_id == po_pk]
        if po_messages:
            notices.notify_requester(affected[po_pk], notices.SHIPMENT_TO_CHECK, po_messages)
        elif operation == "new":
            notices.notify_requester(affected[po_pk], notices.SHIPPED)
    below = tunable("FULFILMENT_AUTO_RECEIPT_BELOW")
    threshold = None if below in (None, "") else Decimal(str(below))
    for po in affected.values():
        record_event(
            PurchaseOrderEvent,
            po,
            "shipment_notified",
            detail={
                "shipment_id": notice.shipment_id,
                "carrier": notice.carrier,
                "tracking": notice.tracking_number,
                "operation": operation,
            },
        )
        refresh_po_status(lock_po(po))
        # A notice that raised an issue on this order is checked by a person, never received automatically.
        questioned = any(issue.purchase_order_id == po.pk for issue in issues)
        if threshold is not None and not questioned:
            value = sum(
                (line.quantity * line.po_line.unit_price / (line.po_line.price_basis_quantity or 1))
                for line in new_lines
                if line.po_line.purchase_order_id == po.pk
            )
            if value < threshold:
                receive_ship_notice(ship_notice=notice, actor=None, automatic=True, purchase_order=po)
    return notice


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


def _ship_notice_issues(notice: ShipNotice, new_lines: list[ShipNoticeLine]) -> list[SupplierIssue]:
    """Issues for lines of this notice in another unit than the order line, and for order lines
    whose ship notices (in the line's unit) now add up to more than was ordered."""
    issues: list[SupplierIssue] = []
    over_checked: set[int] = set()
    for line in new_lines:
        po_line = line.po_line
        po = po_line.purchase_order
        values = {
            "line": po_line.line_number,
            "part": po_line.supplier_part_id,
            "order": po.number,
            "shipment": notice.shipment_id,
            "shipped": fmt(line.quantity),
            "shipped_unit": line.unit_of_measure,
            "ordered": fmt(po_line.quantity),
            "ordered_unit": po_line.unit_of_measure,
        }
        line_issue = partial(SupplierIssue, purchase_order=po, po_line=po_line, ship_notice=notice)
        if not same_unit(line.unit_of_measure, po_line.unit_of_measure):
            message = _(
                "Order %(order)s line %(line)s (%(part)s): ship notice %(shipment)s ships "
                "%(shipped)s %(shipped_unit)s, the line orders %(ordered)s %(ordered_unit)s. "
                "The shipped quantity is not counted until you check it with the supplier."
            )
            issues.append(line_issue(kind=IssueKind.UNIT_MISMATCH, message=message % values))
            continue
        if po_line.pk in over_checked:
            continue
        over_checked.add(po_line.pk)
        total = shipped_in_order_unit(po).get(po_line.pk, ZERO)
        if total > po_line.quantity:
            values["shipped"] = fmt(total)
            values["shipped_unit"] = po_line.unit_of_measure
            message = _(
                "Order %(order)s line %(line)s (%(part)s): %(shipped)s %(shipped_unit)s shipped "
                "in all (with ship notice %(shipment)s), %(ordered)s %(ordered_unit)s ordered."
            )
            issues.append(line_issue(kind=IssueKind.OVER_SHIPPED, message=message % values))
    return issues


def _shipped_description(item: cxml.ShipNoticeItem) -> str:
    """What the supplier says ships on a line (its ShipNoticeItemDetail description), if anything."""
    detail = item.detail
    if detail is None or not detail.descriptions:
        return ""
    return detail.descriptions[0].text


# -- status updates -----------------------------------------------------------------------------------
def record_status_update(
    *, supplier: Any, request: cxml.StatusUpdateRequest, payload_id: str = ""
) -> StatusUpdate:
    """Keep a supplier's StatusUpdateRequest against the order document it names (by payloadID)."""

    reference = (request.document_reference or "").strip()
    transmission = (
        Transmission.objects.filter(payload_id=reference, purchase_order__supplier=supplier)
        .select_related("purchase_order")
        .first()
        if reference
        else None
    )
    if reference and transmission is None:
        raise InvalidDocument(
            _("DocumentReference payloadID %(payload)s names no document we sent to %(supplier)s.")
            % {"payload": reference, "supplier": supplier},
            path="/cXML/Request/StatusUpdateRequest/DocumentReference/@payloadID",
        )
    po = transmission.purchase_order if transmission else None
    update = StatusUpdate.objects.create(
        supplier=supplier,
        purchase_order=po,
        document_reference=reference[:PAYLOAD_ID_LENGTH],
        code=request.status.code,
        text=(request.status.text or "")[:100],
        message=request.status.message or "",
        payload_id=payload_id[:PAYLOAD_ID_LENGTH],
    )
    if po is not None:
        record_event(
            PurchaseOrderEvent,
            po,
            "status_update",
            detail={"code": update.code, "text": update.text, "message": update.message},
        )
        # The requester reads the supplier's own words (or its status code and text when it sent none).
        said = update.message.strip() or f"{update.code} {update.text}".strip()
        notices.notify_requester(po, notices.STATUS_UPDATE, [said])
    return update


# -- receiving ----------------------------------------------------------------------------------------
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
    """Record goods received against order lines (accepted and refused quantities)."""
    with transaction.atomic():
        po = lock_po(po)
        if po.status in (POStatus.APPROVED, POStatus.FAILED, POStatus.CANCELLED):
            raise FulfilmentError(
                _(
                    "Order %(order)s is %(status)s: goods can be received only on an order sent to the supplier."
                )
                % {"order": po.number, "status": po.get_status_display()}
            )
        wanted = [entry for entry in lines if entry.quantity or entry.rejected_quantity]
        if not wanted:
            raise FulfilmentError(_("Enter a quantity received (or refused) on at least one line."))
        for entry, row in _with_rows(po, wanted):
            if entry.quantity < 0 or entry.rejected_quantity < 0:
                raise FulfilmentError(_("Quantities cannot be negative; record a return instead."))
            if entry.rejected_quantity > 0 and not entry.reason.strip():
                raise FulfilmentError(
                    _("Line %(line)s: say why %(quantity)s were refused.")
                    % {"line": row.po_line.line_number, "quantity": fmt(entry.rejected_quantity)}
                )
            open_quantity = row.open_quantity
            if entry.quantity > open_quantity:
                raise FulfilmentError(
                    _(
                        "Line %(line)s: %(quantity)s received but only %(open)s are still expected "
                        "(ordered %(ordered)s, received %(received)s)."
                    )
                    % {
                        "line": row.po_line.line_number,
                        "quantity": fmt(entry.quantity),
                        "open": fmt(open_quantity),
                        "ordered": fmt(row.expected_quantity),
                        "received": fmt(row.received_quantity),
                    }
                )
        receipt = _new_receipt(
            po,
            ship_notice=ship_notice,
            received_by=actor,
            automatic=automatic,
            note=note,
            kind=ReceiptKind.RECEIPT,
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
        record_event(
            PurchaseOrderEvent,
            po,
            "goods_received",
            actor=actor,
            detail={"receipt": receipt.number, "automatic": automatic},
        )
        before = po.status
        if refresh_po_status(po, actor=actor) == POStatus.RECEIVED and before != POStatus.RECEIVED:
            notices.notify_requester(po, notices.RECEIVED)
        if ship_notice is not None:
            _refresh_ship_notice(ship_notice)
        _receipts_changed(po)
    return receipt


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


def return_goods(
    *, po: PurchaseOrder, actor: Any, lines: list[ReceiptLineInput], note: str = ""
) -> GoodsReceipt:
    """Send received goods back: the received quantity of each line goes down (reason required)."""
    with transaction.atomic():
        po = lock_po(po)
        wanted = [entry for entry in lines if entry.quantity]
        if not wanted:
            raise FulfilmentError(_("Enter the quantity returned on at least one line."))
        for entry, row in _with_rows(po, wanted):
            if not entry.reason.strip():
                raise FulfilmentError(
                    _("Line %(line)s: say why the goods go back.") % {"line": row.po_line.line_number}
                )
            if entry.quantity < 0 or entry.quantity > row.received_quantity:
                raise FulfilmentError(
                    _("Line %(line)s: %(quantity)s cannot be returned, %(received)s were received.")
                    % {
                        "line": row.po_line.line_number,
                        "quantity": fmt(entry.quantity),
                        "received": fmt(row.received_quantity),
                    }
                )
        receipt = _new_receipt(po, received_by=actor, note=note, kind=ReceiptKind.RETURN)
        GoodsReceiptLine.objects.bulk_create(
            [
                GoodsReceiptLine(
                    receipt=receipt,
                    po_line_id=entry.po_line_id,
                    quantity=entry.quantity,
                    reason=entry.reason.strip(),
                )
                for entry in wanted
            ]
        )
        record_event(
            PurchaseOrderEvent, po, "goods_returned", actor=actor, detail={"receipt": receipt.number}
        )
        refresh_po_status(po, actor=actor)
        _receipts_changed(po)
    return receipt


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


def on_delivered(*, purchase_order: PurchaseOrder, since: datetime) -> None:
    """The order's delivery is recorded (Accepted). A supplier may confirm or reject it before that
    (it answers our HTTP request slowly and sends its ConfirmationRequest at once): its lines were
    updated then, but the order's status could not move from Sent. A reject received so far cancels
    the order now; otherwise its progress (Confirmed…) follows the lines."""
    last = purchase_order.confirmations.filter(created_at__gte=since).order_by("-created_at", "-id").first()
    if last is not None and last.type == "reject":
        _supplier_cancellation(purchase_order, "reject", False, {}, last.comments)
    refresh_po_status(purchase_order)


def has_shipped(*, purchase_order: PurchaseOrder) -> bool:
    """Whether goods of the order have shipped."""
    return LineFulfilment.objects.filter(
        po_line__purchase_order=purchase_order, shipped_quantity__gt=0
    ).exists()
