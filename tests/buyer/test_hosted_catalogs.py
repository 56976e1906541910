"""Hosted catalogs: CIF files uploaded, checked row by row (each bad row with its line and reason),
compared with the version in force, published by a procurement administrator, searched in Shop and
bought as catalog lines (or opened at the supplier's PunchOut site)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from openprocure.buyer.approvals.services import create_api_token
from openprocure.buyer.catalogs import services
from openprocure.buyer.catalogs.choices import VersionStatus
from openprocure.buyer.catalogs.models import CatalogChange, CatalogEvent, CatalogItem, CatalogVersion
from openprocure.buyer.catalogs.search import SearchQuery, search
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.requisitions.models import Requisition
from openprocure.buyer.spend.models import MonthlySpend
from openprocure.buyer.spend.services import refresh_monthly_spend
from openprocure.buyer.suppliers.models import PunchOutConnection, Supplier
from openprocure.core.models import User
from tests.buyer.catalog_world import IMMEDIATE, cif_file, item, publish, upload
from tests.buyer.fulfilment_world import deliver
from tests.buyer.punchout_world import SupplierServer, setup_response
from tests.partner_server import PartnerServer, cxml_response

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "catalog_files"


def found(text: str = "", **filters) -> list[str]:  # type: ignore[no-untyped-def]
    versions = list(services.current_versions().values())
    ids = search(SearchQuery(text=text, currency="EUR", **filters), versions=versions, limit=100).item_ids
    return [CatalogItem.objects.get(pk=pk).supplier_part_id for pk in ids]


# -- the interop samples ---------------------------------------------------------------------------

SAMPLES = {
    # name: (status, items, [(line, field, message), ...])
    "Catalog1.cif": (
        "rejected",
        0,
        [
            (
                16,
                "Unit Price",
                "Unit Price is 0: a price must be above zero, unless the item is PunchOut-enabled "
                "(its price then comes from the supplier's site).",
            )
        ],
    ),
    "Catalog2.cif": ("valid", 8, []),
    "MinimalNumberOfFields.cif": (
        "rejected",
        0,
        [
            (
                3,
                "SPSC Code",
                "SPSC Code “1213376” is not a UNSPSC code: write 8 digits (or 10 with the business function).",
            ),
            (3, "", "No currency: the row has no Currency field and the file no CURRENCY header."),
            (
                4,
                "SPSC Code",
                "SPSC Code “1213377” is not a UNSPSC code: write 8 digits (or 10 with the business function).",
            ),
            (4, "", "No currency: the row has no Currency field and the file no CURRENCY header."),
            (
                5,
                "SPSC Code",
                "SPSC Code “1213472” is not a UNSPSC code: write 8 digits (or 10 with the business function).",
            ),
            (5, "", "No currency: the row has no Currency field and the file no CURRENCY header."),
            (
                6,
                "SPSC Code",
                "SPSC Code “1237461” is not a UNSPSC code: write 8 digits (or 10 with the business function).",
            ),
            (6, "", "No currency: the row has no Currency field and the file no CURRENCY header."),
        ],
    ),
    "MultinationalExample.cif": (
        "rejected",
        0,
        [
            # The same part in three languages is three items (its Supplier Part Auxiliary ID is the
            # locale); French francs and Deutsche Marks are ISO 4217 codes no more.
            (11, "Currency", "Currency “FRF” is not an ISO 4217 currency code (such as EUR, USD or JPY)."),
            (12, "Currency", "Currency “DEM” is not an ISO 4217 currency code (such as EUR, USD or JPY)."),
        ],
    ),
    "ParametricDataExample.cif": ("valid", 2, []),
    "PunchOutCatalogExample.cif": ("valid", 1, []),
    "Using12RequiredFields.cif": ("valid", 3, []),
    "ValidCaseInsensitiveHeader.txt": (
        "rejected",
        0,
        [(12, "", "The file cannot be read: the file ends before the DATA line")],
    ),
    "ValidHeader.txt": (
        "rejected",
        0,
        [(12, "", "The file cannot be read: the file ends before the DATA line")],
    ),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_cif_sample_is_read_or_refused_with_the_exact_reason(admin, office, interop, name) -> None:  # type: ignore[no-untyped-def]
    path = interop / "cif" / "samples" / name
    version = upload(admin, office, path.read_bytes(), name)
    status, count, problems = SAMPLES[name]
    shown = [(p.line, p.field, p.text) for p in version.problems.order_by("line", "id")]
    assert (version.status, version.item_count, shown) == (status, count, problems)
    assert version.problem_count == len(problems)
    # The raw file is kept as it came.
    assert services.file_path(version).read_bytes() == path.read_bytes()
    assert version.original_name == name
    page = admin.get(f"/catalogs/{version.pk}/").content.decode()
    for line, _field, text in problems:
        assert f"<td>{line}</td>" in page
        assert text.replace("'", "&#x27;").replace('"', "&quot;") in page


def test_a_punchout_enabled_sample_keeps_its_flag_and_no_price(admin, office, interop) -> None:  # type: ignore[no-untyped-def]
    version = upload(admin, office, (interop / "cif" / "samples" / "PunchOutCatalogExample.cif").read_bytes())
    only = version.items.get()
    assert (
        only.supplier_part_id,
        only.punchout_enabled,
        only.unit_price,
        only.currency,
        only.unit_of_measure,
    ) == (
        "A2C-311F",
        True,
        None,
        "USD",
        "",
    )


def test_a_file_for_another_duns_number_is_refused_row_by_row(admin, acme, interop) -> None:  # type: ignore[no-untyped-def]
    supplier = Supplier.objects.create(name="Fast MFG", duns="942888799")
    version = upload(
        admin, supplier, (interop / "cif" / "samples" / "Using12RequiredFields.cif").read_bytes()
    )
    assert version.status == VersionStatus.REJECTED
    assert [(p.line, p.field, p.value) for p in version.problems.all()] == [
        (9, "Supplier ID", "942888710"),
        (10, "Supplier ID", "942888710"),
        (11, "Supplier ID", "942888710"),
    ]


def test_a_file_of_another_kind_is_refused_before_it_is_stored(admin, office) -> None:  # type: ignore[no-untyped-def]
    content = b"part,price\nrefused-" + str(office.pk).encode() + b",2\n"
    answer = admin.post("/catalogs/", {"supplier": office.pk, "file": SimpleUploadedFile("x.csv", content)})
    assert answer.status_code == 400
    assert "This file is neither a CIF catalog" in answer.content.decode()
    assert CatalogVersion.objects.count() == 0
    assert not [path for path in services.upload_folder().iterdir() if path.read_bytes() == content]


def test_requesters_neither_upload_nor_publish(admin, office, requester) -> None:  # type: ignore[no-untyped-def]
    content = cif_file([item("P1", "Stapler", "9.90")])
    refused = requester.post(
        "/catalogs/", {"supplier": office.pk, "file": SimpleUploadedFile("c.cif", content)}
    )
    assert refused.status_code == 403
    assert CatalogVersion.objects.count() == 0
    version = upload(admin, office, content)
    assert version.status == VersionStatus.VALID
    assert requester.post(f"/catalogs/{version.pk}/publish/").status_code == 403
    assert requester.get(f"/catalogs/{version.pk}/").status_code == 403
    version.refresh_from_db()
    assert version.status == VersionStatus.VALID
    assert found("stapler") == []


def test_the_changes_against_the_version_in_force_then_publish(admin, office) -> None:  # type: ignore[no-untyped-def]
    first = upload(
        admin,
        office,
        cif_file(
            [
                item("P1", "Stapler, standard", "10.00"),
                item("P2", "Blue ballpoint pen", "2.00"),
                item("P3", "Rubber eraser", "0.50"),
                item("P4", "Paper clips", "1.00"),
            ]
        ),
    )
    assert (first.status, first.item_count, first.base_id) == (VersionStatus.VALID, 4, None)
    assert first.changes == {
        "added": 4,
        "removed": 0,
        "price_up": 0,
        "price_down": 0,
        "currency": 0,
        "price_added": 0,
        "price_removed": 0,
        "unchanged": 0,
    }
    first = publish(admin, first)
    assert (first.status, first.published_by.email, first.indexed) == (
        VersionStatus.PUBLISHED,
        "admin@acme.test",
        True,
    )
    assert first.effective_from == first.published_at
    second = upload(
        admin,
        office,
        cif_file(
            [
                item("P1", "Stapler, standard", "11.50"),  # +15 %
                item("P2", "Blue ballpoint pen", "1.50"),  # -25 %
                item("P4", "Paper clips", "1.00"),
                item("P5", "Desk lamp", "25.00"),
            ]
        ),
    )
    assert second.base_id == first.pk
    assert second.changes == {
        "added": 1,
        "removed": 1,
        "price_up": 1,
        "price_down": 1,
        "currency": 0,
        "price_added": 0,
        "price_removed": 0,
        "unchanged": 1,
    }
    rows = [
        (c.kind, c.supplier_part_id, c.old_price, c.new_price, c.percent)
        for c in CatalogChange.objects.filter(version=second).order_by("kind", "supplier_part_id")
    ]
    assert rows == [
        ("added", "P5", None, Decimal("25.0000"), None),
        ("price_down", "P2", Decimal("2.0000"), Decimal("1.5000"), Decimal("-25.0")),
        ("price_up", "P1", Decimal("10.0000"), Decimal("11.5000"), Decimal("15.0")),
        ("removed", "P3", Decimal("0.5000"), None, None),
    ]
    page = admin.get(f"/catalogs/{second.pk}/changes/?kind=price_up").content.decode()
    assert "<td>P1</td>" in page and "+15 %" in page and "11.50\xa0EUR" in page and "<td>P2</td>" not in page
    detail = admin.get(f"/catalogs/{second.pk}/").content.decode()
    assert "Price up: 1" in detail and "Removed: 1" in detail
    # Until it is published, the search finds the first version's items only.
    assert sorted(found()) == ["P1", "P2", "P3", "P4"]
    second = publish(admin, second)
    assert sorted(found()) == ["P1", "P2", "P4", "P5"]
    first.refresh_from_db()
    assert (first.status, first.indexed) == (VersionStatus.PUBLISHED, False)  # kept, out of the index
    event = CatalogEvent.objects.get(version=second, kind="published")
    assert (event.actor.email, event.detail["price_up"], event.detail["items"]) == ("admin@acme.test", 1, 4)
    # Published is final.
    again = admin.post(f"/catalogs/{second.pk}/publish/", follow=True).content.decode()
    assert "Version 2 is Published: only a version ready to publish can be published." in again


def test_a_version_published_for_a_later_date_is_found_from_that_date(admin, office) -> None:  # type: ignore[no-untyped-def]
    publish(admin, upload(admin, office, cif_file([item("OLD", "Stapler", "10.00")])))
    later = timezone.now() + timezone.timedelta(days=3)
    second = publish(
        admin,
        upload(admin, office, cif_file([item("NEW", "Stapler", "12.00")])),
        effective_from=timezone.localtime(later).strftime("%Y-%m-%dT%H:%M"),
    )
    assert second.status == VersionStatus.PUBLISHED
    assert found("stapler") == ["OLD"]
    versions = list(services.current_versions(at=later + timezone.timedelta(minutes=1)).values())
    assert [
        CatalogItem.objects.get(pk=pk).supplier_part_id
        for pk in search(SearchQuery("stapler"), versions=versions).item_ids
    ] == ["NEW"]
    past = admin.post(
        f"/catalogs/{upload(admin, office, cif_file([item('X', 'Y', '1')])).pk}/publish/",
        {"effective_from": "2020-01-01T10:00"},
        follow=True,
    ).content.decode()
    assert "Choose a date and time that has not passed yet" in past


def test_a_discarded_version_is_never_published(admin, office) -> None:  # type: ignore[no-untyped-def]
    version = upload(admin, office, cif_file([item("P1", "Stapler", "10.00")]))
    admin.post(f"/catalogs/{version.pk}/discard/")
    version.refresh_from_db()
    assert version.status == VersionStatus.DISCARDED
    assert admin.post(f"/catalogs/{version.pk}/publish/").status_code == 302
    version.refresh_from_db()
    assert version.status == VersionStatus.DISCARDED and found() == []


# -- search ----------------------------------------------------------------------------------------


@pytest.fixture
def catalogs(admin, office, acme) -> dict[str, Supplier]:  # type: ignore[no-untyped-def]
    publish(
        admin,
        upload(
            admin,
            office,
            cif_file(
                [
                    item("ST-1", "Agrafeuse métallique, 20 feuilles", "12.90", unspsc="44121615"),
                    item("PEN-1", "Blue ballpoint pen, medium", "0.80", unspsc="44121704", unit="EA"),
                    item("PEN-2", "Red paper-mate pen", "1.20", unspsc="44121704"),
                    item("CHAIR", "Ergonomic office chair", "189.00", unspsc="56112102"),
                ]
            ),
        ),
    )
    other = Supplier.objects.create(name="Furniture Co")
    publish(
        admin,
        upload(
            admin, other, cif_file([item("DESK", "Office desk with chair rail", "350.00", unspsc="56101703")])
        ),
    )
    return {"office": office, "furniture": other}


def test_search_finds_words_prefixes_and_folds_accents(catalogs) -> None:  # type: ignore[no-untyped-def]
    assert sorted(found("pen")) == ["PEN-1", "PEN-2"]
    assert found("metallique") == ["ST-1"]  # no accent typed
    assert found("agrafeu") == ["ST-1"]  # a half-typed word
    assert found("paper-mate") == ["PEN-2"]  # a hyphen is a word, not syntax
    assert found('"') == found("") and len(found("")) == 5
    assert found("PEN-1") == ["PEN-1"]  # the supplier part ID
    assert sorted(found("chair")) == ["CHAIR", "DESK"]


def test_search_filters_by_supplier_category_and_price(catalogs) -> None:  # type: ignore[no-untyped-def]
    office = catalogs["office"]
    only_office = list(services.current_versions(supplier_id=office.pk).values())
    ids = search(SearchQuery("chair"), versions=only_office).item_ids
    assert [CatalogItem.objects.get(pk=pk).supplier_part_id for pk in ids] == ["CHAIR"]
    assert sorted(found(category="4412")) == ["PEN-1", "PEN-2", "ST-1"]
    assert sorted(found(category="44121704")) == ["PEN-1", "PEN-2"]
    assert sorted(found(category="56")) == ["CHAIR", "DESK"]
    assert sorted(found(min_price=Decimal("1.00"), max_price=Decimal("189"))) == ["CHAIR", "PEN-2", "ST-1"]
    assert found("pen", max_price=Decimal("0.80")) == ["PEN-1"]


def test_the_search_page_in_shop(catalogs, requester) -> None:  # type: ignore[no-untyped-def]
    shop = requester.get("/shop/").content.decode()
    assert 'action="/catalogs/search/"' in shop
    page = requester.get(
        "/catalogs/search/", {"q": "chair", "supplier": catalogs["furniture"].pk}
    ).content.decode()
    assert "1 item" in page and "Office desk with chair rail" in page and "350.00\xa0EUR" in page
    assert "Ergonomic" not in page
    wrong = requester.get("/catalogs/search/", {"category": "4"})
    assert wrong.status_code == 400
    assert "Write a UNSPSC code of 2, 4, 6 or 8 digits" in wrong.content.decode()


# -- buying ----------------------------------------------------------------------------------------


def test_a_catalog_line_takes_the_catalog_price_whatever_the_browser_sends(catalogs, requester, rita) -> None:  # type: ignore[no-untyped-def]
    chair = CatalogItem.objects.get(supplier_part_id="CHAIR")
    answer = requester.post(
        "/catalogs/search/add/", {"item": chair.pk, "quantity": "2", "unit_price": "0.01"}
    )
    requisition = Requisition.objects.get(requester=rita, lines__supplier_part_id="CHAIR")
    assert answer.status_code == 302 and answer["Location"] == f"/requisitions/{requisition.pk}/"
    line = requisition.lines.get()
    assert (
        line.supplier.name,
        line.supplier_part_id,
        line.unspsc,
        line.unit_of_measure,
        line.unit_price,
        line.currency,
        line.quantity,
        line.is_free_text,
        line.connection_id,
    ) == (
        "Office Supplies Ltd",
        "CHAIR",
        "56112102",
        "EA",
        Decimal("189.0000"),
        "EUR",
        Decimal("2.0000"),
        False,
        None,
    )
    assert requisition.total_amount == Decimal("378.00")
    # A second item goes to the same draft when the page is opened for it.
    pen = CatalogItem.objects.get(supplier_part_id="PEN-1")
    requester.post("/catalogs/search/add/", {"item": pen.pk, "quantity": "10", "requisition": requisition.pk})
    assert list(requisition.lines.values_list("supplier_part_id", flat=True)) == ["CHAIR", "PEN-1"]


def test_an_item_of_a_replaced_version_cannot_be_added(admin, catalogs, requester, rita) -> None:  # type: ignore[no-untyped-def]
    old = CatalogItem.objects.get(supplier_part_id="PEN-1")
    publish(admin, upload(admin, catalogs["office"], cif_file([item("PEN-1", "Blue pen", "0.90")])))
    shown = requester.post(
        "/catalogs/search/add/", {"item": old.pk, "quantity": "1"}, follow=True
    ).content.decode()
    assert "This item is not in its supplier&#x27;s current catalog any more: search again." in shown
    assert (
        not Requisition.objects.filter(requester=rita)
        .exclude(lines=None)
        .filter(lines__supplier_part_id="PEN-1")
        .exists()
    )


def test_a_punchout_enabled_item_opens_the_suppliers_site_on_it(admin, acme, requester, rita) -> None:  # type: ignore[no-untyped-def]
    supplier = acme.supplier
    publish(
        admin,
        upload(
            admin,
            supplier,
            cif_file([item("CFG-CHAIR", "Configurable chair", "", **{"PunchOut Enabled": "T"})]),
        ),
    )
    chair = CatalogItem.objects.get(supplier_part_id="CFG-CHAIR")
    with SupplierServer(lambda body: (200, setup_response("http://market.test/start/chair"))) as server:
        PunchOutConnection.objects.filter(pk=acme.pk).update(setup_url=server.url)
        answer = requester.post("/catalogs/search/open/", {"item": chair.pk})
        assert (answer.status_code, answer["Location"]) == (302, "http://market.test/start/chair")
        sent = server.received[0].decode()
    assert (
        "<SelectedItem><ItemID><SupplierPartID>CFG-CHAIR</SupplierPartID></ItemID></SelectedItem>"
        in "".join(line.strip() for line in sent.splitlines())
    )
    # It is never added as a line.
    refused = requester.post("/catalogs/search/add/", {"item": chair.pk, "quantity": "1"}, follow=True)
    assert "Marketplace sells this item on its own site: open it there." in refused.content.decode()


def test_a_storefront_export_gives_the_same_items_and_prices(admin, office) -> None:  # type: ignore[no-untyped-def]
    """``storefront-catalog.cif`` was written by ``openprocure supplier catalog-export --format cif``
    for the demo business (30 products); the buyer reads back every item and price."""
    content = (DATA / "storefront-catalog.cif").read_bytes()
    version = upload(admin, office, content, "storefront-catalog.cif")
    assert (version.status, version.problem_count) == (VersionStatus.VALID, 0)
    text = content.decode()
    rows = list(csv.reader(io.StringIO(text[text.index("DATA\r\n") + 6 : text.index("ENDOFDATA")])))
    names = text.split("FIELDNAMES: ")[1].split("\r\n")[0].split(",")
    expected = [dict(zip(names, row, strict=True)) for row in rows]
    items = list(version.items.order_by("line"))
    assert len(items) == len(expected) == 30
    for got, want in zip(items, expected, strict=True):
        assert (got.supplier_part_id, got.description, got.unspsc, got.unit_of_measure, got.currency) == (
            want["Supplier Part ID"],
            want["Item Description"],
            want["SPSC Code"],
            want["Unit of Measure"],
            want["Currency"],
        )
        assert got.unit_price == Decimal(want["Unit Price"])
        assert (got.manufacturer_part_id, got.lead_time_days, got.punchout_enabled) == (
            want["Manufacturer Part ID"],
            int(want["Lead Time"]),
            want["PunchOut Enabled"] == "T",
        )


# -- API -------------------------------------------------------------------------------------------


def test_an_integration_sends_a_file_and_reads_its_problems(acme, office, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = IMMEDIATE
    _row, token = create_api_token(user=User.objects.get(email="admin@acme.test"), name="catalog feed")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    bad = cif_file([item("P1", "Stapler", "abc"), item("P2", "Pen", "1.00", unit="PCS")])
    answer = client.post("/api/catalogs/", {"supplier": office.pk, "file": SimpleUploadedFile("c.cif", bad)})
    assert answer.status_code == 202, answer.content
    version_id = answer.json()["id"]
    status = client.get(f"/api/catalogs/{version_id}").json()
    assert (status["status"], status["problem_count"], status["supplier"]) == (
        "rejected",
        2,
        "Office Supplies Ltd",
    )
    problems = client.get(f"/api/catalogs/{version_id}/problems").json()
    assert problems["count"] == 2
    assert [(p["line"], p["field"], p["code"]) for p in problems["problems"]] == [
        (7, "Unit Price", "price"),
        (8, "Unit of Measure", "unit"),
    ]
    _row, rita_token = create_api_token(user=User.objects.get(email="requester@acme.test"), name="mine")
    refused = Client(HTTP_AUTHORIZATION=f"Bearer {rita_token}").post(
        "/api/catalogs/", {"supplier": office.pk, "file": SimpleUploadedFile("c.cif", bad)}
    )
    assert refused.status_code == 403 and CatalogVersion.objects.count() == 1


def test_a_catalog_line_is_ordered_through_the_suppliers_connection_and_counts_as_structured(
    admin, acme, requester, rita
) -> None:  # type: ignore[no-untyped-def]
    """Rita adds a Marketplace catalog item, submits (no approval rule: ordered at once); the
    OrderRequest carries the catalog's part, price, unit and UNSPSC; the spend is structured."""
    publish(
        admin,
        upload(
            admin,
            acme.supplier,
            cif_file([item("TONER-9", "Toner cartridge, black", "45.90", unspsc="44103103")]),
        ),
    )
    toner = CatalogItem.objects.get(supplier_part_id="TONER-9")
    requester.post("/catalogs/search/add/", {"item": toner.pk, "quantity": "3"})
    requisition = Requisition.objects.get(requester=rita, lines__supplier_part_id="TONER-9")
    assert requester.post(f"/requisitions/{requisition.pk}/submit/").status_code == 302
    po = PurchaseOrder.objects.get(requisition=requisition)
    assert (po.supplier.name, po.connection_id, po.total_amount) == (
        "Marketplace",
        acme.pk,
        Decimal("137.70"),
    )
    with PartnerServer() as partner:
        partner.script((200, cxml_response(200, "OK")))
        po = deliver(po, partner.url)
    assert po.status == "accepted"
    order = "".join(line.strip() for line in partner.received[0].body.decode().splitlines())
    assert "<SupplierPartID>TONER-9</SupplierPartID>" in order
    assert '<UnitPrice><Money currency="EUR">45.90</Money></UnitPrice>' in order
    assert "<UnitOfMeasure>EA</UnitOfMeasure>" in order
    assert '<Classification domain="UNSPSC">44103103</Classification>' in order
    refresh_monthly_spend(full=True)
    totals = MonthlySpend.objects.filter(currency="EUR").values_list("amount", "structured_amount").first()
    assert totals is not None and totals[0] == totals[1] == Decimal("137.7000")


