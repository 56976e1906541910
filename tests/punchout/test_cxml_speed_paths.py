"""The order-line hot path of ``parse`` (inline reads, objects made without ``__init__``) gives the
same objects as the general readers, with every field set."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal

from punchout.cxml import (
    Classification,
    Comment,
    Description,
    Extrinsic,
    ItemDetail,
    ItemID,
    ItemIn,
    ItemOut,
    Money,
    OrderRequest,
    PunchOutOrderMessage,
    parse,
)

ORDER = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd">
<cXML payloadID="1@b.example" timestamp="2026-03-14T00:00:00+00:00">
  <Header>
    <From><Credential domain="NetworkID"><Identity>AN01</Identity></Credential></From>
    <To><Credential domain="DUNS"><Identity>123</Identity></Credential></To>
    <Sender><Credential domain="NetworkID"><Identity>AN01</Identity></Credential></Sender>
  </Header>
  <Request>
    <OrderRequest>
      <OrderRequestHeader orderID="PO-1" orderDate="2026-03-14T00:00:00+00:00">
        <Total><Money currency="USD">24.69</Money></Total>
      </OrderRequestHeader>
      <ItemOut quantity="1" lineNumber="1" requestedDeliveryDate="2026-03-20T00:00:00+00:00">
        <ItemID>
          <SupplierPartID> SKU-1 </SupplierPartID>
          <SupplierPartAuxiliaryID>cart-1</SupplierPartAuxiliaryID>
          <BuyerPartID> B-1 </BuyerPartID>
        </ItemID>
        <ItemDetail>
          <UnitPrice><Money currency="USD">12.3456</Money></UnitPrice>
          <Description xml:lang="en"> Paper </Description>
          <UnitOfMeasure> EA </UnitOfMeasure>
          <Classification domain="UNSPSC" code="x">14111507</Classification>
          <ManufacturerPartID>MPN-1</ManufacturerPartID>
          <ManufacturerName>Kestrel</ManufacturerName>
          <Extrinsic name="soldBy"> Acme </Extrinsic>
        </ItemDetail>
      </ItemOut>
      <ItemOut quantity="1" lineNumber="2" requestedDeliveryDate="2026-03-20T00:00:00+00:00">
        <ItemID>
          <SupplierPartID>SKU<!-- c -->-2</SupplierPartID>
        </ItemID>
        <ItemDetail>
          <UnitPrice><Money currency="USD">12.3456</Money></UnitPrice>
          <Description xml:lang="fr">Papier <ShortName>P</ShortName> blanc</Description>
          <Description>Paper</Description>
          <UnitOfMeasure>E<!-- c -->A</UnitOfMeasure>
          <Classification domain="UNSPSC">1411<!-- c -->1507</Classification>
          <Extrinsic name="soldBy">Ac<b>m</b>e</Extrinsic>
          <Extrinsic>nameless</Extrinsic>
        </ItemDetail>
      </ItemOut>
    </OrderRequest>
  </Request>
</cXML>
"""


def _unset_fields(value: object, path: str = "document") -> list[str]:
    """Paths of dataclass fields that were never set, anywhere under ``value``."""
    missing: list[str] = []
    if isinstance(value, list):
        for index, item in enumerate(value):
            missing += _unset_fields(item, f"{path}[{index}]")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            try:
                child = getattr(value, f.name)
            except AttributeError:
                missing.append(f"{path}.{f.name}")
            else:
                missing += _unset_fields(child, f"{path}.{f.name}")
    return missing


