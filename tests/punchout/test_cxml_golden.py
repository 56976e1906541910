"""Golden documents: one per message type, built by our builder, byte for byte and DTD-valid.

Regenerate after an intended change with ``OPENPROCURE_UPDATE_GOLDEN=1 pytest tests/punchout``,
then read the diff of tests/punchout/golden/ before committing it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from punchout.cxml import (
    CXML,
    Accounting,
    AccountingSegment,
    Address,
    CarrierIdentifier,
    Classification,
    Comment,
    ConfirmationHeader,
    ConfirmationItem,
    ConfirmationRequest,
    ConfirmationStatus,
    ConfirmationStatusType,
    ConfirmationType,
    Contact,
    Credential,
    DeploymentMode,
    Description,
    Distribution,
    Extrinsic,
    Header,
    InvoiceDetailItem,
    InvoiceDetailItemReference,
    InvoiceDetailOrder,
    InvoiceDetailRequest,
    InvoiceDetailRequestHeader,
    InvoiceDetailSummary,
    InvoicePartner,
    InvoicePurpose,
    InvoiceStatus,
    InvoiceStatusType,
    ItemDetail,
    ItemID,
    ItemIn,
    ItemOut,
    Money,
    Option,
    OrderReference,
    OrderRequest,
    OrderRequestHeader,
    OrderRequestType,
    PCard,
    Phone,
    PostalAddress,
    ProfileRequest,
    ProfileResponse,
    PunchOutOperation,
    PunchOutOrderMessage,
    PunchOutOrderMessageHeader,
    PunchOutSetupRequest,
    PunchOutSetupResponse,
    Response,
    ScheduleLine,
    ShipControl,
    ShipmentIdentifier,
    ShipNoticeHeader,
    ShipNoticeItem,
    ShipNoticePortion,
    ShipNoticeRequest,
    Shipping,
    Status,
    StatusUpdateRequest,
    Tax,
    TaxDetail,
    Transaction,
    build,
    make_header,
    parse,
)
from punchout.cxml.common import MessageBody
from punchout.cxml.dtd import module_for, validate

GOLDEN = Path(__file__).parent / "golden"
PAYLOAD_ID = "20260315T093000000000.4242.000000000042@buyer.example.com"
STAMP = datetime(2026, 3, 15, 9, 30, tzinfo=timezone(timedelta(hours=1)))
EN = "en-US"


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def en(text: str) -> Description:
    return Description(text, EN)


def header(secret: str | None = "s3cr3t-golden") -> Header:
    return make_header(
        from_=[Credential("NetworkID", "AN01000000001"), Credential("DUNS", "123456789")],
        to=[Credential("DUNS", "987654321")],
        sender=[Credential("NetworkID", "AN01000000001", secret)],
        user_agent="OpenProcure golden 1.0",
    )


def ship_to() -> Address:
    return Address(
        "Acme Receiving",
        EN,
        PostalAddress(
            street=["1 Dock Road", "Gate 4"],
            city="Sunnyvale",
            country="United States",
            iso_country_code="US",
            deliver_to=["Jo Buyer"],
            state="CA",
            postal_code="94089",
        ),
        email="jo.buyer@acme.example",
        phone=Phone("5550100", "1", "US", "408"),
        iso_country_code="US",
        address_id="SHIP-1",
    )


def detail(price: str = "12.3456") -> ItemDetail:
    return ItemDetail(
        usd(price),
        [Description("A4 copier paper, 80 gsm, 500 sheets", EN, "A4 paper")],
        "PK",
        classifications=[Classification("UNSPSC", "14111507")],
        manufacturer_part_id="KP-80-500",
        manufacturer_name="Kestrel",
        lead_time=3,
        extrinsics=[Extrinsic("soldBy", "Acme Office")],
    )


def envelope(
    message: MessageBody,
    *,
    with_header: bool = True,
    status: Status | None = None,
    secret: str | None = "s3cr3t-golden",
) -> CXML:
    """A golden envelope; Responses carry no Header and no deploymentMode."""
    return CXML(
        message=message,
        payload_id=PAYLOAD_ID,
        timestamp=STAMP,
        header=header(secret) if with_header else None,
        deployment_mode=DeploymentMode.TEST if with_header else DeploymentMode.PRODUCTION,
        version="1.2.071",
        lang=EN,
        status=status,
    )


def item_out(line: int) -> ItemOut:
    return ItemOut(
        Decimal("2"),
        ItemID("KP-80-500", " cart:7f3a 1 ", "BUY-42"),
        detail(),
        line_number=line,
        requested_delivery_date=datetime(2026, 3, 20, tzinfo=UTC),
        ship_to=ship_to(),
        shipping=Shipping(usd("4.95"), en("Ground")),
        tax=Tax(
            usd("2.00"), en("Sales tax"), [TaxDetail("sales", usd("2.00"), usd("24.69"), Decimal("8.1"))]
        ),
        distributions=[
            Distribution(
                Accounting("CostCenter", [AccountingSegment("4100", "Office", "Office supplies")]),
                usd("24.69"),
            )
        ],
        comments=[Comment("Leave at dock 4", EN)],
        schedule_lines=[ScheduleLine(Decimal("2"), datetime(2026, 3, 20, tzinfo=UTC), "PK", 1)],
    )


def golden_documents() -> dict[str, CXML]:
    reference = OrderReference(
        "PO-2026-0042", datetime(2026, 3, 14, 8, 0, tzinfo=UTC), "po-42@buyer.example.com"
    )
    return {
        "PunchOutSetupRequest": envelope(
            PunchOutSetupRequest(
                "cookie-1f2e3d",
                PunchOutOperation.EDIT,
                "https://buyer.example.com/punchout/return",
                "https://supplier.example.com/punchout/setup",
                [Extrinsic("UserEmail", "jo.buyer@acme.example"), Extrinsic("CostCenter", "4100")],
                [Contact("Jo Buyer", EN, "endUser", emails=["jo.buyer@acme.example"])],
                ship_to(),
                ItemID("KP-80-500"),
                [item_out(1)],
            )
        ),
        "PunchOutSetupResponse": envelope(
            PunchOutSetupResponse("https://supplier.example.com/start?token=abc&s=1"),
            with_header=False,
            status=Status(200, "OK", "", EN),
        ),
        "PunchOutOrderMessage": envelope(
            PunchOutOrderMessage(
                "cookie-1f2e3d",
                PunchOutOrderMessageHeader(
                    usd("29.64"),
                    PunchOutOperation.EDIT,
                    ship_to(),
                    Shipping(usd("4.95"), en("Ground")),
                    Tax(usd("0.00"), en("No tax")),
                ),
                [
                    ItemIn(
                        Decimal("2"),
                        ItemID("KP-80-500", "  cart:7f3a\tline 1  "),
                        detail(),
                        line_number=1,
                        shipping=Shipping(usd("4.95"), en("Ground")),
                        tax=Tax(usd("0.00"), en("No tax")),
                    )
                ],
            ),
            secret=None,  # a cart travels through the browser: never with a SharedSecret
        ),
        "OrderRequest": envelope(
            OrderRequest(
                OrderRequestHeader(
                    "PO-2026-0042",
                    datetime(2026, 3, 14, 8, 0, tzinfo=UTC),
                    usd("31.64"),
                    type=OrderRequestType.NEW,
                    order_version=1,
                    ship_to=ship_to(),
                    bill_to=Address("Acme Accounts Payable", EN),
                    shipping=Shipping(usd("4.95"), en("Ground")),
                    tax=Tax(usd("2.00"), en("Sales tax")),
                    payment=PCard("4111111111111111", "2027-12-31", "Jo Buyer"),
                    contacts=[Contact("Jo Buyer", EN, "buyer", emails=["jo.buyer@acme.example"])],
                    comments=[Comment("Deliver before noon", EN)],
                    extrinsics=[Extrinsic("CostCenter", "4100")],
                ),
                [item_out(1), item_out(2)],
            )
        ),
        "ConfirmationRequest": envelope(
            ConfirmationRequest(
                ConfirmationHeader(
                    ConfirmationType.DETAIL,
                    datetime(2026, 3, 15, 10, 0, tzinfo=UTC),
                    confirm_id="CONF-9",
                    total=usd("31.64"),
                    comments=[Comment("One line backordered", EN)],
                ),
                reference,
                [
                    ConfirmationItem(
                        1,
                        Decimal("2"),
                        "PK",
                        [
                            ConfirmationStatus(
                                ConfirmationStatusType.ACCEPT,
                                Decimal("1"),
                                "PK",
                                delivery_date=datetime(2026, 3, 18, tzinfo=UTC),
                                unit_price=usd("12.3456"),
                            ),
                            ConfirmationStatus(
                                ConfirmationStatusType.BACKORDERED,
                                Decimal("1"),
                                "PK",
                                delivery_date=datetime(2026, 4, 1, tzinfo=UTC),
                                comments=[Comment("Back in stock in April", EN)],
                            ),
                        ],
                    )
                ],
            )
        ),
        "ShipNoticeRequest": envelope(
            ShipNoticeRequest(
                ShipNoticeHeader(
                    "SHIP-77",
                    datetime(2026, 3, 16, 9, 0, tzinfo=UTC),
                    shipment_date=datetime(2026, 3, 16, 8, 0, tzinfo=UTC),
                    delivery_date=datetime(2026, 3, 18, 12, 0, tzinfo=UTC),
                ),
                [
                    ShipControl(
                        [CarrierIdentifier("SCAC", "UPSN"), CarrierIdentifier("companyName", "UPS")],
                        [ShipmentIdentifier("1Z999AA10123456784", "trackingNumber")],
                    )
                ],
                [ShipNoticePortion(reference, [ShipNoticeItem(1, Decimal("1"), "PK", ItemID("KP-80-500"))])],
            )
        ),
        "InvoiceDetailRequest": envelope(
            InvoiceDetailRequest(
                InvoiceDetailRequestHeader(
                    "INV-1001",
                    datetime(2026, 3, 19, tzinfo=UTC),
                    InvoicePurpose.STANDARD,
                    line_indicators=["isTaxInLine"],
                    partners=[
                        InvoicePartner(
                            Contact("Acme Office Supply", EN, "remitTo"), {"supplierTaxID": "US-99"}
                        )
                    ],
                ),
                [
                    InvoiceDetailOrder(
                        reference,
                        [
                            InvoiceDetailItem(
                                1,
                                Decimal("2"),
                                InvoiceDetailItemReference(1, ItemID("KP-80-500"), en("A4 copier paper")),
                                "PK",
                                usd("12.3456"),
                                usd("24.69"),
                                Tax(
                                    usd("2.00"),
                                    en("Sales tax"),
                                    [TaxDetail("sales", usd("2.00"), usd("24.69"), Decimal("8.1"))],
                                ),
                            )
                        ],
                    )
                ],
                InvoiceDetailSummary(
                    usd("24.69"),
                    Tax(usd("2.00"), en("Sales tax")),
                    usd("31.64"),
                    shipping_amount=usd("4.95"),
                    gross_amount=usd("31.64"),
                    due_amount=usd("31.64"),
                ),
            )
        ),
        "ProfileRequest": envelope(ProfileRequest()),
        "ProfileResponse": envelope(
            ProfileResponse(
                datetime(2026, 1, 1, tzinfo=UTC),
                [
                    Transaction("PunchOutSetupRequest", "https://supplier.example.com/cxml/setup"),
                    Transaction(
                        "OrderRequest",
                        "https://supplier.example.com/cxml/order",
                        [Option("attachments", "No")],
                    ),
                ],
                [Option("Service", "OpenProcure")],
            ),
            with_header=False,
            status=Status(200, "OK", "", EN),
        ),
        "StatusUpdateRequest": envelope(
            StatusUpdateRequest(
                Status(200, "OK", "Invoice reconciled", EN),
                "inv-1001@supplier.example.com",
                InvoiceStatus(
                    InvoiceStatusType.RECONCILED,
                    "INV-1001",
                    datetime(2026, 3, 19, tzinfo=UTC),
                    [Comment("Matched 3-way", EN)],
                ),
            )
        ),
        "Response": envelope(
            Response(), with_header=False, status=Status(201, "Accepted", "Order queued", EN)
        ),
    }


DOCUMENTS = golden_documents()


@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
def test_build_matches_golden_bytes(kind: str) -> None:
    built = build(DOCUMENTS[kind])
    path = GOLDEN / f"{kind}.xml"
    if os.environ.get("OPENPROCURE_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(built)
    assert built == path.read_bytes()


@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
def test_golden_starts_with_declaration_and_right_doctype(kind: str) -> None:
    data = (GOLDEN / f"{kind}.xml").read_bytes()
    first, second = data.split(b"\n")[:2]
    assert first == b"<?xml version='1.0' encoding='UTF-8'?>"
    expected = f'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/{module_for(kind)}">'
    assert second == expected.encode()
    assert b'timestamp="2026-03-15T09:30:00+01:00"' in data
    assert f'payloadID="{PAYLOAD_ID}"'.encode() in data


@pytest.mark.interop
@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
def test_golden_is_valid_against_cxml_1_2_071(kind: str, interop: Path) -> None:
    assert validate((GOLDEN / f"{kind}.xml").read_bytes(), interop / "cxml-dtd", version="1.2.071") == []


@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
def test_golden_parses_back_to_the_same_document_without_warnings(kind: str) -> None:
    result = parse((GOLDEN / f"{kind}.xml").read_bytes())
    assert result.warnings == []
    assert result.document == DOCUMENTS[kind]


def test_golden_amounts_are_quantized() -> None:
    data = (GOLDEN / "OrderRequest.xml").read_bytes()
    assert b'<Money currency="USD">12.3456</Money>' in data  # unit price keeps 4 decimals
    assert b'<Money currency="USD">31.64</Money>' in data
    assert b"<SupplierPartAuxiliaryID> cart:7f3a 1 </SupplierPartAuxiliaryID>" in data
