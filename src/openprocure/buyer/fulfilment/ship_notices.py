"""Advance ship notices (ShipNoticeRequest): new, updated or deleted, the issues a shipment raises
(another unit, more than ordered), and the automatic receipt of a small one.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from django.utils.translation import gettext as _

from openprocure.buyer.fulfilment.choices import SHIP_NOTICE_TRANSITIONS, IssueKind, ShipNoticeStatus
from openprocure.buyer.fulfilment.inbound import Conflict, find_purchase_order
from openprocure.buyer.fulfilment.inbound import po_line as find_line
from openprocure.buyer.fulfilment.models import ZERO, ShipNotice, ShipNoticeLine, SupplierIssue
from openprocure.buyer.fulfilment.progress import (
    fmt,
    lock_po,
    refresh_po_status,
    same_unit,
    shipped_in_order_unit,
)
from openprocure.buyer.fulfilment.receiving import receive_ship_notice
from openprocure.buyer.purchasing import notices
from openprocure.buyer.purchasing.models import PurchaseOrder, PurchaseOrderEvent
from openprocure.core.audit import record_event
from openprocure.core.fields import PAYLOAD_ID_LENGTH
from openprocure.core.status import set_status
from openprocure.core.tunables import tunable
from punchout import cxml
from punchout.cxml.errors import InvalidDocument


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