def test_order_lines_read_inline_and_by_the_general_readers_match_constructed_objects() -> None:
    result = parse(ORDER)

    message = result.document.message
    assert isinstance(message, OrderRequest)
    assert _unset_fields(result.document) == []
    price = Money(Decimal("12.3456"), "USD")
    date = datetime(2026, 3, 20, tzinfo=UTC)
    assert message.items == [
        ItemOut(
            Decimal(1),
            ItemID(" SKU-1 ", "cart-1", "B-1"),
            ItemDetail(
                price,
                [Description("Paper", "en")],
                "EA",
                classifications=[Classification("UNSPSC", "14111507", "x")],
                manufacturer_part_id="MPN-1",
                manufacturer_name="Kestrel",
                extrinsics=[Extrinsic("soldBy", "Acme")],
            ),
            line_number=1,
            requested_delivery_date=date,
        ),
        ItemOut(
            Decimal(1),
            ItemID("SKU-2"),
            ItemDetail(
                price,
                [Description("Papier  blanc", "fr", "P"), Description("Paper", None)],
                "EA",
                classifications=[Classification("UNSPSC", "14111507")],
                extrinsics=[Extrinsic("soldBy", "Acme"), Extrinsic("", "nameless")],
            ),
            line_number=2,
            requested_delivery_date=date,
        ),
    ]
    assert [(w.code, w.path) for w in result.warnings] == [
        ("missing-lang", "/cXML/Request/OrderRequest/ItemOut[2]/ItemDetail/Description[2]"),
        ("missing-attribute", "/cXML/Request/OrderRequest/ItemOut[2]/ItemDetail/Extrinsic[2]"),
    ]


CART = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd">
<cXML payloadID="2@s.example" timestamp="2026-03-14T00:00:00+00:00">
  <Header>
    <From><Credential domain="DUNS"><Identity>123</Identity></Credential></From>
    <To><Credential domain="NetworkID"><Identity>AN01</Identity></Credential></To>
    <Sender><Credential domain="DUNS"><Identity>123</Identity></Credential></Sender>
  </Header>
  <Message>
    <PunchOutOrderMessage>
      <BuyerCookie>c-1</BuyerCookie>
      <PunchOutOrderMessageHeader operationAllowed="edit">
        <Total><Money currency="USD">37.04</Money></Total>
      </PunchOutOrderMessageHeader>
      <ItemIn quantity="2" lineNumber="1">
        <ItemID><SupplierPartID>SKU-1</SupplierPartID></ItemID>
        <ItemDetail>
          <UnitPrice><Money currency="USD">12.3456</Money></UnitPrice>
          <Description xml:lang="en">Paper</Description>
          <UnitOfMeasure>EA</UnitOfMeasure>
          <Classification domain="UNSPSC">14111507</Classification>
        </ItemDetail>
        <Comments>gift wrap</Comments>
        <Extrinsic name="color">white</Extrinsic>
      </ItemIn>
      <ItemIn quantity=" 1.5 " lineNumber=" 2 ">
        <ItemDetail>
          <UnitPrice><Money currency="USD">12.3456</Money></UnitPrice>
          <Description xml:lang="en">Pens</Description>
          <UnitOfMeasure>BX</UnitOfMeasure>
          <Classification domain="UNSPSC">44121704</Classification>
        </ItemDetail>
      </ItemIn>
    </PunchOutOrderMessage>
  </Message>
</cXML>
"""


def test_cart_lines_read_inline_match_constructed_objects() -> None:
    result = parse(CART)

    message = result.document.message
    assert isinstance(message, PunchOutOrderMessage)
    assert _unset_fields(result.document) == []
    price = Money(Decimal("12.3456"), "USD")
    assert message.items == [
        ItemIn(
            Decimal(2),
            ItemID("SKU-1"),
            ItemDetail(
                price,
                [Description("Paper", "en")],
                "EA",
                classifications=[Classification("UNSPSC", "14111507")],
            ),
            line_number=1,
            comments=Comment("gift wrap"),
            extrinsics=[Extrinsic("color", "white")],
        ),
        ItemIn(
            Decimal("1.5"),
            ItemID(""),
            ItemDetail(
                price,
                [Description("Pens", "en")],
                "BX",
                classifications=[Classification("UNSPSC", "44121704")],
            ),
            line_number=2,
        ),
    ]
    assert [item.source is not None and item.source.get("lineNumber") for item in message.items] == [
        "1",
        " 2 ",
    ]
    assert [(w.code, w.path) for w in result.warnings] == [
        ("missing-element", "/cXML/Message/PunchOutOrderMessage/ItemIn[2]"),
    ]
