"""The PostgreSQL full-text backend, through HTTP on the hand-made catalog (PostgreSQL pass only).

The shared search tests in ``test_catalog_search`` already run against this backend on PostgreSQL
(the storefront's settings choose it there); these add what only it has: relevance by ``ts_rank``,
the prefix retry, and an index that follows product changes.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from openprocure.supplier.catalog import services
from openprocure.supplier.catalog.search import get_backend
from openprocure.supplier.catalog.search_postgres import PostgresSearchBackend
from tests.supplier.catalog_world import asins, facet, make_catalog

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the PostgreSQL full-text backend"),
]


@pytest.fixture
def catalog(db):  # type: ignore[no-untyped-def]
    return make_catalog()


def index_rows() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sales_rank FROM catalog_pgsearch ORDER BY sales_rank")
        return [row[0] for row in cursor.fetchall()]


def test_the_storefront_uses_postgres_full_text_with_gin_indexes(catalog) -> None:  # type: ignore[no-untyped-def]
    assert type(get_backend()) is PostgresSearchBackend
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef LIKE '%%USING gin%%' FROM pg_indexes "
            "WHERE tablename = 'catalog_pgsearch' ORDER BY indexname"
        )
        assert cursor.fetchall() == [
            ("catalog_pgsearch_document", True),
            ("catalog_pgsearch_filters", True),
            ("catalog_pgsearch_pkey", False),
        ]
    assert index_rows() == list(range(1, 9))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("paper mate", ["B000000008", "B000000001"], id="brand-in-title-and-brand"),
        pytest.param("copy paper", ["B000000006", "B000000005"], id="shorter-title-first"),
        pytest.param("ballpoint pens", ["B000000002", "B000000001"], id="two-words"),
        pytest.param(
            "pens",
            ["B000000002", "B000000003", "B000000008", "B000000007", "B000000001"],
            id="stemmed-plural",
        ),
        pytest.param("MPN-004", ["B000000004"], id="part-number"),
        pytest.param("B000000004", ["B000000004"], id="asin"),
        pytest.param("stapl", ["B000000004"], id="half-typed-word-as-prefix"),
        pytest.param("desktop stapl", ["B000000004"], id="last-word-as-prefix"),
        pytest.param("paper ma", [], id="prefix-of-two-letters-is-not-tried"),
        pytest.param('"paper-mate"', ["B000000008", "B000000001"], id="quoted-hyphen"),
        pytest.param("o'brien", ["B000000007"], id="apostrophe"),
        pytest.param("AND OR NOT * ( ) :", [], id="only-stop-words-and-operators"),
    ],
)
def test_search_orders_by_ts_rank(client: Client, catalog, text: str, expected: list[str]) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/search/", {"q": text})
    assert response.status_code == 200
    assert asins(response) == expected
    assert response.context["result"].total == len(expected)
    assert response.context["result"].ranked_by == "relevance"


def test_broad_query_is_ordered_by_sales_rank(client: Client, catalog, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CATALOG_RELEVANCE_LIMIT = 3
    response = client.get("/search/", {"q": "pens"})
    assert asins(response) == ["B000000001", "B000000002", "B000000003", "B000000007", "B000000008"]
    assert response.context["result"].ranked_by == "popularity"


def test_capped_counts_and_facets(client: Client, catalog, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CATALOG_FACET_LIMIT = 2
    settings.CATALOG_COUNT_LIMIT = 4
    settings.CATALOG_PAGE_SIZE = 2
    response = client.get("/search/", {"q": "pens", "page": "2"})
    result = response.context["result"]
    assert (result.total, result.total_exact, result.facets_exact) == (4, False, False)
    # Facets from the two best sellers only (Paper Mate B000000001, BIC B000000002).
    assert facet(response, "brand") == {"BIC": 1, "Paper Mate": 1}
    # Not every match was read, so the relevance page comes from SQL: ts_rank order 2, 3 | 8, 7 | 1.
    assert result.ranked_by == "relevance"
    assert asins(response) == ["B000000008", "B000000007"]


def test_brand_and_seller_filters_combine(client: Client, catalog) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/search/", {"q": "", "brand": ["BIC", "Pilot"], "seller": str(catalog["market"])})
    assert asins(response) == ["B000000003"]


def test_the_index_follows_product_changes(client: Client, catalog) -> None:  # type: ignore[no-untyped-def]
    services.update_products(
        rows=[
            services.ProductRow(
                asin="B000000004",
                title="Rapid Heavy Duty Stapler, 100 Sheet Capacity",
                brand="Rapid",
                manufacturer="Rapid",
                manufacturer_part_number="RAP-100",
                description="Staples 100 sheets.",
                unspsc="44121615",
                unit_of_measure="EA",
                list_price=Decimal("64.00"),
                business_price=Decimal("59.00"),
                currency="EUR",
                seller_id=catalog["acme"],
                fulfilled_by_us=True,
                stock=3,
                delivery_days=2,
            )
        ]
    )
    assert asins(client.get("/search/", {"q": "swingline"})) == []
    response = client.get("/search/", {"q": "heavy duty stapler"})
    assert asins(response) == ["B000000004"]
    assert facet(response, "brand") == {"Rapid": 1}
    assert facet(response, "price") == {"50 to 100 EUR": 1}
    assert index_rows() == list(range(1, 9))


def test_rebuild_recreates_the_same_index(client: Client, catalog) -> None:  # type: ignore[no-untyped-def]
    backend = get_backend()
    backend.unindex_products(sales_ranks=range(1, 9))
    assert asins(client.get("/search/", {"q": "pens"})) == []
    backend.rebuild()
    assert index_rows() == list(range(1, 9))
    assert asins(client.get("/search/", {"q": "pens"})) == [
        "B000000002",
        "B000000003",
        "B000000008",
        "B000000007",
        "B000000001",
    ]
