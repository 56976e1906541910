"""Hosted catalog prices from BMEcat: dated prices (``valid_start_date`` / ``valid_end_date``) put in
force day by day, and amounts for ``PRICE_QUANTITY`` order units divided into exact unit prices;
in a whole catalog (``T_NEW_CATALOG``) and a price update (``T_UPDATE_PRICES``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from openprocure.buyer.catalogs.formats import PricePeriod, Row
from openprocure.buyer.catalogs.models import CatalogItem, CatalogVersion
from openprocure.buyer.catalogs.validation import check_price_row, check_row
from openprocure.buyer.requisitions.models import Requisition
from openprocure.buyer.suppliers.models import Supplier
from openprocure.core.models import User
from tests.buyer.catalog_world import bmecat, cif_file, days, item, publish, upload

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def prices_of(version: CatalogVersion) -> list[tuple[Any, ...]]:
    return list(
        version.items.order_by("line", "id").values_list(
            "supplier_part_id", "unit_price", "price_tiers", "price_quantity", "price_periods"
        )
    )


def problems_of(version: CatalogVersion) -> list[tuple[int, str, str]]:
    return [(p.line, p.field, p.text) for p in version.problems.order_by("line", "id")]


def add(client: Client, item: CatalogItem, quantity: str) -> str:
    """Add the item through the Shop page; the page shown after it."""
    return client.post(
        "/catalogs/search/add/", {"item": item.pk, "quantity": quantity}, follow=True
    ).content.decode()


# -- price quantity ----------------------------------------------------------------------------------

PER_HUNDRED = {
    "SCREW-100": ("100", [(None, None, [(1, "1250.00"), (1000, "1100")])]),
    "BOLT-3": ("3", [(None, None, [(1, "10")])]),
    "NUT-1": ("", [(None, None, [(1, "0.25")])]),
}
ROUNDED = "PRICE_AMOUNT: the price for one order unit, 10 / 3 → 3.3333, has more than 4 decimals; it is rounded to 4."


def published_per_hundred(admin: Client, office: Supplier) -> CatalogVersion:
    return publish(admin, upload(admin, office, bmecat("T_NEW_CATALOG", PER_HUNDRED), "catalog.xml"))


def test_a_price_for_a_price_quantity_is_the_amount_divided_by_it(
    admin: Client, office: Supplier, requester: Client, rita: User
) -> None:
    version = upload(admin, office, bmecat("T_NEW_CATALOG", PER_HUNDRED), "catalog.xml")
    assert (version.status, version.item_count) == ("valid", 3)
    assert prices_of(version) == [
        ("SCREW-100", Decimal("12.5000"), [["1000", "11.0000"]], Decimal("100.0000"), None),
        ("BOLT-3", Decimal("3.3333"), None, Decimal("3.0000"), None),
        ("NUT-1", Decimal("0.2500"), None, None, None),
    ]
    # The rounded price is kept, with a warning on the version page; the version may be published.
    assert problems_of(version) == [(37, "PRICE_AMOUNT", ROUNDED)]
    page = admin.get(f"/catalogs/{version.pk}/").content.decode()
    assert 'id="warnings"' in page and "10 / 3 → 3.3333, has more than 4 decimals" in page
    assert 'id="problems"' not in page
    publish(admin, version)
    screws = version.items.get(supplier_part_id="SCREW-100")
    add(requester, screws, "1000")
    line = Requisition.objects.get(requester=rita).lines.get()
    assert (line.quantity, line.unit_price, line.unit_of_measure) == (
        Decimal("1000"),
        Decimal("11.0000"),
        "EA",
    )


def test_a_price_update_divides_by_the_price_quantity_of_the_item_in_force(
    admin: Client, office: Supplier
) -> None:
    published_per_hundred(admin, office)
    update = bmecat(
        "T_UPDATE_PRICES",
        {
            "SCREW-100": ("", [(None, None, [(1, "1300"), (500, "1200.5")])]),
            "BOLT-3": ("", [(None, None, [(1, "12")])]),
            "NUT-1": ("", [(None, None, [(1, "0.123456")])]),
        },
    )
    version = upload(admin, office, update, "prices.xml")
    assert (version.status, version.item_count) == ("valid", 3)
    assert prices_of(version) == [
        ("SCREW-100", Decimal("13.0000"), [["500", "12.0050"]], Decimal("100.0000"), None),
        ("BOLT-3", Decimal("4.0000"), None, Decimal("3.0000"), None),
        ("NUT-1", Decimal("0.1235"), None, None, None),
    ]
    assert problems_of(version) == [
        (
            40,
            "PRICE_AMOUNT",
            "PRICE_AMOUNT: the price for one order unit, 0.123456 → 0.1235, has more than 4 decimals; it is "
            "rounded to 4.",
        )
    ]


def test_a_cif_price_keeps_its_four_decimals_rule() -> None:
    row = Row(line=7, supplier_part_id="P", description="Pen", unit_price="1.23456", unit_of_measure="EA")
    checked = check_row(row, default_currency="EUR", full_load=True, unspsc_required=False)
    assert (checked.problems, checked.warnings) == ([("price", "unit_price", "1.23456")], [])


def test_a_price_quantity_that_is_not_above_zero_is_refused() -> None:
    row = Row(
        line=3, supplier_part_id="P", unit_price="5", price_quantity="0", names={"unit_price": "PRICE_AMOUNT"}
    )
    checked = check_price_row(row, default_currency="EUR")
    assert checked.problems == [("price", "price_quantity", "0")]


def test_an_item_row_and_a_price_row_report_format_errors_first_and_check_currencies_alike() -> None:
    def rows(currency: str, unit_price: str = "5", errors: list | None = None) -> tuple[Row, Row]:
        def row(**item: Any) -> Row:
            return Row(
                line=4,
                supplier_part_id="P",
                unit_price=unit_price,
                currency=currency,
                names={"currency": "CUR"},
                errors=list(errors or []),
                **item,
            )

        return row(description="Pen", unit_of_measure="EA", punchout_enabled=not unit_price), row()

    unreadable = [("format", "T_NEW_CATALOG/PRODUCT[2]", "no price")]
    for currency, default, problems in [
        ("euro", "EUR", [("currency", "CUR", "EURO")]),
        ("", "ABC", [("currency", "CURRENCY", "ABC")]),
        ("", "", [("no_currency", "", "")]),
        (" usd ", "", []),
    ]:
        item, price = rows(currency, errors=[("T_NEW_CATALOG/PRODUCT[2]", "no price")])
        checked_item = check_row(item, default_currency=default, full_load=True, unspsc_required=False)
        checked_price = check_price_row(price, default_currency=default)
        assert checked_item.problems == checked_price.problems == unreadable + problems
    # An item without a price (a PunchOut item's comes from the supplier's site) needs no currency.
    item, _price = rows("", unit_price="")
    assert check_row(item, default_currency="", full_load=True, unspsc_required=False).problems == []


# -- dated prices ------------------------------------------------------------------------------------

DATED = {
    # A past, a current and a future validity.
    "LAMP": (
        "",
        [
            (days(-60), days(-1), [(1, "5.00")]),
            (days(0), days(29), [(1, "6.00"), (10, "5.50")]),
            (days(30), None, [(1, "7.00")]),
        ],
    ),
    "OLD": ("", [(days(-60), days(-1), [(1, "4.00")])]),
    "SOON": ("2", [(days(5), None, [(1, "9.00")])]),
    # An undated price, and a dated offer that wins on its days.
    "DESK": ("", [(None, None, [(1, "200")]), (days(-5), days(5), [(1, "180")])]),
}


def period(
    start: date | None, end: date | None, price: str, tiers: list[list[str]] | None = None
) -> dict[str, Any]:
    return {
        "from": start.isoformat() if start else None,
        "until": end.isoformat() if end else None,
        "price": price,
        "tiers": tiers or [],
    }


def test_dated_prices_are_kept_and_the_one_covering_a_day_is_in_force(
    admin: Client, office: Supplier, requester: Client, rita: User
) -> None:
    version = upload(admin, office, bmecat("T_NEW_CATALOG", DATED), "catalog.xml")
    assert (version.status, problems_of(version)) == ("valid", [])
    # The stored price is the one in force on the day of the check, else the next, else the last.
    assert prices_of(version) == [
        (
            "LAMP",
            Decimal("6.0000"),
            [["10", "5.5000"]],
            None,
            [
                period(days(-60), days(-1), "5.0000"),
                period(days(0), days(29), "6.0000", [["10", "5.5000"]]),
                period(days(30), None, "7.0000"),
            ],
        ),
        ("OLD", Decimal("4.0000"), None, None, [period(days(-60), days(-1), "4.0000")]),
        ("SOON", Decimal("4.5000"), None, Decimal("2.0000"), [period(days(5), None, "4.5000")]),
        (
            "DESK",
            Decimal("180.0000"),
            None,
            None,
            [period(None, None, "200.0000"), period(days(-5), days(5), "180.0000")],
        ),
    ]
    publish(admin, version)
    items = {i.supplier_part_id: i for i in version.items.all()}
    lamp, desk = items["LAMP"], items["DESK"]
    assert [lamp.price_for(Decimal(1), on=days(n)) for n in (-61, -60, -1, 0, 29, 30, 400)] == [
        None,
        Decimal("5.0000"),
        Decimal("5.0000"),
        Decimal("6.0000"),
        Decimal("6.0000"),
        Decimal("7.0000"),
        Decimal("7.0000"),
    ]
    assert (lamp.price_for(Decimal(10), on=days(3)), lamp.price_for(Decimal(10), on=days(30))) == (
        Decimal("5.5000"),
        Decimal("7.0000"),
    )
    assert [desk.price_for(Decimal(1), on=days(n)) for n in (-6, -5, 5, 6)] == [
        Decimal("200.0000"),
        Decimal("180.0000"),
        Decimal("180.0000"),
        Decimal("200.0000"),
    ]
    # Shop shows today's price, or says there is none.
    page = requester.get("/catalogs/search/", {"q": ""}).content.decode()
    rows = {part: page.split(f'id="item-{i.pk}"')[1].split("</tr>")[0] for part, i in items.items()}
    assert "6.00" in rows["LAMP"] and "No price valid today" not in rows["LAMP"]
    assert "No price valid today" in rows["OLD"] and "No price valid today" in rows["SOON"]
    # A catalog line takes the price in force today, for its quantity's tier.
    add(requester, lamp, "12")
    line = Requisition.objects.get(requester=rita).lines.get()
    assert (line.supplier_part_id, line.unit_price) == ("LAMP", Decimal("5.5000"))
    # An item without a price valid today cannot be ordered from the catalog.
    shown = add(requester, items["OLD"], "1")
    assert (
        "The catalog of Office Supplies Ltd has no price for this item valid on "
        f"{date_format(TODAY, 'DATE_FORMAT')}: it cannot be ordered from the catalog that day. "
        "Ask the supplier for a price."
    ) in shown
    assert not Requisition.objects.filter(lines__supplier_part_id="OLD").exists()


def test_a_validity_that_ends_before_it_starts_is_refused(admin: Client, office: Supplier) -> None:
    document = bmecat("T_NEW_CATALOG", {"LAMP": ("", [(date(2027, 3, 1), date(2027, 2, 1), [(1, "5")])])})
    version = upload(admin, office, document, "catalog.xml")
    assert (version.status, problems_of(version)) == (
        "rejected",
        [
            (
                15,
                "PRODUCT_PRICE_DETAILS DATETIME",
                "PRODUCT_PRICE_DETAILS DATETIME: the price's validity ends before it starts "
                "(2027-03-01 – 2027-02-01).",
            )
        ],
    )


def test_a_dated_price_update_replaces_the_prices_of_the_item_in_force(
    admin: Client, office: Supplier
) -> None:
    published_per_hundred(admin, office)
    update = bmecat(
        "T_UPDATE_PRICES",
        {
            "SCREW-100": (
                "",
                [(days(-1), days(9), [(1, "1400")]), (days(10), None, [(1, "1500"), (50, "1450")])],
            )
        },
    )
    version = upload(admin, office, update, "prices.xml")
    assert (version.status, problems_of(version)) == ("valid", [])
    screws = version.items.get(supplier_part_id="SCREW-100")
    assert (screws.unit_price, screws.price_tiers, screws.price_quantity, screws.price_periods) == (
        Decimal("14.0000"),
        None,
        Decimal("100.0000"),
        [period(days(-1), days(9), "14.0000"), period(days(10), None, "15.0000", [["50", "14.5000"]])],
    )
    assert [screws.price_for(Decimal(q), on=days(10)) for q in (1, 50)] == [
        Decimal("15.0000"),
        Decimal("14.5000"),
    ]
    # Items the update does not name keep their undated price.
    bolts = version.items.get(supplier_part_id="BOLT-3")
    assert (bolts.price_periods, bolts.price_for(Decimal(1), on=days(400))) == (None, Decimal("3.3333"))


def test_the_bmecat_1_2_price_update_sample_dates_its_prices(
    admin: Client, office: Supplier, requester: Client, interop
) -> None:  # type: ignore[no-untyped-def]
    publish(admin, upload(admin, office, cif_file([item("1000", "Notebook computer", "1399.00")])))
    path = interop / "bmecat" / "samples" / "olivere-bmecat12" / "update_prices.golden.xml"
    version = publish(admin, upload(admin, office, path.read_bytes(), path.name))
    notebook = version.items.get()
    # Valid from 1 January to 31 July 2001 (both days), a tier from 100 on.
    assert notebook.price_periods == [
        {"from": "2001-01-01", "until": "2001-07-31", "price": "1499.5000", "tiers": [["100", "1300.9000"]]}
    ]
    assert [notebook.price_for(Decimal(q), on=date(2001, 7, 31)) for q in (1, 100)] == [
        Decimal("1499.5000"),
        Decimal("1300.9000"),
    ]
    assert (notebook.price_for(Decimal(1), on=date(2000, 12, 31)), notebook.price_today) == (None, None)
    assert "has no price for this item valid on" in add(requester, notebook, "1")


def test_the_price_quantity_sample_of_bmecat_2005_1_is_one(admin: Client, office: Supplier, interop) -> None:  # type: ignore[no-untyped-def]
    path = interop / "bmecat" / "samples" / "naugrimm-2005.1" / "document_without_null_values.xml"
    version = upload(admin, office, path.read_bytes(), path.name)
    assert [row[1:4] for row in prices_of(version)] == [(Decimal("10.5000"), None, None)] * 3


def test_period_on_prefers_the_validity_starting_last() -> None:
    row = Row(
        line=1,
        supplier_part_id="P",
        description="Pen",
        unit_of_measure="EA",
        price_quantity="1",
        periods=[
            PricePeriod("2027-01-01", "2027-12-31", "3"),
            PricePeriod("2027-06-01", "2027-06-30", "2"),
            PricePeriod("2027-06-01", "2027-06-15", "1"),
        ],
    )
    checked = check_row(
        row, default_currency="EUR", full_load=True, unspsc_required=False, today=date(2027, 6, 10)
    )
    assert checked.values["unit_price"] == Decimal("2.0000")
    stored = CatalogItem(unit_price=Decimal(3), price_periods=checked.values["price_periods"])
    assert [
        stored.price_for(Decimal(1), on=date(2027, m, d)) for m, d in ((5, 31), (6, 1), (6, 30), (7, 1))
    ] == [
        Decimal("3.0000"),
        Decimal("2.0000"),
        Decimal("2.0000"),
        Decimal("3.0000"),
    ]
    # Nothing in force: the next to come is stored; after the last, the last.
    later = check_row(
        row, default_currency="EUR", full_load=True, unspsc_required=False, today=date(2026, 1, 1)
    )
    ended = check_row(
        row, default_currency="EUR", full_load=True, unspsc_required=False, today=date(2028, 1, 1)
    )
    assert (later.values["unit_price"], ended.values["unit_price"]) == (Decimal("3.0000"), Decimal("3.0000"))
