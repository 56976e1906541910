"""What real systems get wrong, one test per quirk: read leniently with the exact warning, written
back strictly, nothing lost; or said, not swallowed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from tests.conftest import INTEROP

from punchout.cxml import (
    ConfirmationRequest,
    InvoiceDetailRequest,
    Money,
    OrderRequest,
    PunchOutSetupResponse,
    parse,
)
from punchout.cxml.dtd import validate
from punchout.cxml.review import review

GOLDEN = Path(__file__).parent / "golden"
ORDER = (GOLDEN / "OrderRequest.xml").read_bytes()
INVOICE = (GOLDEN / "InvoiceDetailRequest.xml").read_bytes()
CONFIRMATION = (GOLDEN / "ConfirmationRequest.xml").read_bytes()
SETUP_RESPONSE = (GOLDEN / "PunchOutSetupResponse.xml").read_bytes()
HEADER_PATH = "/cXML/Request/OrderRequest/OrderRequestHeader"


def warnings_of(data: bytes) -> list[tuple[str, str, str]]:
    return [(w.code, w.path, w.message) for w in parse(data).warnings]


def normalized(data: bytes) -> etree._Element:
    """The output of ``cxml normalize``, checked against the DTD when the corpus is there."""
    verdict = review(data)
    assert verdict.refusal is None, verdict.refusal
    assert verdict.output is not None
    if (INTEROP / "cxml-dtd").is_dir():
        assert validate(verdict.output, INTEROP / "cxml-dtd") == []
    return etree.fromstring(verdict.output)


def replace(data: bytes, old: str, new: str) -> bytes:
    assert old.encode() in data, old
    return data.replace(old.encode(), new.encode(), 1)


# -- dates ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("written", "offset", "note"),
    [
        ("2026-03-14T08:00:00-5:00", timedelta(hours=-5), "offset '-5:00' instead of the ±hh:mm form"),
        ("2026-03-14T08:00:00+0100", timedelta(hours=1), "offset '+0100' instead of the ±hh:mm form"),
        ("2026-03-14 08:00:00+01:00", timedelta(hours=1), "a space instead of 'T' before the time"),
    ],
    ids=["single-digit-hour-offset", "offset-without-colon", "space-before-time"],
)
def test_sloppy_timestamps_are_read_as_the_instant_they_name(
    written: str, offset: timedelta, note: str
) -> None:
    data = replace(ORDER, 'orderDate="2026-03-14T08:00:00+00:00"', f'orderDate="{written}"')
    result = parse(data)
    assert isinstance(result.document.message, OrderRequest)
    assert result.document.message.header.order_date == datetime(2026, 3, 14, 8, tzinfo=timezone(offset))
    assert [(w.code, w.path, w.message) for w in result.warnings] == [
        ("timestamp-format", HEADER_PATH, f"@orderDate: {note}")
    ]
    header = normalized(data).find("Request/OrderRequest/OrderRequestHeader")
    assert header is not None
    assert datetime.fromisoformat(header.get("orderDate") or "") == datetime(
        2026, 3, 14, 8, tzinfo=timezone(offset)
    )


def test_a_date_without_a_time_is_midnight_utc() -> None:
    data = replace(ORDER, 'orderDate="2026-03-14T08:00:00+00:00"', 'orderDate="2026-03-14"')
    assert warnings_of(data) == [
        (
            "timestamp-format",
            HEADER_PATH,
            "@orderDate: a date without a time, read as midnight; no zone, read as UTC",
        )
    ]
    header = normalized(data).find("Request/OrderRequest/OrderRequestHeader")
    assert header is not None and header.get("orderDate") == "2026-03-14T00:00:00+00:00"


def test_an_unreadable_date_is_kept_as_written_not_refused() -> None:
    data = replace(ORDER, 'orderDate="2026-03-14T08:00:00+00:00"', 'orderDate="14 mars 2026"')
    result = parse(data)
    assert isinstance(result.document.message, OrderRequest)
    assert result.document.message.header.order_date is None
    assert [(w.code, w.path, w.message) for w in result.warnings] == [
        ("bad-timestamp", HEADER_PATH, "@orderDate: '14 mars 2026' is not a date cXML or any known peer uses")
    ]
    verdict = review(data)
    assert [(f.kind, f.code, f.path, f.message) for f in verdict.findings] == [
        (
            "forgiven",
            "bad-timestamp",
            HEADER_PATH,
            "@orderDate: '14 mars 2026' is not a date cXML or any known peer uses",
        ),
        (
            "changed",
            "kept-as-written",
            f"{HEADER_PATH}/@orderDate",
            "@orderDate='14 mars 2026' kept as written",
        ),
    ]
    header = normalized(data).find("Request/OrderRequest/OrderRequestHeader")
    assert header is not None and header.get("orderDate") == "14 mars 2026"


def test_an_unreadable_envelope_timestamp_is_kept_as_written() -> None:
    data = replace(ORDER, 'timestamp="2026-03-15T09:30:00+01:00"', 'timestamp="timestamp_mock"')
    assert warnings_of(data) == [
        ("bad-timestamp", "/cXML", "@timestamp: 'timestamp_mock' is not a date cXML or any known peer uses")
    ]
    assert normalized(data).get("timestamp") == "timestamp_mock"


# -- amounts -------------------------------------------------------------------------------------
def test_an_empty_money_in_an_invoice_summary_is_kept_as_written() -> None:
    data = replace(
        INVOICE,
        '<NetAmount>\n          <Money currency="USD">31.64</Money>',
        '<NetAmount>\n          <Money currency="USD"></Money>',
    )
    summary_path = "/cXML/Request/InvoiceDetailRequest/InvoiceDetailSummary"
    assert warnings_of(data) == [("empty-amount", f"{summary_path}/NetAmount/Money", "<Money> has no amount")]
    verdict = review(data)
    assert ("changed", "kept-as-written", f"{summary_path}/NetAmount", "<NetAmount> kept as written") in [
        (f.kind, f.code, f.path, f.message) for f in verdict.findings
    ]
    money = normalized(data).find("Request/InvoiceDetailRequest/InvoiceDetailSummary/NetAmount/Money")
    assert money is not None and (money.text, money.get("currency")) == (None, "USD")


def test_a_currency_that_is_not_iso_4217_is_said() -> None:
    data = replace(ORDER, '<Money currency="USD">31.64</Money>', '<Money currency="DOLLARS">31.64</Money>')
    assert warnings_of(data) == [
        ("unknown-currency", f"{HEADER_PATH}/Total/Money", "currency 'DOLLARS' is not an ISO 4217 code")
    ]


def test_a_negative_order_quantity_is_said() -> None:
    data = replace(ORDER, 'quantity="2"', 'quantity="-2"')
    result = parse(data)
    assert isinstance(result.document.message, OrderRequest)
    assert result.document.message.items[0].quantity == Decimal(-2)
    assert [(w.code, w.path, w.message) for w in result.warnings] == [
        (
            "negative-quantity",
            "/cXML/Request/OrderRequest/ItemOut[1]",
            "@quantity='-2' is negative; an order line asks for a quantity above 0",
        )
    ]


# -- the document's frame ------------------------------------------------------------------------
def test_an_empty_internal_doctype_subset_is_ignored() -> None:
    data = replace(ORDER, 'cXML/1.2.071/cXML.dtd">', 'cXML/1.2.071/cXML.dtd" []>')
    assert warnings_of(data) == [
        ("empty-dtd-subset", "/cXML", "the DOCTYPE has an empty internal subset [], ignored")
    ]
    assert normalized(data).tag == "cXML"


def test_an_empty_start_page_url_is_said_and_written_as_sent() -> None:
    data = replace(
        SETUP_RESPONSE, "<URL>https://supplier.example.com/start?token=abc&amp;s=1</URL>", "<URL></URL>"
    )
    result = parse(data)
    assert isinstance(result.document.message, PunchOutSetupResponse)
    assert result.document.message.start_page_url == ""
    assert [(w.code, w.path, w.message) for w in result.warnings] == [
        (
            "empty-url",
            "/cXML/Response/PunchOutSetupResponse",
            "<StartPage> has an empty <URL>: there is no page to send the user to",
        )
    ]
    url = normalized(data).find("Response/PunchOutSetupResponse/StartPage/URL")
    assert url is not None and url.text is None


def test_a_request_inside_a_response_is_read_as_what_it_is() -> None:
    root = etree.fromstring(CONFIRMATION)
    header = root.find("Header")
    request = root.find("Request")
    assert header is not None and request is not None
    response = etree.SubElement(root, "Response")
    etree.SubElement(response, "Status", code="200", text="OK")
    response.append(request[0])
    root.remove(request)
    data = etree.tostring(root)
    result = parse(data)
    assert isinstance(result.document.message, ConfirmationRequest)
    assert [(w.code, w.path, w.message) for w in result.warnings] == [
        ("no-doctype", "/cXML", "the document has no DOCTYPE"),
        (
            "misplaced-element",
            "/cXML/Response/ConfirmationRequest",
            "<ConfirmationRequest> is a request sent inside <Response>; it was read as a ConfirmationRequest, "
            "and the Response's Status cannot be kept",
        ),
    ]
    assert normalized(data).find("Request/ConfirmationRequest") is not None


@pytest.mark.parametrize("declared", ["UTF-8", None], ids=["declared-utf8", "no-declaration"])
def test_windows_1252_bytes_declared_as_utf8_are_read_with_a_warning(declared: str | None) -> None:
    body = ORDER.split(b"?>", 1)[1] if declared is None else ORDER
    data = body.replace(b"Deliver before noon", "Livrer avant midi – à l’accueil".encode("cp1252"))
    result = parse(data)
    assert isinstance(result.document.message, OrderRequest)
    assert result.document.message.header.comments[0].text == "Livrer avant midi – à l’accueil"
    verb = "declares" if declared else "is read as"
    line = data[: data.index(b"Livrer")].count(b"\n") + 1
    assert [w for w in warnings_of(data) if w[0] == "encoding-mismatch"] == [
        (
            "encoding-mismatch",
            "/cXML",
            f"the document {verb} UTF-8 but its bytes are not UTF-8 (from line {line}); it was read as Windows-1252",
        )
    ]


def test_utf8_bytes_declared_as_iso_8859_1_are_read_as_utf8() -> None:
    data = replace(ORDER, "encoding='UTF-8'", "encoding='ISO-8859-1'").replace(
        b"Deliver before noon", "Livrer à l’accueil".encode()
    )
    result = parse(data)
    assert isinstance(result.document.message, OrderRequest)
    assert result.document.message.header.comments[0].text == "Livrer à l’accueil"
    assert warnings_of(data) == [
        (
            "encoding-mismatch",
            "/cXML",
            "the document declares ISO-8859-1 but its bytes are UTF-8; it was read as UTF-8",
        )
    ]


def test_latin1_bytes_declared_as_latin1_are_read_as_declared() -> None:
    data = replace(ORDER, "encoding='UTF-8'", "encoding='ISO-8859-1'").replace(
        b"Deliver before noon", "Livrer à midi".encode("latin-1")
    )
    result = parse(data)
    assert isinstance(result.document.message, OrderRequest)
    assert result.document.message.header.comments[0].text == "Livrer à midi"
    assert warnings_of(data) == []


# -- entities ------------------------------------------------------------------------------------
@pytest.mark.parametrize("doctype", [True, False], ids=["with-doctype", "without-doctype"])
def test_undeclared_entities_are_said_and_their_text_is_kept(doctype: bool) -> None:
    data = replace(
        ORDER, "Deliver before noon", "Deliver&nbsp;before noon, caf&eacute; &bogus; <![CDATA[&nbsp;]]>"
    )
    if not doctype:
        data = b"\n".join(line for line in data.split(b"\n") if not line.startswith(b"<!DOCTYPE"))
    result = parse(data)
    assert isinstance(result.document.message, OrderRequest)
    assert result.document.message.header.comments[0].text == "Deliver\xa0before noon, café &bogus; &nbsp;"
    comments = f"{HEADER_PATH}/Comments"
    assert [w for w in warnings_of(data) if w[0] == "undeclared-entity"] == [
        ("undeclared-entity", comments, "&nbsp; is not a declared entity; it was read as '\\xa0' (U+00A0)"),
        ("undeclared-entity", comments, "&eacute; is not a declared entity; it was read as 'é' (U+00E9)"),
        (
            "undeclared-entity",
            comments,
            "&bogus; is not a declared entity; it was kept as the text '&bogus;'",
        ),
    ]


def test_an_undeclared_entity_in_an_attribute_is_read_too() -> None:
    data = replace(ORDER, 'name="Jo Buyer"', 'name="Jo B&uuml;yer"')
    assert [w for w in warnings_of(data) if w[0] == "undeclared-entity"] == [
        (
            "undeclared-entity",
            f"{HEADER_PATH}/Payment/PCard",
            "&uuml; is not a declared entity; it was read as 'ü' (U+00FC)",
        )
    ]


# -- kept, not interpreted -----------------------------------------------------------------------
def test_a_standard_element_the_core_does_not_model_is_kept_not_interpreted() -> None:
    data = replace(
        ORDER,
        '<Extrinsic name="CostCenter">',
        '<SupplierOrderInfo orderID="SO-77" orderDate="2026-03-14T09:00:00+00:00"/><Extrinsic name="CostCenter">',
    )
    assert warnings_of(data) == [
        ("kept", f"{HEADER_PATH}/SupplierOrderInfo", "<SupplierOrderInfo> is kept, not interpreted")
    ]
    header = normalized(data).find("Request/OrderRequest/OrderRequestHeader")
    assert header is not None
    assert [c.tag for c in header][-3:] == ["Comments", "SupplierOrderInfo", "Extrinsic"]
    info = header.find("SupplierOrderInfo")
    assert info is not None and info.attrib == {"orderID": "SO-77", "orderDate": "2026-03-14T09:00:00+00:00"}


def test_incoterms_and_payment_terms_are_read() -> None:
    terms = (
        '<PaymentTerm payInNumberOfDays="10"><Discount><DiscountPercent percent="2"/></Discount></PaymentTerm>'
        '<PaymentTerm payInNumberOfDays="30"/>'
    )
    delivery = (
        '<TermsOfDelivery><TermsOfDeliveryCode value="DeliveryCondition"/>'
        '<ShippingPaymentMethod value="PrepaidBySeller"/><TransportTerms value="DeliveredAtPlace">Lyon</TransportTerms>'
        "</TermsOfDelivery>"
    )
    data = replace(ORDER, '<Contact role="buyer">', terms + '<Contact role="buyer">')
    data = replace(data, '<Extrinsic name="CostCenter">', delivery + '<Extrinsic name="CostCenter">')
    result = parse(data)
    assert result.warnings == []
    message = result.document.message
    assert isinstance(message, OrderRequest)
    header = message.header
    assert [(t.pay_in_days, t.discount.percent if t.discount else None) for t in header.payment_terms] == [
        (10, Decimal(2)),
        (30, None),
    ]
    assert header.terms_of_delivery is not None
    assert header.terms_of_delivery.incoterm == "DeliveredAtPlace Lyon"
    assert header.terms_of_delivery.shipping_payment == "PrepaidBySeller"
    written = normalized(data).find("Request/OrderRequest/OrderRequestHeader")
    assert written is not None
    assert [c.tag for c in written][5:9] == ["Payment", "PaymentTerm", "PaymentTerm", "Contact"]
    assert written.findtext("TermsOfDelivery/TransportTerms") == "Lyon"


def test_an_element_cxml_does_not_allow_there_is_said_to_be_lost() -> None:
    data = replace(ORDER, '<Extrinsic name="CostCenter">', '<Sparkle/><Extrinsic name="CostCenter">')
    assert warnings_of(data) == [
        (
            "unknown-element",
            f"{HEADER_PATH}/Sparkle",
            "<Sparkle> is not allowed inside <OrderRequestHeader> in cXML 1.2.071; it cannot be kept",
        )
    ]
    verdict = review(data)
    assert ("left out", "not-kept", f"{HEADER_PATH}/Sparkle") in [
        (f.kind, f.code, f.path) for f in verdict.findings
    ]


def test_an_attribute_cxml_does_not_allow_is_said_to_be_left_out() -> None:
    data = replace(ORDER, 'orderType="regular"', 'orderType="regular" colour="blue"')
    verdict = review(data)
    assert [(f.kind, f.code, f.path, f.message) for f in verdict.findings] == [
        (
            "left out",
            "not-kept",
            HEADER_PATH,
            "@colour='blue' is not allowed on <OrderRequestHeader> in cXML 1.2.071; it was left out",
        )
    ]


# -- invoices ------------------------------------------------------------------------------------
def test_a_contract_backed_invoice_is_written_with_its_master_agreement() -> None:
    data = replace(
        INVOICE,
        """<OrderReference orderID="PO-2026-0042" orderDate="2026-03-14T08:00:00+00:00">
            <DocumentReference payloadID="po-42@buyer.example.com"/>
          </OrderReference>""",
        """<MasterAgreementReference agreementID="MA-7" agreementDate="2026-01-01T00:00:00+00:00">
            <DocumentReference payloadID="ma-7@buyer.example.com"/>
          </MasterAgreementReference>""",
    )
    result = parse(data)
    assert isinstance(result.document.message, InvoiceDetailRequest)
    assert warnings_of(data) == [
        (
            "kept",
            "/cXML/Request/InvoiceDetailRequest/InvoiceDetailOrder/InvoiceDetailOrderInfo/MasterAgreementReference",
            "<MasterAgreementReference> is kept, not interpreted",
        )
    ]
    info = normalized(data).find("Request/InvoiceDetailRequest/InvoiceDetailOrder/InvoiceDetailOrderInfo")
    assert info is not None
    assert [(c.tag, c.get("agreementID")) for c in info] == [("MasterAgreementReference", "MA-7")]


def test_invoice_line_shipping_and_special_handling_stay_so_the_totals_agree() -> None:
    line_charges = """<InvoiceDetailLineSpecialHandling>
            <Description xml:lang="en-US">Pallet</Description>
            <Money currency="USD">10.00</Money>
          </InvoiceDetailLineSpecialHandling>
          <InvoiceDetailLineShipping>
            <InvoiceDetailShipping>
              <Contact role="shipFrom"><Name xml:lang="en-US">Acme</Name></Contact>
              <Contact role="shipTo"><Name xml:lang="en-US">Buyer</Name></Contact>
            </InvoiceDetailShipping>
            <Money currency="USD">80.00</Money>
          </InvoiceDetailLineShipping>
          <GrossAmount><Money currency="USD">116.69</Money></GrossAmount>
        </InvoiceDetailItem>"""
    data = replace(INVOICE, "</InvoiceDetailItem>", line_charges)
    item = normalized(data).find("Request/InvoiceDetailRequest/InvoiceDetailOrder/InvoiceDetailItem")
    assert item is not None
    assert [c.tag for c in item] == [
        "UnitOfMeasure",
        "UnitPrice",
        "InvoiceDetailItemReference",
        "SubtotalAmount",
        "Tax",
        "InvoiceDetailLineSpecialHandling",
        "InvoiceDetailLineShipping",
        "GrossAmount",
    ]
    amounts = [
        Decimal(item.findtext(f"{tag}/Money") or "")
        for tag in ("SubtotalAmount", "Tax", "InvoiceDetailLineSpecialHandling", "InvoiceDetailLineShipping")
    ]
    assert sum(amounts) == Decimal(item.findtext("GrossAmount/Money") or "") == Decimal("116.69")


def test_money_is_still_quantized_to_the_currency() -> None:
    data = replace(
        ORDER, '<Money currency="USD">31.64</Money>', '<Money currency="USD">31.639999999999997</Money>'
    )
    result = parse(data)
    assert isinstance(result.document.message, OrderRequest)
    assert result.document.message.header.total == Money(Decimal("31.64"), "USD")
    assert ("changed", "amount-rounded") in [(f.kind, f.code) for f in review(data).findings]


def test_an_invoice_of_service_lines_only_is_written_with_them() -> None:
    start = INVOICE.index(b"<InvoiceDetailItem ")
    end = INVOICE.index(b"</InvoiceDetailItem>") + len(b"</InvoiceDetailItem>")
    service = b"""<InvoiceDetailServiceItem invoiceLineNumber="1" quantity="3">
          <InvoiceDetailServiceItemReference lineNumber="1">
            <Description xml:lang="en-US">Printer maintenance</Description>
          </InvoiceDetailServiceItemReference>
          <SubtotalAmount><Money currency="USD">24.69</Money></SubtotalAmount>
        </InvoiceDetailServiceItem>"""
    data = INVOICE[:start] + service + INVOICE[end:]
    result = parse(data)
    assert isinstance(result.document.message, InvoiceDetailRequest)
    assert result.document.message.orders[0].items == []
    assert [w[0] for w in warnings_of(data)] == ["kept"]
    order = normalized(data).find("Request/InvoiceDetailRequest/InvoiceDetailOrder")
    assert order is not None
    assert [c.tag for c in order] == ["InvoiceDetailOrderInfo", "InvoiceDetailServiceItem"]
    assert order.findtext("InvoiceDetailServiceItem/SubtotalAmount/Money") == "24.69"
