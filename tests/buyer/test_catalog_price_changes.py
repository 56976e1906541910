"""The changes a new catalog version reports against the version in force compare the prices of
today on both sides: an item with no price today on one side (dated prices with no period covering
today, or a PunchOut-only item) and a price on the other gained or lost its price, a change of its
own kind; an item without a price today on either side has not changed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from openprocure.buyer.catalogs.models import CatalogVersion
from openprocure.buyer.suppliers.models import Supplier
from tests.buyer.catalog_world import bmecat, cif_file, days, item, publish, publish_items, upload

pytestmark = pytest.mark.django_db


def changes_of(version: CatalogVersion) -> list[tuple[object, ...]]:
    return list(
        version.item_changes.order_by("supplier_part_id").values_list(
            "kind", "supplier_part_id", "old_price", "old_currency", "new_price", "new_currency", "percent"
        )
    )


def test_a_dated_item_without_a_price_today_gaining_or_losing_one_is_a_change(
    admin: Client, office: Supplier
) -> None:
    first = upload(
        admin,
        office,
        bmecat(
            "T_NEW_CATALOG",
            {
                "GAP": ("", [(days(5), None, [(1, "3.00")])]),  # no price today, in force
                "STILL-GAP": ("", [(days(5), None, [(1, "3.00")])]),
                "FLAT": ("", [(None, None, [(1, "2.00")])]),
                "LOSE": ("", [(None, None, [(1, "4.00")])]),
                "RISE": ("", [(None, None, [(1, "5.00")])]),
            },
        ),
        "catalog.xml",
    )
    first = publish(admin, first)
    assert first.status == "published"
    assert dict(first.items.values_list("supplier_part_id", "price_e4")) == {
        "GAP": None,
        "STILL-GAP": None,
        "FLAT": 20000,
        "LOSE": 40000,
        "RISE": 50000,
    }
    second = upload(
        admin,
        office,
        bmecat(
            "T_NEW_CATALOG",
            {
                "GAP": ("", [(None, None, [(1, "3.00")])]),  # a price today from now on
                "STILL-GAP": ("", [(days(5), None, [(1, "3.00")])]),  # still none today
                "FLAT": ("", [(None, None, [(1, "2.00")])]),
                "LOSE": ("", [(days(3), None, [(1, "4.00")])]),  # none today any more
                "RISE": ("", [(None, None, [(1, "6.00")])]),
            },
        ),
        "catalog.xml",
    )
    assert second.status == "valid"
    assert changes_of(second) == [
        ("price_added", "GAP", None, "", Decimal("3.0000"), "EUR", None),
        ("price_removed", "LOSE", Decimal("4.0000"), "EUR", None, "", None),
        ("price_up", "RISE", Decimal("5.0000"), "EUR", Decimal("6.0000"), "EUR", Decimal("20.0")),
    ]
    assert second.changes == {
        "added": 0,
        "removed": 0,
        "price_up": 1,
        "price_down": 0,
        "currency": 0,
        "price_added": 1,
        "price_removed": 1,
        "unchanged": 2,
    }
    # The version page links each kind; the changes page names them.
    detail = admin.get(f"/catalogs/{second.pk}/").content.decode()
    assert f'<a href="/catalogs/{second.pk}/changes/?kind=price_added">Price added: 1</a>' in detail
    assert f'<a href="/catalogs/{second.pk}/changes/?kind=price_removed">Price removed: 1</a>' in detail
    listed = admin.get(f"/catalogs/{second.pk}/changes/", {"kind": "price_removed"}).content.decode()
    assert "<td>Price removed</td>" in listed and "<td>LOSE</td>" in listed and "GAP" not in listed
    # Published, the counts are the same (nothing else was published meanwhile).
    assert publish(admin, second).changes["price_added"] == 1


def test_a_punchout_only_item_gaining_a_price_and_a_priced_one_losing_it_are_changes(
    admin: Client, office: Supplier
) -> None:
    punchout = {"PunchOut Enabled": "T"}
    publish_items(
        admin,
        office,
        [
            item("GAINS", "Configured desk", "", **punchout),
            item("LOSES", "Configured chair", "90.00"),
            item("NEVER", "Configured shelf", "", **punchout),
        ],
    )
    second = upload(
        admin,
        office,
        cif_file(
            [
                item("GAINS", "Configured desk", "250.00"),
                item("LOSES", "Configured chair", "", **punchout),
                item("NEVER", "Configured shelf", "", **punchout),
            ]
        ),
    )
    assert changes_of(second) == [
        ("price_added", "GAINS", None, "", Decimal("250.0000"), "EUR", None),
        ("price_removed", "LOSES", Decimal("90.0000"), "EUR", None, "", None),
    ]
    assert (second.changes["price_added"], second.changes["price_removed"], second.changes["unchanged"]) == (
        1,
        1,
        1,
    )
