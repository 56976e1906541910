"""Reading BODs: the values a procurement loop uses, what is forgiven (with the path), and what is
refused (the exact text, naming the path)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from punchout.oagis import (
    Address,
    Amount,
    DocumentTooLarge,
    ForbiddenConstruct,
    InvalidBOD,
    Item,
    LineStatus,
    NotWellFormed,
    OAGISError,
    ParseWarning,
    Party,
    PaymentTerm,
    PurchaseOrderBOD,
    Quantity,
    UnsupportedBOD,
    Verb,
    build,
    parse,
    parse_confirm,
    parse_purchase_order,
)

ORDER = """<?xml version="1.0" encoding="UTF-8"?>
<ProcessPurchaseOrder xmlns="http://www.openapplications.org/oagis/10" releaseID="10.2" languageCode="en-US">
  <ApplicationArea>
    <Sender><LogicalID>ORACLE-FUSION-PO</LogicalID><ComponentID>Purchasing</ComponentID></Sender>
    <CreationDateTime>2026-12-07T09:15:00-05:00</CreationDateTime>
    <BODID schemeAgencyID="Oracle">8f0c1d2e-77aa-4b1b-9a0e-0d1e2f3a4b5c</BODID>
  </ApplicationArea>
  <DataArea>
    <Process acknowledgeCode="Always"/>
    <PurchaseOrder>
      <PurchaseOrderHeader>
        <ID>US-PO-100234</ID>
        <DocumentDateTime>2026-12-07</DocumentDateTime>
        <Description>Maintenance supplies</Description>
        <Note author="jdoe">Call before delivery</Note>
        <CustomerParty>
          <ID>VISION-OPS</ID><Name>Vision Operations</Name>
          <Location><Address>
            <AddressLine>200 Main Street</AddressLine><CityName>Boston</CityName>
            <CountrySubDivisionCode>MA</CountrySubDivisionCode><CountryCode>US</CountryCode>
            <PostalCode>02110</PostalCode>
          </Address></Location>
        </CustomerParty>
        <SupplierParty><ID>SUP-4410</ID><Name>Grainger</Name></SupplierParty>
        <ShipToParty><Name>Dock 4</Name><Location><Address><CityName>Boston</CityName></Address></Location></ShipToParty>
        <TotalAmount currencyCode="USD">1,250.40</TotalAmount>
        <BillToParty><ID>VISION-AP</ID></BillToParty>
        <PaymentTerm><ID>2/10 NET 30</ID><Description>2% 10, net 30</Description><DiscountPercent>2</DiscountPercent></PaymentTerm>
      </PurchaseOrderHeader>
      <PurchaseOrderLine>
        <LineNumberID>1</LineNumberID>
        <Description>Safety gloves, size L</Description>
        <Item>
          <ID>GLV-L</ID>
          <CustomerItemIdentification><ID>100-GL</ID></CustomerItemIdentification>
          <ManufacturerItemIdentification><ID>3M-9001</ID></ManufacturerItemIdentification>
          <SupplierItemIdentification><ID>5AB12</ID></SupplierItemIdentification>
          <Classification><Code listID="UNSPSC">46181504</Code></Classification>
        </Item>
        <Quantity unitCode="PR">24</Quantity>
        <UnitPrice><ChargeAmount currencyCode="USD">52.10</ChargeAmount><BasisQuantity unitCode="PR">1</BasisQuantity></UnitPrice>
        <ExtendedAmount currencyCode="USD">1250.40</ExtendedAmount>
        <RequiredDeliveryDateTime>2026-12-14T17:00:00Z</RequiredDeliveryDateTime>
      </PurchaseOrderLine>
    </PurchaseOrder>
  </DataArea>
