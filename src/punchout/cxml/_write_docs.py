"""Strict writers for the Fulfill.dtd and InvoiceDetail.dtd messages, in DTD order."""

from __future__ import annotations

from lxml import etree

from punchout.cxml import _write as wr
from punchout.cxml._write import XML_LANG, Writer, carries, missing, need, number, sub
from punchout.cxml.errors import BuildError
from punchout.cxml.fulfill import ConfirmationRequest, ConfirmationStatus, ShipNoticeRequest
from punchout.cxml.invoice import (
    InvoiceDetailItem,
    InvoiceDetailOrder,
    InvoiceDetailRequest,
    InvoiceDetailSummary,
)

_Element = etree._Element


# -- ConfirmationRequest -------------------------------------------------------------------------
def confirmation_request(w: Writer, parent: _Element, m: ConfirmationRequest, path: str) -> None:
    el = w.record(sub(parent, "ConfirmationRequest"), m)
    h = m.header
    hpath = f"{path}/ConfirmationHeader"
    header = w.record(
        sub(
            el,
            "ConfirmationHeader",
            attrs={
                "type": h.type.value,
                "noticeDate": w.required_when(
                    h.notice_date, h.source, "noticeDate", hpath, "cXML requires the date of the confirmation"
                ),
                "confirmID": h.confirm_id,
                "operation": h.operation.value,
                "invoiceID": h.invoice_id,
            },
        ),
        h,
    )
    wr.money_in(header, "Total", h.total, hpath, w=w, optional=True)
    wr.shipping(w, header, h.shipping, hpath)
    wr.tax(w, header, h.tax, hpath)
    wr.contacts(w, header, h.contacts, hpath)
    wr.comments(w, header, h.comments)
    wr.extrinsics(w, header, h.extrinsics)
    wr.order_reference(w, el, m.order_reference, path)
    for index, item in enumerate(m.items, 1):
        ipath = f"{path}/ConfirmationItem[{index}]"
        item_el = wr.line(w, el, "ConfirmationItem", item)
        wr.unit_of_measure(item_el, item.unit_of_measure, ipath)
        for status in need(item.statuses, f"{ipath}/ConfirmationStatus", "cXML requires a status per line"):
            _confirmation_status(w, item_el, status, f"{ipath}/ConfirmationStatus")


def _confirmation_status(w: Writer, parent: _Element, s: ConfirmationStatus, path: str) -> None:
    el = w.record(
        sub(
            parent,
            "ConfirmationStatus",
            attrs={
                "quantity": number(s.quantity),
                "deliveryDate": w.when(s.delivery_date, s.source, "deliveryDate", path),
                "shipmentDate": w.when(s.shipment_date, s.source, "shipmentDate", path),
                "type": s.type.value,
            },
        ),
        s,
    )
    wr.unit_of_measure(el, s.unit_of_measure, path)
    if s.item_in is not None:
        if s.unit_price is not None or s.tax is not None or s.shipping is not None:
            raise BuildError(
                f"the ConfirmationStatus at {path} has both an ItemIn and a UnitPrice, Tax or Shipping; "
                "cXML allows one or the other",
                path=path,
            )
        wr.item_in(w, el, s.item_in, f"{path}/ItemIn")
    else:
        wr.money_in(el, "UnitPrice", s.unit_price, path, unit_price=True, w=w, optional=True)
        wr.tax(w, el, s.tax, path)
        wr.shipping(w, el, s.shipping, path)
    wr.comments(w, el, s.comments)
    wr.extrinsics(w, el, s.extrinsics)


