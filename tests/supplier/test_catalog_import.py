"""CSV import (``import_catalog``), generation (``generate-catalog``) and the search backend setting."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation

from openprocure.supplier.catalog import search
from openprocure.supplier.catalog.generator import asin_for, generate_catalog
from openprocure.supplier.catalog.models import PriceTier, Product, Seller

pytestmark = pytest.mark.django_db

HEADER = (
    "asin,title,brand,manufacturer,manufacturer_part_number,description,unspsc,unit_of_measure,"
    "list_price,business_price,currency,seller,fulfilled_by,stock,delivery_days,price_tiers\n"
)
ROWS = [
    'B0IMPORT01,"Staedtler Noris Pencils, HB, 12 Count",Staedtler,Staedtler Mars,120-2,Classic pencils,44121706,BX,4.99,4.20,EUR,Office Depot Pro,us,300,2,10:3.99;100:3.50',
    'B0IMPORT02,Bad price,Acme,Acme,X1,,44121706,EA,"12,50",,EUR,Office Depot Pro,us,1,2,',
    "B0IMPORT03,Tiny unspsc,Acme,Acme,X2,,4412,EA,5.00,,EUR,Office Depot Pro,us,1,2,",
    "b0import04,Lower-case asin,Acme,Acme,X3,,44121706,EA,5.00,,EUR,Office Depot Pro,us,1,2,",
    "B0IMPORT05,Business above list,Acme,Acme,X4,,44121706,EA,5.00,6.00,EUR,Office Depot Pro,us,1,2,",
    "B0IMPORT06,Bad tiers,Acme,Acme,X5,,44121706,EA,5.00,4.00,EUR,Office Depot Pro,us,1,2,1:3.00",
    "B0IMPORT07,,Acme,Acme,X6,,44121706,EA,5.00,,EUR,Office Depot Pro,us,1,2,",
    "B0IMPORT08,Who fulfils,Acme,Acme,X7,,44121706,EA,5.00,,EUR,Office Depot Pro,drone,1,2,",
    'B0IMPORT09,"Rhodia Dot Pad, A5",Rhodia,Clairefontaine,16558,,14111514,EA,7.20,6.80,,Papeterie Lyon,seller,12,6,',
    "B0IMPORT01,Duplicate,Acme,Acme,X8,,44121706,EA,5.00,,EUR,Office Depot Pro,us,1,2,",
    "B0IMPORT10,Negative stock,Acme,Acme,X9,,44121706,EA,5.00,,EUR,Office Depot Pro,us,-4,2,",
]


def write_csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_import_reports_each_refused_row_and_imports_the_others(tmp_path: Path, client: Client) -> None:
    path = write_csv(tmp_path, HEADER + "\n".join(ROWS) + "\n")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_catalog", str(path), stdout=out, stderr=err)
    assert err.getvalue().splitlines() == [
        'Row 3: list_price: "12,50" is not a price; use a dot for decimals, e.g. 12.50.',
        'Row 4: unspsc: "4412" must be an 8-digit UNSPSC code.',
        'Row 5: asin: "b0import04" must be 10 upper-case letters or digits.',
        "Row 6: business_price 6.00 is above list_price 5.00.",
        'Row 7: price_tiers: "1:3.00" must be quantity:unit price with a quantity of 2 or more, '
        "a price not above the business price, each quantity once.",
        "Row 8: title is required.",
        'Row 9: fulfilled_by: "drone" must be "us" or "seller".',
        "Row 11: asin B0IMPORT01 already appears in row 2.",
        'Row 12: stock: "-4" is not a whole number from 0 to 10000000.',
    ]
    lines = out.getvalue().splitlines()
    assert lines[0] == "importing [##............................]   9% 1/11"
    assert lines[-2] == "importing [##############################] 100% 11/11"
    assert lines[-1] == "11 rows read: 2 products added, 0 updated, 9 rows refused."

    pencils = Product.objects.get(asin="B0IMPORT01")
    assert (pencils.title, pencils.brand, pencils.manufacturer, pencils.manufacturer_part_number) == (
        "Staedtler Noris Pencils, HB, 12 Count",
        "Staedtler",
        "Staedtler Mars",
        "120-2",
    )
    assert (pencils.list_price, pencils.business_price, pencils.currency) == (
        Decimal("4.99"),
        Decimal("4.20"),
        "EUR",
    )
    assert (pencils.unit_of_measure, pencils.stock, pencils.delivery_days, pencils.fulfilled_by_us) == (
        "BX",
        300,
        2,
        True,
    )
    assert list(PriceTier.objects.filter(product=pencils).values_list("min_quantity", "unit_price")) == [
        (10, Decimal("3.99")),
        (100, Decimal("3.50")),
    ]
    pad = Product.objects.get(asin="B0IMPORT09")
    assert (pad.seller.name, pad.fulfilled_by_us, pad.currency) == ("Papeterie Lyon", False, "EUR")
    assert sorted(Seller.objects.values_list("name", flat=True)) == ["Office Depot Pro", "Papeterie Lyon"]
    # Imported products are searchable at once.
    response = client.get("/search/", {"q": "noris"})
    assert [item.product.asin for item in response.context["results"]] == ["B0IMPORT01"]


def test_import_updates_known_asins_and_reindexes_them(tmp_path: Path, client: Client) -> None:
    call_command("import_catalog", str(write_csv(tmp_path, HEADER + ROWS[0] + "\n")), stdout=io.StringIO())
    changed = (
        ROWS[0]
        .replace("Staedtler Noris Pencils", "Staedtler Tradition Pencils")
        .replace("4.99,4.20", "5.49,4.80")
    )
    out = io.StringIO()
    call_command("import_catalog", str(write_csv(tmp_path, HEADER + changed + "\n")), stdout=out)
    assert out.getvalue().splitlines()[-1] == "1 rows read: 0 products added, 1 updated, 0 rows refused."
    product = Product.objects.get(asin="B0IMPORT01")
    assert (product.title, product.list_price, product.business_price, product.sales_rank) == (
        "Staedtler Tradition Pencils, HB, 12 Count",
        Decimal("5.49"),
        Decimal("4.80"),
        1,
    )
    assert PriceTier.objects.filter(product=product).count() == 2
    assert [i.product.asin for i in client.get("/search/", {"q": "tradition"}).context["results"]] == [
        "B0IMPORT01"
    ]
    assert [i.product.asin for i in client.get("/search/", {"q": "noris"}).context["results"]] == []


@pytest.fixture
def default_language_afterwards():  # type: ignore[no-untyped-def]
    """A request in French leaves French active in this thread: back to the default after the test."""
    yield
    translation.deactivate()


@pytest.mark.usefixtures("default_language_afterwards")
def test_import_reads_french_titles_and_descriptions(tmp_path: Path, client: Client) -> None:
    header = "asin,title,title_fr,description,description_fr,unspsc,list_price,seller\n"
    rows = [
        'B0IMPORT11,"Rapid Stapler, Black","Agrafeuse Rapid, noire",Staples 20 sheets,Agrafe 20 feuilles,'
        "44121615,12.00,Office Depot Pro",
        "B0IMPORT12,Plain Stapler," + "é" * 501 + ",,,44121615,9.00,Office Depot Pro",
    ]
    err = io.StringIO()
    call_command(
        "import_catalog",
        str(write_csv(tmp_path, header + "\n".join(rows) + "\n")),
        stdout=io.StringIO(),
        stderr=err,
    )
    assert err.getvalue().splitlines() == ["Row 3: title_fr is longer than 500 characters."]
    stapler = Product.objects.get(asin="B0IMPORT11")
    assert (stapler.title_fr, stapler.description_fr) == ("Agrafeuse Rapid, noire", "Agrafe 20 feuilles")
    response = client.get("/search/", {"q": "agrafeuse noire"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert [item.product.asin for item in response.context["results"]] == ["B0IMPORT11"]
    assert ">Agrafeuse Rapid, noire</a></h3>" in response.content.decode()


def test_import_refuses_a_file_without_the_required_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "sku,name\n1,Pen\n")
    with pytest.raises(CommandError) as caught:
        call_command("import_catalog", str(path), stdout=io.StringIO())
    assert str(caught.value) == (
        "The file has no column asin, title, unspsc, list_price, seller "
        "(the first row must name the columns: asin, title, unspsc, list_price, seller)."
    )
    assert Product.objects.count() == 0


def test_import_of_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as caught:
        call_command("import_catalog", str(tmp_path / "nope.csv"))
    assert str(caught.value) == f"Cannot read {tmp_path / 'nope.csv'}: No such file or directory."


def test_generation_is_deterministic() -> None:
    generate_catalog(products=300, seed=7)
    stored = list(
        Product.objects.order_by("sales_rank").values_list("asin", "title", "list_price", "unspsc")[:5]
    )
    Product.objects.all().delete()
    out = io.StringIO()
    call_command("generate-catalog", products=300, seed=7, stdout=out)
    assert out.getvalue().splitlines()[-1].startswith("Generated 300 products in ")
    again = list(
        Product.objects.order_by("sales_rank").values_list("asin", "title", "list_price", "unspsc")[:5]
    )
    assert again == stored
    assert [asin for asin, *_rest in stored] == [asin_for(n) for n in range(5)]
    assert len({asin_for(n) for n in range(100_000)}) == 100_000


def test_generation_first_products_are_fixed() -> None:
    generate_catalog(products=3, seed=42)
    rows = Product.objects.order_by("sales_rank").values_list("asin", "title", "list_price", "business_price")
    assert list(rows) == [
        (
            "B00000QGLJ",
            "Reisser Plus Self Tapping Screws, M6, Stainless Steel A2, 500 Count",
            Decimal("22.19"),
            Decimal("18.70"),
        ),
        (
            "B0017X48C8",
            "Clorox Essentials Microfibre Cloths, Red, Canister, 80 Count",
            Decimal("34.89"),
            Decimal("31.81"),
        ),
        (
            "B002FTI02X",
            "Bong Ultra Padded Envelopes, #10, Brown Kraft, 250 Count",
            Decimal("15.39"),
            Decimal("14.74"),
        ),
    ]


def test_generation_is_idempotent() -> None:
    generate_catalog(products=50, seed=1)
    out = io.StringIO()
    call_command("generate-catalog", products=40, stdout=out)
    assert out.getvalue() == "The catalog already has 50 products; nothing to generate.\n"
    assert generate_catalog(products=60, seed=1) == 10
    assert Product.objects.count() == 60


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param(
            "nowhere",
            "CATALOG_SEARCH_BACKEND='nowhere' is not a dotted path to a SearchBackend class, e.g. "
            "'openprocure.supplier.catalog.search_fts5.FTS5SearchBackend'.",
            id="not-dotted",
        ),
        pytest.param(
            "openprocure.supplier.catalog.search_nope.Backend",
            "CATALOG_SEARCH_BACKEND='openprocure.supplier.catalog.search_nope.Backend' cannot be imported: "
            "No module named 'openprocure.supplier.catalog.search_nope'",
            id="missing-module",
        ),
        pytest.param(
            "openprocure.supplier.catalog.models.Product",
            "CATALOG_SEARCH_BACKEND='openprocure.supplier.catalog.models.Product' is not a subclass of "
            "openprocure.supplier.catalog.search.SearchBackend.",
            id="not-a-backend",
        ),
    ],
)
def test_misconfigured_search_backend(settings, value: str, message: str) -> None:  # type: ignore[no-untyped-def]
    from django.apps import apps

    settings.CATALOG_SEARCH_BACKEND = value
    with pytest.raises(ImproperlyConfigured) as caught:
        apps.get_app_config("catalog").ready()
    assert str(caught.value) == message


def test_fts5_backend_refused_on_another_database(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings.CATALOG_SEARCH_BACKEND = "openprocure.supplier.catalog.search_fts5.FTS5SearchBackend"
    monkeypatch.setattr(search, "connection", SimpleNamespace(vendor="postgresql"))
    with pytest.raises(ImproperlyConfigured) as caught:
        search.get_backend_class()
    assert str(caught.value) == (
        "CATALOG_SEARCH_BACKEND openprocure.supplier.catalog.search_fts5.FTS5SearchBackend needs a sqlite "
        "database, but the default database is postgresql. Leave CATALOG_SEARCH_BACKEND empty to pick the "
        "backend from the database engine."
    )
    settings.CATALOG_SEARCH_BACKEND = ""
    assert search.get_backend_class().__name__ == "SimpleSearchBackend"
