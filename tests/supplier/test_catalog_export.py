"""Exporting a business's catalog: BMEcat 2005 that validates against the schema, CIF 3.0 read back
field by field by our reader, price updates with only the changed products, the operator's choice
of products, the export page and its task, the download permissions and the command."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from openprocure.core.models import AdminEvent
from openprocure.supplier.catalog import export, services
from openprocure.supplier.catalog.choices import ExportStatus
from openprocure.supplier.catalog.models import CatalogExport, CatalogSelection, Category, Product
from openprocure.supplier.orders.services import create_api_key
from punchout import bmecat as bmecat_reader
from punchout import cif
from tests.supplier.catalog_world import make_catalog
from tests.supplier.worlds import PASSWORD, make_business, make_member, make_operator

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
NS = {"b": export.BMECAT_NAMESPACE}


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def bmecat_schema(interop: Path) -> etree.XMLSchema:
    # The official 2005 XSD names its namespace "…/2005fd"; real documents (and openTRANS) use
    # "…/2005". The variant in the corpus is the same schema with that namespace.
    return etree.XMLSchema(etree.parse(str(interop / "bmecat/schema/opentrans-variant/bmecat_2005.xsd")))


def bmecat(business, **kwargs) -> etree._ElementTree:
    out = io.BytesIO()
    export.write_bmecat(business, out, **kwargs)
    return etree.parse(io.BytesIO(out.getvalue()))


def cif_items(business, **kwargs) -> tuple[cif.Header, list[dict[str, str]]]:
    out = io.BytesIO()
    export.write(business, out, format="cif", **kwargs)
    catalog = cif.read(io.BytesIO(out.getvalue()))
    return catalog.header, list(catalog.items)


def row(product: Product, **changes) -> services.ProductRow:
    values = {
        "asin": product.asin,
        "title": product.title,
        "brand": product.brand,
        "manufacturer": product.manufacturer,
        "manufacturer_part_number": product.manufacturer_part_number,
        "description": product.description,
        "unspsc": product.unspsc,
        "unit_of_measure": product.unit_of_measure,
        "list_price": product.list_price,
        "business_price": product.business_price,
        "currency": product.currency,
        "seller_id": product.seller_id,
        "fulfilled_by_us": product.fulfilled_by_us,
        "stock": product.stock,
        "delivery_days": product.delivery_days,
        "tiers": [(tier.min_quantity, tier.unit_price) for tier in product.price_tiers.all()],
    }
    return services.ProductRow(**(values | changes))


def test_the_bmecat_catalog_validates_and_says_what_the_business_is_offered(interop, acme, products):
    assert acme.supplier_identity == "MARKETPLACE"
    document = bmecat(acme.business)
    schema = bmecat_schema(interop)
    assert schema.validate(document), schema.error_log
    root = document.getroot()
    assert root.get("version") == "2005"
    assert root.findtext("b:HEADER/b:CATALOG/b:CURRENCY", namespaces=NS) == "EUR"
    assert root.findtext("b:HEADER/b:SUPPLIER/b:SUPPLIER_ID", namespaces=NS) == "MARKETPLACE"
    found = root.findall("b:T_NEW_CATALOG/b:PRODUCT", NS)
    assert [p.findtext("b:SUPPLIER_PID", namespaces=NS) for p in found] == ["B000PAPER1", "B000PENS01"]
    paper = found[0]
    assert (
        paper.findtext("b:PRODUCT_DETAILS/b:DESCRIPTION_SHORT", namespaces=NS)
        == "Copy paper A4 80 g, 500 sheets"
    )
    assert paper.findtext("b:PRODUCT_DETAILS/b:MANUFACTURER_PID", namespaces=NS) == "NAV-A4-80"
    assert paper.findtext("b:PRODUCT_DETAILS/b:MANUFACTURER_NAME", namespaces=NS) == "The Navigator Company"
    assert paper.findtext("b:PRODUCT_DETAILS/b:DELIVERY_TIME", namespaces=NS) == "1"
    assert paper.findtext("b:PRODUCT_FEATURES/b:REFERENCE_FEATURE_SYSTEM_NAME", namespaces=NS) == "UNSPSC"
    assert paper.findtext("b:PRODUCT_FEATURES/b:REFERENCE_FEATURE_GROUP_ID", namespaces=NS) == "14111507"
    assert paper.findtext("b:PRODUCT_ORDER_DETAILS/b:ORDER_UNIT", namespaces=NS) == "PK"
    prices = [
        (
            price.get("price_type"),
            price.findtext("b:PRICE_AMOUNT", namespaces=NS),
            price.findtext("b:PRICE_CURRENCY", namespaces=NS),
            price.findtext("b:LOWER_BOUND", namespaces=NS),
        )
        for price in paper.findall("b:PRODUCT_PRICE_DETAILS/b:PRODUCT_PRICE", NS)
    ]
    assert prices == [("net_customer", "5.20", "EUR", "1"), ("net_customer", "4.90", "EUR", "10")]
    assert (
        paper.findtext("b:MIME_INFO/b:MIME/b:MIME_SOURCE", namespaces=NS)
        == "http://127.0.0.1:8100/product/B000PAPER1/image.svg"
    )


def test_units_are_un_ece_recommendation_20_codes(interop, acme, products):
    paper, _pens = products
    Product.objects.filter(pk=paper.pk).update(unit_of_measure="EA")
    document = bmecat(acme.business)
    assert bmecat_schema(interop).validate(document)
    units = document.getroot().xpath("//b:ORDER_UNIT/text()", namespaces=NS)
    assert units == ["C62", "BX"]


def test_the_cif_catalog_reads_back_field_by_field(acme, products):
    header, items = cif_items(acme.business)
    assert header.get("LOADMODE") == "F"
    assert header.get("CODEFORMAT") == "UNSPSC"
    assert header.get("CURRENCY") == "EUR"
    assert header.get("SUPPLIERID_DOMAIN") == "NetworkID"
    assert header.get("UNUOM") == "TRUE"
    assert header.fieldnames == export.CIF_FIELDS
    assert items == [
        {
            "Supplier ID": "MARKETPLACE",
            "Supplier Part ID": "B000PAPER1",
            "Manufacturer Part ID": "NAV-A4-80",
            "Item Description": "Copy paper A4 80 g, 500 sheets",
            "SPSC Code": "14111507",
            "Unit Price": "5.20",
            "Unit of Measure": "PK",
            "Lead Time": "1",
            "Manufacturer Name": "The Navigator Company",
            "Supplier URL": "http://127.0.0.1:8100/product/B000PAPER1/",
            "Manufacturer URL": "",
            "Market Price": "6.50",
            "Currency": "EUR",
            "Short Name": "Copy paper A4 80 g, 500 sheets",
            "Language": "en_US",
            "Image": "http://127.0.0.1:8100/product/B000PAPER1/image.svg",
            "Parametric Data": '{MIN_QUANTITY_10="4.90";}',
            "PunchOut Enabled": "T",
        },
        {
            "Supplier ID": "MARKETPLACE",
            "Supplier Part ID": "B000PENS01",
            "Manufacturer Part ID": "BIC-50",
            "Item Description": "Ballpoint pens, blue, box of 50",
            "SPSC Code": "44121704",
            "Unit Price": "10.00",
            "Unit of Measure": "BX",
            "Lead Time": "4",
            "Manufacturer Name": "BIC",
            "Supplier URL": "http://127.0.0.1:8100/product/B000PENS01/",
            "Manufacturer URL": "",
            "Market Price": "12.00",
            "Currency": "EUR",
            "Short Name": "Ballpoint pens, blue, box of 50",
            "Language": "en_US",
            "Image": "http://127.0.0.1:8100/product/B000PENS01/image.svg",
            "Parametric Data": "",
            "PunchOut Enabled": "T",
        },
    ]


def test_the_bmecat_catalog_reads_back_field_by_field(acme, products):
    out = io.BytesIO()
    export.write_bmecat(acme.business, out)
    catalog = bmecat_reader.read(io.BytesIO(out.getvalue()))
    header = catalog.header
    assert (header.version, header.transaction, header.warnings) == ("2005", "T_NEW_CATALOG", [])
    assert (header.catalog_id, header.catalog_version, header.catalog_name) == (
        f"business-{acme.business.pk}",
        "1.0",
        acme.business.name,
    )
    assert (header.language, header.currency, header.supplier_id, header.buyer_name) == (
        "eng",
        "EUR",
        "MARKETPLACE",
        acme.business.name,
    )
    paper, pens = catalog.items
    assert (paper.ok, paper.warnings, pens.ok, pens.warnings) == (True, [], True, [])
    assert (paper.supplier_part_id, paper.mode, paper.description_short) == (
        "B000PAPER1",
        "new",
        "Copy paper A4 80 g, 500 sheets",
    )
    assert paper.description_long == products[0].description
    assert (paper.manufacturer_name, paper.manufacturer_part_id, paper.unspsc) == (
        "The Navigator Company",
        "NAV-A4-80",
        "14111507",
    )
    assert (paper.order_unit, paper.content_unit, paper.price_quantity, paper.delivery_time) == (
        "PK",
        "PK",
        Decimal(1),
        Decimal(1),
    )
    assert (paper.quantity_min, paper.quantity_interval) == (Decimal(1), Decimal(1))
    assert [(p.amount, p.currency, p.price_type, p.lower_bound) for p in paper.prices] == [
        (Decimal("5.20"), "EUR", "net_customer", Decimal(1)),
        (Decimal("4.90"), "EUR", "net_customer", Decimal(10)),
    ]
    assert [(m.source, m.purpose, m.is_image) for m in paper.media] == [
        ("http://127.0.0.1:8100/product/B000PAPER1/image.svg", "normal", True)
    ]
    assert (pens.supplier_part_id, pens.order_unit, pens.unspsc, pens.delivery_time) == (
        "B000PENS01",
        "BX",
        "44121704",
        Decimal(4),
    )
    assert [(p.amount, p.lower_bound) for p in pens.prices] == [(Decimal("10.00"), Decimal(1))]


def test_the_bmecat_price_update_reads_back(acme):
    make_catalog()  # through the catalog's services, so the search index knows the products
    pens = Product.objects.get(asin="B000000001")
    before = timezone.now() - timedelta(seconds=1)
    services.update_products(rows=[row(pens, tiers=[(10, Decimal("8.00")), (50, Decimal("7.25"))])])
    out = io.BytesIO()
    export.write_bmecat(acme.business, out, since=before)
    catalog = bmecat_reader.read(io.BytesIO(out.getvalue()))
    assert (catalog.header.transaction, catalog.header.prev_version) == ("T_UPDATE_PRICES", "0")
    [item] = catalog.items
    assert (item.supplier_part_id, item.mode, item.description_short, item.warnings) == (
        "B000000001",
        "update",
        "",
        [],
    )
    assert [(p.amount, p.lower_bound) for p in item.prices] == [
        (Decimal("8.50"), Decimal(1)),
        (Decimal("8.00"), Decimal(10)),
        (Decimal("7.25"), Decimal(50)),
    ]


def test_a_business_without_punchout_is_not_punchout_enabled(products):
    business, _admin = make_business("Initech", "admin@initech.test")
    _header, items = cif_items(business)
    assert [(item["Supplier ID"], item["PunchOut Enabled"]) for item in items] == [
        ("OpenProcure", "F"),
        ("OpenProcure", "F"),
    ]


def test_price_updates_carry_only_the_products_whose_price_changed(interop, acme):
    make_catalog()  # through the catalog's services, so the search index knows the products
    pens, blue = Product.objects.filter(asin__in=["B000000001", "B000000002"]).order_by("sales_rank")
    before = timezone.now() - timedelta(seconds=1)
    # The blue pens are written again with their prices unchanged; a quantity price of the black ones changes.
    services.update_products(
        rows=[row(pens, tiers=[(10, Decimal("8.00")), (50, Decimal("7.25"))]), row(blue, stock=5)]
    )
    assert Product.objects.get(pk=blue.pk).price_changed_at is None
    assert Product.objects.get(pk=pens.pk).price_changed_at >= before
    assert Product.objects.filter(price_changed_at__isnull=False).count() == 1
    document = bmecat(acme.business, since=before)
    assert bmecat_schema(interop).validate(document)
    updates = document.getroot().findall("b:T_UPDATE_PRICES/b:PRODUCT", NS)
    assert [(p.get("mode"), p.findtext("b:SUPPLIER_PID", namespaces=NS)) for p in updates] == [
        ("update", "B000000001")
    ]
    assert document.getroot().xpath("//b:PRICE_AMOUNT/text()", namespaces=NS) == ["8.50", "8.00", "7.25"]
    assert document.getroot().xpath("//b:LOWER_BOUND/text()", namespaces=NS) == ["1", "10", "50"]
    header, items = cif_items(acme.business, since=before)
    assert header.get("LOADMODE") == "I"
    assert [(item["Supplier Part ID"], item["Unit Price"], item["Parametric Data"]) for item in items] == [
        ("B000000001", "8.50", '{MIN_QUANTITY_10="8.00";MIN_QUANTITY_50="7.25";}')
    ]
    # A change of the business price counts too; after the changes, nothing changed.
    later = timezone.now()
    services.update_products(rows=[row(blue, business_price=Decimal("11.50"))])
    assert [item["Supplier Part ID"] for item in cif_items(acme.business, since=later)[1]] == ["B000000002"]
    assert cif_items(acme.business, since=timezone.now())[1] == []


def test_the_operator_chooses_the_products_of_a_catalog(client, acme, products):
    Category.objects.create(code="44120000", name="Office supplies")
    operator = make_operator()
    client.login(username=operator.email, password=PASSWORD)
    url = reverse("catalog-export", kwargs={"business_id": acme.business_id}) + "?selection"
    refused = client.post(url, {"scope": "category", "category_code": "99999999", "part_numbers": ""})
    assert "Enter a UNSPSC code of the catalog, e.g. 44120000." in refused.content.decode()
    refused = client.post(url, {"scope": "parts", "category_code": "", "part_numbers": " "})
    assert "Enter at least one part number." in refused.content.decode()
    assert CatalogSelection.objects.count() == 0
    client.post(url, {"scope": "category", "category_code": "44120000", "part_numbers": ""})
    assert [p.asin for p in export.selected_products(acme.business)] == ["B000PENS01"]
    client.post(url, {"scope": "parts", "category_code": "", "part_numbers": "NAV-A4-80\nB000NOPE00\n"})
    assert [p.asin for p in export.selected_products(acme.business)] == ["B000PAPER1"]
    events = AdminEvent.objects.filter(subject_type="catalog.catalogselection").order_by("id")
    assert [(e.kind, e.actor_id, e.detail["fields"]) for e in events] == [
        ("created", operator.pk, ["scope", "category_code"]),
        ("changed", operator.pk, ["scope", "category_code", "part_numbers"]),
    ]
    _header, items = cif_items(acme.business)
    assert [item["Supplier Part ID"] for item in items] == ["B000PAPER1"]


def test_the_administrator_exports_and_downloads_the_catalog(client, acme, products, settings):
    settings.TASKS = IMMEDIATE
    client.login(username="admin@acme.test", password=PASSWORD)
    # "Catalog export" in the menu is the administrator's own business.
    page = client.get(reverse("catalog-exports"))
    assert page.status_code == 200
    assert page.context["business"] == acme.business
    url = reverse("catalog-export", kwargs={"business_id": acme.business_id})
    assert "The catalog contains every product." in page.content.decode()
    # Administrators do not choose the products: operators do.
    assert 'id="catalog-selection"' not in page.content.decode()
    refused = client.post(url + "?selection", {"scope": "all"})
    assert refused.status_code == 403 and CatalogSelection.objects.count() == 0
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    refused = client.post(url + "?export", {"format": "cif", "since": future})
    assert "Choose a date that is not in the future." in refused.content.decode()
    assert CatalogExport.objects.count() == 0
    shown = client.post(url + "?export", {"format": "bmecat", "since": ""}, follow=True).content.decode()
    done = CatalogExport.objects.get()
    assert (done.status, done.format, done.total, done.done, done.requested_by.email) == (
        ExportStatus.DONE,
        "bmecat",
        2,
        2,
        "admin@acme.test",
    )
    assert "Ready to download" in shown
    download = reverse("catalog-export-download", kwargs={"export_id": done.pk})
    assert f'href="{download}"' in shown
    answer = client.get(download)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/xml"
    body = b"".join(answer.streaming_content)
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n<BMECAT")
    assert body.count(b"<SUPPLIER_PID>") == 2
    assert (settings.DATA_DIR / "catalog-exports" / done.file_name).read_bytes() == body
    event = AdminEvent.objects.get(subject_type="catalog.catalogexport")
    assert (event.kind, event.subject_id, event.detail["format"]) == ("created", done.pk, "bmecat")


def test_a_price_update_with_nothing_changed_fails_saying_why(client, acme, products, settings):
    settings.TASKS = IMMEDIATE
    client.login(username="admin@acme.test", password=PASSWORD)
    url = reverse("catalog-export", kwargs={"business_id": acme.business_id})
    shown = client.post(
        url + "?export", {"format": "bmecat", "since": timezone.localdate().isoformat()}, follow=True
    ).content.decode()
    failed = CatalogExport.objects.get()
    assert (failed.status, failed.file_name) == (ExportStatus.FAILED, "")
    assert "No price changed since that date: there is nothing to update." in shown
    assert not (settings.DATA_DIR / "catalog-exports").exists() or not any(
        (settings.DATA_DIR / "catalog-exports").iterdir()
    )


def test_a_second_export_waits_for_the_first(acme, products):
    admin = acme.business.memberships.get(is_administrator=True).user
    services.start_export(business=acme.business, format="cif", since=None, actor=admin)
    with pytest.raises(
        ValidationError, match=re.escape("An export of this catalog is already being written: wait for it.")
    ):
        services.start_export(business=acme.business, format="bmecat", since=None, actor=admin)
    assert CatalogExport.objects.count() == 1


def test_only_the_business_administrators_and_operators_see_its_exports(client, acme, globex, products):
    admin = acme.business.memberships.get(is_administrator=True).user
    made = services.start_export(business=acme.business, format="cif", since=None, actor=admin)
    services.run_export(export_id=made.pk)
    page = reverse("catalog-export", kwargs={"business_id": acme.business_id})
    download = reverse("catalog-export-download", kwargs={"export_id": made.pk})
    # Another business's administrator: as if there were nothing.
    client.login(username="admin@globex.test", password=PASSWORD)
    assert client.get(page).status_code == 404
    assert client.get(download).status_code == 404
    assert client.post(page + "?export", {"format": "cif"}).status_code == 404
    assert CatalogExport.objects.count() == 1
    # A buyer of the business itself is not its administrator.
    make_member(acme.business, "clerk@acme.test")
    client.login(username="clerk@acme.test", password=PASSWORD)
    assert client.get(page).status_code == 404
    assert client.get(download).status_code == 404
    assert client.get(reverse("catalog-exports")).status_code == 403
    # Operators see every business's exports, with the products' form.
    operator = make_operator()
    client.login(username=operator.email, password=PASSWORD)
    shown = client.get(page)
    assert shown.status_code == 200 and 'id="catalog-selection"' in shown.content.decode()
    assert client.get(download).status_code == 200


def test_the_command_streams_with_a_progress_bar(acme, products, tmp_path):
    output = tmp_path / "acme.cif"
    errors = io.StringIO()
    call_command(
        "catalog-export",
        "--business",
        str(acme.business_id),
        "--format",
        "cif",
        "--output",
        str(output),
        stderr=errors,
    )
    with open(output, "rb") as stream:
        assert [item["Supplier Part ID"] for item in cif.read(stream).items] == ["B000PAPER1", "B000PENS01"]
    progress = errors.getvalue().splitlines()
    assert progress[0] == "exporting cif [##############################] 100% 2/2"
    assert progress[1].startswith("Exported 2 products in ")
    with pytest.raises(
        CommandError, match=re.escape("No price changed since 2026-01-01: there is nothing to update.")
    ):
        call_command(
            "catalog-export",
            "--business",
            str(acme.business_id),
            "--format",
            "bmecat",
            "--since",
            "2026-01-01",
        )
    with pytest.raises(CommandError, match=re.escape("No business 999.")):
        call_command("catalog-export", "--business", "999", "--format", "cif")


def test_a_business_system_exports_its_catalog_through_the_api(client, acme, globex, products, settings):
    settings.TASKS = IMMEDIATE
    admin = acme.business.memberships.get(is_administrator=True).user
    _row, key = create_api_key(business=acme.business, by=admin, name="ERP")
    headers = {"Authorization": f"Bearer {key}"}
    refused = client.post(
        "/api/catalog-exports/", {"format": "xlsx"}, content_type="application/json", headers=headers
    )
    assert refused.status_code == 422
    assert refused.json() == {
        "detail": "format: Select a valid choice. xlsx is not one of the available choices."
    }
    assert CatalogExport.objects.count() == 0
    answer = client.post(
        "/api/catalog-exports/", {"format": "cif"}, content_type="application/json", headers=headers
    )
    assert answer.status_code == 202
    made = CatalogExport.objects.get()
    body = answer.json()
    file_url = f"/api/catalog-exports/{made.pk}/file"
    assert (body["id"], body["format"], body["status"], body["total"], body["done"], body["file_url"]) == (
        made.pk,
        "cif",
        "done",
        2,
        2,
        file_url,
    )
    assert made.requested_by is None
    assert client.get(f"/api/catalog-exports/{made.pk}", headers=headers).json()["status"] == "done"
    downloaded = client.get(file_url, headers=headers)
    assert downloaded.status_code == 200
    catalog = cif.read(io.BytesIO(b"".join(downloaded.streaming_content)))
    assert [item["Supplier Part ID"] for item in catalog.items] == ["B000PAPER1", "B000PENS01"]
    # Another business's key: as if the export did not exist.
    globex_admin = globex.business.memberships.get(is_administrator=True).user
    _row, other = create_api_key(business=globex.business, by=globex_admin, name="ERP")
    other_headers = {"Authorization": f"Bearer {other}"}
    assert client.get(f"/api/catalog-exports/{made.pk}", headers=other_headers).status_code == 404
    assert client.get(file_url, headers=other_headers).status_code == 404
    assert client.get(file_url).status_code == 401


def test_an_export_that_breaks_fails_saying_why_and_leaves_no_file(acme, products, settings, monkeypatch):
    admin = acme.business.memberships.get(is_administrator=True).user
    made = services.start_export(business=acme.business, format="bmecat", since=None, actor=admin)

    def disk_full(business, out, **kwargs):
        out.write(b"<?xml")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "write", disk_full)
    failed = services.run_export(export_id=made.pk)
    assert (failed.status, failed.file_name, failed.error) == (
        ExportStatus.FAILED,
        "",
        "OSError: [Errno 28] No space left on device",
    )
    assert list((settings.DATA_DIR / "catalog-exports").iterdir()) == []
    # Run again (a duplicate task): nothing changes.
    assert services.run_export(export_id=made.pk).status == ExportStatus.FAILED