# -- ShipNoticeRequest ---------------------------------------------------------------------------
def ship_notice_request(w: Writer, parent: _Element, m: ShipNoticeRequest, path: str) -> None:
    el = w.record(sub(parent, "ShipNoticeRequest"), m)
    h = m.header
    hpath = f"{path}/ShipNoticeHeader"
    header = w.record(
        sub(
            el,
            "ShipNoticeHeader",
            attrs={
                "shipmentID": need(h.shipment_id, f"{hpath}/@shipmentID", "cXML requires the shipment's ID"),
                "operation": h.operation.value,
                "noticeDate": w.required_when(
                    h.notice_date, h.source, "noticeDate", hpath, "cXML requires the date of the notice"
                ),
                "shipmentDate": w.when(h.shipment_date, h.source, "shipmentDate", hpath),
                "deliveryDate": w.when(h.delivery_date, h.source, "deliveryDate", hpath),
            },
        ),
        h,
    )
    for level in h.service_levels:
        w.record(sub(header, "ServiceLevel", level.text, {XML_LANG: level.lang or w.lang}), level)
    wr.contacts(w, header, h.contacts, hpath)
    wr.comments(w, header, h.comments)
    wr.terms_of_delivery(w, header, h.terms_of_delivery)
    wr.extrinsics(w, header, h.extrinsics)
    for index, control in enumerate(m.controls, 1):
        cpath = f"{path}/ShipControl[{index}]"
        control_el = w.record(
            sub(
                el,
                "ShipControl",
                attrs={"startDate": w.when(control.start_date, control.source, "startDate", cpath)},
            ),
            control,
        )
        for carrier in need(control.carriers, f"{cpath}/CarrierIdentifier", "cXML requires the carrier"):
            w.record(sub(control_el, "CarrierIdentifier", carrier.value, {"domain": carrier.domain}), carrier)
        for ident in need(
            control.shipment_identifiers, f"{cpath}/ShipmentIdentifier", "cXML requires a tracking number"
        ):
            w.record(
                sub(
                    control_el,
                    "ShipmentIdentifier",
                    ident.value,
                    {"domain": ident.domain, "trackingURL": ident.tracking_url},
                ),
                ident,
            )
    for index, portion in enumerate(m.portions, 1):
        ppath = f"{path}/ShipNoticePortion[{index}]"
        portion_el = w.record(sub(el, "ShipNoticePortion"), portion)
        wr.order_reference(w, portion_el, portion.order_reference, ppath)
        wr.comments(w, portion_el, portion.comments)
        wr.extrinsics(w, portion_el, portion.extrinsics)
        for item in portion.items:
            item_el = wr.line(w, portion_el, "ShipNoticeItem", item)
            if item.item_id is not None:
                wr.item_id(w, item_el, item.item_id)
            detail = item.detail
            if detail is not None:
                detail_el = w.record(sub(item_el, "ShipNoticeItemDetail"), detail)
                wr.money_in(detail_el, "UnitPrice", detail.unit_price, ppath, unit_price=True, optional=True)
                for description in detail.descriptions:
                    wr.description(w, detail_el, description)
                if detail.unit_of_measure is not None:
                    sub(detail_el, "UnitOfMeasure", detail.unit_of_measure)
            wr.unit_of_measure(item_el, item.unit_of_measure, f"{ppath}/ShipNoticeItem")
            wr.terms_of_delivery(w, item_el, item.terms_of_delivery)


# -- InvoiceDetailRequest ------------------------------------------------------------------------
def invoice_request(w: Writer, parent: _Element, m: InvoiceDetailRequest, path: str) -> None:
    el = w.record(sub(parent, "InvoiceDetailRequest"), m)
    h = m.header
    hpath = f"{path}/InvoiceDetailRequestHeader"
    header = w.record(
        sub(
            el,
            "InvoiceDetailRequestHeader",
            attrs={
                "invoiceID": need(h.invoice_id, f"{hpath}/@invoiceID", "cXML requires the invoice number"),
                "purpose": h.purpose.value,
                "operation": h.operation.value,
                "invoiceDate": w.required_when(
                    h.invoice_date, h.source, "invoiceDate", hpath, "cXML requires the invoice date"
                ),
            },
        ),
        h,
    )
    sub(header, "InvoiceDetailHeaderIndicator", attrs=dict.fromkeys(h.header_indicators, "yes"))
    sub(header, "InvoiceDetailLineIndicator", attrs=dict.fromkeys(h.line_indicators, "yes"))
    for partner in h.partners:
        partner_el = w.record(sub(header, "InvoicePartner"), partner)
        wr.contact(w, partner_el, partner.contact, f"{hpath}/InvoicePartner")
        for domain, identifier in partner.id_references.items():
            sub(partner_el, "IdReference", attrs={"identifier": identifier, "domain": domain})
    wr.payment_terms(w, header, h.payment_terms)
    if h.comments is not None:
        wr.comments(w, header, [h.comments])
    wr.extrinsics(w, header, h.extrinsics)
    orders = (
        m.orders
        if carries(m, "InvoiceDetailHeaderOrder")
        else need(m.orders, f"{path}/InvoiceDetailOrder", "cXML requires the order (or contract) invoiced")
    )
    for index, order in enumerate(orders, 1):
        opath = f"{path}/InvoiceDetailOrder[{index}]"
        order_el = w.record(sub(el, "InvoiceDetailOrder"), order)
        info = sub(order_el, "InvoiceDetailOrderInfo")
        reference = order.order_reference
        if reference.payload_id is not None:
            wr.order_reference(w, info, reference, f"{opath}/InvoiceDetailOrderInfo")
        elif reference.order_id is not None:
            w.record(
                sub(
                    info,
                    "OrderIDInfo",
                    attrs={
                        "orderID": reference.order_id,
                        "orderDate": w.when(reference.order_date, reference.source, "orderDate", opath),
                    },
                ),
                reference,
            )
        elif not _carries_agreement(order):
            raise missing(
                f"{opath}/InvoiceDetailOrderInfo/OrderReference",
                "cXML requires the order (OrderReference or OrderIDInfo) or the contract "
                "(MasterAgreementReference) invoiced",
            )
        items = (
            order.items
            if carries(order, "InvoiceDetailServiceItem")
            else need(order.items, f"{opath}/InvoiceDetailItem", "cXML requires at least one invoiced line")
        )
        for line, item in enumerate(items, 1):
            _invoice_item(w, order_el, item, f"{opath}/InvoiceDetailItem[{line}]")
    _invoice_summary(w, el, m.summary, f"{path}/InvoiceDetailSummary")


