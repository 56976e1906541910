"""Property tests of the PurchaseOrder line: any line the model can hold comes back from build ->
parse as it was, the BOD it is in is schema-valid, and what a received line carries beyond the
model (ID sets, attachments, indicators, extensions, attributes) survives parse -> build, also
when the loop changes the modelled fields. Composed inputs are checked against the schemas first,
so a wrong placement fails the test instead of passing unnoticed."""

from __future__ import annotations

import copy
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from tests.punchout.lossless import inventory
from tests.punchout.oagis_world import purchase_order_bod, schema_errors

from punchout.oagis import (
    Amount,
    Item,
    LineStatus,
    PurchaseOrderBOD,
    PurchaseOrderLine,
    Quantity,
    build,
    parse,
)

NS = "http://www.openapplications.org/oagis/10"
T = TypeVar("T")
EXAMPLES = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

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
TOKEN = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,11}", fullmatch=True)
NUMBER = st.decimals(
    min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=4, allow_nan=False, allow_infinity=False
)
CURRENCY = st.sampled_from(["EUR", "USD", "JPY", "GBP"])
UNIT = st.sampled_from(["EA", "PR", "KGM", "C62", "PK"])
ZONES = st.sampled_from([UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5, minutes=-30))])
STAMP = st.one_of(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=ZONES).map(
        lambda value: value.replace(microsecond=0)
    ),
)


def _optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.none() | strategy


ITEMS = st.builds(
    Item,
    id=_optional(TOKEN),
    buyer_item_id=_optional(TOKEN),
    supplier_item_id=_optional(TOKEN),
    manufacturer_item_id=_optional(TOKEN),
)
LINES = st.builds(
    PurchaseOrderLine,
    line_number=_optional(TOKEN),
    item=_optional(ITEMS),
    descriptions=st.lists(TEXT, max_size=2),
    notes=st.lists(TEXT, max_size=2),
    quantity=_optional(st.builds(Quantity, NUMBER, _optional(UNIT))),
    unit_price=_optional(st.builds(Amount, NUMBER, _optional(CURRENCY))),
    price_basis=_optional(st.builds(Quantity, NUMBER, _optional(UNIT))),
    extended_amount=_optional(st.builds(Amount, NUMBER, _optional(CURRENCY))),
    total_amount=_optional(st.builds(Amount, NUMBER, _optional(CURRENCY))),
    requested_delivery=_optional(STAMP),
    promised_delivery=_optional(STAMP),
    status=_optional(st.sampled_from([s.value for s in LineStatus]) | TOKEN),
    status_reason=_optional(TEXT),
    action_code=_optional(
        st.sampled_from(["Add", "Change", "Delete", "Replace", "Accepted", "Modified", "Rejected"])
    ),
)


def _bod(lines: list[PurchaseOrderLine]) -> PurchaseOrderBOD:
    document = purchase_order_bod()
    document.purchase_order.lines = lines
    return document


@EXAMPLES
@given(lines=st.lists(LINES, min_size=1, max_size=3))
def test_any_line_comes_back_as_built(lines: list[PurchaseOrderLine]) -> None:
    document = _bod(lines)
    data = build(document)
    again = parse(data)

    assert isinstance(again, PurchaseOrderBOD)
    assert again.purchase_order.lines == lines
    assert again.warnings == []
    assert build(again) == data


@EXAMPLES
@given(lines=st.lists(LINES, min_size=1, max_size=3))
def test_any_built_line_is_schema_valid(interop: Path, lines: list[PurchaseOrderLine]) -> None:
    assert schema_errors(interop, build(_bod(lines))) == []


def _e(name: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.Element(f"{{{NS}}}{name}", attributes)
    element.text = text
    return element


# what a received line may carry beyond the model, each with the child it goes before (schema order)
CARRIED = {
    "LineIDSet": lambda v: _wrap(_e("LineIDSet", typeCode="ERP"), _e("ID", v, schemeID="SAP")),
    "Attachment": lambda v: _wrap(_e("Attachment"), _e("URI", f"https://example.com/{v}")),
    "SampleIncludedIndicator": lambda v: _e("SampleIncludedIndicator", "true"),
    "PartialShipmentAllowedIndicator": lambda v: _e("PartialShipmentAllowedIndicator", "false"),
    "ShippingInstructions": lambda v: _e("ShippingInstructions", v, languageCode="en"),
    "Extension": lambda v: _wrap(_e("Extension", typeCode="buyer"), _e("Text", v)),
}


def _wrap(parent: etree._Element, child: etree._Element) -> etree._Element:
    parent.append(child)
    return parent


def _insert_in_schema_order(line: etree._Element, element: etree._Element, order: list[str]) -> None:
    rank = order.index(etree.QName(element).localname)
    for index, sibling in enumerate(line):
        name = etree.QName(sibling).localname
        if name in order and order.index(name) > rank:
            line.insert(index, element)
            return
    line.append(element)


LINE_ORDER = (
    "LineNumberID LineIDSet Description Note DocumentReference Attachment Status Item Quantity UnitPrice "
    "ExtendedAmount TotalAmount SampleIncludedIndicator RequiredDeliveryDateTime PartialShipmentAllowedIndicator "
    "PromisedDeliveryDateTime ShippingInstructions Extension"
).split()


@EXAMPLES
@given(
    line=LINES,
    carried=st.lists(st.sampled_from(sorted(CARRIED)), unique=True, min_size=1),
    value=TOKEN,
    new_quantity=st.builds(Quantity, NUMBER, UNIT),
)
def test_what_a_line_carries_survives_and_stays_valid_when_the_loop_edits_it(
    interop: Path, line: PurchaseOrderLine, carried: list[str], value: str, new_quantity: Quantity
) -> None:
    root = etree.fromstring(build(_bod([line])))
    element = root.find(f"{{{NS}}}DataArea/{{{NS}}}PurchaseOrder/{{{NS}}}PurchaseOrderLine")
    assert element is not None
    for name in carried:
        _insert_in_schema_order(element, CARRIED[name](value), LINE_ORDER)
    if line.item is not None:
        item = element.find(f"{{{NS}}}Item")
        assert item is not None
        item.set("typeCode", "stock")
        _insert_in_schema_order(
            item,
            _wrap(_e("Classification"), _e("UNSPSCCode", "46181504", listVersionID="26")),
            [
                "ID",
                "CustomerItemIdentification",
                "ManufacturerItemIdentification",
                "SupplierItemIdentification",
                "Classification",
            ],
        )
    data = etree.tostring(root)
    assert schema_errors(interop, data) == []  # the composed input is valid to begin with

    document = parse(data)
    assert isinstance(document, PurchaseOrderBOD)
    assert document.purchase_order.lines == [line]
    rebuilt = build(document)
    assert inventory(etree.fromstring(data)) - inventory(etree.fromstring(rebuilt)) == Counter()

    edited = copy.deepcopy(document)
    edited.purchase_order.lines[0].quantity = new_quantity
    edited.purchase_order.lines[0].status = LineStatus.MODIFIED
    changed = build(edited)
    assert schema_errors(interop, changed) == []
    kept = {k for k in inventory(etree.fromstring(data)) if "Quantity" not in k[1] and "Status" not in k[1]}
    assert kept <= set(inventory(etree.fromstring(changed)))
    again = parse(changed)
    assert isinstance(again, PurchaseOrderBOD)
    assert again.purchase_order.lines[0].quantity == new_quantity
