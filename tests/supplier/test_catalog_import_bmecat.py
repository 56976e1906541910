"""BMEcat import (``import_catalog --format bmecat``): a marketplace seller's catalog goes through the
CSV import's checks, each refused product named by its line and path; price updates change known
products only; our own export imports back unchanged."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openprocure.supplier.catalog import export
from openprocure.supplier.catalog.importer import count_bmecat_products
from openprocure.supplier.catalog.models import PriceTier, Product
from tests.supplier.catalog_world import make_catalog

pytestmark = pytest.mark.django_db

NS = "http://www.bmecat.org/bmecat/2005"


def document(products: str, *, transaction: str = "T_NEW_CATALOG", supplier: str = "Papeterie Lyon") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<BMECAT xmlns="{NS}" version="2005">\n'
        "<HEADER><CATALOG><LANGUAGE>eng</LANGUAGE><LANGUAGE>fra</LANGUAGE><CATALOG_ID>PL</CATALOG_ID>"
        "<CATALOG_VERSION>1.0</CATALOG_VERSION><CURRENCY>EUR</CURRENCY></CATALOG>\n"
        f"<SUPPLIER><SUPPLIER_NAME>{supplier}</SUPPLIER_NAME></SUPPLIER></HEADER>\n"
        f"<{transaction}>\n{products}</{transaction}>\n</BMECAT>\n"
    )


def product(
    pid: str,
    *,
    title: str = "Dot pad A5",
    unspsc: str = "14111514",
    unit: str = "C62",
    prices: str = '<PRODUCT_PRICE price_type="net_customer"><PRICE_AMOUNT>6.80</PRICE_AMOUNT></PRODUCT_PRICE>',
    extra: str = "",
    mode: str = "new",
) -> str:
    return (
        f'<PRODUCT mode="{mode}"><SUPPLIER_PID>{pid}</SUPPLIER_PID><PRODUCT_DETAILS>'
        f'<DESCRIPTION_SHORT lang="eng">{title}</DESCRIPTION_SHORT>'
        '<DESCRIPTION_SHORT lang="fra">Bloc pointillé A5</DESCRIPTION_SHORT>'
        '<DESCRIPTION_LONG lang="eng">80 sheets</DESCRIPTION_LONG><DESCRIPTION_LONG lang="fra">80 feuilles'
        "</DESCRIPTION_LONG><MANUFACTURER_PID>16558</MANUFACTURER_PID><MANUFACTURER_NAME>Clairefontaine"
        f"</MANUFACTURER_NAME><DELIVERY_TIME>2.5</DELIVERY_TIME>{extra}</PRODUCT_DETAILS>"
        "<PRODUCT_FEATURES><REFERENCE_FEATURE_SYSTEM_NAME>UNSPSC</REFERENCE_FEATURE_SYSTEM_NAME>"
        f"<REFERENCE_FEATURE_GROUP_ID>{unspsc}</REFERENCE_FEATURE_GROUP_ID></PRODUCT_FEATURES>"
        f"<PRODUCT_ORDER_DETAILS><ORDER_UNIT>{unit}</ORDER_UNIT></PRODUCT_ORDER_DETAILS>"
        f"<PRODUCT_PRICE_DETAILS>{prices}</PRODUCT_PRICE_DETAILS></PRODUCT>\n"
    )


def run(tmp_path: Path, text: str, *args: str) -> tuple[list[str], list[str]]:
    path = tmp_path / "catalog.xml"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_catalog", str(path), *args, stdout=out, stderr=err)
    return out.getvalue().splitlines(), err.getvalue().splitlines()


TIERED = (
    '<PRODUCT_PRICE price_type="net_list"><PRICE_AMOUNT>7.20</PRICE_AMOUNT></PRODUCT_PRICE>'
    '<PRODUCT_PRICE price_type="net_customer"><PRICE_AMOUNT>6.80</PRICE_AMOUNT></PRODUCT_PRICE>'
    '<PRODUCT_PRICE price_type="net_customer"><PRICE_AMOUNT>6.10</PRICE_AMOUNT><LOWER_BOUND>10</LOWER_BOUND>'
    "</PRODUCT_PRICE>"
)


def test_a_seller_catalog_is_imported_and_each_refused_product_named(tmp_path: Path) -> None:
    products = "".join(
        [
            product("B0BMECAT01", prices=TIERED),
            product(
                "B0BMECAT02",
                prices='<PRODUCT_PRICE price_type="net_customer"><PRICE_AMOUNT>6,8O'
                "</PRICE_AMOUNT></PRODUCT_PRICE>",
            ),
            product("1000"),
            product("B0BMECAT04", unspsc=""),
            product("B0BMECAT05", mode="delete"),
            product("B0BMECAT01", title="Again"),
            product("B0BMECAT07", prices=""),
            product(
                "B0BMECAT08",
                prices='<PRODUCT_PRICE price_type="net_customer"><PRICE_AMOUNT>1</PRICE_AMOUNT></PRODUCT_PRICE>'
                '<PRODUCT_PRICE price_type="net_list"><PRICE_AMOUNT>2</PRICE_AMOUNT><PRICE_CURRENCY>GBP'
                "</PRICE_CURRENCY></PRODUCT_PRICE>",
            ),
            product("B0BMECAT09", unit="PK", title="Pads, pack"),
        ]
    )
    out, err = run(tmp_path, document(products))
    base = "/BMECAT/T_NEW_CATALOG/PRODUCT"
    assert err == [
        f"Line 7, {base}[2]: {base}[2]/PRODUCT_PRICE_DETAILS/PRODUCT_PRICE/PRICE_AMOUNT: "
        "PRICE_AMOUNT '6,8O' is not a number",
        f'Line 8, {base}[3]: asin: "1000" must be 10 upper-case letters or digits.',
        f"Line 9, {base}[4]: unspsc is required.",
        f"Line 10, {base}[5]: products are not deleted by an import; ask an operator to withdraw it.",
        f"Line 11, {base}[6]: SUPPLIER_PID B0BMECAT01 already appears on line 6.",
        f"Line 12, {base}[7]: the product has no current price (PRODUCT_PRICE with PRICE_AMOUNT).",
        f"Line 13, {base}[8]: prices in EUR, GBP: the storefront sells a product in one currency.",
    ]
    assert out[0] == "importing [###...........................]  11% 1/9"
    assert out[-1] == "9 rows read: 2 products added, 0 updated, 7 rows refused."
    pad = Product.objects.select_related("seller").get(asin="B0BMECAT01")
    assert (pad.title, pad.title_fr, pad.description, pad.description_fr) == (
        "Dot pad A5",
        "Bloc pointillé A5",
        "80 sheets",
        "80 feuilles",
    )
    assert (pad.manufacturer, pad.manufacturer_part_number, pad.unspsc, pad.unit_of_measure) == (
        "Clairefontaine",
        "16558",
        "14111514",
        "EA",
    )
    assert (pad.list_price, pad.business_price, pad.currency, pad.delivery_days) == (
        Decimal("7.20"),
        Decimal("6.80"),
        "EUR",
        3,
    )
    assert (pad.seller.name, pad.fulfilled_by_us, pad.stock) == ("Papeterie Lyon", False, 0)
    assert list(PriceTier.objects.filter(product=pad).values_list("min_quantity", "unit_price")) == [
        (10, Decimal("6.10"))
    ]
    pack = Product.objects.get(asin="B0BMECAT09")
    assert (pack.unit_of_measure, pack.list_price, pack.business_price) == (
        "PK",
        Decimal("6.80"),
        Decimal("6.80"),
    )


def test_a_price_update_changes_known_products_only_and_keeps_the_rest(tmp_path: Path) -> None:
    run(
        tmp_path,
        document(product("B0BMECAT01", prices=TIERED)),
        "--seller",
        "Rhodia Direct",
        "--fulfilled-by",
        "us",
    )
    Product.objects.filter(asin="B0BMECAT01").update(stock=40)
    update = (
        '<PRODUCT mode="update"><SUPPLIER_PID>B0BMECAT01</SUPPLIER_PID><PRODUCT_PRICE_DETAILS>'
        '<PRODUCT_PRICE price_type="net_customer"><PRICE_AMOUNT>6.50</PRICE_AMOUNT></PRODUCT_PRICE>'
        "</PRODUCT_PRICE_DETAILS></PRODUCT>\n"
        '<PRODUCT mode="update"><SUPPLIER_PID>B0UNKNOWN1</SUPPLIER_PID><PRODUCT_PRICE_DETAILS>'
        '<PRODUCT_PRICE price_type="net_customer"><PRICE_AMOUNT>1.00</PRICE_AMOUNT></PRODUCT_PRICE>'
        "</PRODUCT_PRICE_DETAILS></PRODUCT>\n"
    )
    out, err = run(tmp_path, document(update, transaction="T_UPDATE_PRICES"))
    assert err == [
        "Line 7, /BMECAT/T_UPDATE_PRICES/PRODUCT[2]: B0UNKNOWN1 is not in the catalog: a price update "
        "changes known products only."
    ]
    assert out[-1] == "2 rows read: 0 products added, 1 updated, 1 rows refused."
    pad = Product.objects.select_related("seller").get(asin="B0BMECAT01")
    # Only the business price is in the update: the list price and the rest stay as they were.
    assert (pad.title, pad.list_price, pad.business_price, pad.stock) == (
        "Dot pad A5",
        Decimal("7.20"),
        Decimal("6.50"),
        40,
    )
    assert (pad.seller.name, pad.fulfilled_by_us) == ("Rhodia Direct", True)
    assert list(PriceTier.objects.filter(product=pad).values_list("min_quantity", "unit_price")) == []


def test_our_own_export_imports_back_unchanged(tmp_path: Path, acme) -> None:
    make_catalog()  # through the catalog's services, so the search index knows the products
    out = io.BytesIO()
    export.write_bmecat(acme.business, out)
    fields = ("asin", "title", "unspsc", "unit_of_measure", "list_price", "business_price", "delivery_days")
    before = list(Product.objects.order_by("asin").values_list(*fields))
    tiers = list(
        PriceTier.objects.order_by("product__asin", "min_quantity").values_list("product__asin", "unit_price")
    )
    lines, err = run(tmp_path, out.getvalue().decode())
    count = len(before)
    assert (err, lines[-1]) == ([], f"{count} rows read: 0 products added, {count} updated, 0 rows refused.")
    assert list(Product.objects.order_by("asin").values_list(*fields)) == before
    assert (
        list(
            PriceTier.objects.order_by("product__asin", "min_quantity").values_list(
                "product__asin", "unit_price"
            )
        )
        == tiers
    )


def test_a_file_that_is_not_bmecat_is_refused_saying_why(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as caught:
        run(tmp_path, "<cXML/>")
    assert str(caught.value) == (
        "The file is not a BMEcat catalog we can read: line 1: the root element is 'cXML', not BMECAT"
    )
    with pytest.raises(CommandError) as caught:
        run(tmp_path, document("", supplier=""))
    assert str(caught.value) == (
        "The catalog names no supplier (SUPPLIER_NAME): say which seller sells its products."
    )
    assert Product.objects.count() == 0


def test_a_manufacturer_catalog_without_prices_is_refused_per_product(tmp_path: Path, interop: Path) -> None:
    sample = interop / "bmecat/samples/WEI_BMECat_1609801044.xml"
    out, err = run(tmp_path, sample.read_text(encoding="utf-8"), "--seller", "Weidmueller")
    assert err == [
        "Line 29, /BMECAT/T_NEW_CATALOG/PRODUCT[1]: the product has no current price (PRODUCT_PRICE with "
        "PRICE_AMOUNT)."
    ]
    assert out[-1] == "1 rows read: 0 products added, 0 updated, 1 rows refused."


def test_products_are_counted_across_reads() -> None:
    text = b"<BMECAT>" + b"<PRODUCT mode='new'></PRODUCT>" * 50_000 + b"<ARTICLE></ARTICLE></BMECAT>"
    assert count_bmecat_products(io.BytesIO(text)) == 50_001
