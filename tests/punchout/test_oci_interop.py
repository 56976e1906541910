"""The OCI samples of the interop corpus (../shared/interop/oci): real and imitated call-ups and carts."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from punchout.oci import (
    CallUp,
    OCIFunction,
    OCIIssue,
    OCIItem,
    build_return_fields,
    parse_callup,
    parse_cart,
)

pytestmark = pytest.mark.interop


def _fields_file(path: Path) -> list[tuple[str, str]]:
    """A ``.fields`` sample: one ``NAME=value`` per line, values not URL-encoded."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            name, _, value = line.partition("=")
            pairs.append((name, value))
    return pairs


def _imitations(interop: Path) -> list[str]:
    """The urlencoded bodies of the imitation file, comments left out."""
    text = (interop / "oci" / "oci-callup-and-return-imitations.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_wurth_cart_return_with_priceunit_100(interop: Path) -> None:
    result = parse_cart(_fields_file(interop / "oci" / "wurth-oci-return.fields"))
    assert result.errors == []
    assert result.warnings == []
    assert result.extra == {}
    assert result.lines == {
        1: OCIItem(
            description="ECR-H-DIN934-I8I-CLE17-(A2K)-M10",
            quantity=Decimal("100.000"),
            unit="PCE",
            price=Decimal("10.000"),
            price_unit=Decimal("100"),
            currency="EUR",
            lead_time=1,
            vendor_mat="031710    005  100",
            ext_product_id="031710    005  100",
        )
    }
    (item,) = result.items
    assert item.unit_price == Decimal("0.1")
    assert str(item.unit_price) == "0.100"
    assert item.line_total == Decimal("10")
    assert item.long_text == ""
    # Writing it back keeps the runs of spaces of VENDORMAT and EXT_PRODUCT_ID byte for byte.
    assert dict(build_return_fields(result.items))["NEW_ITEM-VENDORMAT[1]"] == "031710    005  100"


def test_punchout_catalogs_login_with_lower_case_fields(interop: Path) -> None:
    callup = parse_callup(_fields_file(interop / "oci" / "punchout-catalogs-oci-login.fields"))
    assert callup == CallUp(
        hook_url="http://localhost:8899/simulator/cart/receive.php",
        login={"USERNAME": "user_1", "PASSWORD": "user_1_pass"},
        extra={
            "email": ["oci<uniqid>@punchoutcatalogs.net"],
            "first_name": ["Oci"],
            "last_name": ["Tester"],
        },
    )


def test_srm_style_detail_callup(interop: Path) -> None:
    callup = parse_callup(parse_qsl(_imitations(interop)[0], keep_blank_values=True))
    assert callup.hook_url == "https://staging-sap-srm.clientportal.com/oci/return"
    assert callup.function is OCIFunction.DETAIL
    assert callup.username == "test_user"
    assert callup.password is None
    assert callup.product_id is None
    assert callup.warnings == [
        OCIIssue(None, "PRODUCTID", "FUNCTION=DETAIL without PRODUCTID; the catalog start page is shown")
    ]


def test_recorded_setup_response_reads_as_a_callup(interop: Path) -> None:
    callup = parse_callup(parse_qsl(_imitations(interop)[1], keep_blank_values=True))
    assert (callup.oci_version, callup.hook_url) == (
        "4.0",
        "https://catalog.waters.com/oci/session/TEST_SAP_STG_001",
    )
    assert callup.login == {}


def test_imitation_cart_returns(interop: Path) -> None:
    bodies = _imitations(interop)[2:]
    assert len(bodies) == 4
    results = [parse_cart(parse_qsl(body, keep_blank_values=True)) for body in bodies]
    assert [[(i.description, i.quantity, i.price, i.currency) for i in r.items] for r in results] == [
        [("HPLC System", Decimal(2), Decimal("12500.00"), "")],
        [("0.22µm Syringe Filter", Decimal(3), Decimal("185.00"), "USD")],
        [("HPLC Standard Mix", Decimal(2), Decimal("175.00"), "")],
        [("BioAccord LC-MS System Sample Kit", Decimal(1), Decimal("1650.00"), "")],
    ]
    assert [r.extra for r in results] == [
        {},
        {"ORDERID": ["ORD-2025-002"]},
        {"ORDERID": ["ORD-2025-005"]},
        {"ORDERID": ["ORD-2025-008"]},
    ]
    assert [str(w) for w in results[0].warnings] == [
        "line 1, CURRENCY: is missing; the price has no currency",
        "line 1, UNIT: is missing; the quantity has no unit",
    ]
    assert all(r.errors == [] for r in results)


def test_imitation_cart_as_raw_utf8_body(interop: Path) -> None:
    # The file is UTF-8: posted as is, the µ arrives as two bytes where ISO-8859-1 was expected.
    body = _imitations(interop)[3].encode("utf-8")
    result = parse_cart(body)
    assert result.items[0].description == "0.22µm Syringe Filter"
    assert result.warnings[0] == OCIIssue(
        None, None, "the cart was sent in UTF-8, not iso-8859-1; read as UTF-8"
    )
