"""BODs built in code: schema-valid against OAGIS® 10.2, read back as built, namespaces as in the
official instances, and refused with the path when something required is missing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from tests.punchout.oagis_world import PARIS, purchase_order_bod, schema_errors

from punchout.oagis import (
    Amount,
    ApplicationArea,
    BODOutcome,
    BODResult,
    BuildError,
    ConfirmBOD,
    LineStatus,
    Message,
    PurchaseOrderBOD,
    Quantity,
    Verb,
    build,
    parse,
)

NS = "http://www.openapplications.org/oagis/10"


def _acknowledgement() -> PurchaseOrderBOD:
    order = purchase_order_bod(Verb.ACKNOWLEDGE)
    original = order.application_area
    order.original_application_area = ApplicationArea(
        sender_logical_id=original.sender_logical_id, creation=original.creation, bod_id=original.bod_id
    )
    order.application_area = ApplicationArea(
        sender_logical_id="papeterie-martin",
        creation=datetime(2026, 12, 7, 10, 0, tzinfo=PARIS),
        bod_id="ack-0042-1",
    )
    first, second = order.purchase_order.lines
    first.status = LineStatus.MODIFIED
    first.status_reason = "Only 10 in stock"
    first.quantity = Quantity(Decimal("10"), "EA")
    first.promised_delivery = date(2026, 12, 21)
    second.action_code = LineStatus.REJECTED
    second.status_reason = "Discontinued"
    order.purchase_order.header.status = "Modified"
    return order


def _confirmation() -> ConfirmBOD:
    return ConfirmBOD(
        application_area=ApplicationArea(
            sender_logical_id="papeterie-martin",
            creation=datetime(2026, 12, 7, 10, 5, tzinfo=UTC),
            bod_id="conf-1",
        ),
        original_application_area=ApplicationArea(
            sender_logical_id="openprocure-buyer",
            creation=datetime(2026, 12, 7, 8, 30, 5, tzinfo=UTC),
            bod_id="9b3a7c9e-0c55-4f7a-9a55-1f9d2a6f0a42",
        ),
        results=[
            BODResult(
                bod_id="9b3a7c9e-0c55-4f7a-9a55-1f9d2a6f0a42",
                result_code="Failure",
                failure=BODOutcome(
                    errors=[Message(description="Unknown item S-999 on line 3", reason_code="unknown-item")],
                    warnings=[Message(description="Requested date is a holiday")],
                ),
            )
        ],
    )


@pytest.mark.parametrize("verb", list(Verb))
def test_a_built_purchase_order_bod_is_schema_valid_and_reads_back_as_built(
    interop: Path, verb: Verb
) -> None:
    document = purchase_order_bod(verb) if verb is not Verb.ACKNOWLEDGE else _acknowledgement()
    data = build(document)

    assert schema_errors(interop, data) == []
    again = parse(data)
    assert again == document
    assert again.warnings == []


def test_a_built_bod_uses_the_default_namespace_of_the_official_instances() -> None:
    root = etree.fromstring(build(purchase_order_bod()))

    assert root.tag == f"{{{NS}}}ProcessPurchaseOrder"
    assert root.nsmap == {None: NS}
    assert [child.tag.replace(f"{{{NS}}}", "") for child in root.iter() if child.nsmap != {None: NS}] == []
    assert (root.get("releaseID"), root.get("languageCode")) == ("10.2", "fr-FR")

    document = parse(build(purchase_order_bod()))
    document.language_code = None
    assert etree.fromstring(build(document)).get("languageCode") is None


def test_the_acknowledgement_says_per_line_what_was_accepted_changed_or_rejected(interop: Path) -> None:
    data = build(_acknowledgement())
    assert schema_errors(interop, data) == []
    document = parse(data)
    assert isinstance(document, PurchaseOrderBOD)

    first, second = document.purchase_order.lines
    assert (first.line_status, first.status_reason) == (LineStatus.MODIFIED, "Only 10 in stock")
    assert (first.quantity, first.promised_delivery) == (Quantity(Decimal("10"), "EA"), date(2026, 12, 21))
    assert (second.line_status, second.status, second.status_reason) == (
        LineStatus.REJECTED,
        None,
        "Discontinued",
    )
    assert document.original_application_area is not None
    assert document.original_application_area.bod_id == "9b3a7c9e-0c55-4f7a-9a55-1f9d2a6f0a42"
    line = etree.fromstring(data).find(f"{{{NS}}}DataArea/{{{NS}}}PurchaseOrder/{{{NS}}}PurchaseOrderLine")
    assert line is not None
    assert [child.tag.replace(f"{{{NS}}}", "") for child in line] == [
        "LineNumberID",
        "Description",
        "Note",
        "Status",
        "Item",
        "Quantity",
        "UnitPrice",
        "ExtendedAmount",
        "TotalAmount",
        "RequiredDeliveryDateTime",
        "PromisedDeliveryDateTime",
    ]


def test_a_built_confirm_bod_is_schema_valid_and_carries_its_messages(interop: Path) -> None:
    data = build(_confirmation())

    assert schema_errors(interop, data) == []
    document = parse(data)
    assert document == _confirmation()
    assert isinstance(document, ConfirmBOD)
    assert [m.description for m in document.results[0].errors] == ["Unknown item S-999 on line 3"]
    assert [m.description for m in document.results[0].warnings] == ["Requested date is a holiday"]


def test_values_are_written_as_the_schemas_type_them() -> None:
    document = purchase_order_bod()
    line = document.purchase_order.lines[0]
    line.unit_price = Amount(Decimal("1.25E+2"), "EUR")
    line.quantity = Quantity(Decimal("-0"), "EA")
    root = etree.fromstring(build(document))
    ns = {"o": NS}

    assert root.findtext("o:ApplicationArea/o:CreationDateTime", namespaces=ns) == "2026-12-07T08:30:05+00:00"
    written = root.find("o:DataArea/o:PurchaseOrder/o:PurchaseOrderLine", ns)
    assert written is not None
    assert written.findtext("o:UnitPrice/o:ChargeAmount", namespaces=ns) == "125"
    assert written.findtext("o:Quantity", namespaces=ns) == "0"
    assert written.findtext("o:RequiredDeliveryDateTime", namespaces=ns) == "2026-12-18"


def test_a_bod_without_bodid_is_refused_with_the_path() -> None:
    document = purchase_order_bod()
    document.application_area.bod_id = None

    with pytest.raises(BuildError) as caught:
        build(document)
    assert (
        str(caught.value) == "/ProcessPurchaseOrder/ApplicationArea/BODID is required: the BOD has no BODID"
    )
    assert caught.value.path == "/ProcessPurchaseOrder/ApplicationArea/BODID"


def test_a_bod_without_creation_date_time_is_refused() -> None:
    document = purchase_order_bod(Verb.CANCEL)
    document.application_area.creation = None

    with pytest.raises(
        BuildError,
        match=r"^/CancelPurchaseOrder/ApplicationArea/CreationDateTime is required: "
        r"the BOD has no creation date-time$",
    ):
        build(document)


def test_a_date_time_without_zone_is_refused() -> None:
    document = purchase_order_bod()
    document.purchase_order.lines[1].requested_delivery = datetime(2026, 12, 19, 9, 30)

    with pytest.raises(BuildError) as caught:
        build(document)
    assert str(caught.value) == (
        "/ProcessPurchaseOrder/DataArea/PurchaseOrder/PurchaseOrderLine[2]/RequiredDeliveryDateTime needs a time "
        "zone: the date-time 2026-12-19T09:30:00 has none"
    )


def test_a_purchase_order_without_document_id_is_refused() -> None:
    document = purchase_order_bod(Verb.CHANGE)
    document.purchase_order.header.id = ""

    with pytest.raises(BuildError) as caught:
        build(document)
    assert str(caught.value) == (
        "/ChangePurchaseOrder/DataArea/PurchaseOrder/PurchaseOrderHeader/ID is required: "
        "the purchase order has no document ID"
    )


def test_a_bod_without_purchase_order_or_release_is_refused() -> None:
    document = purchase_order_bod()
    document.purchase_orders = []
    with pytest.raises(BuildError, match=r"^/ProcessPurchaseOrder/DataArea/PurchaseOrder is required: "):
        build(document)

    document = purchase_order_bod()
    document.release_id = ""
    with pytest.raises(
        BuildError, match=r"^/ProcessPurchaseOrder/@releaseID is required: the BOD has no release ID$"
    ):
        build(document)


def test_a_confirm_bod_that_confirms_nothing_or_succeeds_with_errors_is_refused() -> None:
    document = _confirmation()
    document.results = []
    with pytest.raises(
        BuildError, match=r"^/ConfirmBOD/DataArea/BOD is required: the ConfirmBOD confirms no BOD$"
    ):
        build(document)

    document = _confirmation()
    document.results[0].success = BODOutcome(errors=[Message(description="x")])
    with pytest.raises(BuildError) as caught:
        build(document)
    assert (
        str(caught.value)
        == "/ConfirmBOD/DataArea/BOD/BODSuccessMessage: a BODSuccessMessage carries no error messages"
    )


def test_removing_a_line_from_a_read_bod_removes_it() -> None:
    document = parse(build(purchase_order_bod()))
    assert isinstance(document, PurchaseOrderBOD)
    del document.purchase_order.lines[0]
    document.purchase_order.header.buyer = None

    again = parse(build(document))
    assert isinstance(again, PurchaseOrderBOD)
    assert [line.line_number for line in again.purchase_order.lines] == ["2"]
    assert again.purchase_order.header.buyer is None
    assert again.purchase_order.header.supplier is not None


@pytest.mark.parametrize(
    ("read", "area"),
    [
        pytest.param(lambda: parse(build(_acknowledgement())), "Acknowledge", id="acknowledgement"),
        pytest.param(lambda: parse(build(_confirmation())), "Confirm", id="confirmation"),
    ],
)
def test_the_original_application_area_of_a_read_bod_is_rewritten_once_or_removed(
    read: Callable[[], PurchaseOrderBOD | ConfirmBOD], area: str
) -> None:
    document = read()
    assert document.original_application_area is not None
    document.original_application_area.bod_id = "bod-2"

    verb = etree.fromstring(build(document)).find(f"{{{NS}}}DataArea/{{{NS}}}{area}")
    assert verb is not None
    originals = verb.findall(f"{{{NS}}}OriginalApplicationArea")
    assert [original.findtext(f"{{{NS}}}BODID") for original in originals] == ["bod-2"]

    document.original_application_area = None
    verb = etree.fromstring(build(document)).find(f"{{{NS}}}DataArea/{{{NS}}}{area}")
    assert verb is not None
    assert verb.findall(f"{{{NS}}}OriginalApplicationArea") == []
    assert parse(build(document)).original_application_area is None


def test_a_currency_or_unit_removed_from_the_model_is_removed_from_the_document() -> None:
    document = parse(build(purchase_order_bod()))
    assert isinstance(document, PurchaseOrderBOD)
    line = document.purchase_order.lines[0]
    line.unit_price = Amount(Decimal("1.30"), None)
    line.quantity = Quantity(Decimal("12"), None)

    written = etree.fromstring(build(document)).find(
        f"{{{NS}}}DataArea/{{{NS}}}PurchaseOrder/{{{NS}}}PurchaseOrderLine"
    )
    assert written is not None
    price = written.find(f"{{{NS}}}UnitPrice/{{{NS}}}ChargeAmount")
    quantity = written.find(f"{{{NS}}}Quantity")
    assert price is not None and quantity is not None
    assert (price.text, dict(price.attrib)) == ("1.30", {})
    assert (quantity.text, dict(quantity.attrib)) == ("12", {})


def test_a_change_says_per_line_what_to_add_change_or_delete(interop: Path) -> None:
    document = purchase_order_bod(Verb.CHANGE)
    document.purchase_order.action_code = "Change"
    first, second = document.purchase_order.lines
    first.action_code = "Change"
    first.quantity = Quantity(Decimal("20"), "EA")
    second.action_code = "Delete"
    data = build(document)

    assert schema_errors(interop, data) == []
    root = etree.fromstring(data)
    order = root.find(f"{{{NS}}}DataArea/{{{NS}}}PurchaseOrder")
    assert order is not None
    assert order.get("actionCode") == "Change"
    assert [line.get("actionCode") for line in order.findall(f"{{{NS}}}PurchaseOrderLine")] == [
        "Change",
        "Delete",
    ]
    again = parse(data)
    assert isinstance(again, PurchaseOrderBOD)
    assert [line.action_code for line in again.purchase_order.lines] == ["Change", "Delete"]
    assert [line.line_status for line in again.purchase_order.lines] == [None, None]


def test_the_modelled_address_stays_the_first_of_several() -> None:
    data = build(purchase_order_bod())
    root = etree.fromstring(data)
    location = root.find(f".//{{{NS}}}CustomerParty/{{{NS}}}Location")
    assert location is not None
    second = etree.SubElement(location, f"{{{NS}}}Address")
    etree.SubElement(second, f"{{{NS}}}CityName").text = "Grenoble"
    document = parse(etree.tostring(root))
    assert isinstance(document, PurchaseOrderBOD)
    buyer = document.purchase_order.header.buyer
    assert buyer is not None and buyer.address is not None
    buyer.address.city = "Villeurbanne"

    again = parse(build(document))
    assert isinstance(again, PurchaseOrderBOD)
    buyer = again.purchase_order.header.buyer
    assert buyer is not None and buyer.address is not None
    assert buyer.address.city == "Villeurbanne"
    rebuilt = etree.fromstring(build(again))
    assert [
        a.findtext(f"{{{NS}}}CityName")
        for a in rebuilt.iterfind(f".//{{{NS}}}CustomerParty/{{{NS}}}Location/{{{NS}}}Address")
    ] == [
        "Villeurbanne",
        "Grenoble",
    ]