</ProcessPurchaseOrder>
"""


def test_a_purchase_order_reads_with_what_the_loop_uses() -> None:
    document = parse_purchase_order(ORDER.encode())

    assert document.verb is Verb.PROCESS
    assert document.warnings == []
    area = document.application_area
    assert (area.sender_logical_id, area.sender_component_id, area.bod_id) == (
        "ORACLE-FUSION-PO",
        "Purchasing",
        "8f0c1d2e-77aa-4b1b-9a0e-0d1e2f3a4b5c",
    )
    assert area.creation == datetime(2026, 12, 7, 14, 15, tzinfo=UTC)
    header = document.purchase_order.header
    assert (header.id, header.document_date) == ("US-PO-100234", date(2026, 12, 7))
    assert (header.descriptions, header.notes) == (["Maintenance supplies"], ["Call before delivery"])
    assert header.buyer == Party(
        id="VISION-OPS",
        name="Vision Operations",
        address=Address(
            lines=["200 Main Street"],
            city="Boston",
            country_subdivision="MA",
            country_code="US",
            postal_code="02110",
        ),
    )
    assert header.supplier == Party(id="SUP-4410", name="Grainger")
    assert header.ship_to == Party(name="Dock 4", address=Address(city="Boston"))
    assert header.bill_to == Party(id="VISION-AP")
    assert header.total_amount == Amount(Decimal("1250.40"), "USD")
    assert header.payment_terms == [
        PaymentTerm(code="2/10 NET 30", description="2% 10, net 30", discount_percent=Decimal("2"))
    ]
    [line] = document.purchase_order.lines
    assert line.line_number == "1"
    assert line.item == Item(
        id="GLV-L", buyer_item_id="100-GL", supplier_item_id="5AB12", manufacturer_item_id="3M-9001"
    )
    assert line.descriptions == ["Safety gloves, size L"]
    assert (line.quantity, line.unit_price, line.price_basis) == (
        Quantity(Decimal("24"), "PR"),
        Amount(Decimal("52.10"), "USD"),
        Quantity(Decimal("1"), "PR"),
    )
    assert line.extended_amount == Amount(Decimal("1250.40"), "USD")
    assert line.requested_delivery == datetime(2026, 12, 14, 17, tzinfo=UTC)
    assert document.purchase_order.currency == "USD"


def test_a_bod_without_namespace_is_read_with_a_warning() -> None:
    bare = ORDER.replace(' xmlns="http://www.openapplications.org/oagis/10"', "")
    document = parse_purchase_order(bare)

    assert document.purchase_order.header.id == "US-PO-100234"
    assert document.warnings == [
        ParseWarning(
            "namespace",
            "/ProcessPurchaseOrder",
            "the BOD has no namespace; read as OAGIS 10 (http://www.openapplications.org/oagis/10)",
        )
    ]


def test_a_bod_in_the_oagis_9_namespace_is_read_with_a_warning() -> None:
    older = ORDER.replace("oagis/10", "oagis/9")
    document = parse_purchase_order(older)

    assert document.purchase_order.lines[0].item is not None
    assert [(w.code, w.message) for w in document.warnings] == [
        (
            "namespace",
            "the BOD has namespace 'http://www.openapplications.org/oagis/9'; read as OAGIS 10 "
            "(http://www.openapplications.org/oagis/10)",
        )
    ]


def test_loose_dates_and_status_case_are_forgiven_with_the_path() -> None:
    loose = (
        ORDER.replace("2026-12-14T17:00:00Z", "2026-12-14 17:00:00")
        .replace(
            "<DocumentDateTime>2026-12-07</DocumentDateTime>",
            "<DocumentDateTime>next week</DocumentDateTime>",
        )
        .replace(
            "<LineNumberID>1</LineNumberID>",
            "<LineNumberID>1</LineNumberID><Status><Code>accepted</Code></Status>",
        )
    )
    document = parse_purchase_order(loose)

    line = document.purchase_order.lines[0]
    assert line.line_status is LineStatus.ACCEPTED
    assert line.requested_delivery == datetime(2026, 12, 14, 17, tzinfo=UTC)
    assert document.purchase_order.header.document_date == "next week"
    header = "/ProcessPurchaseOrder/DataArea/PurchaseOrder/PurchaseOrderHeader"
    line_path = "/ProcessPurchaseOrder/DataArea/PurchaseOrder/PurchaseOrderLine"
    assert [(w.code, w.path) for w in document.warnings] == [
        ("unreadable-date", f"{header}/DocumentDateTime"),
        ("status-case", f"{line_path}/Status/Code"),
        ("lenient-date", f"{line_path}/RequiredDeliveryDateTime"),
    ]
    assert document.warnings[0].message == "'next week' is not a date; kept as written"
    assert document.warnings[1].message == "read status 'accepted' as 'Accepted'"
    assert document.warnings[2].message.startswith(
        "read '2026-12-14 17:00:00' as 2026-12-14T17:00:00+00:00: "
    )


def test_an_unknown_line_status_is_kept_but_not_taken_for_a_verdict() -> None:
    document = parse_purchase_order(
        ORDER.replace(
            "<LineNumberID>1</LineNumberID>",
            "<LineNumberID>1</LineNumberID><Status><Code>Pending</Code></Status>",
        )
    )
    line = document.purchase_order.lines[0]
    assert (line.status, line.line_status) == ("Pending", None)


def test_a_date_time_with_an_offset_keeps_the_instant() -> None:
    document = parse_purchase_order(ORDER.replace("2026-12-14T17:00:00Z", "2026-12-14T18:00:00+01:00"))
    value = document.purchase_order.lines[0].requested_delivery
    assert value == datetime(2026, 12, 14, 17, tzinfo=UTC)
    assert isinstance(value, datetime) and value.utcoffset() == timezone(timedelta(hours=1)).utcoffset(None)


def _refusal(data: str | bytes) -> OAGISError:
    with pytest.raises(OAGISError) as caught:
        parse(data)
    return caught.value


def test_an_amount_that_is_not_a_number_is_refused_with_its_path() -> None:
    error = _refusal(ORDER.replace(">52.10<", ">fifty<"))

    assert isinstance(error, InvalidBOD)
    path = "/ProcessPurchaseOrder/DataArea/PurchaseOrder/PurchaseOrderLine/UnitPrice/ChargeAmount"
    assert str(error) == f"{path} is not a number: 'fifty' is not a decimal number"
    assert (error.path, error.status_code) == (path, 400)


def test_a_quantity_in_the_second_line_names_its_position() -> None:
    start = ORDER.index("<PurchaseOrderLine>")
    end = ORDER.index("</PurchaseOrderLine>") + len("</PurchaseOrderLine>")
    line = ORDER[start:end]
    two = ORDER[:end] + line.replace(">24<", ">1,2,3<") + ORDER[end:]
    error = _refusal(two)

    assert str(error) == (
        "/ProcessPurchaseOrder/DataArea/PurchaseOrder/PurchaseOrderLine[2]/Quantity is not a number: "
        "'1,2,3' is ambiguous: write amounts with a dot as decimal separator and no grouping"
    )


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        (
            ("<DataArea>", "</DataArea>"),
            "the ProcessPurchaseOrder has no DataArea (/ProcessPurchaseOrder/DataArea)",
        ),
        (
            ("<ApplicationArea>", "</ApplicationArea>"),
            "the ProcessPurchaseOrder has no ApplicationArea (/ProcessPurchaseOrder/ApplicationArea)",
        ),
        (
            ('<Process acknowledgeCode="Always"/>', None),
            "the DataArea has no Process (/ProcessPurchaseOrder/DataArea/Process)",
        ),
        (
            ("<PurchaseOrder>", "</PurchaseOrder>"),
            "the DataArea has no PurchaseOrder (/ProcessPurchaseOrder/DataArea/PurchaseOrder)",
        ),
        (
            ("<PurchaseOrderHeader>", "</PurchaseOrderHeader>"),
            "the PurchaseOrder has no PurchaseOrderHeader (/ProcessPurchaseOrder/DataArea/PurchaseOrder/PurchaseOrderHeader)",
        ),
    ],
)
def test_a_bod_missing_a_required_part_is_refused_naming_it(
    cut: tuple[str, str | None], message: str
) -> None:
    start, end = cut
    begin = ORDER.index(start)
    finish = ORDER.index(end) + len(end) if end else begin + len(start)
    error = _refusal(ORDER[:begin] + ORDER[finish:])

    assert isinstance(error, InvalidBOD)
    assert str(error) == message


def test_what_is_not_a_bod_this_system_reads_is_refused() -> None:
    error = _refusal('<SyncItemMaster xmlns="http://www.openapplications.org/oagis/10" releaseID="10.2"/>')
    assert isinstance(error, UnsupportedBOD)
    assert str(error) == (
        "SyncItemMaster is not a BOD this system reads (it reads ProcessPurchaseOrder, ChangePurchaseOrder, "
        "CancelPurchaseOrder, AcknowledgePurchaseOrder, ConfirmBOD)"
    )
    assert (error.path, error.status_code) == ("/SyncItemMaster", 501)

    other = _refusal('<ProcessPurchaseOrder xmlns="urn:example:not-oagis"/>')
    assert isinstance(other, UnsupportedBOD)


def test_text_that_is_not_xml_a_doctype_or_a_huge_body_is_refused() -> None:
    broken = _refusal("<ProcessPurchaseOrder><ApplicationArea>")
    assert isinstance(broken, NotWellFormed)
    assert str(broken).startswith("the document is not well-formed XML: ")

    doctype = _refusal('<!DOCTYPE x [<!ENTITY e "boom">]><ProcessPurchaseOrder>&e;</ProcessPurchaseOrder>')
    assert isinstance(doctype, ForbiddenConstruct)
    assert str(doctype) == "the document has a DOCTYPE; OAGIS BODs are described by XML schemas only"

    with pytest.raises(DocumentTooLarge) as caught:
        parse(ORDER.encode(), max_bytes=100)
    assert str(caught.value) == f"the document is {len(ORDER.encode())} bytes, more than the 100 accepted"
    assert caught.value.status_code == 413


def test_the_typed_readers_refuse_the_other_kind() -> None:
    with pytest.raises(
        UnsupportedBOD, match=r"^a ProcessPurchaseOrder was sent where a ConfirmBOD was expected$"
    ):
        parse_confirm(ORDER)
    confirm = (
        '<ConfirmBOD xmlns="http://www.openapplications.org/oagis/10" releaseID="10.2"><ApplicationArea>'
        "<CreationDateTime>2026-12-07T10:00:00Z</CreationDateTime><BODID>c-1</BODID></ApplicationArea>"
        "<DataArea><Confirm/><BOD><BODID>x</BODID></BOD></DataArea></ConfirmBOD>"
    )
    assert parse_confirm(confirm).results[0].bod_id == "x"
    with pytest.raises(
        UnsupportedBOD, match=r"^a ConfirmBOD was sent where a PurchaseOrder BOD was expected$"
    ):
        parse_purchase_order(confirm)


def test_a_bod_without_release_or_creation_is_read_with_warnings() -> None:
    document = parse(
        ORDER.replace(' releaseID="10.2"', "").replace(
            "<CreationDateTime>2026-12-07T09:15:00-05:00</CreationDateTime>", ""
        )
    )
    assert isinstance(document, PurchaseOrderBOD)
    assert (document.release_id, document.application_area.creation) == ("10.2", None)
    assert [(w.code, w.path, w.message) for w in document.warnings] == [
        ("missing", "/ProcessPurchaseOrder/ApplicationArea", "the ApplicationArea has no CreationDateTime"),
        ("missing", "/ProcessPurchaseOrder", "the ProcessPurchaseOrder has no releaseID; read as 10.2"),
    ]


def test_what_the_schemas_do_not_allow_is_named_and_left_out_when_written() -> None:
    sloppy = ORDER.replace(
        "<LineNumberID>1</LineNumberID>",
        '<LineNumberID>1</LineNumberID><Colour>red</Colour><erp:Plant xmlns:erp="urn:example:erp">P1</erp:Plant>',
    )
    sloppy = sloppy.replace("</DataArea>", "</DataArea><Trailer/>")
    document = parse_purchase_order(sloppy)

    line = "/ProcessPurchaseOrder/DataArea/PurchaseOrder/PurchaseOrderLine"
    assert [(w.code, w.path, w.message) for w in document.warnings] == [
        (
            "not-allowed",
            "/ProcessPurchaseOrder/Trailer",
            "Trailer is not allowed in ProcessPurchaseOrder by the OAGIS 10.2 schemas; left out when the BOD is written",
        ),
        (
            "not-allowed",
            f"{line}/Colour",
            "Colour is not allowed in PurchaseOrderLine by the OAGIS 10.2 schemas; left out when the BOD is written",
        ),
        (
            "not-allowed",
            f"{line}/Plant",
            "Plant is not allowed in PurchaseOrderLine by the OAGIS 10.2 schemas; left out when the BOD is written",
        ),
    ]
    written = build(document)
    assert b"Colour" not in written and b"Plant" not in written and b"Trailer" not in written
    assert parse_purchase_order(written).warnings == []


def test_an_acknowledgement_may_give_its_verdicts_as_action_codes_in_any_case() -> None:
    acknowledged = (
        ORDER.replace("ProcessPurchaseOrder", "AcknowledgePurchaseOrder")
        .replace('<Process acknowledgeCode="Always"/>', "<Acknowledge/>")
        .replace("<PurchaseOrderLine>", '<PurchaseOrderLine actionCode="REJECTED">')
        .replace("<PurchaseOrder>", '<PurchaseOrder actionCode="Modified">')
    )
    document = parse_purchase_order(acknowledged)

    assert document.verb is Verb.ACKNOWLEDGE
    assert document.purchase_order.action_code == "Modified"
    [line] = document.purchase_order.lines
    assert (line.action_code, line.status, line.line_status) == ("Rejected", None, LineStatus.REJECTED)
    assert document.warnings == [
        ParseWarning(
            "action-case",
            "/AcknowledgePurchaseOrder/DataArea/PurchaseOrder/PurchaseOrderLine",
            "read actionCode 'REJECTED' as 'Rejected'",
        )
    ]
