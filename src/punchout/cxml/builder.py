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
from punchout.cxml._carry import Carrier, Note
from punchout.cxml._write import XML_LANG, Writer, need, number, sub
from punchout.cxml.common import CXML, Header
from punchout.cxml.dtd import CXML_VERSION, doctype
from punchout.cxml.errors import BuildError
from punchout.cxml.fulfill import ConfirmationRequest, ShipNoticeRequest
from punchout.cxml.invoice import InvoiceDetailRequest
from punchout.cxml.limits import MORE_WARNINGS
from punchout.cxml.order import ItemOut, OrderRequest
from punchout.cxml.profile import Option, ProfileRequest, ProfileResponse, Response, StatusUpdateRequest
from punchout.cxml.punchout_msgs import (
    PunchOutOrderMessage,
    PunchOutSetupRequest,
    PunchOutSetupResponse,
)
from punchout.cxml.schema import module_for, schema

__all__ = ["DEFAULT_USER_AGENT", "build", "build_with_notes"]

DEFAULT_USER_AGENT = "OpenProcure punchout 0.1"

_Element = etree._Element


def build(document: CXML) -> bytes:
    """Serialise ``document`` as a DTD-valid cXML 1.2.071 document (UTF-8 bytes).

    What a document read by :func:`~punchout.cxml.parse` holds and its model does not interpret is
    carried over at its DTD place (see :mod:`punchout.cxml._carry`).
    """
    return build_with_notes(document)[0]


def build_with_notes(document: CXML) -> tuple[bytes, list[Note]]:
    """:func:`build`, and what it did with content it carried: kept as written, or left out."""
    kind = document.kind
    writer = _WRITERS.get(kind)
    if writer is None:
        raise BuildError(f"cannot write a {kind}: not a supported message type")
    w = Writer(document.lang or "en")
    root = w.record(etree.Element("cXML"), document)
    root.set(
        "payloadID",
        need(document.payload_id, "/cXML/@payloadID", "cXML requires a payloadID that identifies it"),
    )
    root.set(
        "timestamp",
        w.required_when(
            document.timestamp, document.source, "timestamp", "/cXML", "cXML requires the time it was sent"
        ),
    )
    root.set("version", CXML_VERSION)
    if document.lang:
        root.set(XML_LANG, document.lang)
    try:
        if kind in _RESPONSE_BODIES:
            response = sub(root, "Response")
            wr.status(w, response, need(document.status, "/cXML/Response/Status", "cXML requires a Status"))
            if kind != "Response":
                writer(w, response, document.message, f"/cXML/Response/{kind}")
        else:
            _header(w, root, need(document.header, "/cXML/Header", "cXML requires From, To and Sender"))
            wrapper_tag = "Message" if kind == "PunchOutOrderMessage" else "Request"
            wrapper = sub(root, wrapper_tag, attrs={"deploymentMode": document.deployment_mode.value})
            if wrapper_tag == "Message":
                if document.in_reply_to is not None:
                    wrapper.set("inReplyTo", document.in_reply_to)
                if document.status is not None:
                    wr.status(w, wrapper, document.status)
            writer(w, wrapper, document.message, f"/cXML/{wrapper_tag}/{kind}")
        carrier = Carrier(schema(module_for(kind)), w.sources)
        carrier.carry(root)
    except ValueError as exc:  # lxml refuses text XML 1.0 cannot carry (control characters, NUL)
        raise BuildError(
            f"the document holds text XML cannot carry ({exc}); remove control characters"
        ) from None
    body = bytes(
        etree.tostring(
            root.getroottree(),
            xml_declaration=True,
            encoding="UTF-8",
            doctype=doctype(kind),
            pretty_print=True,
        )
    )
    notes = [*w.notes, *carrier.notes]
    if carrier.more_notes:
        notes.append(Note(MORE_WARNINGS, "/cXML", f"{carrier.more_notes} more notes were not listed"))
    return body, notes


def _header(w: Writer, root: _Element, header: Header) -> None:
    el = w.record(sub(root, "Header"), header)
    for tag, credentials in (("From", header.from_), ("To", header.to), ("Sender", header.sender)):
        party = sub(el, tag)
        for credential in need(credentials, f"/cXML/Header/{tag}/Credential", "cXML requires a Credential"):
            wr.credential(w, party, credential)
    # UserAgent names the transmitting software: when the model has none, that software is us.
    sub(party, "UserAgent", header.user_agent or DEFAULT_USER_AGENT)


