"""The catalog search sorted by price: today's exact price (``price_e4``), low to high or high to
low, ties by item id, items without a price today last either way; pages keep the order and the
URL carries it; an unknown order is best match. Each backend's query is checked (FTS5 or
PostgreSQL, whichever the tests run on, and the ``icontains`` one of other databases)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from openprocure.buyer.catalogs import search as search_module
from openprocure.buyer.catalogs import services
from openprocure.buyer.catalogs.models import CatalogItem
from openprocure.buyer.catalogs.search import SearchQuery, search
from openprocure.buyer.suppliers.models import Supplier
from tests.buyer.catalog_world import bmecat, cif_file, days, item, publish, upload

pytestmark = pytest.mark.django_db

ALL = ["BLUE", "RED", "GREEN", "BLACK", "CONFIG", "REFILL", "NOW", "LATER"]
#: Low to high: 1.00 (RED, REFILL), 2.50 (BLUE, GREEN, NOW), 10.00 (BLACK), then no price today.
LOW_TO_HIGH = ["RED", "REFILL", "BLUE", "GREEN", "NOW", "BLACK", "CONFIG", "LATER"]
HIGH_TO_LOW = ["BLACK", "BLUE", "GREEN", "NOW", "RED", "REFILL", "CONFIG", "LATER"]


@pytest.fixture
def catalogs(admin: Client, office: Supplier) -> None:
    """Two suppliers' catalogs in force: ties of price within one catalog and across both, an item
    sold only at the supplier's PunchOut site (no price) and one whose only price starts in 5 days."""
    publish(
        admin,
        upload(
            admin,
            office,
            cif_file(
                [
                    item("BLUE", "Blue pen", "2.50"),
                    item("RED", "Red pen", "1.00"),
                    item("GREEN", "Green pen", "2.5"),
                    item("BLACK", "Black pen", "10.00"),
                    item("CONFIG", "Pen configurator", "", **{"PunchOut Enabled": "T"}),
                    item("REFILL", "Pen refill", "1.0000"),
                ]
            ),
        ),
    )
    later = Supplier.objects.create(name="Dated Supplies")
    dated = {
        "NOW": ("", [(None, None, [(1, "2.50")])]),
        "LATER": ("", [(days(5), None, [(1, "0.10")])]),
    }
    version = publish(admin, upload(admin, later, bmecat("T_NEW_CATALOG", dated), "catalog.xml"))
    assert version.status == "published"
    assert dict(CatalogItem.objects.values_list("supplier_part_id", "price_e4")) == {
        "BLUE": 25000,
        "RED": 10000,
        "GREEN": 25000,
        "BLACK": 100000,
        "CONFIG": None,
        "REFILL": 10000,
        "NOW": 25000,
        "LATER": None,  # no price today: the next period's 0.10 is no price of the search
    }
    # Item ids follow the order of the files: the ties are broken in this order.
    assert list(CatalogItem.objects.order_by("pk").values_list("supplier_part_id", flat=True)) == ALL


def parts(ids: list[int]) -> list[str]:
    names = dict(CatalogItem.objects.values_list("pk", "supplier_part_id"))
    return [names[pk] for pk in ids]


def found(sort: str, text: str = "", **filters: Decimal) -> list[str]:
    versions = list(services.current_versions().values())
    query = SearchQuery(text=text, sort=sort, currency="EUR", **filters)
    return parts(search(query, versions=versions, limit=100).item_ids)


def shown(client: Client, **params: str) -> list[str]:
    """The parts of one page of the search page, in the order shown."""
    answer = client.get("/catalogs/search/", params)
    assert answer.status_code == 200
    return parts([int(pk) for pk in re.findall(r'<tr id="item-(\d+)">', answer.content.decode())])


def test_each_order_on_the_database_of_the_tests(catalogs: None) -> None:
    assert found("best") == ALL  # no word: file order
    assert found("price-asc") == LOW_TO_HIGH
    assert found("price-desc") == HIGH_TO_LOW
    assert found("price-asc", "pen") == ["RED", "REFILL", "BLUE", "GREEN", "BLACK", "CONFIG"]
    assert found("price-desc", "pen") == ["BLACK", "BLUE", "GREEN", "RED", "REFILL", "CONFIG"]
    assert found("price-desc", "pen", min_price=Decimal("2.5")) == ["BLACK", "BLUE", "GREEN"]
    assert found("price-asc", max_price=Decimal("2.50")) == ["RED", "REFILL", "BLUE", "GREEN", "NOW"]
    assert found("price-asc", category="44121615") == ["RED", "REFILL", "BLUE", "GREEN", "BLACK", "CONFIG"]
    assert found("price-desc", "pe") == []  # a word too short to be taken as a prefix
    assert found("price-desc", "refi") == ["REFILL"]  # the prefix retry keeps the order


