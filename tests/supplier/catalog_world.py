"""Shared by the catalog tests: a small hand-made catalog, and a URLconf with a stand-in cart."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpResponse
from django.urls import include, path

from openprocure.supplier.catalog import services
from openprocure.supplier.catalog.models import Seller

D = Decimal

# asin, title, brand, unspsc, list price, business price, seller, fulfilled by us, stock, days, tiers
PRODUCTS = [
    (
        "B000000001",
        "Paper Mate InkJoy Ballpoint Pens, Black, 12 Count",
        "Paper Mate",
        "44121704",
        D("9.99"),
        D("8.50"),
        "market",
        True,
        120,
        1,
        [(10, D("8.00")), (50, D("7.50"))],
    ),
    (
        "B000000002",
        "BIC Cristal Ballpoint Pens, Blue, 50 Count",
        "BIC",
        "44121704",
        D("14.99"),
        D("12.00"),
        "acme",
        False,
        40,
        5,
        [],
    ),
    (
        "B000000003",
        "Pilot G2 Gel Pens, Black, 12 Count",
        "Pilot",
        "44121701",
        D("19.99"),
        D("17.99"),
        "market",
        True,
        0,
        2,
        [],
    ),
    (
        "B000000004",
        "Swingline Desktop Stapler, 20 Sheet Capacity",
        "Swingline",
        "44121615",
        D("24.50"),
        D("22.00"),
        "acme",
        True,
        15,
        2,
        [(5, D("21.00"))],
    ),
    (
        "B000000005",
        "Navigator Copy Paper, A4, 80 gsm, 500 Sheets",
        "Navigator",
        "14111507",
        D("6.49"),
        D("5.99"),
        "market",
        True,
        500,
        1,
        [(10, D("5.49"))],
    ),
    (
        "B000000006",
        "Hammermill Copy Paper, Letter, 5000 Sheets",
        "Hammermill",
        "14111507",
        D("54.00"),
        D("48.00"),
        "acme",
        False,
        30,
        4,
        [],
    ),
    (
        "B000000007",
        "O'Brien Desk Pen Holder, Black Mesh",
        "O'Brien",
        "44111515",
        D("12.00"),
        D("7.00"),
        "market",
        True,
        8,
        3,
        [],
    ),
    (
        "B000000008",
        "Paper Mate Flair Felt Tip Pens",
        "Paper Mate",
        "44121708",
        D("29.99"),
        D("26.00"),
        "market",
        True,
        60,
        1,
        [],
    ),
]


def make_catalog() -> dict[str, int]:
    """Store the hand-made catalog (sales rank = position in PRODUCTS); returns seller ids by key."""
    services.ensure_categories()
    sellers = {
        "market": Seller.objects.create(name="OpenProcure Marketplace", is_marketplace=True).id,
        "acme": Seller.objects.create(name="Acme Office Supply").id,
    }
    services.insert_products(
        rows=[
            services.ProductRow(
                asin=asin,
                title=title,
                brand=brand,
                manufacturer=brand,
                manufacturer_part_number=f"MPN-{asin[-3:]}",
                description=f"{title}. Good for the office.",
                unspsc=unspsc,
                unit_of_measure="PK",
                list_price=list_price,
                business_price=business_price,
                currency="EUR",
                seller_id=sellers[seller],
                fulfilled_by_us=by_us,
                stock=stock,
                delivery_days=days,
                tiers=tiers,
            )
            for asin, title, brand, unspsc, list_price, business_price, seller, by_us, stock, days, tiers in PRODUCTS
        ]
    )
    services.rebuild_suggestions()
    return sellers


# A stand-in "cart-add" URL in front of the storefront's URLs, for the "Add to cart" form test
# (settings.ROOT_URLCONF = this module).
urlpatterns = [
    path("cart/add/", lambda request: HttpResponse("added"), name="cart-add"),
    path("", include("openprocure.supplier.urls")),
]


def asins(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [item.product.asin for item in response.context["results"]]


def facet(response, name: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    for found in response.context["facets"]:
        if found.name == name:
            return {option.label: option.count for option in found.options}
    return {}
