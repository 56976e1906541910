"""Strict writers for the Fulfill.dtd and InvoiceDetail.dtd messages, in DTD order."""

from __future__ import annotations

from lxml import etree

from punchout.cxml import _write as wr
from punchout.cxml._write import Writer, date, need, number, sub
from punchout.cxml.errors import BuildError
from punchout.cxml.fulfill import ConfirmationRequest, ConfirmationStatus, ShipNoticeRequest
from punchout.cxml.invoice import InvoiceDetailItem, InvoiceDetailRequest, InvoiceDetailSummary

_Element = etree._Element


# -- ConfirmationRequest -------------------------------------------------------------------------
def confirmation_request(w: Writer, parent: _Element, m: ConfirmationRequest, path: str) -> None:
    el = sub(parent, "ConfirmationRequest")
    h = m.header
    hpath = f"{path}/ConfirmationHeader"
    header = sub(
        el,
        "ConfirmationHeader",
        attrs={
            "type": h.type.value,
            "noticeDate": need(
                date(h.notice_date, hpath), f"{hpath}/@noticeDate", "the notice date is required"
            ),
            "confirmID": h.confirm_id,
            "operation": h.operation.value,
            "invoiceID": h.invoice_id,
        },
    )
    if h.total is not None:
        wr.money_in(header, "Total", h.total, hpath)
    wr.shipping(w, header, h.shipping, hpath)
    wr.tax(w, header, h.tax, hpath)
    wr.contacts(w, header, h.contacts, hpath)
    wr.comments(header, h.comments)
    wr.extrinsics(header, h.extrinsics)
    wr.order_reference(el, m.order_reference, path)
    for index, item in enumerate(m.items, 1):
        ipath = f"{path}/ConfirmationItem[{index}]"
        item_el = sub(
            el,
            "ConfirmationItem",
            attrs={"quantity": number(item.quantity), "lineNumber": number(item.line_number)},
        )
        sub(
            item_el,
            "UnitOfMeasure",
            need(item.unit_of_measure, f"{ipath}/UnitOfMeasure", "a unit is required"),
        )
        for status in need(item.statuses, f"{ipath}/ConfirmationStatus", "at least one status is required"):
            _confirmation_status(w, item_el, status, f"{ipath}/ConfirmationStatus")


def _confirmation_status(w: Writer, parent: _Element, s: ConfirmationStatus, path: str) -> None:
    el = sub(
        parent,
        "ConfirmationStatus",
        attrs={
            "quantity": number(s.quantity),
            "deliveryDate": date(s.delivery_date, path),
            "shipmentDate": date(s.shipment_date, path),
            "type": s.type.value,
        },
    )
    sub(el, "UnitOfMeasure", need(s.unit_of_measure, f"{path}/UnitOfMeasure", "a unit is required"))
    if s.item_in is not None:
        if s.unit_price is not None or s.tax is not None or s.shipping is not None:
            raise BuildError(
                f"cannot build {path}: give either item_in or unit_price/tax/shipping, not both", path=path
            )
        wr.item_in(w, el, s.item_in, f"{path}/ItemIn")
    else:
        if s.unit_price is not None:
            wr.money_in(el, "UnitPrice", s.unit_price, path, unit_price=True)
        wr.tax(w, el, s.tax, path)
        wr.shipping(w, el, s.shipping, path)
    wr.comments(el, s.comments)
    wr.extrinsics(el, s.extrinsics)


# -- ShipNoticeRequest ---------------------------------------------------------------------------
def ship_notice_request(w: Writer, parent: _Element, m: ShipNoticeRequest, path: str) -> None:
    el = sub(parent, "ShipNoticeRequest")
    h = m.header
    hpath = f"{path}/ShipNoticeHeader"
    header = sub(
        el,
        "ShipNoticeHeader",
        attrs={
            "shipmentID": need(h.shipment_id, f"{hpath}/@shipmentID", "the shipment ID is required"),
            "operation": h.operation.value,
            "noticeDate": need(
                date(h.notice_date, hpath), f"{hpath}/@noticeDate", "the notice date is required"
            ),
            "shipmentDate": date(h.shipment_date, hpath),
            "deliveryDate": date(h.delivery_date, hpath),
        },
    )
    wr.contacts(w, header, h.contacts, hpath)
    wr.comments(header, h.comments)
    wr.extrinsics(header, h.extrinsics)
    for index, control in enumerate(m.controls, 1):
        cpath = f"{path}/ShipControl[{index}]"
        control_el = sub(el, "ShipControl", attrs={"startDate": date(control.start_date, cpath)})
        for carrier in need(control.carriers, f"{cpath}/CarrierIdentifier", "a carrier is required"):
            sub(control_el, "CarrierIdentifier", carrier.value, {"domain": carrier.domain})
        for ident in need(
            control.shipment_identifiers, f"{cpath}/ShipmentIdentifier", "a tracking number is required"
        ):
            sub(
                control_el,
                "ShipmentIdentifier",
                ident.value,
                {"domain": ident.domain, "trackingURL": ident.tracking_url},
            )
    for index, portion in enumerate(m.portions, 1):
        ppath = f"{path}/ShipNoticePortion[{index}]"
        portion_el = sub(el, "ShipNoticePortion")
        wr.order_reference(portion_el, portion.order_reference, ppath)
        wr.comments(portion_el, portion.comments)
        wr.extrinsics(portion_el, portion.extrinsics)
        for item in portion.items:
            item_el = sub(
                portion_el,
                "ShipNoticeItem",
                attrs={"quantity": number(item.quantity), "lineNumber": number(item.line_number)},
            )
            if item.item_id is not None:
                wr.item_id(item_el, item.item_id)
            sub(
                item_el,
                "UnitOfMeasure",
                need(item.unit_of_measure, f"{ppath}/ShipNoticeItem", "a unit is required"),
            )


