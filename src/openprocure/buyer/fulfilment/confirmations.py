"""Supplier confirmations (ConfirmationRequest, and OAGIS acknowledgements mapped onto it): the
quantities each line is accepted, backordered or rejected for, the issues they raise for the buyer,
and what a supplier's cancellation does to the order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from django.utils.translation import gettext as _

from openprocure.buyer.fulfilment.choices import IssueKind
from openprocure.buyer.fulfilment.inbound import po_line as find_line
from openprocure.buyer.fulfilment.models import (
    ZERO,
    Confirmation,
    ConfirmationLine,
    LineFulfilment,
    SupplierIssue,
)
from openprocure.buyer.fulfilment.progress import fmt, fulfilments, refresh_po_status
from openprocure.buyer.purchasing import notices
from openprocure.buyer.purchasing.choices import CHANGEABLE, POStatus, TransmissionStatus, TransmissionType
from openprocure.buyer.purchasing.models import PurchaseOrder, PurchaseOrderEvent
from openprocure.buyer.purchasing.services import cancelled_by_supplier, rejected_by_supplier
from openprocure.core.audit import record_event
from openprocure.core.formatting import format_unit_price
from punchout import cxml

ACCEPTING = {"accept", "detail", "allDetail", "requestToPay"}


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
            message = _("Line %(line)s (%(part)s): unit price changed from %(old)s to %(new)s.") % {
                **about,
                "old": format_unit_price(line.unit_price, po.currency),
                "new": format_unit_price(change.unit_price.amount, change.unit_price.currency),
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


def on_delivered(*, purchase_order: PurchaseOrder, since: datetime) -> None:
    """The order's delivery is recorded (Accepted). A supplier may confirm or reject it before that
    (it answers our HTTP request slowly and sends its ConfirmationRequest at once): its lines were
    updated then, but the order's status could not move from Sent. A reject received so far cancels
    the order now; otherwise its progress (Confirmed…) follows the lines."""
    last = purchase_order.confirmations.filter(created_at__gte=since).order_by("-created_at", "-id").first()
    if last is not None and last.type == "reject":
        _supplier_cancellation(purchase_order, "reject", False, {}, last.comments)
    refresh_po_status(purchase_order)