BOX = "ORDER_UNIT “BOX” is not a UN/ECE Recommendation 20 unit code (such as EA, C62, PR, DZN or KGM)."
NO_PRICE = "PRICE_AMOUNT is empty: every item needs one."
NO_BASE = (
    "This file updates a catalog (%s), but Office Supplies Ltd has no catalog in force to update: send the "
    "whole catalog first."
)
BMECAT_SAMPLES = {
    # Manufacturers' catalogs without prices: nothing a buyer could order at a price.
    "WEI_BMECat_1351590000.xml": ("rejected", 0, [(29, "PRICE_AMOUNT", NO_PRICE)]),
    "WEI_BMECat_1609801044.xml": ("rejected", 0, [(29, "PRICE_AMOUNT", NO_PRICE)]),
    "WEI_BMECat_7760056069.xml": ("rejected", 0, [(29, "PRICE_AMOUNT", NO_PRICE)]),
    "naugrimm-2005.1/document_without_null_values.xml": ("valid", 3, []),
    "naugrimm-2005.2/minimal_valid_document.xml": (
        "rejected",
        0,
        [(0, "", "The file has no item: publishing it would empty the supplier's catalog.")],
    ),
    # Updates need a catalog in force (test_catalog_updates applies the price update to one).
    "olivere-bmecat12/update_prices.golden.xml": (
        "rejected",
        0,
        [(0, "T_UPDATE_PRICES", NO_BASE % "T_UPDATE_PRICES")],
    ),
    "olivere-bmecat12/update_products.golden.xml": (
        "rejected",
        0,
        [(0, "T_UPDATE_PRODUCTS", NO_BASE % "T_UPDATE_PRODUCTS")],
    ),
    "olivere-bmecat2005/new_catalog.golden.xml": ("rejected", 0, [(90, "ORDER_UNIT", BOX)]),
}


