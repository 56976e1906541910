"""Lenient binders for each supported message body (see ``_reader`` for the shared elements)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, overload

from lxml import etree

from punchout.cxml import _reader as rd
from punchout.cxml._reader import Reader, text
from punchout.cxml.common import (
    Address,
    Classification,
    Comment,
    Contact,
    Distribution,
    Extrinsic,
    ItemDetail,
    ItemID,
    MessageBody,
    OrderReference,
    Shipping,
    Status,
    Tax,
    TermsOfDelivery,
)
from punchout.cxml.fulfill import (
    CarrierIdentifier,
    ConfirmationHeader,
    ConfirmationItem,
    ConfirmationRequest,
    ConfirmationStatus,
    ConfirmationStatusType,
    ConfirmationType,
    ServiceLevel,
    ShipControl,
    ShipmentIdentifier,
    ShipNoticeHeader,
    ShipNoticeItem,
    ShipNoticeItemDetail,
    ShipNoticeOperation,
    ShipNoticePortion,
    ShipNoticeRequest,
)
from punchout.cxml.invoice import (
    InvoiceDetailItem,
    InvoiceDetailItemReference,
    InvoiceDetailOrder,
    InvoiceDetailRequest,
    InvoiceDetailRequestHeader,
    InvoiceDetailSummary,
    InvoiceOperation,
    InvoicePartner,
    InvoicePurpose,
)
from punchout.cxml.order import (
    ItemOut,
    OrderRequest,
    OrderRequestHeader,
    OrderRequestType,
    OrderType,
    PCard,
    ScheduleLine,
)
from punchout.cxml.profile import (
    DocumentStatus,
    InvoiceStatus,
    InvoiceStatusType,
    Option,
    ProfileRequest,
    ProfileResponse,
    StatusUpdateRequest,
    Transaction,
)
from punchout.cxml.punchout_msgs import (
    ItemIn,
    PunchOutOperation,
    PunchOutOrderMessage,
    PunchOutOrderMessageHeader,
    PunchOutSetupRequest,
    PunchOutSetupResponse,
)

_Element = etree._Element
_new = object.__new__
_QUANTITY = b"quantity"
_LINE_NUMBER = b"lineNumber"
_REQUESTED_DELIVERY_DATE = b"requestedDeliveryDate"


def _url_of(r: Reader, el: _Element) -> str | None:
    for c in el:
        if c.tag == "URL":
            return text(c)
        r.unknown(c, el)
    r.missing(el, "URL")
    return None


# -- PunchOut --------------------------------------------------------------------------------
def setup_request(r: Reader, el: _Element) -> PunchOutSetupRequest:
    result = PunchOutSetupRequest(
        "", operation=r.enum(el, "operation", PunchOutOperation, PunchOutOperation.CREATE), source=el
    )
    seen_cookie = False
    for c in el:
        tag = c.tag
        if tag == "BuyerCookie":
            result.buyer_cookie, seen_cookie = rd.exact_text(c), True
        elif tag == "Extrinsic":
            result.extrinsics.append(rd.extrinsic(r, c))
        elif tag == "BrowserFormPost":
            result.browser_form_post_url = _url_of(r, c)
        elif tag == "Contact":
            result.contacts.append(rd.contact(r, c))
        elif tag == "SupplierSetup":
            result.supplier_setup_url = _url_of(r, c)
        elif tag == "ShipTo":
            result.ship_to = rd.address(r, c)
        elif tag == "SelectedItem":
            for s in c:
                if s.tag == "ItemID":
                    result.selected_item = rd.item_id(r, s)
                else:
                    r.unknown(s, c)
        elif tag == "ItemOut":
            result.items.append(item_line(r, c, True))
        else:
            r.unknown(c, el)
    if not seen_cookie:
        r.missing(el, "BuyerCookie")
    return result


def setup_response(r: Reader, el: _Element) -> PunchOutSetupResponse:
    url: str | None = None
    for c in el:
        if c.tag == "StartPage":
            url = _url_of(r, c)
        else:
            r.unknown(c, el)
    if url is None:
        raise r.invalid(el, "<PunchOutSetupResponse> has no StartPage/URL: send the URL the user must open")
    if not url:
        r.warn("empty-url", el, "<StartPage> has an empty <URL>: there is no page to send the user to")
    return PunchOutSetupResponse(url, source=el)


def order_message(r: Reader, el: _Element) -> PunchOutOrderMessage:
    result = PunchOutOrderMessage("", PunchOutOrderMessageHeader(None), source=el)
    seen_header = False
    for c in el[:]:  # type: ignore[index]  # a list of the children: cheaper than lxml's child iterator
        tag = c.tag
        if tag == "ItemIn":
            result.items.append(item_line(r, c, False))
        elif tag == "BuyerCookie":
            result.buyer_cookie = rd.exact_text(c)
        elif tag == "PunchOutOrderMessageHeader":
            seen_header = True
            header = result.header
            header.source = c
            header.operation_allowed = r.enum(
                c, "operationAllowed", PunchOutOperation, PunchOutOperation.CREATE
            )
            for h in c:
                htag = h.tag
                if htag == "Total":
                    header.total = rd.money_of(r, h)
                elif htag == "Shipping":
                    header.shipping = rd.shipping(r, h)
                elif htag == "Tax":
                    header.tax = rd.tax(r, h)
                elif htag == "ShipTo":
                    header.ship_to = rd.address(r, h)
                else:
                    r.unknown(h, c)
        else:
            r.unknown(c, el)
    if not seen_header:
        r.missing(el, "PunchOutOrderMessageHeader")
    return result


# -- Order lines (ItemOut, ItemIn) and OrderRequest --------------------------------------------
@overload
def item_line(r: Reader, el: _Element, ordered: Literal[True]) -> ItemOut: ...
@overload
def item_line(r: Reader, el: _Element, ordered: Literal[False]) -> ItemIn: ...
def item_line(r: Reader, el: _Element, ordered: bool) -> ItemIn | ItemOut:
    """An order line: an ``ItemOut`` of an OrderRequest or PunchOutSetupRequest when ``ordered``,
    else an ``ItemIn`` of a PunchOutOrderMessage or ConfirmationStatus.

    Both lines hold the same content (quantity, lineNumber, ItemID, ItemDetail, ShipTo, Shipping,
    Tax, Contact, Comments), read here alike. What only one of them models is read for that one and
    left to ``Reader.unknown`` in the other: an ItemOut's requestedDeliveryDate, Distribution,
    ScheduleLine and TermsOfDelivery (and it warns of a negative quantity); an ItemIn's Extrinsic.
    An ItemOut keeps every Comments, an ItemIn the last one.
    """
    # The hot path of every OrderRequest and PunchOutOrderMessage, written like
    # ``_reader.item_detail`` (see the notes above ``_reader.item_id``): children are collected in
    # locals and the line is made once at the end. The common attribute forms (a quantity or a
    # canonical date already read in this document, plain digits) are read inline; anything else
    # goes through the Reader, which warns or raises exactly as before.
    raw = el.get(_QUANTITY)
    quantity = None if raw is None else r._numbers.get(raw)
    if quantity is None:
        quantity = r.decimal(el, raw, "@quantity")
    if ordered and quantity.is_signed():
        r.warn(
            "negative-quantity",
            el,
            f"@quantity={raw!r} is negative; an order line asks for a quantity above 0",
        )
    raw = el.get(_LINE_NUMBER)
    line_number = (
        int(raw)
        if raw is not None and len(raw) < 10 and raw.isascii() and raw.isdigit()
        else r.integer(el, "lineNumber")
    )
    # what only one kind of line models is made only for that kind
    if ordered:
        raw = el.get(_REQUESTED_DELIVERY_DATE)
        parsed = None if raw is None else r._dates.get(raw)
        if parsed is not None and parsed[1] is None:
            delivery_date = parsed[0]
        else:
            delivery_date = r.date(el, "requestedDeliveryDate")
        distributions: list[Distribution] = []
        schedule_lines: list[ScheduleLine] = []
        delivery_terms: TermsOfDelivery | None = None
    else:
        extrinsics: list[Extrinsic] = []
    item_id: ItemID | None = None
    item_detail: ItemDetail | None = None
    ship_to: Address | None = None
    shipping: Shipping | None = None
    tax: Tax | None = None
    contacts: list[Contact] = []
    comments: list[Comment] = []
    for c in el[:]:  # type: ignore[index]  # a list of the children: cheaper than lxml's child iterator
        tag = c.tag
        if tag == "ItemID":
            item_id = rd.item_id(r, c)
        elif tag == "ItemDetail":
            item_detail = rd.item_detail(r, c)
        elif tag == "ShipTo":
            ship_to = rd.address(r, c)
        elif tag == "Shipping":
            shipping = rd.shipping(r, c)
        elif tag == "Tax":
            tax = rd.tax(r, c)
        elif tag == "Contact":
            contacts.append(rd.contact(r, c))
        elif tag == "Comments":
            comments.append(rd.comment(r, c))
        elif not ordered:
            if tag == "Extrinsic":
                extrinsics.append(rd.extrinsic(r, c))
            else:
                r.unknown(c, el)
        elif tag == "Distribution":
            distributions.append(rd.distribution(r, c))
        elif tag == "ScheduleLine":
            schedule_lines.append(schedule_line(r, c))
        elif tag == "TermsOfDelivery":
            delivery_terms = rd.terms_of_delivery(r, c)
        else:
            r.unknown(c, el)
    if item_id is None:
        r.missing(el, "ItemID")
        item_id = ItemID("")
    line: ItemIn | ItemOut
    if ordered:
        order_line = line = _new(ItemOut)
        order_line.requested_delivery_date = delivery_date
        order_line.distributions = distributions
        order_line.comments = comments
        order_line.schedule_lines = schedule_lines
        order_line.terms_of_delivery = delivery_terms
    else:
        cart_line = line = _new(ItemIn)
        cart_line.comments = comments[-1] if comments else None
        cart_line.extrinsics = extrinsics
    line.quantity = quantity
    line.item_id = item_id
    line.item_detail = item_detail
    line.line_number = line_number
    line.ship_to = ship_to
    line.shipping = shipping
    line.tax = tax
    line.contacts = contacts
    line.source = el
    return line


def schedule_line(r: Reader, el: _Element) -> ScheduleLine:
    result = ScheduleLine(
        r.decimal(el, el.get("quantity"), "@quantity"),
        r.date(el, "requestedDeliveryDate"),
        line_number=r.integer(el, "lineNumber"),
        source=el,
    )
    for c in el:
        if c.tag == "UnitOfMeasure":
            result.unit_of_measure = text(c)
        else:
            r.unknown(c, el)
    return result


def order_request(r: Reader, el: _Element) -> OrderRequest:
    header: OrderRequestHeader | None = None
    items: list[ItemOut] = []
    for c in el[:]:  # type: ignore[index]  # a list of the children: cheaper than lxml's child iterator
        if c.tag == "ItemOut":
            items.append(item_line(r, c, True))
        elif c.tag == "OrderRequestHeader":
            header = order_header(r, c)
        else:
            r.unknown(c, el)
    if header is None:
        raise r.invalid(el, "<OrderRequest> has no OrderRequestHeader: send orderID, orderDate and Total")
    if not items:
        r.missing(el, "ItemOut")
    return OrderRequest(header, items, source=el)


def order_header(r: Reader, el: _Element) -> OrderRequestHeader:
    order_id = el.get("orderID")
    if not order_id:
        raise r.invalid(el, "<OrderRequestHeader> has no orderID: send your purchase order number")
    result = OrderRequestHeader(
        order_id,
        r.date(el, "orderDate"),
        None,
        type=r.enum(el, "type", OrderRequestType, OrderRequestType.NEW),
        order_type=r.enum(el, "orderType", OrderType, OrderType.REGULAR),
        order_version=r.integer(el, "orderVersion"),
        requested_delivery_date=r.date(el, "requestedDeliveryDate"),
        source=el,
    )
    if el.get("orderDate") is None:
        r.warn("missing-attribute", el, "<OrderRequestHeader> has no orderDate")
    for c in el:
        tag = c.tag
        if tag == "Total":
            result.total = rd.money_of(r, c)
        elif tag == "ShipTo":
            result.ship_to = rd.address(r, c)
        elif tag == "BillTo":
            result.bill_to = rd.address(r, c)
        elif tag == "Shipping":
            result.shipping = rd.shipping(r, c)
        elif tag == "Tax":
            result.tax = rd.tax(r, c)
        elif tag == "Payment":
            for p in c:
                if p.tag == "PCard":
                    result.payment = PCard(
                        p.get("number") or "", p.get("expiration") or "", p.get("name"), source=p
                    )
                else:
                    r.unknown(p, c)
        elif tag == "Contact":
            result.contacts.append(rd.contact(r, c))
        elif tag == "Comments":
            result.comments.append(rd.comment(r, c))
        elif tag == "Extrinsic":
            result.extrinsics.append(rd.extrinsic(r, c))
        elif tag == "PaymentTerm":
            result.payment_terms.append(rd.payment_term(r, c))
        elif tag == "TermsOfDelivery":
            result.terms_of_delivery = rd.terms_of_delivery(r, c)
        elif tag == "DocumentReference":
            result.document_reference = c.get("payloadID")
        else:
            r.unknown(c, el)
    if result.total is None:
        r.missing(el, "Total")
    return result


# -- Fulfil ------------------------------------------------------------------------------------
def _order_reference_child(r: Reader, parent: _Element, el: _Element | None) -> OrderReference:
    if el is None:
        r.missing(parent, "OrderReference")
        return OrderReference()
    return rd.order_reference(r, el)


def confirmation_request(r: Reader, el: _Element) -> ConfirmationRequest:
    header: ConfirmationHeader | None = None
    reference: _Element | None = None
    items: list[ConfirmationItem] = []
    for c in el:
        tag = c.tag
        if tag == "ConfirmationItem":
            items.append(confirmation_item(r, c))
        elif tag == "ConfirmationHeader":
            header = confirmation_header(r, c)
        elif tag == "OrderReference":
            reference = c
        else:
            r.unknown(c, el)
    if header is None:
        raise r.invalid(el, "<ConfirmationRequest> has no ConfirmationHeader: send type and noticeDate")
    return ConfirmationRequest(header, _order_reference_child(r, el, reference), items, source=el)


def confirmation_header(r: Reader, el: _Element) -> ConfirmationHeader:
    result = ConfirmationHeader(
        r.enum(el, "type", ConfirmationType, ConfirmationType.DETAIL),
        r.date(el, "noticeDate"),
        confirm_id=el.get("confirmID"),
        operation=r.enum(el, "operation", ShipNoticeOperation, ShipNoticeOperation.NEW),
        invoice_id=el.get("invoiceID"),
        source=el,
    )
    if el.get("type") is None:
        r.warn("missing-attribute", el, "<ConfirmationHeader> has no type; read as 'detail'")
    for c in el:
        tag = c.tag
        if tag == "Total":
            result.total = rd.money_of(r, c)
        elif tag == "Shipping":
            result.shipping = rd.shipping(r, c)
        elif tag == "Tax":
            result.tax = rd.tax(r, c)
        elif tag == "Contact":
            result.contacts.append(rd.contact(r, c))
        elif tag == "Comments":
            result.comments.append(rd.comment(r, c))
        elif tag == "Extrinsic":
            result.extrinsics.append(rd.extrinsic(r, c))
        else:
            r.unknown(c, el)
    return result


def _line_number(r: Reader, el: _Element, attr: str = "lineNumber") -> int:
    value = r.integer(el, attr)
    if value is None:
        raise r.invalid(el, f"<{el.tag}> has no {attr}: say which order line this is about")
    return value


def confirmation_item(r: Reader, el: _Element) -> ConfirmationItem:
    result = ConfirmationItem(_line_number(r, el), r.decimal(el, el.get("quantity"), "@quantity"), source=el)
    for c in el:
        tag = c.tag
        if tag == "ConfirmationStatus":
            result.statuses.append(confirmation_status(r, c))
        elif tag == "UnitOfMeasure":
            result.unit_of_measure = text(c)
        else:
            r.unknown(c, el)
    return result


def confirmation_status(r: Reader, el: _Element) -> ConfirmationStatus:
    result = ConfirmationStatus(
        r.enum(el, "type", ConfirmationStatusType, ConfirmationStatusType.UNKNOWN),
        r.decimal(el, el.get("quantity"), "@quantity"),
        delivery_date=r.date(el, "deliveryDate"),
        shipment_date=r.date(el, "shipmentDate"),
        source=el,
    )
    for c in el:
        tag = c.tag
        if tag == "UnitOfMeasure":
            result.unit_of_measure = text(c)
        elif tag == "ItemIn":
            result.item_in = item_line(r, c, False)
        elif tag == "UnitPrice":
            result.unit_price = rd.money_of(r, c, unit_price=True)
        elif tag == "Tax":
            result.tax = rd.tax(r, c)
        elif tag == "Shipping":
            result.shipping = rd.shipping(r, c)
        elif tag == "Comments":
            result.comments.append(rd.comment(r, c))
        elif tag == "Extrinsic":
            result.extrinsics.append(rd.extrinsic(r, c))
        else:
            r.unknown(c, el)
    return result


def ship_notice_request(r: Reader, el: _Element) -> ShipNoticeRequest:
    header: ShipNoticeHeader | None = None
    result = ShipNoticeRequest(ShipNoticeHeader("", None), source=el)
    for c in el:
        tag = c.tag
        if tag == "ShipNoticeHeader":
            header = ship_notice_header(r, c)
        elif tag == "ShipControl":
            control = ShipControl(start_date=r.date(c, "startDate"), source=c)
            for s in c:
                if s.tag == "CarrierIdentifier":
                    control.carriers.append(CarrierIdentifier(s.get("domain") or "", text(s), source=s))
                elif s.tag == "ShipmentIdentifier":
                    control.shipment_identifiers.append(
                        ShipmentIdentifier(text(s), s.get("domain"), s.get("trackingURL"), source=s)
                    )
                else:
                    r.unknown(s, c)
            result.controls.append(control)
        elif tag == "ShipNoticePortion":
            result.portions.append(ship_notice_portion(r, c))
        else:
            r.unknown(c, el)
    if header is None:
        raise r.invalid(el, "<ShipNoticeRequest> has no ShipNoticeHeader: send shipmentID and noticeDate")
    result.header = header
    return result


def ship_notice_header(r: Reader, el: _Element) -> ShipNoticeHeader:
    result = ShipNoticeHeader(
        el.get("shipmentID") or "",
        r.date(el, "noticeDate"),
        shipment_date=r.date(el, "shipmentDate"),
        delivery_date=r.date(el, "deliveryDate"),
        operation=r.enum(el, "operation", ShipNoticeOperation, ShipNoticeOperation.NEW),
        source=el,
    )
    for c in el:
        tag = c.tag
        if tag == "Comments":
            result.comments.append(rd.comment(r, c))
        elif tag == "Contact":
            result.contacts.append(rd.contact(r, c))
        elif tag == "Extrinsic":
            result.extrinsics.append(rd.extrinsic(r, c))
        elif tag == "ServiceLevel":
            result.service_levels.append(ServiceLevel(text(c), c.get(rd.XML_LANG), source=c))
        elif tag == "TermsOfDelivery":
            result.terms_of_delivery = rd.terms_of_delivery(r, c)
        else:
            r.unknown(c, el)
    return result


def ship_notice_portion(r: Reader, el: _Element) -> ShipNoticePortion:
    reference: _Element | None = None
    result = ShipNoticePortion(OrderReference(), source=el)
    for c in el:
        tag = c.tag
        if tag == "ShipNoticeItem":
            item = ShipNoticeItem(_line_number(r, c), r.decimal(c, c.get("quantity"), "@quantity"), source=c)
            for s in c:
                if s.tag == "UnitOfMeasure":
                    item.unit_of_measure = text(s)
                elif s.tag == "ItemID":
                    item.item_id = rd.item_id(r, s)
                elif s.tag == "ShipNoticeItemDetail":
                    item.detail = ship_notice_item_detail(r, s)
                elif s.tag == "TermsOfDelivery":
                    item.terms_of_delivery = rd.terms_of_delivery(r, s)
                else:
                    r.unknown(s, c)
            result.items.append(item)
        elif tag == "OrderReference":
            reference = c
        elif tag == "Comments":
            result.comments.append(rd.comment(r, c))
        elif tag == "Extrinsic":
            result.extrinsics.append(rd.extrinsic(r, c))
        else:
            r.unknown(c, el)
    result.order_reference = _order_reference_child(r, el, reference)
    return result


def ship_notice_item_detail(r: Reader, el: _Element) -> ShipNoticeItemDetail:
    result = ShipNoticeItemDetail(source=el)
    for c in el:
        tag = c.tag
        if tag == "UnitPrice":
            result.unit_price = rd.money_of(r, c, unit_price=True)
        elif tag == "Description":
            result.descriptions.append(rd.description(r, c))
        elif tag == "UnitOfMeasure":
            result.unit_of_measure = text(c)
        else:
            r.unknown(c, el)
    return result


# -- Invoice -----------------------------------------------------------------------------------
def _yes_attributes(el: _Element) -> list[str]:
    return [str(k) for k, v in el.attrib.items() if v == "yes"]


def invoice_request(r: Reader, el: _Element) -> InvoiceDetailRequest:
    header: InvoiceDetailRequestHeader | None = None
    orders: list[InvoiceDetailOrder] = []
    summary: InvoiceDetailSummary | None = None
    for c in el:
        tag = c.tag
        if tag == "InvoiceDetailOrder":
            orders.append(invoice_order(r, c))
        elif tag == "InvoiceDetailRequestHeader":
            header = invoice_header(r, c)
        elif tag == "InvoiceDetailSummary":
            summary = invoice_summary(r, c)
        else:
            r.unknown(c, el)
    if header is None:
        raise r.invalid(el, "<InvoiceDetailRequest> has no InvoiceDetailRequestHeader: send invoiceID")
    if summary is None:
        raise r.invalid(el, "<InvoiceDetailRequest> has no InvoiceDetailSummary: send the invoice totals")
    return InvoiceDetailRequest(header, orders, summary, source=el)


def invoice_header(r: Reader, el: _Element) -> InvoiceDetailRequestHeader:
    invoice_id = el.get("invoiceID")
    if not invoice_id:
        raise r.invalid(el, "<InvoiceDetailRequestHeader> has no invoiceID: send your invoice number")
    result = InvoiceDetailRequestHeader(
        invoice_id,
        r.date(el, "invoiceDate"),
        purpose=r.enum(el, "purpose", InvoicePurpose, InvoicePurpose.STANDARD),
        operation=r.enum(el, "operation", InvoiceOperation, InvoiceOperation.NEW),
        source=el,
    )
    for c in el:
        tag = c.tag
        if tag == "InvoicePartner":
            partner = InvoicePartner(Contact(""), source=c)
            for p in c:
                if p.tag == "Contact":
                    partner.contact = rd.contact(r, p)
                elif p.tag == "IdReference":
                    partner.id_references[p.get("domain") or ""] = p.get("identifier") or ""
                else:
                    r.unknown(p, c)
            result.partners.append(partner)
        elif tag == "InvoiceDetailHeaderIndicator":
            result.header_indicators = _yes_attributes(c)
        elif tag == "InvoiceDetailLineIndicator":
            result.line_indicators = _yes_attributes(c)
        elif tag == "Comments":
            result.comments = rd.comment(r, c)
        elif tag == "Extrinsic":
            result.extrinsics.append(rd.extrinsic(r, c))
        elif tag in ("PaymentTerm", "InvoiceDetailPaymentTerm"):
            result.payment_terms.append(rd.payment_term(r, c))
        else:
            r.unknown(c, el)
    return result


def invoice_order(r: Reader, el: _Element) -> InvoiceDetailOrder:
    result = InvoiceDetailOrder(OrderReference(), source=el)
    for c in el:
        tag = c.tag
        if tag == "InvoiceDetailItem":
            result.items.append(invoice_item(r, c))
        elif tag == "InvoiceDetailOrderInfo":
            for o in c:
                if o.tag in ("OrderReference", "OrderIDInfo"):
                    result.order_reference = rd.order_reference(r, o)
                else:
                    r.unknown(o, c)
        else:
            r.unknown(c, el)
    return result


def invoice_item(r: Reader, el: _Element) -> InvoiceDetailItem:
    result = InvoiceDetailItem(
        _line_number(r, el, "invoiceLineNumber"),
        r.decimal(el, el.get("quantity"), "@quantity"),
        InvoiceDetailItemReference(0),
        source=el,
    )
    for c in el:
        tag = c.tag
        if tag == "UnitOfMeasure":
            result.unit_of_measure = text(c)
        elif tag == "UnitPrice":
            result.unit_price = rd.money_of(r, c, unit_price=True)
        elif tag == "InvoiceDetailItemReference":
            result.reference = invoice_item_reference(r, c)
        elif tag == "SubtotalAmount":
            result.subtotal_amount = rd.money_of(r, c)
        elif tag == "Tax":
            result.tax = rd.tax(r, c)
        elif tag == "GrossAmount":
            result.gross_amount = rd.money_of(r, c)
        elif tag == "NetAmount":
            result.net_amount = rd.money_of(r, c)
        elif tag == "Comments":
            result.comments = rd.comment(r, c)
        elif tag == "Extrinsic":
            result.extrinsics.append(rd.extrinsic(r, c))
        else:
            r.unknown(c, el)
    return result


def invoice_item_reference(r: Reader, el: _Element) -> InvoiceDetailItemReference:
    result = InvoiceDetailItemReference(_line_number(r, el), source=el)
    for c in el:
        tag = c.tag
        if tag == "ItemID":
            result.item_id = rd.item_id(r, c)
        elif tag == "Description":
            result.description = rd.description(r, c)
        elif tag == "Classification":
            result.classifications.append(
                Classification(c.get("domain") or "", text(c), c.get("code"), source=c)
            )
        elif tag == "ManufacturerPartID":
            result.manufacturer_part_id = text(c)
        elif tag == "ManufacturerName":
            result.manufacturer_name = text(c)
        else:
            r.unknown(c, el)
    return result


def invoice_summary(r: Reader, el: _Element) -> InvoiceDetailSummary:
    result = InvoiceDetailSummary(None, None, None, source=el)
    for c in el:
        tag = c.tag
        if tag == "SubtotalAmount":
            result.subtotal_amount = rd.money_of(r, c)
        elif tag == "Tax":
            result.tax = rd.tax(r, c)
        elif tag == "SpecialHandlingAmount":
            result.special_handling_amount = rd.money_of(r, c)
        elif tag == "ShippingAmount":
            result.shipping_amount = rd.money_of(r, c)
        elif tag == "GrossAmount":
            result.gross_amount = rd.money_of(r, c)
        elif tag == "NetAmount":
            result.net_amount = rd.money_of(r, c)
        elif tag == "DueAmount":
            result.due_amount = rd.money_of(r, c)
        else:
            r.unknown(c, el)
    return result


# -- Profile and status ------------------------------------------------------------------------
def profile_request(r: Reader, el: _Element) -> ProfileRequest:
    for c in el:
        r.unknown(c, el)
    return ProfileRequest(source=el)


def _option(r: Reader, el: _Element) -> Option:
    return Option(el.get("name") or "", text(el), source=el)


def profile_response(r: Reader, el: _Element) -> ProfileResponse:
    result = ProfileResponse(r.date(el, "effectiveDate"), last_refresh=r.date(el, "lastRefresh"), source=el)
    for c in el:
        if c.tag == "Transaction":
            transaction = Transaction(c.get("requestName") or "", "", source=c)
            for t in c:
                if t.tag == "URL":
                    transaction.url = text(t)
                elif t.tag == "Option":
                    transaction.options.append(_option(r, t))
                else:
                    r.unknown(t, c)
            result.transactions.append(transaction)
        elif c.tag == "Option":
            result.options.append(_option(r, c))
        else:
            r.unknown(c, el)
    return result


def status_update_request(r: Reader, el: _Element) -> StatusUpdateRequest:
    result = StatusUpdateRequest(Status(0, ""), source=el)
    seen_status = False
    for c in el:
        tag = c.tag
        if tag == "Status":
            result.status, seen_status = rd.status(r, c), True
        elif tag == "DocumentReference":
            result.document_reference = c.get("payloadID")
        elif tag == "InvoiceStatus":
            invoice = InvoiceStatus(
                r.enum(c, "type", InvoiceStatusType, InvoiceStatusType.PROCESSING),
                payment_net_due_date=r.date(c, "paymentNetDueDate"),
                source=c,
            )
            for s in c:
                if s.tag == "InvoiceIDInfo":
                    invoice.invoice_id = s.get("invoiceID")
                    invoice.invoice_date = r.date(s, "invoiceDate")
                elif s.tag == "PartialAmount":
                    invoice.partial_amount = rd.money_of(r, s)
                elif s.tag == "Comments":
                    invoice.comments.append(rd.comment(r, s))
                else:
                    r.unknown(s, c)
            result.invoice_status = invoice
        elif tag == "DocumentStatus":
            document = DocumentStatus(c.get("type") or "", source=c)
            for s in c:
                if s.tag == "DocumentInfo":
                    document.document_id = s.get("documentID")
                    document.document_type = s.get("documentType")
                    document.document_date = r.date(s, "documentDate")
                elif s.tag == "Comments":
                    document.comments.append(rd.comment(r, s))
                else:
                    r.unknown(s, c)
            result.document_status = document
        elif tag == "Extrinsic":
            result.extrinsics.append(rd.extrinsic(r, c))
        else:
            r.unknown(c, el)
    if not seen_status:
        raise r.invalid(el, "<StatusUpdateRequest> has no Status: send the code and text of the update")
    return result


Binder = Callable[[Reader, _Element], MessageBody]

#: Supported bodies by wrapper element: what may appear inside Request, Message and Response.
REQUESTS: dict[str, Binder] = {
    "PunchOutSetupRequest": setup_request,
    "OrderRequest": order_request,
    "ConfirmationRequest": confirmation_request,
    "ShipNoticeRequest": ship_notice_request,
    "InvoiceDetailRequest": invoice_request,
    "ProfileRequest": profile_request,
    "StatusUpdateRequest": status_update_request,
}
MESSAGES: dict[str, Binder] = {"PunchOutOrderMessage": order_message}
RESPONSES: dict[str, Binder] = {
    "PunchOutSetupResponse": setup_response,
    "ProfileResponse": profile_response,
}
