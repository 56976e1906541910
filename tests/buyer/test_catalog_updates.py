"""Hosted catalog updates: a BMEcat price update (``T_UPDATE_PRICES``, as the storefront's
``catalog-export --since`` writes it) or a CIF incremental load (``LOADMODE: I``) applied to the
version in force as a new version, compared and published like a whole catalog; a catalog item's
quantity tiers priced into a requisition line."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client

from openprocure.buyer.catalogs import services
from openprocure.buyer.catalogs.models import CatalogItem, CatalogVersion
from openprocure.buyer.requisitions.models import Requisition
from openprocure.buyer.suppliers.models import Supplier
from openprocure.core.models import User
from punchout import cif
from tests.buyer.catalog_world import FIELDS, bmecat, cif_file, item, publish, upload

pytestmark = pytest.mark.django_db


def price_update(prices: dict[str, list[tuple[int, str]]]) -> bytes:
    """A BMEcat 2005 ``T_UPDATE_PRICES`` in the storefront export's shape: per product its
    ``net_customer`` prices, one per quantity tier (``LOWER_BOUND``), undated."""
    return bmecat("T_UPDATE_PRICES", {part: ("", [(None, None, tiers)]) for part, tiers in prices.items()})


BASE = [
    item("TONER-9", "Toner cartridge, black", "40.00", **{"Short Name": "Toner"}),
    item("PAPER-A4", "Copier paper A4, 500 sheets", "5.00", unit="PK"),
    item("PEN-1", "Ballpoint pen, blue", "1.20"),
]


def published_base(admin: Client, office: Supplier) -> CatalogVersion:
    version = publish(admin, upload(admin, office, cif_file(BASE)))
    assert version.status == "published"
    return version


def items_of(version: CatalogVersion) -> list[tuple[object, ...]]:
    return list(
        version.items.order_by("line", "id").values_list(
            "supplier_part_id", "description", "unit_of_measure", "unit_price", "currency", "price_tiers"
        )
    )


def changes_of(version: CatalogVersion) -> list[tuple[object, ...]]:
    return list(
        version.item_changes.order_by("supplier_part_id").values_list(
            "kind", "supplier_part_id", "old_price", "new_price", "percent"
        )
    )


def test_a_price_update_makes_a_new_version_of_the_catalog_in_force_with_the_new_prices(
    admin: Client, office: Supplier
) -> None:
    base = published_base(admin, office)
    update = price_update({"TONER-9": [(1, "45.90"), (10, "42.00")], "PAPER-A4": [(1, "4.50")]})
    version = upload(admin, office, update, "prices.xml")
    assert (version.format, version.status, version.incremental, version.item_count) == (
        "bmecat",
        "valid",
        True,
        3,
    )
    assert version.header["TRANSACTION"] == "T_UPDATE_PRICES"
    # Every item of the version in force, in its order and with its description and unit; the
    # updated ones with their new price and tiers.
    assert items_of(version) == [
        ("TONER-9", "Toner cartridge, black", "EA", Decimal("45.9000"), "EUR", [["10", "42.0000"]]),
        ("PAPER-A4", "Copier paper A4, 500 sheets", "PK", Decimal("4.5000"), "EUR", None),
        ("PEN-1", "Ballpoint pen, blue", "EA", Decimal("1.2000"), "EUR", None),
    ]
    assert version.base_id == base.pk
    assert version.changes == {
        "added": 0,
        "removed": 0,
        "price_up": 1,
        "price_down": 1,
        "currency": 0,
        "price_added": 0,
        "price_removed": 0,
        "unchanged": 1,
    }
    assert changes_of(version) == [
        ("price_down", "PAPER-A4", Decimal("5.0000"), Decimal("4.5000"), Decimal("-10.0")),
        ("price_up", "TONER-9", Decimal("40.0000"), Decimal("45.9000"), Decimal("14.8")),
    ]
    page = admin.get(f"/catalogs/{version.pk}/changes/").content.decode()
    assert "<td>TONER-9</td>" in page and "+14.8 %" in page and "45.90\xa0EUR" in page
    assert "<td>PAPER-A4</td>" in page and "-10 %" in page and "<td>PEN-1</td>" not in page
    detail = admin.get(f"/catalogs/{version.pk}/").content.decode()
    assert "Price up: 1" in detail and "Price down: 1" in detail
    assert "· price update of the catalog in force" in detail
    # Published like a whole catalog: the new prices are the ones searched and ordered.
    publish(admin, version)
    assert services.current_version(office) == version
    toner = version.items.get(supplier_part_id="TONER-9")
    assert (toner.price_for(Decimal("9")), toner.price_for(Decimal("10"))) == (
        Decimal("45.9000"),
        Decimal("42.0000"),
    )


def test_a_price_update_naming_an_item_not_in_force_is_refused_row_by_row(
    admin: Client, office: Supplier
) -> None:
    published_base(admin, office)
    update = price_update({"TONER-9": [(1, "45.90")], "GHOST-1": [(1, "9.99")], "PEN-1": [(1, "0")]})
    version = upload(admin, office, update, "prices.xml")
    assert (version.status, version.item_count) == ("rejected", 0)
    assert [(p.line, p.field, p.text) for p in version.problems.order_by("line", "id")] == [
        (
            25,
            "SUPPLIER_PID",
            "Supplier part GHOST-1 is not in the catalog in force: a price update only changes the prices "
            "of items already there (send it in the whole catalog or a product update).",
        ),
        (
            35,
            "PRICE_AMOUNT",
            "PRICE_AMOUNT is 0: a price must be above zero, unless the item is PunchOut-enabled (its price "
            "then comes from the supplier's site).",
        ),
    ]
    assert not CatalogItem.objects.filter(version=version).exists()


@pytest.mark.parametrize(
    ("content", "name", "kind"),
    [
        pytest.param(price_update({"TONER-9": [(1, "45.90")]}), "prices.xml", "T_UPDATE_PRICES", id="bmecat"),
        pytest.param(
            cif_file([item("TONER-9", "Toner", "45.90")], header={"LOADMODE": "I"}),
            "update.cif",
            "LOADMODE: I",
            id="cif-incremental",
        ),
    ],
)
def test_an_update_for_a_supplier_without_a_catalog_in_force_is_refused(
    admin: Client, office: Supplier, content: bytes, name: str, kind: str
) -> None:
    version = upload(admin, office, content, name)
    assert (version.status, version.item_count) == ("rejected", 0)
    assert [(p.line, p.text) for p in version.problems.all()] == [
        (
            0,
            f"This file updates a catalog ({kind}), but Office Supplies Ltd has no catalog in force to "
            "update: send the whole catalog first.",
        )
    ]


def test_the_bmecat_1_2_price_update_sample_is_applied(admin: Client, office: Supplier, interop) -> None:  # type: ignore[no-untyped-def]
    publish(admin, upload(admin, office, cif_file([item("1000", "Notebook computer", "1399.00")])))
    path = interop / "bmecat" / "samples" / "olivere-bmecat12" / "update_prices.golden.xml"
    version = upload(admin, office, path.read_bytes(), path.name)
    assert (version.status, version.item_count) == ("valid", 1)
    assert items_of(version) == [
        ("1000", "Notebook computer", "EA", Decimal("1499.5000"), "EUR", [["100", "1300.9000"]])
    ]
    # The sample's only price is valid from 2001-01-01 to 2001-07-31: in force now, the item would
    # have no price today (it lists 1499.50, the last period's); against 1399.00 today, it loses it.
    assert changes_of(version) == [("price_removed", "1000", Decimal("1399.0000"), None, None)]


def test_a_cif_incremental_load_changes_adds_and_removes_items_of_the_version_in_force(
    admin: Client, office: Supplier
) -> None:
    published_base(admin, office)
    rows = [
        item("TONER-9", "Toner cartridge, black", "36.00"),
        item("STAPLER-2", "Stapler, 20 sheets", "12.00"),
        {**item("PEN-1", "", ""), "Delete": "Y", "Unit of Measure": "", "Currency": ""},
    ]
    out = io.StringIO()
    writer = cif.Writer(out, fieldnames=(*FIELDS, "Delete"), header={"LOADMODE": "I", "CODEFORMAT": "UNSPSC"})
    for row in rows:
        writer.row(row)
    writer.close()
    content = out.getvalue().encode()
    version = upload(admin, office, content, "update.cif")
    assert (version.status, version.incremental) == ("valid", True), [p.text for p in version.problems.all()]
    assert [row[0] for row in items_of(version)] == ["TONER-9", "STAPLER-2", "PAPER-A4"]
    assert changes_of(version) == [
        ("removed", "PEN-1", Decimal("1.2000"), None, None),
        ("added", "STAPLER-2", None, Decimal("12.0000"), None),
        ("price_down", "TONER-9", Decimal("40.0000"), Decimal("36.0000"), Decimal("-10.0")),
    ]


def test_a_catalog_line_is_priced_at_the_tier_its_quantity_reaches(
    admin: Client, office: Supplier, requester: Client, rita: User
) -> None:
    published_base(admin, office)
    update = price_update({"TONER-9": [(1, "45.90"), (10, "42.00"), (50, "39.50")]})
    publish(admin, upload(admin, office, update, "prices.xml"))
    toner = CatalogItem.objects.get(version=services.current_version(office), supplier_part_id="TONER-9")
    assert requester.post("/catalogs/search/add/", {"item": toner.pk, "quantity": "9"}).status_code == 302
    requisition = Requisition.objects.get(requester=rita, lines__supplier_part_id="TONER-9")
    for quantity in ("10", "60"):
        answer = requester.post(
            "/catalogs/search/add/", {"item": toner.pk, "quantity": quantity, "requisition": requisition.pk}
        )
        assert answer.status_code == 302
    lines = requisition.lines.order_by("line_number")
    assert [(line.quantity, line.unit_price, line.from_catalog) for line in lines] == [
        (Decimal("9"), Decimal("45.9000"), True),
        (Decimal("10"), Decimal("42.0000"), True),
        (Decimal("60"), Decimal("39.5000"), True),
    ]