# -- PunchOut ------------------------------------------------------------------------------------
def _setup_request(w: Writer, parent: _Element, m: PunchOutSetupRequest, path: str) -> None:
    el = w.record(sub(parent, "PunchOutSetupRequest", attrs={"operation": m.operation.value}), m)
    sub(el, "BuyerCookie", m.buyer_cookie)
    wr.extrinsics(w, el, m.extrinsics)
    if m.browser_form_post_url is not None:
        sub(sub(el, "BrowserFormPost"), "URL", m.browser_form_post_url)
    wr.contacts(w, el, m.contacts, path)
    if m.supplier_setup_url is not None:
        sub(sub(el, "SupplierSetup"), "URL", m.supplier_setup_url)
    wr.wrapped_address(w, el, "ShipTo", m.ship_to, path)
    if m.selected_item is not None:
        wr.item_id(w, sub(el, "SelectedItem"), m.selected_item)
    for index, item in enumerate(m.items, 1):
        _item_out(w, el, item, f"{path}/ItemOut[{index}]")


def _setup_response(w: Writer, parent: _Element, m: PunchOutSetupResponse, path: str) -> None:
    # an empty URL is written as sent (the parser warns about it; a buyer refuses it)
    sub(sub(w.record(sub(parent, "PunchOutSetupResponse"), m), "StartPage"), "URL", m.start_page_url)


def _order_message(w: Writer, parent: _Element, m: PunchOutOrderMessage, path: str) -> None:
    el = w.record(sub(parent, "PunchOutOrderMessage"), m)
    sub(el, "BuyerCookie", m.buyer_cookie)
    header = w.record(
        sub(el, "PunchOutOrderMessageHeader", attrs={"operationAllowed": m.header.operation_allowed.value}),
        m.header,
    )
    hpath = f"{path}/PunchOutOrderMessageHeader"
    wr.money_in(header, "Total", m.header.total, hpath, w=w)
    wr.wrapped_address(w, header, "ShipTo", m.header.ship_to, hpath)
    wr.shipping(w, header, m.header.shipping, hpath)
    wr.tax(w, header, m.header.tax, hpath)
    for index, item in enumerate(m.items, 1):
        wr.item_in(w, el, item, f"{path}/ItemIn[{index}]")


# -- OrderRequest --------------------------------------------------------------------------------
def _item_out(w: Writer, parent: _Element, item: ItemOut, path: str) -> None:
    el = w.record(
        sub(
            parent,
            "ItemOut",
            attrs={
                "quantity": number(item.quantity),
                "requestedDeliveryDate": w.when(
                    item.requested_delivery_date, item.source, "requestedDeliveryDate", path
                ),
                "lineNumber": number(item.line_number),
            },
        ),
        item,
    )
    wr.item_id(w, el, item.item_id)
    if item.item_detail is not None:
        wr.item_detail(w, el, item.item_detail, path)
    wr.wrapped_address(w, el, "ShipTo", item.ship_to, path)
    wr.shipping(w, el, item.shipping, path)
    wr.tax(w, el, item.tax, path)
    for distribution in item.distributions:
        wr.distribution(w, el, distribution, path)
    wr.contacts(w, el, item.contacts, path)
    wr.terms_of_delivery(w, el, item.terms_of_delivery)
    wr.comments(w, el, item.comments)
    for line in item.schedule_lines:
        line_el = w.record(
            sub(
                el,
                "ScheduleLine",
                attrs={
                    "quantity": number(line.quantity),
                    "lineNumber": number(line.line_number),
                    "requestedDeliveryDate": w.required_when(
                        line.requested_delivery_date,
                        line.source,
                        "requestedDeliveryDate",
                        f"{path}/ScheduleLine",
                        "cXML requires the date the scheduled quantity is wanted",
                    ),
                },
            ),
            line,
        )
        wr.unit_of_measure(line_el, line.unit_of_measure, f"{path}/ScheduleLine")


