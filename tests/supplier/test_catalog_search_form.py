"""The storefront search's URL read through its form (each value typed and bounded; a value out of
its bounds is left out, never an error), the typeahead's, and the heading of the search pages."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.http import QueryDict
from django.test import Client

from openprocure.supplier.catalog.forms import StorefrontSearchForm, SuggestForm
from openprocure.supplier.catalog.search import SearchQuery, Sort
from tests.supplier.catalog_world import asins, make_catalog


def query_of(url: str, **kwargs: Any) -> SearchQuery:
    return StorefrontSearchForm(QueryDict(url)).search_query(**kwargs)


def test_every_value_of_a_full_url() -> None:
    url = (
        "q=+ballpoint+pens+&cat=441217&brand=Paper+Mate&brand=O%27Brien&seller=3&seller=12"
        "&ful=seller&price=2&sort=price-desc&page=4"
    )
    assert query_of(url, price_basis="business") == SearchQuery(
        text="ballpoint pens",
        category="441217",
        brands=("Paper Mate", "O'Brien"),
        seller_ids=(3, 12),
        fulfilled_by_us=False,
        price_band=2,
        sort=Sort.PRICE_DESC,
        page=4,
        page_size=24,
        price_basis="business",
    )


def test_an_empty_url_is_the_whole_catalog_by_relevance() -> None:
    assert query_of("") == SearchQuery(
        text="",
        category="",
        brands=(),
        seller_ids=(),
        fulfilled_by_us=None,
        price_band=None,
        sort=Sort.RELEVANCE,
        page=1,
        page_size=24,
        price_basis="list",
    )


@pytest.mark.parametrize(
    ("url", "field", "expected"),
    [
        pytest.param("q=%20%20pens%20", "text", "pens", id="text-stripped"),
        pytest.param("q=" + "x" * 250, "text", "x" * 200, id="text-cut-at-200"),
        pytest.param("q=pen%00s", "text", "", id="text-with-a-null-character-is-no-text"),
        pytest.param("cat=44", "category", "44", id="category-segment"),
        pytest.param("cat=44121704", "category", "44121704", id="category-commodity"),
        pytest.param("cat=441", "category", "", id="category-odd-length"),
        pytest.param("cat=4412170400", "category", "", id="category-too-long"),
        pytest.param("cat=44a2", "category", "", id="category-not-digits"),
        pytest.param("cat=44%0A", "category", "", id="category-trailing-newline"),
        pytest.param("cat=%2044", "category", "", id="category-leading-space"),
        pytest.param("cat=%D9%A4%D9%A4", "category", "", id="category-non-ascii-digits"),
        pytest.param("sort=price-asc", "sort", Sort.PRICE_ASC, id="sort-price"),
        pytest.param("sort=delivery", "sort", Sort.DELIVERY, id="sort-delivery"),
        pytest.param("sort=cheapest", "sort", Sort.RELEVANCE, id="sort-unknown-is-relevance"),
        pytest.param("sort=", "sort", Sort.RELEVANCE, id="sort-empty-is-relevance"),
        pytest.param("ful=us", "fulfilled_by_us", True, id="fulfilled-by-us"),
        pytest.param("ful=both", "fulfilled_by_us", None, id="fulfilment-unknown"),
        pytest.param("page=0", "page", 1, id="page-zero"),
        pytest.param("page=-3", "page", 1, id="page-negative"),
        pytest.param("page=abc", "page", 1, id="page-not-a-number"),
        pytest.param("page=417", "page", 417, id="page-last-holding-the-10000th"),
        pytest.param("page=99999999999999999999", "page", 417, id="page-capped"),
        pytest.param(
            "brand=" + "&brand=".join("ABCDEFGHIJKL"), "brands", tuple("ABCDEFGHIJ"), id="brands-10"
        ),
        pytest.param("seller=1&seller=x&seller=0&seller=-2&seller=+7+", "seller_ids", (1, 7), id="sellers"),
        pytest.param(
            "seller=" + "&seller=".join(["x"] * 10 + ["5"]), "seller_ids", (), id="sellers-first-10"
        ),
        pytest.param(f"seller={2**63}", "seller_ids", (), id="seller-past-a-database-id"),
        pytest.param("price=0", "price_band", 0, id="price-first-band"),
        pytest.param("price=6", "price_band", 6, id="price-last-band"),
        pytest.param("price=7", "price_band", None, id="price-past-the-last-band"),
        pytest.param("price=-1", "price_band", None, id="price-negative"),
        pytest.param("price=two", "price_band", None, id="price-not-a-number"),
    ],
)
def test_each_value_and_its_fallback(url: str, field: str, expected: Any) -> None:
    assert getattr(query_of(url), field) == expected


def test_a_browse_pages_category_wins_over_the_url() -> None:
    assert query_of("cat=4412").category == "4412"
    assert query_of("cat=4412", category="1411").category == "1411"


def test_bounds_follow_the_tunables(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CATALOG_PAGE_SIZE = 3
    settings.CATALOG_PRICE_BANDS = (Decimal(10), Decimal(25))
    assert (query_of("page=99999").page, query_of("page=99999").page_size) == (3334, 3)
    assert [query_of(f"price={band}").price_band for band in (0, 1, 2, 3)] == [0, 1, 2, None]


def test_values_out_of_bounds_are_the_forms_errors_never_the_pages() -> None:
    form = StorefrontSearchForm(QueryDict("cat=zz&price=99&page=abc&ful=both&sort=cheapest"))
    assert form.search_query() == query_of("")
    assert sorted(form.errors) == ["cat", "ful", "page", "price"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("q=+pap+", "pap", id="stripped"),
        pytest.param("q=" + "p" * 150, "p" * 100, id="cut-at-100"),
        pytest.param("", "", id="none"),
        pytest.param("q=pa%00p", "", id="null-character"),
    ],
)
def test_the_typeahead_reads_what_is_typed(url: str, expected: str) -> None:
    assert SuggestForm(QueryDict(url)).typed() == expected


# -- pages -------------------------------------------------------------------------------------------


@pytest.fixture
def catalog(db):  # type: ignore[no-untyped-def]
    return make_catalog()


def headings(html: str) -> list[str]:
    return re.findall(r"<h1>(.*?)</h1>", html)


@pytest.mark.parametrize(
    ("path", "params", "language", "expected"),
    [
        pytest.param("/search/", {"q": "pens"}, "en", ["Results for “pens”"], id="words"),
        pytest.param("/search/", {"q": "pens"}, "fr", ["Résultats pour « pens »"], id="words-fr"),
        pytest.param("/search/", {"q": "<b>"}, "en", ["Results for “&lt;b&gt;”"], id="words-escaped"),
        pytest.param(
            "/search/", {"q": "pens", "cat": "441217"}, "en", ["Results for “pens”"], id="words-in-a-category"
        ),
        pytest.param("/search/", {"cat": "441217"}, "en", ["Writing instruments"], id="a-category"),
        pytest.param("/search/", {"q": "  "}, "en", ["All products"], id="no-words"),
        pytest.param("/search/", {}, "fr", ["Tous les produits"], id="no-words-fr"),
        pytest.param("/browse/1411/", {}, "en", ["Paper products"], id="browse"),
        pytest.param("/browse/1411/", {"q": "paper"}, "en", ["Paper products"], id="browse-with-words"),
    ],
)
def test_the_search_pages_heading(
    client: Client, catalog, path: str, params: dict[str, str], language: str, expected: list[str]
) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path, params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert headings(response.content.decode()) == expected


@pytest.mark.parametrize(
    ("odd", "plain", "total"),
    [
        pytest.param(
            {"q": "pens", "cat": "zz", "price": "99", "page": "abc", "ful": "both", "sort": "x"},
            {"q": "pens"},
            5,
            id="out-of-bounds",
        ),
        # these three made the full-text search fail (500) before they went through the form
        pytest.param({"q": "pens", "seller": "-1"}, {"q": "pens"}, 5, id="negative-seller"),
        pytest.param({"q": "pens", "price": "-1"}, {"q": "pens"}, 5, id="negative-price-band"),
        pytest.param({"q": "pens\x00"}, {}, 8, id="null-character-is-no-words"),
    ],
)
def test_bad_values_in_the_url_search_without_them(  # type: ignore[no-untyped-def]
    client: Client, catalog, odd: dict[str, str], plain: dict[str, str], total: int
) -> None:
    answer, without = client.get("/search/", odd), client.get("/search/", plain)
    assert (answer.status_code, without.status_code) == (200, 200)
    assert answer.context["query"] == without.context["query"]
    assert asins(answer) == asins(without)
    assert answer.context["result"].total == total
