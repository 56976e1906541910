"""Property tests: documents that use the optional parts of cXML real systems send (payment terms,
Incoterms, IdReferences, faxes, accounting segments, characteristics, attachments, package
identification…) come out of parse -> build with nothing lost, DTD-valid, and normalize to
themselves.

Each example starts from a golden document, draws which optional parts to add and their values,
and places them where the DTD puts them. The composed input is checked against the DTD first, so
a wrong placement would fail the test instead of passing unnoticed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from tests.punchout.lossless import inventory

from punchout.cxml import build, parse
from punchout.cxml.schema import DTD_DIR, schema

GOLDEN = Path(__file__).parent / "golden"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# printable text XML 1.0 can carry, without leading/trailing space (values are compared collapsed)
TEXT = (
    st.text(
        st.characters(
            blacklist_categories=("Cs", "Cc", "Cn", "Zl", "Zp"), blacklist_characters="\ufffe\uffff"
        ),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(bool)
)
LANG = st.sampled_from(["en", "en-US", "de-DE", "fr"])
DAYS = st.integers(0, 365).map(str)
PERCENT = st.decimals("-50", "50", places=2, allow_nan=False).map(str)
DATE = st.sampled_from(
    ["2026-03-14T08:00:00+00:00", "2025-12-31T23:59:59-05:00", "2026-06-01T12:00:00+02:00"]
)

Make = Callable[[st.DrawFn], etree._Element]


@dataclass(frozen=True)
class Part:
    """An optional part: an element made by ``make`` inserted into ``parent`` at its DTD place, or
    an attribute ``name`` set on ``parent`` to a drawn value."""

    parent: str
    make: Make | None = None
    attribute: str | None = None
    values: st.SearchStrategy[str] = TEXT


def E(tag: str, text: str | None = None, /, *children: etree._Element, **attributes: str) -> etree._Element:
    el = etree.Element(tag)
    for key, value in attributes.items():
        el.set(XML_LANG if key == "lang" else key, value)
    el.text = text
    el.extend(children)
    return el


def payment_term(draw: st.DrawFn) -> etree._Element:
    discount = E("Discount", None, E("DiscountPercent", percent=draw(PERCENT)))
    return E("PaymentTerm", None, *([discount] if draw(st.booleans()) else []), payInNumberOfDays=draw(DAYS))


def terms_of_delivery(draw: st.DrawFn) -> etree._Element:
    return E(
        "TermsOfDelivery",
        None,
        E("TermsOfDeliveryCode", draw(TEXT), value=draw(TEXT)),
        E("ShippingPaymentMethod", draw(TEXT), value=draw(TEXT)),
        E("TransportTerms", draw(TEXT), value=draw(TEXT)),
    )


def id_reference(draw: st.DrawFn) -> etree._Element:
    return E("IdReference", identifier=draw(TEXT), domain=draw(TEXT))


def telephone(draw: st.DrawFn) -> etree._Element:
    return E(
        "TelephoneNumber",
        None,
        E(
            "CountryCode",
            draw(st.sampled_from(["1", "33", "49"])),
            isoCountryCode=draw(st.sampled_from(["US", "FR"])),
        ),
        E("AreaOrCityCode", draw(TEXT)),
        E("Number", draw(TEXT)),
    )


def fax(draw: st.DrawFn) -> etree._Element:
    return E("Fax", None, telephone(draw), name=draw(TEXT))


def segment(draw: st.DrawFn) -> etree._Element:
    return E("Segment", type=draw(TEXT), id=draw(TEXT), description=draw(TEXT))


def accounting_segment(draw: st.DrawFn) -> etree._Element:
    return E(
        "AccountingSegment",
        None,
        E("Name", draw(TEXT), lang=draw(LANG)),
        E("Description", draw(TEXT), lang=draw(LANG)),
        id=draw(TEXT),
    )


def distribution(older_form: bool) -> Make:
    def make(draw: st.DrawFn) -> etree._Element:
        segments = [
            (segment if older_form else accounting_segment)(draw) for _ in range(draw(st.integers(1, 3)))
        ]
        money = E("Money", draw(st.sampled_from(["1.00", "12.34", "0.50"])), currency="USD")
        return E(
            "Distribution", None, E("Accounting", None, *segments, name=draw(TEXT)), E("Charge", None, money)
        )

    return make


def industry(draw: st.DrawFn) -> etree._Element:
    characteristics = [
        E("Characteristic", domain=draw(TEXT), value=draw(TEXT)) for _ in range(draw(st.integers(1, 3)))
    ]
    return E("ItemDetailIndustry", None, E("ItemDetailRetail", None, *characteristics))


def attachment(draw: st.DrawFn) -> etree._Element:
    return E("Attachment", None, E("URL", f"cid:{draw(st.integers(1, 999))}@example.com"))


def supplier_order_info(draw: st.DrawFn) -> etree._Element:
    return E("SupplierOrderInfo", orderID=draw(TEXT), orderDate=draw(DATE))


def municipality(draw: st.DrawFn) -> etree._Element:
    return E("Municipality", draw(TEXT))


def document_reference(draw: st.DrawFn) -> etree._Element:
    return E("DocumentReference", payloadID=draw(TEXT))


def package_identification(draw: st.DrawFn) -> etree._Element:
    return E("PackageIdentification", rangeBegin=draw(st.integers(1, 9).map(str)), rangeEnd="10")


def ship_notice_item_detail(draw: st.DrawFn) -> etree._Element:
    return E(
        "ShipNoticeItemDetail",
        None,
        E("UnitPrice", None, E("Money", "12.3456", currency="USD")),
        E("Description", draw(TEXT), lang=draw(LANG)),
        E("UnitOfMeasure", "PK"),
    )


def service_level(draw: st.DrawFn) -> etree._Element:
    return E("ServiceLevel", draw(TEXT), lang=draw(LANG))


def tax_exemption(draw: st.DrawFn) -> etree._Element:
    return E("TaxExemption", None, E("ExemptReason", draw(TEXT), lang=draw(LANG)), exemptCode=draw(TEXT))


HEADER = "Request/OrderRequest/OrderRequestHeader"
LINE = "Request/OrderRequest/ItemOut[1]"
ORDER_PARTS = [
    Part("Header/From/Credential[1]", attribute="type", values=st.just("marketplace")),
    Part(HEADER, payment_term),
    Part(HEADER, terms_of_delivery),
    Part(HEADER, document_reference),
    Part(HEADER, supplier_order_info),
    Part(f"{HEADER}/BillTo", id_reference),
    Part(f"{HEADER}/ShipTo", id_reference),
    Part(f"{HEADER}/ShipTo/Address", attribute="addressIDDomain"),
    Part(f"{HEADER}/ShipTo/Address/Email", attribute="name"),
    Part(f"{HEADER}/ShipTo/Address/PostalAddress", municipality),
    Part(f"{HEADER}/Contact", fax),
    Part(f"{HEADER}/Contact", id_reference),
    Part(f"{HEADER}/Contact/Email", attribute="name"),
    Part(f"{HEADER}/Shipping", attribute="trackingId"),
    Part(f"{HEADER}/Comments", attachment),
    Part(f"{LINE}/ItemDetail/ManufacturerName", attribute=XML_LANG, values=LANG),
    Part(f"{LINE}/ItemDetail", industry),
    Part(LINE, distribution(older_form=True)),
    Part(LINE, terms_of_delivery),
]
CART_HEADER = "Message/PunchOutOrderMessage/PunchOutOrderMessageHeader"
CART_PARTS = [
    Part(CART_HEADER, attribute="quoteStatus", values=st.sampled_from(["final", "pending"])),
    Part(CART_HEADER, supplier_order_info),
    Part(
        "Message/PunchOutOrderMessage/ItemIn[1]",
        attribute="compositeItemType",
        values=st.sampled_from(["groupLevel", "itemLevel"]),
    ),
    Part("Message/PunchOutOrderMessage/ItemIn[1]/ItemDetail", industry),
    Part(
        "Message/PunchOutOrderMessage/ItemIn[1]/ItemDetail/ManufacturerName", attribute=XML_LANG, values=LANG
    ),
]
NOTICE = "Request/ShipNoticeRequest"
NOTICE_PARTS = [
    Part(
        f"{NOTICE}/ShipNoticeHeader", attribute="shipmentType", values=st.sampled_from(["actual", "planned"])
    ),
    Part(f"{NOTICE}/ShipNoticeHeader", service_level),
    Part(f"{NOTICE}/ShipNoticeHeader", terms_of_delivery),
    Part(f"{NOTICE}/ShipControl", package_identification),
    Part(f"{NOTICE}/ShipNoticePortion/ShipNoticeItem", ship_notice_item_detail),
]
INVOICE = "Request/InvoiceDetailRequest"
INVOICE_PARTS = [
    Part(f"{INVOICE}/InvoiceDetailRequestHeader", payment_term),
    Part(f"{INVOICE}/InvoiceDetailOrder/InvoiceDetailItem", distribution(older_form=False)),
    Part(f"{INVOICE}/InvoiceDetailOrder/InvoiceDetailItem/Tax/TaxDetail", tax_exemption),
    Part(f"{INVOICE}/InvoiceDetailOrder/InvoiceDetailOrderInfo", supplier_order_info),
]


@cache
def dtd(module: str) -> etree.DTD:
    return etree.DTD(str(DTD_DIR / "1.2.071" / module))


def compose(
    golden: str, parts: list[Part], module: str, draw: st.DrawFn, *, every_part: bool = False
) -> bytes:
    root = etree.fromstring((GOLDEN / golden).read_bytes())
    rules = schema(module)
    for part in parts:
        if not every_part and not draw(st.booleans()):
            continue
        parent = root.find(part.parent)
        assert parent is not None, part.parent
        if part.attribute is not None:
            parent.set(part.attribute, draw(part.values))
            continue
        assert part.make is not None
        child = part.make(draw)
        rank = rules.rank(str(parent.tag), str(child.tag))
        index = next(
            (
                i
                for i, c in enumerate(parent)
                if isinstance(c.tag, str) and rules.rank(str(parent.tag), c.tag) > rank
            ),
            len(parent),
        )
        parent.insert(index, child)
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def check_lossless(data: bytes, module: str) -> None:
    validator = dtd(module)
    assert validator.validate(etree.fromstring(data)), validator.error_log.filter_from_errors()
    result = parse(data)
    assert {w.code for w in result.warnings} <= {"kept", "shared-secret-in-message"}
    output = build(result.document)
    assert validator.validate(etree.fromstring(output)), validator.error_log.filter_from_errors()
    assert inventory(etree.fromstring(data)) - inventory(etree.fromstring(output)) == Counter()
    assert build(parse(output).document) == output


EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@EXAMPLES
@given(st.data())
def test_order_requests_with_optional_parts_lose_nothing(data: st.DataObject) -> None:
    check_lossless(compose("OrderRequest.xml", ORDER_PARTS, "cXML.dtd", data.draw), "cXML.dtd")


@EXAMPLES
@given(st.data())
def test_carts_with_optional_parts_lose_nothing(data: st.DataObject) -> None:
    check_lossless(compose("PunchOutOrderMessage.xml", CART_PARTS, "cXML.dtd", data.draw), "cXML.dtd")


@EXAMPLES
@given(st.data())
def test_ship_notices_with_optional_parts_lose_nothing(data: st.DataObject) -> None:
    check_lossless(compose("ShipNoticeRequest.xml", NOTICE_PARTS, "Fulfill.dtd", data.draw), "Fulfill.dtd")


@EXAMPLES
@given(st.data())
def test_invoices_with_optional_parts_lose_nothing(data: st.DataObject) -> None:
    check_lossless(
        compose("InvoiceDetailRequest.xml", INVOICE_PARTS, "InvoiceDetail.dtd", data.draw),
        "InvoiceDetail.dtd",
    )


KINDS = [
    ("OrderRequest.xml", ORDER_PARTS, "cXML.dtd"),
    ("PunchOutOrderMessage.xml", CART_PARTS, "cXML.dtd"),
    ("ShipNoticeRequest.xml", NOTICE_PARTS, "Fulfill.dtd"),
    ("InvoiceDetailRequest.xml", INVOICE_PARTS, "InvoiceDetail.dtd"),
]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_every_optional_part_at_once_loses_nothing(data: st.DataObject) -> None:
    for golden, parts, module in KINDS:
        composed = compose(golden, parts, module, data.draw, every_part=True)
        root = etree.fromstring(composed)
        for part in parts:  # each part is really in the input
            parent = root.find(part.parent)
            assert parent is not None
            if part.attribute is not None:
                assert parent.get(part.attribute) is not None, (golden, part)
        check_lossless(composed, module)
