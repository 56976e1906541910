"""Dated BMEcat prices and the search: the price columns the search filters on (``price_e4``, with
``unit_price`` and ``price_tiers``) follow the calendar: listed on the day of the check, set for the
day at publication in force at once, then each day by the periodic task ``follow_dated_prices`` for
the versions in force."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from openprocure.buyer.catalogs import dated_prices, services, tasks
from openprocure.buyer.catalogs.models import CatalogVersion
from openprocure.buyer.catalogs.search import SearchQuery, search
from openprocure.buyer.suppliers.models import Supplier
from openprocure.core import scheduling
from tests.buyer.catalog_world import bmecat, days, publish, upload

pytestmark = pytest.mark.django_db

CATALOG = {
    # 8.00 (7.50 from ten on) from day -5 to day 9, then 12.00 from day 10 on.
    "RISE": ("", [(days(-5), days(9), [(1, "8.00"), (10, "7.50")]), (days(10), None, [(1, "12.00")])]),
    # 12.00 until day 9, 8.00 from day 10 to day 19, then no price.
    "FALL": ("", [(None, days(9), [(1, "12.00")]), (days(10), days(19), [(1, "8.00")])]),
    # An undated price: the same every day.
    "FLAT": ("", [(None, None, [(1, "9.00")])]),
}


def columns(version: CatalogVersion) -> dict[str, tuple[Any, ...]]:
    return {
        part: (unit_price, tiers, e4)
        for part, unit_price, tiers, e4 in version.items.order_by("line").values_list(
            "supplier_part_id", "unit_price", "price_tiers", "price_e4"
        )
    }


def found(version: CatalogVersion, low: str | None, high: str | None) -> list[str]:
    """The parts a search of the catalog in force finds between ``low`` and ``high`` (EUR)."""
    query = SearchQuery(
        min_price=Decimal(low) if low else None, max_price=Decimal(high) if high else None, currency="EUR"
    )
    ids = search(query, versions=list(services.current_versions().values()), limit=100).item_ids
    parts = dict(version.items.values_list("pk", "supplier_part_id"))
    return sorted(parts[pk] for pk in ids)


def follow(day: date) -> int:
    return tasks.follow_dated_prices.call(day=day.isoformat())


RISE_8 = (Decimal("8.0000"), [["10", "7.5000"]], 80000)
RISE_12 = (Decimal("12.0000"), None, 120000)
FALL_12 = (Decimal("12.0000"), None, 120000)
FALL_8 = (Decimal("8.0000"), None, 80000)
FLAT = (Decimal("9.0000"), None, 90000)


def shop(client: Client, **prices: str) -> list[str]:
    """The parts Shop lists for a price range, as a requester sees it (today)."""
    page = client.get("/catalogs/search/", {"q": "", **prices}).content.decode()
    return sorted(part for part in CATALOG if f'<span class="hint">{part}' in page)


def test_the_search_follows_the_period_in_force_day_by_day(
    admin: Client, office: Supplier, requester: Client
) -> None:
    version = publish(admin, upload(admin, office, bmecat("T_NEW_CATALOG", CATALOG), "catalog.xml"))
    assert version.status == "published"
    # The check listed the columns of its day (today), and the publication, in force at once, set
    # them for today: the first periods.
    assert columns(version) == {"RISE": RISE_8, "FALL": FALL_12, "FLAT": FLAT}
    assert (version.prices_on, found(version, None, "10"), found(version, "11", None)) == (
        days(0),
        ["FLAT", "RISE"],
        ["FALL"],
    )
    expected = [
        # Before RISE's first period: none in force, it lists the next to come and no price range finds it.
        (-6, 1, {"RISE": (*RISE_8[:2], None), "FALL": FALL_12, "FLAT": FLAT}, ["FLAT"], ["FALL"]),
        # The last day of the first periods.
        (9, 1, {"RISE": RISE_8, "FALL": FALL_12, "FLAT": FLAT}, ["FLAT", "RISE"], ["FALL"]),
        # The first day of the second periods: RISE now costs 12, FALL 8.
        (10, 2, {"RISE": RISE_12, "FALL": FALL_8, "FLAT": FLAT}, ["FALL", "FLAT"], ["RISE"]),
        (19, 0, {"RISE": RISE_12, "FALL": FALL_8, "FLAT": FLAT}, ["FALL", "FLAT"], ["RISE"]),
        # After FALL's last period: no price, found by no price range; it lists its last price.
        (20, 1, {"RISE": RISE_12, "FALL": (Decimal("8.0000"), None, None), "FLAT": FLAT}, ["FLAT"], ["RISE"]),
    ]
    for day, changed, prices, cheap, dear in expected:
        assert follow(days(day)) == changed, day
        version.refresh_from_db()
        assert version.prices_on == days(day)
        assert columns(version) == prices, day
        assert found(version, None, "10") == cheap, day
        assert found(version, "11", None) == dear, day
        assert found(version, "8", "8") == sorted(part for part, row in prices.items() if row[2] == 80000)
        # A second run the same day does nothing, and a forced one changes nothing.
        assert follow(days(day)) == 0
        assert dated_prices.follow_version(version.pk, days(day), batch_size=1) == 0
        assert columns(version) == prices, day
    # Back to today (its first look of the day): Shop's price range finds today's prices.
    assert follow(days(0)) == 2
    assert (shop(requester, max_price="10"), shop(requester, min_price="11")) == (["FLAT", "RISE"], ["FALL"])
    assert shop(requester) == ["FALL", "FLAT", "RISE"]


def test_a_version_not_in_force_is_untouched(admin: Client, office: Supplier) -> None:
    current = publish(admin, upload(admin, office, bmecat("T_NEW_CATALOG", CATALOG), "catalog.xml"))
    waiting = upload(admin, office, bmecat("T_NEW_CATALOG", CATALOG), "catalog.xml")
    later = publish(
        admin,
        upload(admin, office, bmecat("T_NEW_CATALOG", CATALOG), "catalog.xml"),
        effective_from=f"{days(30).isoformat()}T09:00",
    )
    assert (current.status, waiting.status, later.status) == ("published", "valid", "published")
    assert follow(days(10)) == 2
    current.refresh_from_db()
    assert columns(current) == {"RISE": RISE_12, "FALL": FALL_8, "FLAT": FLAT}
    for version in (waiting, later):
        version.refresh_from_db()
        assert (version.prices_on, columns(version)) == (
            None,
            {"RISE": RISE_8, "FALL": FALL_12, "FLAT": FLAT},
        )


def test_the_check_lists_the_next_price_and_the_publication_takes_it_out_of_the_price_range(
    admin: Client, office: Supplier
) -> None:
    # Checked before any period starts: the next to come is listed (the changes compare on it).
    soon = {"SOON": ("", [(days(3), days(9), [(1, "8.00")]), (days(10), None, [(1, "12.00")])])}
    version = upload(admin, office, bmecat("T_NEW_CATALOG", soon), "catalog.xml")
    assert columns(version) == {"SOON": (Decimal("8.0000"), None, 80000)}
    # Published in force today, it has no price today: no price range finds it until day 3.
    version = publish(admin, version)
    assert (version.prices_on, columns(version)) == (days(0), {"SOON": (Decimal("8.0000"), None, None)})
    assert (found(version, None, "10"), found(version, "5", None)) == ([], [])
    assert follow(days(3)) == 1
    assert (found(version, None, "10"), found(version, "11", None)) == (["SOON"], [])


def test_the_check_lists_the_prices_of_its_day_with_the_same_rule() -> None:
    periods = [
        {"from": "2027-01-01", "until": "2027-01-31", "price": "8.0000", "tiers": [["10", "7.5000"]]},
        {"from": "2027-02-01", "until": "2027-02-28", "price": "12.0000", "tiers": []},
    ]
    assert [
        dated_prices.listed_on(periods, date(2027, m, d) if m else date(2026, 12, 31))
        for m, d in ((0, 0), (1, 31), (2, 1))
    ] == [
        dated_prices.Listed(Decimal("8.0000"), [["10", "7.5000"]], None),
        dated_prices.Listed(Decimal("8.0000"), [["10", "7.5000"]], 80000),
        dated_prices.Listed(Decimal("12.0000"), [], 120000),
    ]
    assert dated_prices.listed_on(periods, date(2027, 3, 1)) == dated_prices.Listed(
        Decimal("12.0000"), [], None
    )


def test_the_task_is_scheduled_every_quarter_of_an_hour() -> None:
    path = "openprocure.buyer.catalogs.tasks.follow_dated_prices"
    assert dict(scheduling.periodic_tasks())[path] == 900.0
