"""``build()``: strict out. Emits cXML 1.2.071 that validates against the right DTD module.

UTF-8 with an XML declaration, the DOCTYPE of the message's module, elements in DTD order,
ISO 8601 timestamps with a ``±hh:mm`` offset, money quantized to the currency's minor unit (unit
prices keep up to four decimals). An incomplete model raises :class:`BuildError` naming the path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from punchout.cxml import _write as wr
from punchout.cxml import _write_docs as docs
from punchout.cxml._write import XML_LANG, Writer, date, need, number, sub
from punchout.cxml.common import CXML, Header
from punchout.cxml.dtd import CXML_VERSION, doctype
from punchout.cxml.errors import BuildError
from punchout.cxml.fulfill import ConfirmationRequest, ShipNoticeRequest
from punchout.cxml.invoice import InvoiceDetailRequest
from punchout.cxml.order import ItemOut, OrderRequest
from punchout.cxml.profile import ProfileRequest, ProfileResponse, Response, StatusUpdateRequest
from punchout.cxml.punchout_msgs import (
    PunchOutOrderMessage,
    PunchOutSetupRequest,
    PunchOutSetupResponse,
)

__all__ = ["DEFAULT_USER_AGENT", "build"]

DEFAULT_USER_AGENT = "OpenProcure punchout 0.1"

_Element = etree._Element


def build(document: CXML) -> bytes:
    """Serialise ``document`` as a DTD-valid cXML 1.2.071 document (UTF-8 bytes)."""
    kind = document.kind
    writer = _WRITERS.get(kind)
    if writer is None:
        raise BuildError(f"cannot build a {kind}: not a supported message type")
    w = Writer(document.lang or "en")
    root = etree.Element("cXML")
    root.set("payloadID", need(document.payload_id, "/cXML/@payloadID", "use new_payload_id(domain)"))
    root.set(
        "timestamp",
        need(date(document.timestamp, "/cXML/@timestamp"), "/cXML/@timestamp", "a timestamp is required"),
    )
    root.set("version", CXML_VERSION)
    if document.lang:
        root.set(XML_LANG, document.lang)
    try:
        if kind in _RESPONSE_BODIES:
            response = sub(root, "Response")
            wr.status(response, need(document.status, "/cXML/Response/Status", "a Response needs a Status"))
            if kind != "Response":
                writer(w, response, document.message, f"/cXML/Response/{kind}")
        else:
            _header(root, need(document.header, "/cXML/Header", "use make_header(...)"))
            wrapper_tag = "Message" if kind == "PunchOutOrderMessage" else "Request"
            wrapper = sub(root, wrapper_tag, attrs={"deploymentMode": document.deployment_mode.value})
            if wrapper_tag == "Message":
                if document.in_reply_to is not None:
                    wrapper.set("inReplyTo", document.in_reply_to)
                if document.status is not None:
                    wr.status(wrapper, document.status)
            writer(w, wrapper, document.message, f"/cXML/{wrapper_tag}/{kind}")
    except ValueError as exc:  # lxml refuses text XML 1.0 cannot carry (control characters, NUL)
        raise BuildError(f"cannot build {kind}: {exc}; remove control characters from the text") from None
    return bytes(
        etree.tostring(
            root.getroottree(),
            xml_declaration=True,
            encoding="UTF-8",
            doctype=doctype(kind),
            pretty_print=True,
        )
    )


def _header(root: _Element, header: Header) -> None:
    el = sub(root, "Header")
    for tag, credentials in (("From", header.from_), ("To", header.to), ("Sender", header.sender)):
        party = sub(el, tag)
        for credential in need(credentials, f"/cXML/Header/{tag}", "at least one Credential is required"):
            wr.credential(party, credential)
    # UserAgent names the transmitting software: when the model has none, that software is us.
    sub(party, "UserAgent", header.user_agent or DEFAULT_USER_AGENT)


# -- PunchOut ------------------------------------------------------------------------------------
def _setup_request(w: Writer, parent: _Element, m: PunchOutSetupRequest, path: str) -> None:
    el = sub(parent, "PunchOutSetupRequest", attrs={"operation": m.operation.value})
    sub(el, "BuyerCookie", m.buyer_cookie)
    wr.extrinsics(el, m.extrinsics)
    if m.browser_form_post_url is not None:
        sub(sub(el, "BrowserFormPost"), "URL", m.browser_form_post_url)
    wr.contacts(w, el, m.contacts, path)
    if m.supplier_setup_url is not None:
        sub(sub(el, "SupplierSetup"), "URL", m.supplier_setup_url)
    wr.wrapped_address(w, el, "ShipTo", m.ship_to, path)
    if m.selected_item is not None:
        wr.item_id(sub(el, "SelectedItem"), m.selected_item)
    for index, item in enumerate(m.items, 1):
        _item_out(w, el, item, f"{path}/ItemOut[{index}]")


def _setup_response(w: Writer, parent: _Element, m: PunchOutSetupResponse, path: str) -> None:
    url = need(m.start_page_url, f"{path}/StartPage/URL", "the start page URL is required")
    sub(sub(sub(parent, "PunchOutSetupResponse"), "StartPage"), "URL", url)


def _order_message(w: Writer, parent: _Element, m: PunchOutOrderMessage, path: str) -> None:
    el = sub(parent, "PunchOutOrderMessage")
    sub(el, "BuyerCookie", m.buyer_cookie)
    header = sub(
        el, "PunchOutOrderMessageHeader", attrs={"operationAllowed": m.header.operation_allowed.value}
    )
    hpath = f"{path}/PunchOutOrderMessageHeader"
    wr.money_in(header, "Total", m.header.total, hpath)
    wr.wrapped_address(w, header, "ShipTo", m.header.ship_to, hpath)
    wr.shipping(w, header, m.header.shipping, hpath)
    wr.tax(w, header, m.header.tax, hpath)
    for index, item in enumerate(m.items, 1):
        wr.item_in(w, el, item, f"{path}/ItemIn[{index}]")


# -- OrderRequest --------------------------------------------------------------------------------
def _item_out(w: Writer, parent: _Element, item: ItemOut, path: str) -> None:
    el = sub(
        parent,
        "ItemOut",
        attrs={
            "quantity": number(item.quantity),
            "requestedDeliveryDate": date(item.requested_delivery_date, f"{path}/@requestedDeliveryDate"),
            "lineNumber": number(item.line_number),
        },
    )
    wr.item_id(el, item.item_id)
    if item.item_detail is not None:
        wr.item_detail(w, el, item.item_detail, path)
    wr.wrapped_address(w, el, "ShipTo", item.ship_to, path)
    wr.shipping(w, el, item.shipping, path)
    wr.tax(w, el, item.tax, path)
    for distribution in item.distributions:
        wr.distribution(w, el, distribution, path)
    wr.contacts(w, el, item.contacts, path)
    wr.comments(el, item.comments)
    for line in item.schedule_lines:
        line_el = sub(
            el,
            "ScheduleLine",
            attrs={
                "quantity": number(line.quantity),
                "lineNumber": number(line.line_number),
                "requestedDeliveryDate": need(
                    date(line.requested_delivery_date, f"{path}/ScheduleLine"),
                    f"{path}/ScheduleLine/@requestedDeliveryDate",
                    "a requested delivery date is required",
                ),
            },
        )
        sub(
            line_el, "UnitOfMeasure", need(line.unit_of_measure, f"{path}/ScheduleLine", "a unit is required")
        )


def _order_request(w: Writer, parent: _Element, m: OrderRequest, path: str) -> None:
    el = sub(parent, "OrderRequest")
    h = m.header
    hpath = f"{path}/OrderRequestHeader"
    header = sub(
        el,
        "OrderRequestHeader",
        attrs={
            "orderID": need(h.order_id, f"{hpath}/@orderID", "the purchase order number is required"),
            "orderDate": need(date(h.order_date, hpath), f"{hpath}/@orderDate", "the order date is required"),
            "type": h.type.value,
            "orderType": h.order_type.value,
            "orderVersion": number(h.order_version),
            "requestedDeliveryDate": date(h.requested_delivery_date, hpath),
        },
    )
    wr.money_in(header, "Total", h.total, hpath)
    wr.wrapped_address(w, header, "ShipTo", h.ship_to, hpath)
    wr.wrapped_address(
        w, header, "BillTo", need(h.bill_to, f"{hpath}/BillTo", "a BillTo address is required"), hpath
    )
    wr.shipping(w, header, h.shipping, hpath)
    wr.tax(w, header, h.tax, hpath)
    if h.payment is not None:
        sub(
            sub(header, "Payment"),
            "PCard",
            attrs={"number": h.payment.number, "expiration": h.payment.expiration, "name": h.payment.name},
        )
    wr.contacts(w, header, h.contacts, hpath)
    wr.comments(header, h.comments)
    wr.extrinsics(header, h.extrinsics)
    for index, item in enumerate(
        need(m.items, f"{path}/ItemOut", "at least one ItemOut line is required"), 1
    ):
        _item_out(w, el, item, f"{path}/ItemOut[{index}]")


# -- Profile, status, response -------------------------------------------------------------------
def _profile_request(w: Writer, parent: _Element, m: ProfileRequest, path: str) -> None:
    sub(parent, "ProfileRequest")


def _profile_response(w: Writer, parent: _Element, m: ProfileResponse, path: str) -> None:
    el = sub(
        parent,
        "ProfileResponse",
        attrs={
            "effectiveDate": need(date(m.effective_date, path), f"{path}/@effectiveDate", "required"),
            "lastRefresh": date(m.last_refresh, path),
        },
    )
    for option in m.options:
        sub(el, "Option", option.value, {"name": option.name})
    for transaction in need(m.transactions, f"{path}/Transaction", "at least one Transaction is required"):
        t = sub(el, "Transaction", attrs={"requestName": transaction.request_name})
        sub(t, "URL", transaction.url)
        for option in transaction.options:
            sub(t, "Option", option.value, {"name": option.name})


def _status_update(w: Writer, parent: _Element, m: StatusUpdateRequest, path: str) -> None:
    el = sub(parent, "StatusUpdateRequest")
    if m.document_reference is not None:
        sub(el, "DocumentReference", attrs={"payloadID": m.document_reference})
    wr.status(el, m.status)
    invoice = m.invoice_status
    if invoice is not None:
        inv = sub(el, "InvoiceStatus", attrs={"type": invoice.type.value})
        if invoice.invoice_id is not None:
            attrs = {"invoiceID": invoice.invoice_id, "invoiceDate": date(invoice.invoice_date, path)}
            sub(inv, "InvoiceIDInfo", attrs=attrs)
        wr.comments(inv, invoice.comments)
    wr.extrinsics(el, m.extrinsics)


_WRITERS: dict[str, Callable[[Writer, _Element, Any, str], None]] = {
    PunchOutSetupRequest.KIND: _setup_request,
    PunchOutSetupResponse.KIND: _setup_response,
    PunchOutOrderMessage.KIND: _order_message,
    OrderRequest.KIND: _order_request,
    ProfileRequest.KIND: _profile_request,
    ProfileResponse.KIND: _profile_response,
    StatusUpdateRequest.KIND: _status_update,
    Response.KIND: lambda w, parent, m, path: None,
    ConfirmationRequest.KIND: docs.confirmation_request,
    ShipNoticeRequest.KIND: docs.ship_notice_request,
    InvoiceDetailRequest.KIND: docs.invoice_request,
}
_RESPONSE_BODIES = frozenset({Response.KIND, PunchOutSetupResponse.KIND, ProfileResponse.KIND})