def _carries_agreement(order: InvoiceDetailOrder) -> bool:
    """Whether a contract-backed order's source names its master agreement (carried as sent)."""
    source = order.source
    if source is None:
        return False
    info = source.find("InvoiceDetailOrderInfo")
    return info is not None and any(
        info.find(tag) is not None for tag in ("MasterAgreementReference", "MasterAgreementIDInfo")
    )


def _invoice_item(w: Writer, parent: _Element, item: InvoiceDetailItem, path: str) -> None:
    el = w.record(
        sub(
            parent,
            "InvoiceDetailItem",
            attrs={"invoiceLineNumber": number(item.invoice_line_number), "quantity": number(item.quantity)},
        ),
        item,
    )
    wr.unit_of_measure(el, item.unit_of_measure, path)
    wr.money_in(el, "UnitPrice", item.unit_price, path, unit_price=True, w=w)
    ref = item.reference
    ref_el = w.record(
        sub(el, "InvoiceDetailItemReference", attrs={"lineNumber": number(ref.line_number)}), ref
    )
    if ref.item_id is not None:
        wr.item_id(w, ref_el, ref.item_id)
    if ref.description is not None:
        wr.description(w, ref_el, ref.description)
    for classification in ref.classifications:
        wr.classification(w, ref_el, classification)
    if ref.manufacturer_part_id is not None and ref.manufacturer_name is not None:
        sub(ref_el, "ManufacturerPartID", ref.manufacturer_part_id)
        sub(ref_el, "ManufacturerName", ref.manufacturer_name)
    elif ref.manufacturer_part_id is not None or ref.manufacturer_name is not None:
        raise BuildError(
            f"the InvoiceDetailItemReference at {path} has a ManufacturerPartID or a ManufacturerName "
            "without the other; cXML requires both together",
            path=path,
        )
    wr.money_in(el, "SubtotalAmount", item.subtotal_amount, path, w=w, optional=True)
    wr.tax(w, el, item.tax, path)
    wr.money_in(el, "GrossAmount", item.gross_amount, path, w=w, optional=True)
    wr.money_in(el, "NetAmount", item.net_amount, path, w=w, optional=True)
    if item.comments is not None:
        wr.comments(w, el, [item.comments])
    wr.extrinsics(w, el, item.extrinsics)


def _invoice_summary(w: Writer, parent: _Element, s: InvoiceDetailSummary, path: str) -> None:
    el = w.record(sub(parent, "InvoiceDetailSummary"), s)
    wr.money_in(el, "SubtotalAmount", s.subtotal_amount, path, w=w)
    wr.tax(w, el, need(s.tax, f"{path}/Tax", "cXML requires the invoice's Tax (0 when there is none)"), path)
    wr.money_in(el, "SpecialHandlingAmount", s.special_handling_amount, path, w=w, optional=True)
    wr.money_in(el, "ShippingAmount", s.shipping_amount, path, w=w, optional=True)
    wr.money_in(el, "GrossAmount", s.gross_amount, path, w=w, optional=True)
    wr.money_in(el, "NetAmount", s.net_amount, path, w=w)
    wr.money_in(el, "DueAmount", s.due_amount, path, w=w, optional=True)
