"""Lenient parsing: what real peers send, the exact values we extract, and what we forgave."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from punchout.cxml import (
    ConfirmationRequest,
    ConfirmationStatusType,
    ConfirmationType,
    Credential,
    DeploymentMode,
    InvalidDocument,
    InvoiceDetailRequest,
    Money,
    OrderRequest,
    OrderRequestType,
    OrderType,
    ProfileResponse,
    PunchOutOperation,
    PunchOutOrderMessage,
    PunchOutSetupRequest,
    PunchOutSetupResponse,
    ShipNoticeRequest,
    StatusUpdateRequest,
    UnsupportedMessage,
    new_payload_id,
    parse,
    response_document,
)
from punchout.cxml.dates import format_datetime, parse_datetime
from punchout.cxml.dtd import module_for

# -- dates -----------------------------------------------------------------------------------------
PST = timezone(timedelta(hours=-8))


@pytest.mark.parametrize(
    ("text", "expected", "forgiven"),
    [
        (
            "2026-03-24T12:34:56+01:00",
            datetime(2026, 3, 24, 12, 34, 56, tzinfo=timezone(timedelta(hours=1))),
            False,
        ),
        ("2021-03-17T14:45:25.845Z", datetime(2021, 3, 17, 14, 45, 25, 845000, tzinfo=UTC), True),
        ("2015-12-07T09:30:06-0800", datetime(2015, 12, 7, 9, 30, 6, tzinfo=PST), True),
        ("2020-09-25 15:30:43", datetime(2020, 9, 25, 15, 30, 43, tzinfo=UTC), True),
        ("3/30/2015 11:56:16 AM", datetime(2015, 3, 30, 11, 56, 16, tzinfo=UTC), True),
        ("3/30/2015 1:05:00 PM", datetime(2015, 3, 30, 13, 5, tzinfo=UTC), True),
        ("Wed Oct 08 12:00:00 UTC 2025", datetime(2025, 10, 8, 12, tzinfo=UTC), True),
        ("Wed Oct 08 12:00:00 PST 2025", datetime(2025, 10, 8, 12, tzinfo=PST), True),
        ("20171211", datetime(2017, 12, 11, tzinfo=UTC), True),
        ("2024-01-01", datetime(2024, 1, 1, tzinfo=UTC), True),
    ],
)
def test_parse_datetime_formats(text: str, expected: datetime, forgiven: bool) -> None:
    value, note = parse_datetime(text)
    assert value == expected
    assert value is not None and value.utcoffset() == expected.utcoffset()
    assert (note is not None) is forgiven


@pytest.mark.parametrize("text", ["yesterday", "2024-13-01", "31/31/2020", ""])
def test_parse_datetime_gives_up_with_a_note(text: str) -> None:
    value, note = parse_datetime(text)
    assert value is None
    assert note is not None and "is not a date" in note


def test_format_datetime_requires_a_zone() -> None:
    assert format_datetime(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05+00:00"
    with pytest.raises(ValueError, match="zone"):
        format_datetime(datetime(2026, 1, 2))


# -- lenient envelope --------------------------------------------------------------------------
def poom(
    *, root_attrs: str = "", body: str = "", total: str = "10.00", lang: str = ' xml:lang="en"'
) -> bytes:
    return (
        f'<cXML payloadID="1@x" timestamp="2026-01-01T00:00:00+00:00"{root_attrs}>'
        '<Header><From><Credential domain="NETWORKID"><Identity>buyer</Identity></Credential></From>'
        '<To><Credential domain="DUNS"><Identity>sup</Identity></Credential></To>'
        '<Sender><Credential domain="DUNS"><Identity>sup</Identity></Credential><UserAgent>u</UserAgent></Sender>'
        "</Header><Message><PunchOutOrderMessage><BuyerCookie> c 1 </BuyerCookie>"
        f'<PunchOutOrderMessageHeader operationAllowed="EDIT"><Total><Money currency="usd">{total}</Money></Total>'
        f"</PunchOutOrderMessageHeader>{body}</PunchOutOrderMessage></Message></cXML>"
    ).encode()


def codes(data: bytes) -> list[str]:
    return [w.code for w in parse(data).warnings]


def test_forgiven_things_are_reported_with_paths() -> None:
    result = parse(poom(root_attrs=' deploymentMode="test" xml:lang=""', total="14.549999999999999"))
    document = result.document
    assert document.deployment_mode is DeploymentMode.TEST
    assert document.lang is None
    message = document.message
    assert isinstance(message, PunchOutOrderMessage)
    assert message.buyer_cookie == " c 1 "
    assert message.header.operation_allowed is PunchOutOperation.EDIT
    assert message.header.total == Money(Decimal("14.55"), "USD")
    assert [(w.code, w.path) for w in result.warnings] == [
        ("no-doctype", "/cXML"),
        ("empty-lang", "/cXML"),
        ("misplaced-attribute", "/cXML"),
        ("enum-case", "/cXML/Message/PunchOutOrderMessage/PunchOutOrderMessageHeader"),
        ("currency-case", "/cXML/Message/PunchOutOrderMessage/PunchOutOrderMessageHeader/Total/Money"),
        ("amount-rounded", "/cXML/Message/PunchOutOrderMessage/PunchOutOrderMessageHeader/Total/Money"),
    ]


def test_item_without_lang_tax_without_description_cdata_and_unknown_elements() -> None:
    body = (
        '<ItemIn quantity="2"><ItemID><SupplierPartID><![CDATA[ A&B ]]></SupplierPartID>'
        "<SupplierPartAuxiliaryID>\n  aux\t1\n</SupplierPartAuxiliaryID></ItemID>"
        '<ItemDetail><UnitPrice><Money currency="EUR">0.01234</Money></UnitPrice>'
        "<Description>Pen<ShortName>Pen</ShortName></Description><UnitOfMeasure>EA</UnitOfMeasure>"
        '<Classification domain="UNSPSC">44121704</Classification><URL><![CDATA[https://s.example/p?a=1&b=2]]></URL>'
        "<Sparkle/></ItemDetail>"
        '<Tax><Money currency="EUR">0.07</Money></Tax></ItemIn>'
    )
    result = parse(poom(body=body))
    message = result.document.message
    assert isinstance(message, PunchOutOrderMessage)
    item = message.items[0]
    assert item.quantity == Decimal("2")
    assert item.item_id.supplier_part_id == " A&B "
    assert item.item_id.supplier_part_auxiliary_id == "\n  aux\t1\n"
    assert item.item_detail is not None
    assert item.item_detail.unit_price == Money(Decimal("0.0123"), "EUR")
    assert item.item_detail.url == "https://s.example/p?a=1&b=2"
    assert item.item_detail.description is not None
    assert (item.item_detail.description.text, item.item_detail.description.short_name) == ("Pen", "Pen")
    assert item.tax is not None and item.tax.description is None
    base = "/cXML/Message/PunchOutOrderMessage/ItemIn"
    assert [(w.code, w.path) for w in result.warnings][3:] == [
        ("amount-rounded", f"{base}/ItemDetail/UnitPrice/Money"),
        ("missing-lang", f"{base}/ItemDetail/Description"),
        ("unknown-element", f"{base}/ItemDetail/Sparkle"),
        ("missing-element", f"{base}/Tax"),
    ]


_LINE = (
    '<{tag} quantity="-2" lineNumber="3" requestedDeliveryDate="2026-03-20T00:00:00+00:00">'
    "<ItemID><SupplierPartID>P-1</SupplierPartID></ItemID>"
    '<Distribution><Accounting name="cc"><AccountingSegment id="7"><Name xml:lang="en">n</Name>'
    '<Description xml:lang="en">d</Description></AccountingSegment></Accounting>'
    '<Charge><Money currency="USD">1.00</Money></Charge></Distribution>'
    '<Comments xml:lang="en">first</Comments><Comments xml:lang="en">second</Comments>'
    '<Extrinsic name="soldBy">Acme</Extrinsic>'
    '<ScheduleLine quantity="1" requestedDeliveryDate="2026-03-21T00:00:00+00:00">'
    "<UnitOfMeasure>EA</UnitOfMeasure></ScheduleLine>"
    "</{tag}>"
)


def test_cart_line_reads_its_extrinsics_and_last_comments_and_keeps_order_only_children() -> None:
    result = parse(poom(body=_LINE.format(tag="ItemIn")))
    message = result.document.message
    assert isinstance(message, PunchOutOrderMessage)
    item = message.items[0]
    assert (item.quantity, item.line_number, item.item_id.supplier_part_id) == (Decimal("-2"), 3, "P-1")
    assert item.comments is not None
    assert (item.comments.text, item.comments.lang) == ("second", "en")
    assert [(x.name, x.value) for x in item.extrinsics] == [("soldBy", "Acme")]
    base = "/cXML/Message/PunchOutOrderMessage/ItemIn"
    assert [(w.code, w.path, w.message) for w in result.warnings][3:] == [
        ("kept", f"{base}/Distribution", "<Distribution> is kept, not interpreted"),
        ("kept", f"{base}/ScheduleLine", "<ScheduleLine> is kept, not interpreted"),
    ]


def test_order_line_reads_its_own_children_and_refuses_an_extrinsic() -> None:
    data = (
        '<cXML payloadID="1@x" timestamp="2026-01-01T00:00:00+00:00">'
        '<Header><From><Credential domain="NetworkID"><Identity>buyer</Identity></Credential></From>'
        '<To><Credential domain="DUNS"><Identity>sup</Identity></Credential></To>'
        '<Sender><Credential domain="NetworkID"><Identity>buyer</Identity></Credential>'
        "<UserAgent>u</UserAgent></Sender></Header><Request><OrderRequest>"
        '<OrderRequestHeader orderID="PO-9" orderDate="2026-03-14T00:00:00+00:00">'
        '<Total><Money currency="USD">10.00</Money></Total><BillTo/></OrderRequestHeader>'
        f"{_LINE.format(tag='ItemOut')}</OrderRequest></Request></cXML>"
    ).encode()
    result = parse(data)
    message = result.document.message
    assert isinstance(message, OrderRequest)
    item = message.items[0]
    assert (item.quantity, item.line_number) == (Decimal("-2"), 3)
    assert item.requested_delivery_date == datetime(2026, 3, 20, tzinfo=UTC)
    assert [(c.text, c.lang) for c in item.comments] == [("first", "en"), ("second", "en")]
    assert [(d.accounting.name, d.charge) for d in item.distributions] == [
        ("cc", Money(Decimal("1.00"), "USD"))
    ]
    assert [(s.quantity, s.requested_delivery_date, s.unit_of_measure) for s in item.schedule_lines] == [
        (Decimal("1"), datetime(2026, 3, 21, tzinfo=UTC), "EA")
    ]
    base = "/cXML/Request/OrderRequest/ItemOut"
    assert [(w.code, w.path, w.message) for w in result.warnings][2:] == [
        ("negative-quantity", base, "@quantity='-2' is negative; an order line asks for a quantity above 0"),
        (
            "unknown-element",
            f"{base}/Extrinsic",
            "<Extrinsic> is not allowed inside <ItemOut> in cXML 1.2.071; it cannot be kept",
        ),
    ]


def test_missing_payload_id_and_header_are_warnings_but_require_header_refuses() -> None:
    data = b"<cXML><Request><ProfileRequest/></Request></cXML>"
    result = parse(data)
    assert [w.code for w in result.warnings] == [
        "no-doctype",
        "missing-payload-id",
        "missing-attribute",
        "missing-header",
    ]
    with pytest.raises(InvalidDocument) as caught:
        result.document.require_header()
    assert caught.value.path == "/cXML/Header"


def test_wrong_root_and_empty_request_are_invalid() -> None:
    with pytest.raises(InvalidDocument, match="root element is <Order>"):
        parse(b"<Order/>")
    with pytest.raises(InvalidDocument, match="no Request, Message or Response"):
        parse(b"<cXML/>")
    with pytest.raises(InvalidDocument, match="no OrderRequestHeader"):
        parse(b"<cXML><Request><OrderRequest/></Request></cXML>")


@pytest.mark.parametrize("body", ["QuoteMessage", "CatalogUploadRequest", "GetPendingRequest"])
def test_unsupported_message_is_450(body: str) -> None:
    wrapper = "Message" if body.endswith("Message") else "Request"
    with pytest.raises(UnsupportedMessage) as caught:
        parse(f"<cXML><{wrapper}><{body}/></{wrapper}></cXML>".encode())
    assert caught.value.status_code == 450
    assert caught.value.text == "Not Implemented"
    assert caught.value.message.startswith(f"{body} is not supported")


def test_str_input_with_foreign_encoding_declaration() -> None:
    text = '<?xml version="1.0" encoding="ISO-8859-1"?>' + poom().decode().replace("buyer", "Bäcker")
    header = parse(text).document.header
    assert header is not None
    assert header.from_[0].identity == "Bäcker"


# -- credentials and helpers -------------------------------------------------------------------
def test_credential_matches_domain_case_insensitively_and_hides_secret() -> None:
    credential = Credential("NetworkId", "AN01", "hunter2")
    assert credential.matches("NETWORKID", "AN01")
    assert not credential.matches("NetworkId", "an01")
    assert "hunter2" not in repr(credential) and "hunter2" not in str(credential)


def test_new_payload_id_form() -> None:
    value = new_payload_id("buyer.example.com")
    stamp, pid, rest = value.split(".", 2)
    random_part, domain = rest.split("@")
    assert len(stamp) == 21 and stamp[8] == "T"
    assert pid.isdigit() and random_part.isdigit() and len(random_part) == 12
    assert domain == "buyer.example.com"
    assert new_payload_id("buyer.example.com") != value
    with pytest.raises(ValueError):
        new_payload_id("bad domain")


def test_response_document() -> None:
    document = response_document(400, "Bad Request", "orderID is missing", in_reply_to="p@x")
    assert document.kind == "Response"
    assert document.status is not None
    assert (document.status.code, document.status.text, document.status.message) == (
        400,
        "Bad Request",
        "orderID is missing",
    )
    assert document.in_reply_to == "p@x"


@pytest.mark.parametrize(
    ("kind", "module"),
    [
        ("OrderRequest", "cXML.dtd"),
        ("PunchOutOrderMessage", "cXML.dtd"),
        ("ConfirmationRequest", "Fulfill.dtd"),
        ("ShipNoticeRequest", "Fulfill.dtd"),
        ("InvoiceDetailRequest", "InvoiceDetail.dtd"),
    ],
)
def test_module_for(kind: str, module: str) -> None:
    assert module_for(kind) == module


# -- exact values from real documents -------------------------------------------------------------
def corpus(interop: Path, name: str) -> bytes:
    return (interop / "cxml" / name).read_bytes()


@pytest.mark.interop
def test_sap_ariba_order_exact_values(interop: Path) -> None:
    result = parse(corpus(interop, "OrderRequest/espinola3-1dd89062-a00b-420b-ad4e-56017f15ca0e.xml"))
    document = result.document
    assert document.payload_id == "CFE2AFAF2C431ED682DE628D12358900"
    assert document.deployment_mode is DeploymentMode.TEST
    assert document.header is not None
    assert [(c.domain, c.identity) for c in document.header.from_] == [
        ("NetworkID", "AN01000279414-T"),
        ("SystemID", "C37CLNT010"),
    ]
    assert document.header.user_agent == "ARBERP/SAP_APPL/617/0008"
    order = document.message
    assert isinstance(order, OrderRequest)
    header = order.header
    assert header.order_id == "7070068601"
    assert header.order_date == datetime(2015, 7, 13, 12, tzinfo=timezone(timedelta(hours=2)))
    assert (header.type, header.order_type, header.order_version) == (
        OrderRequestType.NEW,
        OrderType.REGULAR,
        1,
    )
    assert header.total == Money(Decimal("56.55"), "EUR")
    assert header.ship_to is not None and header.ship_to.postal_address is not None
    assert header.ship_to.postal_address.city == "Sant Cugat del Vallès"
    assert [c.role for c in header.contacts] == ["supplierCorporate", "sales"]
    assert len(header.extrinsics) == 8
    item = order.items[0]
    assert (item.line_number, item.quantity) == (10, Decimal("1.0"))
    assert item.item_id.supplier_part_id == "\n          "
    assert item.item_id.buyer_part_id == "07259425001"
    assert item.schedule_lines[0].requested_delivery_date == datetime(
        2015, 7, 14, 12, tzinfo=timezone(timedelta(hours=2))
    )


@pytest.mark.interop
def test_global_industrial_cart_exact_values(interop: Path) -> None:
    name = "PunchOutOrderMessage/purchasingplatform-punchout_order_message_global_industrial_single_ite.xml"
    result = parse(corpus(interop, name))
    message = result.document.message
    assert isinstance(message, PunchOutOrderMessage)
    item = message.items[0]
    assert item.item_id.supplier_part_id == "T9T300705"
    assert item.item_id.supplier_part_auxiliary_id == "4bf8c2a1cc3e8d32a036eb0215ca880c"
    assert message.header.total == Money(Decimal("455.95"), "USD")
    assert result.document.header is not None
    assert result.document.header.sender_secret == "ariba1234"
    assert "shared-secret-in-message" in [w.code for w in result.warnings]
    assert all("ariba1234" not in w.message for w in result.warnings)


@pytest.mark.interop
def test_amazon_cart_line_tax_and_extrinsics(interop: Path) -> None:
    message = parse(corpus(interop, "PunchOutOrderMessage/voku-xmldomparsertest-i1.xml")).document.message
    assert isinstance(message, PunchOutOrderMessage)
    item = message.items[0]
    assert item.item_detail is not None
    assert [(e.name, e.value) for e in item.item_detail.extrinsics][:2] == [
        ("soldBy", "Amazon"),
        ("fulfilledBy", "Amazon"),
    ]
    assert item.tax is not None
    detail = item.tax.details[0]
    assert (detail.category, detail.percentage_rate, detail.tax_amount) == (
        "vat",
        Decimal("19.00"),
        Money(Decimal("0.07"), "EUR"),
    )


@pytest.mark.interop
def test_setup_request_with_ship_to_and_urls(interop: Path) -> None:
    message = parse(
        corpus(interop, "PunchOutSetupRequest/labfellows-punch_out_setup_request_doc_with_ship_to.xml")
    ).document.message
    assert isinstance(message, PunchOutSetupRequest)
    assert message.buyer_cookie == "demoSCAWIGP"
    assert message.browser_form_post_url == "http://return_to_supplier_url.com"
    assert message.supplier_setup_url == "http://localhost:3000"
    assert message.user_email == "jmadden@coupa1.com"


@pytest.mark.interop
def test_cdata_start_page(interop: Path) -> None:
    name = "PunchOutSetupResponse/purchasingplatform-punchout_setup_response_global_industrial.xml"
    document = parse(corpus(interop, name)).document
    assert isinstance(document.message, PunchOutSetupResponse)
    assert document.message.start_page_url.startswith("https://")
    assert document.status is not None and document.status.code == 200


@pytest.mark.interop
def test_amazon_confirmation_exact_values(interop: Path) -> None:
    document = parse(corpus(interop, "ConfirmationRequest/gannyspenzer-module1-L249.xml")).document
    message = document.message
    assert isinstance(message, ConfirmationRequest)
    assert (message.header.type, message.header.confirm_id) == (
        ConfirmationType.DETAIL,
        "105-5528563-5618617",
    )
    assert message.order_reference.order_id == "E010653511913xxx"
    assert message.order_reference.payload_id == "1394567848065.10310490xx.OrderRequest@xx.org"
    assert [i.line_number for i in message.items] == [1, 13, 14, 15]
    status = message.items[2].statuses[0]
    assert (status.type, status.quantity, status.unit_price) == (
        ConfirmationStatusType.DETAIL,
        Decimal("2"),
        Money(Decimal("2.96"), "USD"),
    )


@pytest.mark.interop
def test_ship_notice_invoice_status_profile(interop: Path) -> None:
    ship = parse(corpus(interop, "ShipNoticeRequest/friendsofcxml-shipnoticerequest.xml")).document.message
    assert isinstance(ship, ShipNoticeRequest)
    assert ship.header.shipment_id == "S2-123"
    assert [(c.domain, c.value) for c in ship.controls[0].carriers] == [
        ("SCAC", "FDE"),
        ("companyName", "Federal Express"),
    ]
    assert ship.controls[0].shipment_identifiers[0].value == "8202 8261 1194"
    assert ship.portions[0].order_reference.order_id == "DO1234"

    invoice = parse(
        corpus(interop, "InvoiceDetailRequest/officeluv-invoice_taxes_at_line.xml")
    ).document.message
    assert isinstance(invoice, InvoiceDetailRequest)
    assert invoice.header.invoice_id == "3495"
    assert invoice.header.line_indicators == ["isTaxInLine", "isAccountingInLine"]
    line = invoice.orders[0].items[0]
    assert line.tax is not None
    assert (line.tax.details[0].category, line.tax.details[0].percentage_rate) == ("CA", Decimal("8.25"))
    assert invoice.summary.shipping_amount == Money(Decimal("30.00"), "USD")
    assert invoice.summary.net_amount is None  # <Money currency="USD" /> carries no amount

    status = parse(
        corpus(interop, "StatusUpdateRequest/friendsofcxml-statusupdaterequest.xml")
    ).document.message
    assert isinstance(status, StatusUpdateRequest)
    assert (status.document_reference, status.status.code) == ("0c300508b7863dcclb_14999", 200)

    profile = parse(corpus(interop, "ProfileResponse/kazz12211-profileresponse.xml")).document.message
    assert isinstance(profile, ProfileResponse)
    assert [(t.request_name, t.url) for t in profile.transactions] == [
        ("OrderRequest", "http://service.ariba.com/cgi/orders.cgi"),
        ("PunchOutSetupRequest", "http://service.ariba.com/cgi/PunchOut.cgi"),
    ]