def _order_request(w: Writer, parent: _Element, m: OrderRequest, path: str) -> None:
    el = w.record(sub(parent, "OrderRequest"), m)
    h = m.header
    hpath = f"{path}/OrderRequestHeader"
    header = w.record(
        sub(
            el,
            "OrderRequestHeader",
            attrs={
                "orderID": need(h.order_id, f"{hpath}/@orderID", "cXML requires the purchase order number"),
                "orderDate": w.required_when(
                    h.order_date, h.source, "orderDate", hpath, "cXML requires the order date"
                ),
                "type": h.type.value,
                "orderType": h.order_type.value,
                "orderVersion": number(h.order_version),
                "requestedDeliveryDate": w.when(
                    h.requested_delivery_date, h.source, "requestedDeliveryDate", hpath
                ),
            },
        ),
        h,
    )
    wr.money_in(header, "Total", h.total, hpath, w=w)
    wr.wrapped_address(w, header, "ShipTo", h.ship_to, hpath)
    wr.wrapped_address(
        w, header, "BillTo", need(h.bill_to, f"{hpath}/BillTo", "cXML requires the address to bill"), hpath
    )
    wr.shipping(w, header, h.shipping, hpath)
    wr.tax(w, header, h.tax, hpath)
    if h.payment is not None:
        w.record(
            sub(
                sub(header, "Payment"),
                "PCard",
                attrs={
                    "number": h.payment.number,
                    "expiration": h.payment.expiration,
                    "name": h.payment.name,
                },
            ),
            h.payment,
        )
    wr.payment_terms(w, header, h.payment_terms)
    wr.contacts(w, header, h.contacts, hpath)
    wr.comments(w, header, h.comments)
    if h.document_reference is not None:
        sub(header, "DocumentReference", attrs={"payloadID": h.document_reference})
    wr.terms_of_delivery(w, header, h.terms_of_delivery)
    wr.extrinsics(w, header, h.extrinsics)
    for index, item in enumerate(need(m.items, f"{path}/ItemOut", "cXML requires at least one line"), 1):
        _item_out(w, el, item, f"{path}/ItemOut[{index}]")


# -- Profile, status, response -------------------------------------------------------------------
def _profile_request(w: Writer, parent: _Element, m: ProfileRequest, path: str) -> None:
    w.record(sub(parent, "ProfileRequest"), m)


def _profile_response(w: Writer, parent: _Element, m: ProfileResponse, path: str) -> None:
    el = w.record(
        sub(
            parent,
            "ProfileResponse",
            attrs={
                "effectiveDate": w.required_when(
                    m.effective_date,
                    m.source,
                    "effectiveDate",
                    path,
                    "cXML requires the date the profile takes effect",
                ),
                "lastRefresh": w.when(m.last_refresh, m.source, "lastRefresh", path),
            },
        ),
        m,
    )
    _options(w, el, m.options)
    for transaction in need(m.transactions, f"{path}/Transaction", "cXML requires at least one Transaction"):
        t = w.record(sub(el, "Transaction", attrs={"requestName": transaction.request_name}), transaction)
        sub(t, "URL", transaction.url)
        _options(w, t, transaction.options)


def _options(w: Writer, parent: _Element, options: list[Option]) -> None:
    for option in options:
        w.record(sub(parent, "Option", option.value, {"name": option.name}), option)


def _status_update(w: Writer, parent: _Element, m: StatusUpdateRequest, path: str) -> None:
    el = w.record(sub(parent, "StatusUpdateRequest"), m)
    if m.document_reference is not None:
        sub(el, "DocumentReference", attrs={"payloadID": m.document_reference})
    wr.status(w, el, m.status)
    invoice = m.invoice_status
    if invoice is not None:
        due = w.when(
            invoice.payment_net_due_date, invoice.source, "paymentNetDueDate", f"{path}/InvoiceStatus"
        )
        inv = w.record(
            sub(el, "InvoiceStatus", attrs={"type": invoice.type.value, "paymentNetDueDate": due}), invoice
        )
        if invoice.invoice_id is not None:
            info = invoice.source.find("InvoiceIDInfo") if invoice.source is not None else None
            attrs = {
                "invoiceID": invoice.invoice_id,
                "invoiceDate": w.when(invoice.invoice_date, info, "invoiceDate", f"{path}/InvoiceStatus"),
            }
            sub(inv, "InvoiceIDInfo", attrs=attrs)
        if invoice.partial_amount is not None:
            wr.money_in(inv, "PartialAmount", invoice.partial_amount, f"{path}/InvoiceStatus")
        wr.comments(w, inv, invoice.comments)
    document = m.document_status
    if document is not None:
        if invoice is not None:
            raise BuildError(
                "a StatusUpdateRequest carries one status (InvoiceStatus or DocumentStatus): send two updates",
                path=f"{path}/DocumentStatus",
            )
        doc = w.record(sub(el, "DocumentStatus", attrs={"type": document.type}), document)
        if document.document_id is not None:
            info = document.source.find("DocumentInfo") if document.source is not None else None
            sub(
                doc,
                "DocumentInfo",
                attrs={
                    "documentID": document.document_id,
                    "documentType": document.document_type or "",
                    "documentDate": w.when(
                        document.document_date, info, "documentDate", f"{path}/DocumentStatus"
                    ),
                },
            )
        wr.comments(w, doc, document.comments)
    wr.extrinsics(w, el, m.extrinsics)


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
