"""OAGIS purchase order BODs in the terms of cXML, so one order intake and one confirmation service
serve both protocols.

- :func:`order_request_of` reads a Process/Change/Cancel PurchaseOrder as the cXML OrderRequest
  (new/update/delete) it means, with the credentials of its HTTP authentication in the Header: a
  receiver that checks cXML orders checks it with the same rules.
- :func:`confirmation_of` reads an AcknowledgePurchaseOrder as the ConfirmationRequest it means:
  each line Accepted (``accept``), Modified (``detail`` with the acknowledged quantity, price and
  date, the rest of the ordered quantity ``reject``) or Rejected (``reject`` with its reason).

The mapping of a line (see ``docs/api.md``): ``LineNumberID`` → ``lineNumber``;
``Item/SupplierItemIdentification/ID`` → ``SupplierPartID``; ``Item/ID`` → ``SupplierPartAuxiliaryID``
(the reference of the punched-out cart line); ``Quantity/@unitCode`` → ``UnitOfMeasure``;
``UnitPrice/ChargeAmount`` → ``UnitPrice``; the first ``Description``; ``RequiredDeliveryDateTime``
→ ``requestedDeliveryDate``. The header's ``ID`` is the orderID and ``RevisionID`` the
orderVersion; ``ShipToParty`` the ShipTo; ``TotalAmount`` the Total.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

from punchout import cxml
from punchout.oagis.errors import InvalidBOD
from punchout.oagis.model import (
    Amount,
    LineStatus,
    Party,
    PurchaseOrderBOD,
    PurchaseOrderLine,
    Stamp,
    Verb,
)

__all__ = ["ORDER_TYPES", "confirmation_of", "line_number_of", "order_request_of"]

#: The cXML OrderRequest type each purchase order verb means.
ORDER_TYPES = {
    Verb.PROCESS: cxml.OrderRequestType.NEW,
    Verb.CHANGE: cxml.OrderRequestType.UPDATE,
    Verb.CANCEL: cxml.OrderRequestType.DELETE,
}


def _moment(value: Stamp | None) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time(12, 0), tzinfo=UTC)
    return None


def _money(amount: Amount | None, currency: str | None) -> cxml.Money | None:
    if amount is None:
        return None
    return cxml.Money(amount.value, amount.currency or currency or "")


def _address(party: Party | None) -> cxml.Address | None:
    if party is None:
        return None
    found = party.address
    if found is None:
        return cxml.Address(name=party.name or "", address_id=party.id)
    street = list(found.lines) or [
        " ".join(part for part in (found.building_number, found.street_name) if part)
    ]
    country = found.country_code or ""
    return cxml.Address(
        name=party.name or "",
        address_id=party.id,
        iso_country_code=country or None,
        postal_address=cxml.PostalAddress(
            street=[s for s in street if s],
            city=found.city or "",
            country=country,
            iso_country_code=country,
            state=found.country_subdivision,
            postal_code=found.postal_code,
        ),
    )


def line_number_of(line: PurchaseOrderLine, path: str) -> int:
    """The line's ``LineNumberID`` as the whole number cXML's lineNumber is, or :class:`InvalidBOD`."""
    text = (line.line_number or "").strip()
    if not text.isdigit():
        raise InvalidBOD(
            f"{path}/LineNumberID must be the order line's number (1, 2, …), not {text or 'missing'!r}",
            path=f"{path}/LineNumberID",
        )
    return int(text)


def _item_out(line: PurchaseOrderLine, path: str, currency: str | None) -> cxml.ItemOut:
    item = line.item
    quantity = line.quantity
    description = next((d for d in line.descriptions if d.strip()), "")
    return cxml.ItemOut(
        quantity=quantity.value if quantity is not None else Decimal(0),
        line_number=line_number_of(line, path),
        requested_delivery_date=_moment(line.requested_delivery),
        item_id=cxml.ItemID(
            supplier_part_id=(item.supplier_item_id or "") if item is not None else "",
            supplier_part_auxiliary_id=item.id if item is not None else None,
            buyer_part_id=item.buyer_item_id if item is not None else None,
        ),
        item_detail=cxml.ItemDetail(
            unit_price=_money(line.unit_price, currency),
            descriptions=[cxml.Description(text=description)] if description else [],
            unit_of_measure=(quantity.unit_code or "EA") if quantity is not None else "EA",
            manufacturer_part_id=item.manufacturer_item_id if item is not None else None,
        ),
    )


def order_request_of(
    bod: PurchaseOrderBOD, *, domain: str, identity: str, secret: str, user_agent: str = "OAGIS"
) -> cxml.CXML:
    """The OrderRequest ``bod`` means, from ``domain:identity`` authenticated with ``secret``.

    Its payloadID is the BOD's BODID (a retried BOD is recognised as a retried OrderRequest is).
    Raises :class:`InvalidBOD` for a verb that is no order (Acknowledge) or a line number that is
    not a whole number.
    """
    if bod.verb not in ORDER_TYPES:
        raise InvalidBOD(
            f"a {bod.name} is an answer, not an order: send ProcessPurchaseOrder, ChangePurchaseOrder "
            "or CancelPurchaseOrder",
            path=f"/{bod.name}",
        )
    if not bod.purchase_orders:
        raise InvalidBOD(f"the {bod.name} has no PurchaseOrder", path=f"/{bod.name}/DataArea/PurchaseOrder")
    order = bod.purchase_order
    header = order.header
    currency = order.currency
    revision = (header.revision_id or "").strip()
    base = f"/{bod.name}/DataArea/PurchaseOrder"
    lines = order.lines
    items = [
        _item_out(
            line,
            f"{base}/PurchaseOrderLine[{index}]" if len(lines) > 1 else f"{base}/PurchaseOrderLine",
            currency,
        )
        for index, line in enumerate(lines, 1)
    ]
    request = cxml.OrderRequest(
        header=cxml.OrderRequestHeader(
            order_id=(header.id or "").strip(),
            order_date=_moment(header.order_date) or _moment(header.document_date),
            total=_money(header.total_amount or header.extended_amount, currency),
            type=ORDER_TYPES[bod.verb],
            order_version=int(revision) if revision.isdigit() else None,
            ship_to=_address(header.ship_to),
            bill_to=_address(header.bill_to),
            comments=[cxml.Comment(text=note) for note in header.notes if note.strip()],
        ),
        items=items,
    )
    return cxml.CXML(
        message=request,
        payload_id=bod.application_area.bod_id,
        timestamp=_moment(bod.application_area.creation),
        header=cxml.make_header(
            from_=[cxml.Credential(domain, identity)],
            to=[],
            sender=[cxml.Credential(domain, identity, secret)],
            user_agent=user_agent,
        ),
    )


def _statuses(
    line: PurchaseOrderLine, status: LineStatus, ordered: Decimal | None
) -> tuple[Decimal, list[cxml.ConfirmationStatus]]:
    said = line.quantity.value if line.quantity is not None else None
    quantity = ordered if ordered is not None else (said or Decimal(0))
    comments = [cxml.Comment(text=line.status_reason)] if line.status_reason else []
    if status is LineStatus.REJECTED:
        return quantity, [
            cxml.ConfirmationStatus(
                type=cxml.ConfirmationStatusType.REJECT, quantity=quantity, comments=comments
            )
        ]
    if status is LineStatus.ACCEPTED:
        return quantity, [cxml.ConfirmationStatus(type=cxml.ConfirmationStatusType.ACCEPT, quantity=quantity)]
    accepted = said if said is not None else quantity
    unit_price = _money(line.unit_price, None)
    statuses = [
        cxml.ConfirmationStatus(
            type=cxml.ConfirmationStatusType.DETAIL,
            quantity=min(accepted, quantity),
            delivery_date=_moment(line.promised_delivery),
            unit_price=unit_price if unit_price is not None and unit_price.currency else None,
            comments=comments,
        )
    ]
    if accepted < quantity:
        statuses.append(
            cxml.ConfirmationStatus(
                type=cxml.ConfirmationStatusType.REJECT, quantity=quantity - accepted, comments=comments
            )
        )
    return quantity, statuses


def confirmation_of(
    ack: PurchaseOrderBOD, *, ordered: dict[int, Decimal] | None = None, now: datetime | None = None
) -> cxml.ConfirmationRequest:
    """The ConfirmationRequest an AcknowledgePurchaseOrder means (see the module).

    ``ordered`` is each line's ordered quantity (line number → quantity): a Modified line's
    acknowledged quantity below it rejects the rest. The header says ``reject`` when every line is
    rejected (or, with no lines, when its Status says Rejected), ``accept`` when it has no lines
    and does not, else ``detail``.
    """
    if ack.verb is not Verb.ACKNOWLEDGE or not ack.purchase_orders:
        raise InvalidBOD(f"a {ack.name} is not an acknowledgement", path=f"/{ack.name}")
    order = ack.purchase_order
    header = order.header
    base = "/AcknowledgePurchaseOrder/DataArea/PurchaseOrder/PurchaseOrderLine"
    items = []
    verdicts = []
    for index, line in enumerate(order.lines, 1):
        status = line.line_status
        if status is None:
            continue
        number = line_number_of(line, f"{base}[{index}]" if len(order.lines) > 1 else base)
        verdicts.append(status)
        quantity, statuses = _statuses(line, status, (ordered or {}).get(number))
        items.append(cxml.ConfirmationItem(line_number=number, quantity=quantity, statuses=statuses))
    header_status = LineStatus(header.status) if header.status in set(LineStatus) else None
    if verdicts and all(v is LineStatus.REJECTED for v in verdicts):
        kind = cxml.ConfirmationType.REJECT
    elif not verdicts:
        kind = (
            cxml.ConfirmationType.REJECT
            if header_status is LineStatus.REJECTED
            else cxml.ConfirmationType.ACCEPT
        )
    else:
        kind = cxml.ConfirmationType.DETAIL
    reason = header.status_reason or ""
    original = ack.original_application_area
    return cxml.ConfirmationRequest(
        header=cxml.ConfirmationHeader(
            type=kind,
            notice_date=_moment(ack.application_area.creation) or now,
            confirm_id=ack.application_area.bod_id,
            comments=[cxml.Comment(text=reason)] if reason else [],
        ),
        order_reference=cxml.OrderReference(
            order_id=header.id, payload_id=original.bod_id if original is not None else None
        ),
        items=items,
    )