@pytest.mark.parametrize("name", sorted(BMECAT_SAMPLES))
def test_every_bmecat_sample_is_read_or_refused_with_the_exact_reason(admin, office, interop, name) -> None:  # type: ignore[no-untyped-def]
    path = interop / "bmecat" / "samples" / name
    version = upload(admin, office, path.read_bytes(), path.name)
    status, count, problems = BMECAT_SAMPLES[name]
    shown = [(p.line, p.field, p.text) for p in version.problems.order_by("line", "id")]
    assert (version.format, version.status, version.item_count, shown) == ("bmecat", status, count, problems)


def test_a_bmecat_catalog_gives_its_items_prices_and_units(admin, office, interop) -> None:  # type: ignore[no-untyped-def]
    path = interop / "bmecat" / "samples" / "naugrimm-2005.1" / "document_without_null_values.xml"
    version = upload(admin, office, path.read_bytes())
    rows = list(
        version.items.order_by("line").values_list(
            "line", "supplier_part_id", "unit_price", "currency", "unit_of_measure"
        )
    )
    # Each product has a list price in euros and one in pounds: the first is taken.
    assert rows == [
        (18, "1", Decimal("10.5000"), "EUR", "C62"),
        (64, "2", Decimal("10.5000"), "EUR", "C62"),
        (110, "3", Decimal("10.5000"), "EUR", "C62"),
    ]