# -- InvoiceDetailRequest ------------------------------------------------------------------------
def invoice_request(w: Writer, parent: _Element, m: InvoiceDetailRequest, path: str) -> None:
    el = sub(parent, "InvoiceDetailRequest")
    h = m.header
    hpath = f"{path}/InvoiceDetailRequestHeader"
    header = sub(
        el,
        "InvoiceDetailRequestHeader",
        attrs={
            "invoiceID": need(h.invoice_id, f"{hpath}/@invoiceID", "the invoice number is required"),
            "purpose": h.purpose.value,
            "operation": h.operation.value,
            "invoiceDate": need(
                date(h.invoice_date, hpath), f"{hpath}/@invoiceDate", "the invoice date is required"
            ),
        },
    )
    sub(header, "InvoiceDetailHeaderIndicator", attrs=dict.fromkeys(h.header_indicators, "yes"))
    sub(header, "InvoiceDetailLineIndicator", attrs=dict.fromkeys(h.line_indicators, "yes"))
    for partner in h.partners:
        partner_el = sub(header, "InvoicePartner")
        wr.contact(w, partner_el, partner.contact, f"{hpath}/InvoicePartner")
        for domain, identifier in partner.id_references.items():
            sub(partner_el, "IdReference", attrs={"identifier": identifier, "domain": domain})
    if h.comments is not None:
        wr.comments(header, [h.comments])
    wr.extrinsics(header, h.extrinsics)
    for index, order in enumerate(
        need(m.orders, f"{path}/InvoiceDetailOrder", "at least one order is required"), 1
    ):
        opath = f"{path}/InvoiceDetailOrder[{index}]"
        order_el = sub(el, "InvoiceDetailOrder")
        info = sub(order_el, "InvoiceDetailOrderInfo")
        reference = order.order_reference
        if reference.payload_id is not None:
            wr.order_reference(info, reference, f"{opath}/InvoiceDetailOrderInfo")
        else:
            order_id = need(
                reference.order_id, f"{opath}/InvoiceDetailOrderInfo", "an order ID or payloadID is required"
            )
            sub(
                info,
                "OrderIDInfo",
                attrs={"orderID": order_id, "orderDate": date(reference.order_date, opath)},
            )
        for line, item in enumerate(
            need(order.items, f"{opath}/InvoiceDetailItem", "at least one line is required"), 1
        ):
            _invoice_item(w, order_el, item, f"{opath}/InvoiceDetailItem[{line}]")
    _invoice_summary(w, el, m.summary, f"{path}/InvoiceDetailSummary")


def _invoice_item(w: Writer, parent: _Element, item: InvoiceDetailItem, path: str) -> None:
    el = sub(
        parent,
        "InvoiceDetailItem",
        attrs={"invoiceLineNumber": number(item.invoice_line_number), "quantity": number(item.quantity)},
    )
    sub(el, "UnitOfMeasure", need(item.unit_of_measure, f"{path}/UnitOfMeasure", "a unit is required"))
    wr.money_in(el, "UnitPrice", item.unit_price, path, unit_price=True)
    ref = item.reference
    ref_el = sub(el, "InvoiceDetailItemReference", attrs={"lineNumber": number(ref.line_number)})
    if ref.item_id is not None:
        wr.item_id(ref_el, ref.item_id)
    if ref.description is not None:
        wr.description(w, ref_el, ref.description)
    for classification in ref.classifications:
        wr.classification(ref_el, classification)
    if ref.manufacturer_part_id is not None and ref.manufacturer_name is not None:
        sub(ref_el, "ManufacturerPartID", ref.manufacturer_part_id)
        sub(ref_el, "ManufacturerName", ref.manufacturer_name)
    elif ref.manufacturer_part_id is not None or ref.manufacturer_name is not None:
        raise BuildError(
            f"cannot build {path}: ManufacturerPartID and ManufacturerName go together", path=path
        )
    if item.subtotal_amount is not None:
        wr.money_in(el, "SubtotalAmount", item.subtotal_amount, path)
    wr.tax(w, el, item.tax, path)
    if item.gross_amount is not None:
        wr.money_in(el, "GrossAmount", item.gross_amount, path)
    if item.net_amount is not None:
        wr.money_in(el, "NetAmount", item.net_amount, path)
    if item.comments is not None:
        wr.comments(el, [item.comments])
    wr.extrinsics(el, item.extrinsics)


def _invoice_summary(w: Writer, parent: _Element, s: InvoiceDetailSummary, path: str) -> None:
    el = sub(parent, "InvoiceDetailSummary")
    wr.money_in(el, "SubtotalAmount", s.subtotal_amount, path)
    wr.tax(w, el, need(s.tax, f"{path}/Tax", "the summary Tax is required (use 0 if none)"), path)
    if s.special_handling_amount is not None:
        wr.money_in(el, "SpecialHandlingAmount", s.special_handling_amount, path)
    if s.shipping_amount is not None:
        wr.money_in(el, "ShippingAmount", s.shipping_amount, path)
    if s.gross_amount is not None:
        wr.money_in(el, "GrossAmount", s.gross_amount, path)
    wr.money_in(el, "NetAmount", s.net_amount, path)
    if s.due_amount is not None:
        wr.money_in(el, "DueAmount", s.due_amount, path)
