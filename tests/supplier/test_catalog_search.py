"""Catalog search, browse, product page and typeahead, through HTTP on a hand-made catalog."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client

from tests.supplier.catalog_world import asins, facet, make_catalog

pytestmark = pytest.mark.django_db

fts5_only = pytest.mark.skipif(
    "connection.vendor != 'sqlite'", reason="relevance ranking needs the FTS5 backend"
)


def business_if_header(request):  # type: ignore[no-untyped-def]
    """Test stand-in for the business app: a request with X-Test-Business: 1 is a business customer."""
    return request.headers.get("X-Test-Business") == "1"


@pytest.fixture
def catalog(db):  # type: ignore[no-untyped-def]
    return make_catalog()


@pytest.fixture
def business(settings):  # type: ignore[no-untyped-def]
    settings.CATALOG_BUSINESS_FOR_REQUEST = f"{__name__}.business_if_header"
    return {"HTTP_X_TEST_BUSINESS": "1"}


@fts5_only
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("paper mate", ["B000000008", "B000000001"], id="brand-in-title-and-brand"),
        pytest.param("copy paper", ["B000000006", "B000000005"], id="shorter-title-first"),
        pytest.param("ballpoint pens", ["B000000002", "B000000001"], id="two-words"),
        # FTS5's bm25 uses the whole row's length: B000000001's longer title and body put it
        # after the pen holder.
        pytest.param(
            "pens",
            ["B000000002", "B000000003", "B000000008", "B000000007", "B000000001"],
            id="stemmed-plural",
        ),
        pytest.param("MPN-004", ["B000000004"], id="part-number"),
        pytest.param("stapl", ["B000000004"], id="half-typed-word-as-prefix"),
    ],
)
def test_search_orders_by_relevance(client: Client, catalog, text: str, expected: list[str]) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/search/", {"q": text})
    assert response.status_code == 200
    assert asins(response) == expected
    assert response.context["result"].total == len(expected)


def test_search_page_shows_total_prices_and_facet_counts(client: Client, catalog) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/search/", {"q": "pens"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "5 results" in html
    assert facet(response, "category") == {"Office Equipment and Accessories and Supplies": 5}
    assert facet(response, "brand") == {"Paper Mate": 2, "BIC": 1, "O'Brien": 1, "Pilot": 1}
    assert facet(response, "seller") == {"OpenProcure Marketplace": 4, "Acme Office Supply": 1}
    assert facet(response, "fulfilment") == {"Fulfilled by us": 4, "Fulfilled by the seller": 1}
    assert facet(response, "price") == {"Under 10 EUR": 1, "10 to 25 EUR": 3, "25 to 50 EUR": 1}
    assert response.context["result"].facets_exact is True


def test_category_facet_goes_one_level_down_under_a_category_filter(client: Client, catalog) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/search/", {"q": "pens", "cat": "4412"})
    assert sorted(asins(response)) == ["B000000001", "B000000002", "B000000003", "B000000008"]
    assert facet(response, "category") == {"Writing instruments": 4}
    response = client.get("/search/", {"q": "pens", "cat": "441217"})
    assert facet(response, "category") == {"Ball point pen": 2, "Markers": 1, "Rollerball pens": 1}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({"brand": "Paper Mate"}, ["B000000001", "B000000008"], id="brand"),
        pytest.param({"ful": "seller"}, ["B000000002"], id="fulfilled-by-seller"),
        pytest.param(
            {"ful": "us", "cat": "441217"},
            ["B000000001", "B000000003", "B000000008"],
            id="fulfilment-and-category",
        ),
        pytest.param({"price": "0"}, ["B000000001"], id="price-band-under-10"),
        pytest.param({"brand": "O'Brien"}, ["B000000007"], id="brand-with-apostrophe"),
    ],
)
def test_filters(client: Client, catalog, params: dict[str, str], expected: list[str]) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/search/", {"q": "pens", "sort": "price-asc", **params})
    assert sorted(asins(response)) == expected


def test_seller_filter(client: Client, catalog) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/search/", {"q": "pens", "seller": str(catalog["acme"])})
    assert asins(response) == ["B000000002"]
    assert facet(response, "seller") == {"Acme Office Supply": 1}


def test_sort_by_price_uses_the_list_price_for_visitors(client: Client, catalog) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/search/", {"q": "pens", "sort": "price-asc"})
    assert asins(response) == ["B000000001", "B000000007", "B000000002", "B000000003", "B000000008"]
    assert [str(item.price.amount) for item in response.context["results"]] == [
        "9.99",
        "12.00",
        "14.99",
        "19.99",
        "29.99",
    ]


def test_sort_by_price_uses_the_business_price_for_business_customers(
    client: Client, catalog, business
) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/search/", {"q": "pens", "sort": "price-asc"}, **business)
    # O'Brien: list 12.00 but business 7.00, so it comes first for a business.
    assert asins(response) == ["B000000007", "B000000001", "B000000002", "B000000003", "B000000008"]
    assert [str(item.price.amount) for item in response.context["results"]] == [
        "7.00",
        "8.50",
        "12.00",
        "17.99",
        "26.00",
    ]
    response = client.get("/search/", {"q": "pens", "sort": "price-desc"}, **business)
    assert asins(response) == ["B000000008", "B000000003", "B000000002", "B000000001", "B000000007"]
    # Price bands follow the business price too.
    assert facet(response, "price") == {"Under 10 EUR": 2, "10 to 25 EUR": 2, "25 to 50 EUR": 1}


def test_pagination(client: Client, catalog, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CATALOG_PAGE_SIZE = 3
    first = client.get("/search/", {"q": "pens", "sort": "price-asc"})
    second = client.get("/search/", {"q": "pens", "sort": "price-asc", "page": "2"})
    assert asins(first) == ["B000000001", "B000000007", "B000000002"]
    assert asins(second) == ["B000000003", "B000000008"]
    assert first.context["pages"] == 2
    assert first.context["next_url"] == "/search/?q=pens&sort=price-asc&page=2"
    assert second.context["next_url"] == ""
    assert "Page 2 of 2" in second.content.decode()


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('"paper-mate"', id="quoted-hyphen"),
        pytest.param("o'brien", id="apostrophe"),
        pytest.param('"', id="lone-quote"),
        pytest.param("AND OR NOT * ( ) :", id="operators"),
        pytest.param("paper-mate", id="hyphen"),
    ],
)
def test_odd_terms_do_not_crash(client: Client, catalog, text: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/search/", {"q": text})
    assert response.status_code == 200


def test_hyphen_and_apostrophe_terms_find_their_products(client: Client, catalog) -> None:  # type: ignore[no-untyped-def]
    assert sorted(asins(client.get("/search/", {"q": '"paper-mate"'}))) == ["B000000001", "B000000008"]
    assert asins(client.get("/search/", {"q": "o'brien"})) == ["B000000007"]
    assert asins(client.get("/search/", {"q": "nothing-like-this"})) == []


def test_empty_query_lists_everything_by_sales_rank(client: Client, catalog) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/search/", {"q": ""})
    assert response.status_code == 200
    assert asins(response) == [f"B00000000{n}" for n in range(1, 9)]
    assert response.context["result"].total == 8


def test_browse_a_family(client: Client, catalog) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/browse/1411/")
    assert response.status_code == 200
    assert asins(response) == ["B000000005", "B000000006"]
    assert response.context["category"].name == "Paper products"
    assert [name for name, _url in response.context["breadcrumbs"]] == [
        "Paper Materials and Products",
        "Paper products",
    ]
    assert client.get("/browse/14110000/").context["category"].code == "14110000"
    assert client.get("/browse/9999/").status_code == 404
    assert client.get("/browse/abc/").status_code == 404


def test_product_page(client: Client, catalog, business) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/product/B000000001/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "9.99\xa0EUR" in html
    assert "Sold by OpenProcure Marketplace" in html
    assert response.context["tiers"] == []
    response = client.get("/product/B000000001/", **business)
    assert [(tier.min_quantity, str(tier.price.amount)) for tier in response.context["tiers"]] == [
        (10, "8.00"),
        (50, "7.50"),
    ]
    assert "8.50\xa0EUR" in response.content.decode()


def test_unknown_product_is_404(client: Client, catalog) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/product/B0NOTHERE0/").status_code == 404
    assert client.get("/product/B0NOTHERE0/image.svg").status_code == 404


def test_product_image_is_svg(client: Client, catalog) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/product/B000000004/image.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')
    assert b">Swingline</text>" in response.content


def test_add_to_cart_form_only_when_the_cart_exists(client: Client, catalog, settings) -> None:  # type: ignore[no-untyped-def]
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("cart-add")
        cart = True
    except NoReverseMatch:
        cart = False
    html = client.get("/product/B000000001/").content.decode()
    assert ('name="asin" value="B000000001"' in html) is cart
    settings.ROOT_URLCONF = "tests.supplier.catalog_world"
    html = client.get("/product/B000000001/").content.decode()
    assert '<form class="add-to-cart" method="post" action="/cart/add/">' in html
    assert 'name="asin" value="B000000001"' in html
    assert 'name="quantity" value="1"' in html
    html = client.get("/search/", {"q": "pens"}).content.decode()
    assert len(re.findall(r'<form class="add-to-cart"', html)) == 5


def test_typeahead(client: Client, catalog) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/search/suggest/", {"q": "pap"})
    assert response.status_code == 200
    assert response.json() == {
        "query": "pap",
        "suggestions": [
            {"text": "Paper Mate", "kind": "brand", "url": "/search/?q=Paper+Mate"},
            {"text": "copy paper", "kind": "phrase", "url": "/search/?q=copy+paper"},
            {"text": "paper", "kind": "phrase", "url": "/search/?q=paper"},
        ],
    }
    assert client.get("/search/suggest/", {"q": "p"}).json() == {"query": "p", "suggestions": []}
    assert client.get("/search/suggest/", {"q": '"'}).json() == {"query": '"', "suggestions": []}


def test_search_page_query_count(client: Client, catalog, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    client.get("/search/", {"q": "pens"})  # load the in-memory facet table
    with django_assert_num_queries(7 if connection.vendor == "sqlite" else 6):
        client.get("/search/", {"q": "pens"})


def test_simple_backend_searches_and_counts_facets(client: Client, catalog, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CATALOG_SEARCH_BACKEND = "openprocure.supplier.catalog.search_simple.SimpleSearchBackend"
    response = client.get("/search/", {"q": "Pens", "sort": "price-asc"})
    assert asins(response) == ["B000000001", "B000000002", "B000000003", "B000000008"]
    assert facet(response, "brand") == {"Paper Mate": 2, "BIC": 1, "Pilot": 1}
    assert facet(response, "price") == {"Under 10 EUR": 1, "10 to 25 EUR": 2, "25 to 50 EUR": 1}
    response = client.get("/search/", {"q": "copy paper", "ful": "us"})
    assert asins(response) == ["B000000005"]
    response = client.get("/search/", {"q": "", "cat": "1411", "price": "5"})
    assert asins(response) == []
    assert response.context["result"].total == 0


def test_products_are_read_only_in_the_admin(client: Client, catalog) -> None:  # type: ignore[no-untyped-def]
    from openprocure.core.models import User
    from openprocure.supplier.catalog.models import Product

    admin = User.objects.create_superuser(email="operator@marketplace.test", password="a-long-password")
    client.force_login(admin)
    product = Product.objects.get(asin="B000000004")
    assert client.get("/admin/catalog/product/").status_code == 200
    response = client.post(f"/admin/catalog/product/{product.pk}/change/", {"title": "Changed"})
    assert response.status_code == 403
    assert Product.objects.get(asin="B000000004").title == "Swingline Desktop Stapler, 20 Sheet Capacity"
    assert client.get("/admin/catalog/product/add/").status_code == 403