@pytest.mark.parametrize(("sort", "expected"), [("price-asc", LOW_TO_HIGH), ("price-desc", HIGH_TO_LOW)])
def test_windows_of_the_order_never_repeat_nor_skip_an_item(
    catalogs: None, sort: str, expected: list[str]
) -> None:
    versions = list(services.current_versions().values())
    query = SearchQuery(sort=sort)
    first = search(query, versions=versions, offset=0, limit=3)
    assert (parts(first.item_ids), first.total) == (expected[:3], 8)
    windows = [search(query, versions=versions, offset=start, limit=3, known=first) for start in (3, 6)]
    assert [parts(window.item_ids) for window in windows] == [expected[3:6], expected[6:]]


def test_each_order_on_other_databases(catalogs: None) -> None:
    """The ``icontains`` backend (neither SQLite nor PostgreSQL), called on the test database."""
    versions = list(services.current_versions().values())

    def simple(sort: str, text: str = "") -> list[str]:
        query = SearchQuery(text=text, sort=sort)
        return parts(search_module._simple(query, versions, False, 0, 100, None).item_ids)

    assert simple("best") == ALL
    assert simple("price-asc") == LOW_TO_HIGH
    assert simple("price-desc") == HIGH_TO_LOW
    assert simple("price-desc", "pen") == ["BLACK", "BLUE", "GREEN", "RED", "REFILL", "CONFIG"]
    page = search_module._simple(SearchQuery(sort="price-asc"), versions, False, 5, 5, None)
    assert (parts(page.item_ids), page.total) == (["BLACK", "CONFIG", "LATER"], 8)


def test_the_search_page_sorts_by_price_across_pages(catalogs: None, requester: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.HOSTED_CATALOG_PAGE_SIZE = 5
    first = requester.get("/catalogs/search/", {"q": "", "sort": "price-asc"}).content.decode()
    # A labelled choice in the search's GET form, the order asked for selected.
    assert '<label for="id_sort">Sort by:</label>' in first
    assert '<select name="sort" id="id_sort">' in first
    assert re.findall(
        r'<option value="([^"]+)"( selected)?>([^<]+)</option>', first.split('id="id_sort"')[1]
    )[:3] == [
        ("best", "", "Best match"),
        ("price-asc", " selected", "Price: low to high"),
        ("price-desc", "", "Price: high to low"),
    ]
    # The next page's link keeps the order (a shareable URL).
    assert '<a href="?q=&amp;sort=price-asc&amp;page=2" rel="next">' in first
    assert shown(requester, q="", sort="price-asc") == LOW_TO_HIGH[:5]
    assert shown(requester, q="", sort="price-asc", page="2") == LOW_TO_HIGH[5:]
    assert shown(requester, q="", sort="price-desc") == HIGH_TO_LOW[:5]
    assert shown(requester, q="", sort="price-desc", page="2") == HIGH_TO_LOW[5:]
    assert shown(requester, q="pen", sort="price-desc") == ["BLACK", "BLUE", "GREEN", "RED", "REFILL"]
    assert shown(requester, q="pen", sort="price-desc", page="2") == ["CONFIG"]
    # Items without a price today say so, last.
    last = requester.get("/catalogs/search/", {"q": "", "sort": "price-asc", "page": "2"}).content.decode()
    assert last.count("No price valid today") == 1  # LATER, after CONFIG (no price: PunchOut only)


def test_an_unknown_order_is_best_match(catalogs: None, requester: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.HOSTED_CATALOG_PAGE_SIZE = 5
    for value in ("cheapest", "PRICE-ASC", "x" * 300):
        answer = requester.get("/catalogs/search/", {"q": "", "sort": value})
        page = answer.content.decode()
        assert answer.status_code == 200
        assert shown(requester, q="", sort=value) == ALL[:5]
        assert '<option value="best" selected>Best match</option>' in page
        assert "errorlist" not in page
    assert shown(requester, q="") == ALL[:5]  # no order asked: best match


def catalog_counts(queries: CaptureQueriesContext) -> int:
    """The statements among ``queries`` that count catalog items (FTS5, PostgreSQL or ``icontains``)."""
    return sum(
        1
        for query in queries.captured_queries
        if "count(*)" in query["sql"].lower()
        and ("catalogs_fts" in query["sql"] or "catalogs_catalogitem" in query["sql"])
    )


@pytest.mark.parametrize(
    ("params", "expected", "counts"),
    [
        pytest.param({"q": "pen", "sort": "price-desc", "page": "2"}, ["CONFIG"], 1, id="second-page"),
        pytest.param({"q": "", "sort": "price-asc"}, LOW_TO_HIGH[:5], 1, id="every-item"),
        # the word finds nothing, then the word as a prefix: each counted once
        pytest.param({"q": "refi"}, ["REFILL"], 2, id="prefix"),
        pytest.param({"q": "nothing"}, [], 2, id="nothing-found"),
    ],
)
def test_the_search_page_counts_its_matches_once(  # type: ignore[no-untyped-def]
    catalogs: None, requester: Client, settings, params: dict[str, str], expected: list[str], counts: int
) -> None:
    settings.HOSTED_CATALOG_PAGE_SIZE = 5
    with CaptureQueriesContext(connection) as queries:
        assert shown(requester, **params) == expected
    assert catalog_counts(queries) == counts
