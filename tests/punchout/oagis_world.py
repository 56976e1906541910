"""Shared pieces of the OAGIS tests: the OAGIS 10.2 schemas (loaded once) and a purchase order
built in code with every modelled field set."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from pathlib import Path

from lxml import etree

from punchout.oagis import (
    Address,
    Amount,
    ApplicationArea,
    Item,
    Party,
    PaymentTerm,
    PurchaseOrder,
    PurchaseOrderBOD,
    PurchaseOrderHeader,
    PurchaseOrderLine,
    Quantity,
    Verb,
)

BODS = ("ProcessPurchaseOrder", "ChangePurchaseOrder", "CancelPurchaseOrder", "AcknowledgePurchaseOrder")
PARIS = timezone(timedelta(hours=1))


@cache
def oagis_schema(interop: Path) -> etree.XMLSchema:
    """One schema for the five BODs: a wrapper that includes their OAGIS 10.2 XSDs (same
    namespace), so the 3 MB of shared components are read once per test session."""
    model = interop / "oagis" / "OAGIS_10_2" / "Model"
    includes = [model / "BODs" / f"{name}.xsd" for name in BODS]
    includes.append(model / "Platform" / "2_2" / "BODs" / "ConfirmBOD.xsd")
    wrapper = (
        '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        'targetNamespace="http://www.openapplications.org/oagis/10" elementFormDefault="qualified">'
        + "".join(f'<xsd:include schemaLocation="{path.resolve().as_uri()}"/>' for path in includes)
        + "</xsd:schema>"
    )
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), base_url=model.resolve().as_uri() + "/"))


def schema_errors(interop: Path, document: bytes) -> list[str]:
    """What the OAGIS 10.2 schemas say of ``document`` (empty when it is valid)."""
    schema = oagis_schema(interop)
    if schema.validate(etree.fromstring(document)):
        return []
    return [f"{e.line}: {e.message}" for e in schema.error_log]


def address(city: str = "Lyon") -> Address:
    return Address(
        lines=["12 rue de la République", "Bâtiment B"],
        building_number="12",
        street_name="rue de la République",
        city=city,
        country_subdivision="ARA",
        country_code="FR",
        postal_code="69002",
    )


def purchase_order_bod(verb: Verb = Verb.PROCESS) -> PurchaseOrderBOD:
    """A two-line purchase order in EUR with every field the model holds."""
    lines = [
        PurchaseOrderLine(
            line_number="1",
            item=Item(
                id="PEN-1", buyer_item_id="B-100", supplier_item_id="S-200", manufacturer_item_id="M-300"
            ),
            descriptions=["Blue ballpoint pen"],
            notes=["Boxes of 10"],
            quantity=Quantity(Decimal("12"), "EA"),
            unit_price=Amount(Decimal("1.25"), "EUR"),
            price_basis=Quantity(Decimal("1"), "EA"),
            extended_amount=Amount(Decimal("15.00"), "EUR"),
            total_amount=Amount(Decimal("15.00"), "EUR"),
            requested_delivery=date(2026, 12, 18),
        ),
        PurchaseOrderLine(
            line_number="2",
            item=Item(supplier_item_id="S-201"),
            descriptions=["A4 paper, 80 g"],
            quantity=Quantity(Decimal("5"), "PK"),
            unit_price=Amount(Decimal("4.10"), "EUR"),
            extended_amount=Amount(Decimal("20.50"), "EUR"),
            requested_delivery=datetime(2026, 12, 19, 9, 30, tzinfo=PARIS),
        ),
    ]
    header = PurchaseOrderHeader(
        id="PO-2026-0042",
        document_date=datetime(2026, 12, 7, 8, 30, tzinfo=UTC),
        order_date=datetime(2026, 12, 7, 9, 30, tzinfo=PARIS),
        descriptions=["Office supplies"],
        notes=["Deliver to the front desk"],
        buyer=Party(id="ACME-FR", name="Acme France", address=address()),
        supplier=Party(id="SUP-77", name="Papeterie Martin", address=address("Villeurbanne")),
        ship_to=Party(id="LYON-HQ", name="Acme Lyon", address=address()),
        bill_to=Party(id="ACME-AP", name="Acme Accounts Payable", address=address("Paris")),
        extended_amount=Amount(Decimal("35.50"), "EUR"),
        total_amount=Amount(Decimal("42.60"), "EUR"),
        payment_terms=[
            PaymentTerm(
                code="NET30", description="30 days net", discount_percent=Decimal("2"), due=date(2027, 1, 6)
            )
        ],
    )
    return PurchaseOrderBOD(
        verb=verb,
        application_area=ApplicationArea(
            sender_logical_id="openprocure-buyer",
            sender_component_id="purchasing",
            creation=datetime(2026, 12, 7, 8, 30, 5, tzinfo=UTC),
            bod_id="9b3a7c9e-0c55-4f7a-9a55-1f9d2a6f0a42",
        ),
        purchase_orders=[PurchaseOrder(header, lines)],
        language_code="fr-FR",
    )
