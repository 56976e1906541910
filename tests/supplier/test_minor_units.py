"""Catalog prices in each currency's minor units (JPY 0, EUR 2, KWD 3): stored to three places,
refused with more places than the currency has wherever they enter, and written with exactly the
currency's places in the PunchOut cart, the invoice, the pages and the catalog exports."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

from openprocure.core.models import OutboxMessage
from openprocure.supplier.catalog import export
from openprocure.supplier.catalog.models import PriceTier, Product, Seller
from openprocure.supplier.catalog.pricing import Price
from openprocure.supplier.fulfilment import services as fulfilment
from openprocure.supplier.orders.models import Order
from punchout import cif, cxml
from punchout.cxml.transport import decode_form
from tests.supplier.worlds import make_operator, open_session, order_request, return_form, send

pytestmark = pytest.mark.django_db
D = Decimal


@dataclass(frozen=True)
class Case:
    """One product in ``currency``: its prices as stored and as every document must write them."""

    currency: str
    business_price: str
    list_price: str
    tier_price: str
    line_amount: str  # two units at the business price
    shown_list: str  # the list price on a page, for people
    shown_list_fr: str  # the same for French readers


CASES = [
    Case("EUR", "12.50", "15.00", "12.40", "25.00", "15.00\xa0EUR", "15,00\xa0EUR"),
    Case("JPY", "1250", "1500", "1240", "2500", "1,500\xa0JPY", "1\u202f500\xa0JPY"),
    Case("KWD", "0.125", "0.150", "0.124", "0.250", "0.150\xa0KWD", "0,150\xa0KWD"),
]
IDS = [case.currency for case in CASES]


def make_product(case: Case) -> Product:
    seller = Seller.objects.get_or_create(name="Marketplace", defaults={"is_marketplace": True})[0]
    product = Product.objects.create(
        asin=f"B00{case.currency}0001",
        title=f"Toner in {case.currency}",
        unspsc="44103103",
        unit_of_measure="EA",
        list_price=D(case.list_price),
        business_price=D(case.business_price),
        currency=case.currency,
        seller=seller,
        fulfilled_by_us=True,
        stock=100,
        delivery_days=1,
        sales_rank=100,
    )
    PriceTier.objects.create(product=product, min_quantity=50, unit_price=D(case.tier_price))
    return product


def unit_prices(document: str) -> list[tuple[str, str]]:
    return re.findall(r"<UnitPrice>\s*<Money currency=\"(\w+)\">([^<]*)</Money>", document)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_cart_message_and_the_invoice_write_the_currency_places(client, shop, case):
    product = make_product(case)
    prefix = open_session(client)
    assert client.post(prefix + "cart/add/", {"asin": product.asin, "quantity": "2"}).status_code == 302
    _action, fields = return_form(client.post(prefix + "cart/submit/"))
    cart = decode_form(fields).decode()
    assert unit_prices(cart) == [(case.currency, case.business_price)]
    assert f'<Extrinsic name="ListPrice">{case.list_price}</Extrinsic>' in cart
    assert re.findall(r"<Total>\s*<Money currency=\"\w+\">([^<]*)</Money>", cart) == [case.line_amount]

    items = list(cxml.parse(cart.encode()).document.message.items)
    _payload, body = order_request(items, order_id=f"PO-{case.currency}")
    assert send(client, body).code == 200
    order = Order.objects.get(buyer_order_id=f"PO-{case.currency}")
    fulfilment.ship(order_ids=[order.pk], carrier="DHL", tracking_number="JD1", by=make_operator())
    invoice = OutboxMessage.objects.get(kind="InvoiceDetailRequest").body
    assert unit_prices(invoice) == [(case.currency, case.business_price)]
    assert re.findall(r"<SubtotalAmount>\s*<Money currency=\"\w+\">([^<]*)</Money>", invoice) == [
        case.line_amount,
        case.line_amount,
    ]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_product_page_shows_the_currency_places(client, case):
    product = make_product(case)
    page = client.get(f"/product/{product.asin}/").content.decode()
    assert case.shown_list in page
    assert str(Price(product.list_price, product.currency)) == case.shown_list.replace("\xa0", " ")
    with translation.override("fr"):
        french = client.get(f"/product/{product.asin}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert case.shown_list_fr in french


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_catalog_exports_write_the_currency_places(acme, case):
    make_product(case)
    out = io.BytesIO()
    export.write(acme.business, out, format="cif")
    (item,) = cif.read(io.BytesIO(out.getvalue())).items
    assert (item["Unit Price"], item["Market Price"]) == (case.business_price, case.list_price)
    assert f'MIN_QUANTITY_50="{case.tier_price}"' in item["Parametric Data"]
    out = io.BytesIO()
    export.write_bmecat(acme.business, out)
    assert re.findall(r"<PRICE_AMOUNT>([^<]*)</PRICE_AMOUNT>", out.getvalue().decode()) == [
        case.business_price,
        case.tier_price,
    ]


HEADER = "asin,title,unspsc,list_price,business_price,currency,seller,price_tiers\n"


def import_rows(tmp_path: Path, *rows: str) -> list[str]:
    path = tmp_path / "catalog.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    err = io.StringIO()
    call_command("import_catalog", str(path), stdout=io.StringIO(), stderr=err)
    return err.getvalue().splitlines()


def test_an_import_refuses_more_places_than_the_currency_has(tmp_path):
    errors = import_rows(
        tmp_path,
        "B0EUR00001,Too fine in euros,44103103,12.505,,EUR,Paper & Co,",
        "B0JPY00001,Yen with sen,44103103,1250.5,,JPY,Paper & Co,",
        "B0KWD00001,Tier too fine,44103103,0.150,0.125,KWD,Paper & Co,50:0.1245",
        "B0KWD00002,Fils,44103103,0.150,0.125,KWD,Paper & Co,50:0.124",
        "B0EUR00002,Trailing zeros,44103103,12.500,12.5,EUR,Paper & Co,",
        "B0JPY00002,Whole yen,44103103,1500.00,1250,JPY,Paper & Co,",
    )
    assert errors == [
        "Row 2: list_price: 12.505 has too many decimals: EUR amounts have at most 2 decimal places.",
        "Row 3: list_price: 1250.5 has too many decimals: JPY amounts have at most 0 decimal places.",
        "Row 4: price_tiers: 0.1245 has too many decimals: KWD amounts have at most 3 decimal places.",
    ]
    prices = {
        asin: (list_price, business_price, currency)
        for asin, list_price, business_price, currency in Product.objects.values_list(
            "asin", "list_price", "business_price", "currency"
        )
    }
    assert prices == {
        "B0KWD00002": (D("0.150"), D("0.125"), "KWD"),
        "B0EUR00002": (D("12.50"), D("12.50"), "EUR"),
        "B0JPY00002": (D("1500"), D("1250"), "JPY"),
    }
    assert list(PriceTier.objects.values_list("unit_price", flat=True)) == [D("0.124")]


def test_the_refusal_is_translated(tmp_path):
    with translation.override("fr"):
        errors = import_rows(tmp_path, "B0EUR00001,Too fine in euros,44103103,12.505,,EUR,Paper & Co,")
    assert errors == [
        "Ligne 2 : list_price : 12.505 a trop de décimales : les montants en EUR ont au plus 2 décimales."
    ]


def test_a_product_form_refuses_more_places_than_the_currency_has():
    seller = Seller.objects.create(name="Paper & Co")
    product = Product(
        asin="B0EUR00003",
        title="Checked by the model",
        unspsc="44103103",
        list_price=D("12.505"),
        business_price=D("0.5"),
        currency="JPY",
        seller=seller,
        sales_rank=7,
    )
    with pytest.raises(ValidationError) as refused:
        product.full_clean()
    assert refused.value.message_dict == {
        "list_price": ["12.505 has too many decimals: JPY amounts have at most 0 decimal places."],
        "business_price": ["0.5 has too many decimals: JPY amounts have at most 0 decimal places."],
    }
    product.currency = "KWD"
    product.list_price, product.business_price = D("0.150"), D("0.125")
    product.full_clean()
    product.save()
    tier = PriceTier(product=product, min_quantity=10, unit_price=D("0.120"))
    tier.full_clean()
    product.currency = "EUR"
    product.save()
    tier = PriceTier(product=product, min_quantity=10, unit_price=D("0.125"))
    with pytest.raises(ValidationError) as refused:
        tier.full_clean()
    assert refused.value.message_dict == {
        "unit_price": ["0.125 has too many decimals: EUR amounts have at most 2 decimal places."]
    }
