"""The children many elements hold alike (Total, Shipping, Tax, Contact, Comments, Extrinsic,
UnitPrice, UnitOfMeasure, TermsOfDelivery…) are read into the field of the same name in every
element that models them (each binder dispatches on them itself); a child an element does not
model is reported."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import TypeVar

from punchout.cxml import (
    ConfirmationRequest,
    InvoiceDetailRequest,
    Money,
    OrderRequest,
    PunchOutOrderMessage,
    PunchOutSetupRequest,
    ShipNoticeRequest,
    StatusUpdateRequest,
    parse,
)
from punchout.cxml.common import Comment, Shipping, Tax
from punchout.cxml.schema import module_for


def request(body: str, wrapper: str = "Request") -> bytes:
    kind = body[1 : body.index(">")].split()[0]
    return (
        f'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/{module_for(kind)}">'
        '<cXML payloadID="1@x" timestamp="2026-01-01T00:00:00+00:00">'
        '<Header><From><Credential domain="NetworkID"><Identity>a</Identity></Credential></From>'
        '<To><Credential domain="NetworkID"><Identity>b</Identity></Credential></To>'
        '<Sender><Credential domain="NetworkID"><Identity>a</Identity></Credential>'
        f"<UserAgent>u</UserAgent></Sender></Header><{wrapper}>{body}</{wrapper}></cXML>"
    ).encode()


TOTAL = '<Total><Money currency="USD">30.00</Money></Total>'
SHIPPING = (
    '<Shipping><Money currency="USD">5.00</Money><Description xml:lang="en">Ground</Description></Shipping>'
)
TAX = '<Tax><Money currency="USD">2.00</Money><Description xml:lang="en">VAT</Description></Tax>'
CONTACT = '<Contact role="supplierCorporate"><Name xml:lang="en">Sam</Name></Contact>'
SHIP_TO = '<ShipTo><Address><Name xml:lang="en">Dock 4</Name></Address></ShipTo>'
TERMS = (
    '<TermsOfDelivery><TermsOfDeliveryCode value="DeliveredAtPlace">DAP</TermsOfDeliveryCode>'
    '<ShippingPaymentMethod value="Prepaid"/><TransportTerms value="Other">by road</TransportTerms>'
    "</TermsOfDelivery>"
)


M = TypeVar("M")


def read(body: str, kind: type[M], wrapper: str = "Request") -> M:
    """The message of ``body``, read without a warning."""
    result = parse(request(body, wrapper))
    assert result.warnings == []
    message = result.document.message
    assert isinstance(message, kind)
    return message


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def charges(tax: Tax | None, shipping: Shipping | None) -> tuple[object, ...]:
    assert tax is not None and tax.description is not None
    assert shipping is not None and shipping.description is not None
    return (tax.money, tax.description.text, shipping.money, shipping.description.text)


def texts(comments: list[Comment]) -> list[str]:
    return [c.text for c in comments]


def test_confirmation_reads_its_shared_children() -> None:
    body = (
        '<ConfirmationRequest><ConfirmationHeader type="detail" noticeDate="2026-03-15T00:00:00+00:00">'
        f'{TOTAL}{SHIPPING}{TAX}{CONTACT}<Comments xml:lang="en">header note</Comments>'
        '<Extrinsic name="channel">EDI</Extrinsic></ConfirmationHeader>'
        '<OrderReference orderID="PO-1"><DocumentReference payloadID="po@x"/></OrderReference>'
        '<ConfirmationItem quantity="2" lineNumber="1"><UnitOfMeasure>EA</UnitOfMeasure>'
        '<ConfirmationStatus type="accept" quantity="2"><UnitOfMeasure>BX</UnitOfMeasure>'
        f'<UnitPrice><Money currency="USD">12.3456</Money></UnitPrice>{TAX}{SHIPPING}'
        '<Comments xml:lang="en">first</Comments><Comments xml:lang="en">second</Comments>'
        '<Extrinsic name="lot">L7</Extrinsic></ConfirmationStatus></ConfirmationItem></ConfirmationRequest>'
    )
    message = read(body, ConfirmationRequest)
    header = message.header
    assert header.total == usd("30.00")
    assert charges(header.tax, header.shipping) == (usd("2.00"), "VAT", usd("5.00"), "Ground")
    assert [(c.name, c.role) for c in header.contacts] == [("Sam", "supplierCorporate")]
    assert texts(header.comments) == ["header note"]
    assert [(x.name, x.value) for x in header.extrinsics] == [("channel", "EDI")]
    item = message.items[0]
    assert item.unit_of_measure == "EA"
    status = item.statuses[0]
    assert (status.unit_of_measure, status.unit_price) == ("BX", usd("12.3456"))
    assert charges(status.tax, status.shipping) == (usd("2.00"), "VAT", usd("5.00"), "Ground")
    assert texts(status.comments) == ["first", "second"]
    assert [(x.name, x.value) for x in status.extrinsics] == [("lot", "L7")]


def test_ship_notice_reads_its_shared_children() -> None:
    body = (
        '<ShipNoticeRequest><ShipNoticeHeader shipmentID="S-1" noticeDate="2026-03-15T00:00:00+00:00">'
        f'{CONTACT}<Comments xml:lang="en">header note</Comments>{TERMS}'
        '<Extrinsic name="dock">4</Extrinsic></ShipNoticeHeader>'
        '<ShipNoticePortion><OrderReference orderID="PO-1"><DocumentReference payloadID="po@x"/></OrderReference>'
        '<Comments xml:lang="en">portion note</Comments><Extrinsic name="pallet">P9</Extrinsic>'
        '<ShipNoticeItem lineNumber="1" quantity="5"><ItemID><SupplierPartID>SKU-1</SupplierPartID></ItemID>'
        '<ShipNoticeItemDetail><UnitPrice><Money currency="USD">1.25</Money></UnitPrice>'
        '<Description xml:lang="en">Paper</Description><UnitOfMeasure>BX</UnitOfMeasure></ShipNoticeItemDetail>'
        f"<UnitOfMeasure>EA</UnitOfMeasure>{TERMS}</ShipNoticeItem></ShipNoticePortion></ShipNoticeRequest>"
    )
    message = read(body, ShipNoticeRequest)
    header = message.header
    assert [(c.name, c.role) for c in header.contacts] == [("Sam", "supplierCorporate")]
    assert texts(header.comments) == ["header note"]
    assert header.terms_of_delivery is not None
    assert (header.terms_of_delivery.code, header.terms_of_delivery.transport_terms_text) == (
        "DeliveredAtPlace",
        "by road",
    )
    assert [(x.name, x.value) for x in header.extrinsics] == [("dock", "4")]
    portion = message.portions[0]
    assert texts(portion.comments) == ["portion note"]
    assert [(x.name, x.value) for x in portion.extrinsics] == [("pallet", "P9")]
    item = portion.items[0]
    assert item.unit_of_measure == "EA"
    assert item.terms_of_delivery is not None
    assert (item.terms_of_delivery.code, item.terms_of_delivery.shipping_payment) == (
        "DeliveredAtPlace",
        "Prepaid",
    )
    assert item.detail is not None
    assert (item.detail.unit_price, item.detail.unit_of_measure) == (usd("1.25"), "BX")
    assert [d.text for d in item.detail.descriptions] == ["Paper"]


def test_invoice_reads_its_shared_children_and_keeps_the_last_comments() -> None:
    body = (
        '<InvoiceDetailRequest><InvoiceDetailRequestHeader invoiceID="INV-1" invoiceDate="2026-03-16T00:00:00+00:00">'
        "<InvoiceDetailHeaderIndicator/><InvoiceDetailLineIndicator/>"
        '<Comments xml:lang="en">first</Comments><Comments xml:lang="en">second</Comments>'
        '<Extrinsic name="terms">net 30</Extrinsic></InvoiceDetailRequestHeader>'
        '<InvoiceDetailOrder><InvoiceDetailOrderInfo><OrderReference orderID="PO-1">'
        '<DocumentReference payloadID="po@x"/></OrderReference></InvoiceDetailOrderInfo>'
        '<InvoiceDetailItem invoiceLineNumber="1" quantity="2"><UnitOfMeasure>EA</UnitOfMeasure>'
        '<UnitPrice><Money currency="USD">12.3456</Money></UnitPrice>'
        '<InvoiceDetailItemReference lineNumber="1"/>'
        f'<SubtotalAmount><Money currency="USD">24.69</Money></SubtotalAmount>{TAX}'
        '<GrossAmount><Money currency="USD">26.69</Money></GrossAmount>'
        '<NetAmount><Money currency="USD">26.00</Money></NetAmount>'
        '<Comments xml:lang="en">line one</Comments><Comments xml:lang="en">line two</Comments>'
        '<Extrinsic name="lot">L7</Extrinsic></InvoiceDetailItem></InvoiceDetailOrder>'
        '<InvoiceDetailSummary><SubtotalAmount><Money currency="USD">24.69</Money></SubtotalAmount>'
        f"{TAX}"
        '<SpecialHandlingAmount><Money currency="USD">1.00</Money></SpecialHandlingAmount>'
        '<ShippingAmount><Money currency="USD">3.00</Money></ShippingAmount>'
        '<GrossAmount><Money currency="USD">30.69</Money></GrossAmount>'
        '<NetAmount><Money currency="USD">30.00</Money></NetAmount>'
        '<DueAmount><Money currency="USD">30.00</Money></DueAmount>'
        "</InvoiceDetailSummary></InvoiceDetailRequest>"
    )
    message = read(body, InvoiceDetailRequest)
    header = message.header
    assert header.comments is not None and header.comments.text == "second"
    assert [(x.name, x.value) for x in header.extrinsics] == [("terms", "net 30")]
    item = message.orders[0].items[0]
    assert (item.unit_of_measure, item.unit_price, item.reference.line_number) == ("EA", usd("12.3456"), 1)
    assert item.tax is not None
    assert (item.subtotal_amount, item.tax.money, item.gross_amount, item.net_amount) == (
        usd("24.69"),
        usd("2.00"),
        usd("26.69"),
        usd("26.00"),
    )
    assert item.comments is not None and item.comments.text == "line two"
    assert [(x.name, x.value) for x in item.extrinsics] == [("lot", "L7")]
    summary = message.summary
    assert summary.tax is not None
    assert (
        summary.subtotal_amount,
        summary.tax.money,
        summary.special_handling_amount,
        summary.shipping_amount,
        summary.gross_amount,
        summary.net_amount,
        summary.due_amount,
    ) == (usd("24.69"), usd("2.00"), usd("1.00"), usd("3.00"), usd("30.69"), usd("30.00"), usd("30.00"))


def test_status_update_reads_its_shared_children() -> None:
    body = (
        '<StatusUpdateRequest><DocumentReference payloadID="inv@x"/><Status code="200" text="OK"/>'
        '<InvoiceStatus type="paid"><InvoiceIDInfo invoiceID="INV-1"/>'
        '<Comments xml:lang="en">paid in full</Comments></InvoiceStatus>'
        '<Extrinsic name="batch">B2</Extrinsic></StatusUpdateRequest>'
    )
    message = read(body, StatusUpdateRequest)
    assert message.document_reference == "inv@x"
    assert message.invoice_status is not None
    assert texts(message.invoice_status.comments) == ["paid in full"]
    assert [(x.name, x.value) for x in message.extrinsics] == [("batch", "B2")]
    body = (
        '<StatusUpdateRequest><Status code="200" text="OK"/><DocumentStatus type="accepted">'
        '<DocumentInfo documentID="D-1" documentType="QuoteMessage"/>'
        '<Comments xml:lang="en">seen</Comments></DocumentStatus></StatusUpdateRequest>'
    )
    message = read(body, StatusUpdateRequest)
    assert message.document_status is not None
    assert texts(message.document_status.comments) == ["seen"]


def test_order_and_punchout_headers_read_their_shared_children() -> None:
    body = (
        '<OrderRequest><OrderRequestHeader orderID="PO-1" orderDate="2026-03-14T00:00:00+00:00">'
        f"{TOTAL}{SHIP_TO}{SHIPPING}{TAX}{CONTACT}"
        f'<Comments xml:lang="en">note</Comments>{TERMS}<DocumentReference payloadID="prev@x"/>'
        '<Extrinsic name="costCenter">610</Extrinsic></OrderRequestHeader>'
        '<ItemOut quantity="1" lineNumber="1"><ItemID><SupplierPartID>SKU-1</SupplierPartID></ItemID>'
        '<ScheduleLine quantity="1" requestedDeliveryDate="2026-03-21T00:00:00+00:00">'
        "<UnitOfMeasure>EA</UnitOfMeasure></ScheduleLine></ItemOut></OrderRequest>"
    )
    message = read(body, OrderRequest)
    header = message.header
    assert header.total == usd("30.00")
    assert header.ship_to is not None and header.ship_to.name == "Dock 4"
    assert charges(header.tax, header.shipping) == (usd("2.00"), "VAT", usd("5.00"), "Ground")
    assert [(c.name, c.role) for c in header.contacts] == [("Sam", "supplierCorporate")]
    assert texts(header.comments) == ["note"]
    assert header.terms_of_delivery is not None and header.terms_of_delivery.code == "DeliveredAtPlace"
    assert header.document_reference == "prev@x"
    assert [(x.name, x.value) for x in header.extrinsics] == [("costCenter", "610")]
    schedule = message.items[0].schedule_lines[0]
    assert (schedule.requested_delivery_date, schedule.unit_of_measure) == (
        datetime(2026, 3, 21, tzinfo=UTC),
        "EA",
    )

    body = (
        '<PunchOutSetupRequest operation="create"><BuyerCookie>c1</BuyerCookie>'
        f'<Extrinsic name="User">jo</Extrinsic><BrowserFormPost><URL>https://b.example/cart</URL></BrowserFormPost>'
        f"{CONTACT}<SupplierSetup><URL>https://s.example/setup</URL></SupplierSetup>{SHIP_TO}"
        "</PunchOutSetupRequest>"
    )
    setup = read(body, PunchOutSetupRequest)
    assert [(x.name, x.value) for x in setup.extrinsics] == [("User", "jo")]
    assert [(c.name, c.role) for c in setup.contacts] == [("Sam", "supplierCorporate")]
    assert setup.ship_to is not None and setup.ship_to.name == "Dock 4"

    body = (
        "<PunchOutOrderMessage><BuyerCookie>c1</BuyerCookie><PunchOutOrderMessageHeader>"
        f"{TOTAL}{SHIPPING}{TAX}{SHIP_TO}</PunchOutOrderMessageHeader></PunchOutOrderMessage>"
    )
    cart = read(body, PunchOutOrderMessage, "Message")
    assert cart.header.total == usd("30.00")
    assert charges(cart.header.tax, cart.header.shipping) == (usd("2.00"), "VAT", usd("5.00"), "Ground")
    assert cart.header.ship_to is not None and cart.header.ship_to.name == "Dock 4"


def test_a_child_an_element_does_not_model_is_reported() -> None:
    # A ConfirmationItem reads UnitOfMeasure alike with other elements, but not a Tax, which
    # cXML does not allow there; a comment node passes silently.
    body = (
        '<ConfirmationRequest><ConfirmationHeader type="detail" noticeDate="2026-03-15T00:00:00+00:00"/>'
        '<OrderReference orderID="PO-1"><DocumentReference payloadID="po@x"/></OrderReference>'
        f'<ConfirmationItem quantity="2" lineNumber="1"><UnitOfMeasure>EA</UnitOfMeasure><!-- note -->{TAX}'
        "</ConfirmationItem></ConfirmationRequest>"
    )
    result = parse(request(body))
    message = result.document.message
    assert isinstance(message, ConfirmationRequest)
    assert message.items[0].unit_of_measure == "EA"
    assert [(w.code, w.path, w.message) for w in result.warnings] == [
        (
            "unknown-element",
            "/cXML/Request/ConfirmationRequest/ConfirmationItem/Tax",
            "<Tax> is not allowed inside <ConfirmationItem> in cXML 1.2.071; it cannot be kept",
        )
    ]
