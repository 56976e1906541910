"""The catalog search compares prices only within one currency: a price range keeps the items priced
in the chosen currency (the page says so), a price order lists that currency's items by price, then
the other currencies' (grouped by currency code, each by price), then the items without a price,
ties by id, on every backend (FTS5 or PostgreSQL, whichever the tests run on, and the ``icontains``
one of other databases). The currency is a choice of the search form only when the items in force
are priced in more than one; its default is the company's base currency when items are priced in
it, else the one most items are priced in; an unknown code falls back to it. A page of results
counts once and reads one window of ids."""

from __future__ import annotations

import importlib
import re
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from openprocure.buyer.catalogs import search as search_module
from openprocure.buyer.catalogs import services
from openprocure.buyer.catalogs.forms import SearchForm, price_currency_default
from openprocure.buyer.catalogs.models import CatalogItem, CatalogVersion
from openprocure.buyer.catalogs.search import Matches, SearchQuery, price_currencies, search
from openprocure.buyer.organization.models import Company
from openprocure.buyer.suppliers.models import Supplier
from tests.buyer.catalog_world import item, publish_items

pytestmark = pytest.mark.django_db

#: The items in file order (their ids follow it).
ALL = ["E-CHEAP", "E-MID", "E-DEAR", "E-PUNCH", "U-MID", "U-DEAR", "U-CHEAP", "U-TIE", "J-1", "J-PUNCH"]
#: Each price order in each chosen currency: the chosen currency by price, then JPY, then USD
#: (grouped by code, each by price), then the items without a price by id.
ORDERS = {
    ("price-asc", "EUR"): [
        "E-CHEAP", "E-MID", "E-DEAR", "J-1", "U-CHEAP", "U-MID", "U-TIE", "U-DEAR", "E-PUNCH", "J-PUNCH",
    ],
    ("price-desc", "EUR"): [
        "E-DEAR", "E-MID", "E-CHEAP", "J-1", "U-DEAR", "U-MID", "U-TIE", "U-CHEAP", "E-PUNCH", "J-PUNCH",
    ],
    ("price-asc", "USD"): [
        "U-CHEAP", "U-MID", "U-TIE", "U-DEAR", "E-CHEAP", "E-MID", "E-DEAR", "J-1", "E-PUNCH", "J-PUNCH",
    ],
    ("price-desc", "USD"): [
        "U-DEAR", "U-MID", "U-TIE", "U-CHEAP", "E-DEAR", "E-MID", "E-CHEAP", "J-1", "E-PUNCH", "J-PUNCH",
    ],
    ("price-asc", "JPY"): [
        "J-1", "E-CHEAP", "E-MID", "E-DEAR", "U-CHEAP", "U-MID", "U-TIE", "U-DEAR", "E-PUNCH", "J-PUNCH",
    ],
}  # fmt: skip


@pytest.fixture
def catalogs(admin: Client, office: Supplier) -> None:
    """Three suppliers' catalogs in force, in EUR, USD and JPY: the same amounts (40, 100) in
    different currencies, a tie within USD, and an item without a price in EUR and in JPY."""

    punchout = {"PunchOut Enabled": "T"}
    catalogs = [
        (
            office,
            "EUR",
            [
                item("E-CHEAP", "Blue pen", "1.00"),
                item("E-MID", "Red pen", "40.00"),
                item("E-DEAR", "Black pen", "100.00"),
                item("E-PUNCH", "Pen configurator", "", **punchout),
            ],
        ),
        (
            Supplier.objects.create(name="Dollar Pens"),
            "USD",
            [
                item("U-MID", "Green pen", "40.00"),
                item("U-DEAR", "Gold pen", "100"),
                item("U-CHEAP", "Grey pen", "0.50"),
                item("U-TIE", "Green pen refill", "40"),
            ],
        ),
        (
            Supplier.objects.create(name="Yen Pens"),
            "JPY",
            [item("J-1", "Pen set", "40"), item("J-PUNCH", "Pen kit", "", **punchout)],
        ),
    ]
    for supplier, currency, rows in catalogs:
        publish_items(admin, supplier, [{**row, "Currency": currency} for row in rows])
    assert list(CatalogItem.objects.order_by("pk").values_list("supplier_part_id", flat=True)) == ALL
    assert dict(CatalogItem.objects.values_list("supplier_part_id", "currency")) == {
        **dict.fromkeys(["E-CHEAP", "E-MID", "E-DEAR", "E-PUNCH"], "EUR"),
        **dict.fromkeys(["U-MID", "U-DEAR", "U-CHEAP", "U-TIE"], "USD"),
        **dict.fromkeys(["J-1", "J-PUNCH"], "JPY"),
    }
    assert CatalogItem.objects.filter(price_e4__isnull=True).count() == 2


def parts(ids: list[int]) -> list[str]:
    names = dict(CatalogItem.objects.values_list("pk", "supplier_part_id"))
    return [names[pk] for pk in ids]


def versions() -> list[int]:
    return sorted(services.current_versions().values())


def found(currency: str, sort: str = "best", text: str = "", **prices: Decimal) -> list[str]:
    query = SearchQuery(text=text, sort=sort, currency=currency, **prices)
    return parts(search(query, versions=versions(), limit=100).item_ids)


def simple(currency: str, sort: str = "best", text: str = "", **prices: Decimal) -> list[str]:
    """The ``icontains`` backend (neither SQLite nor PostgreSQL), called on the test database."""
    query = SearchQuery(text=text, sort=sort, currency=currency, **prices)
    return parts(search_module._simple(query, versions(), False, 0, 100, None).item_ids)


def shown(client: Client, **params: str) -> list[str]:
    """The parts of one page of the search page, in the order shown."""
    answer = client.get("/catalogs/search/", params)
    assert answer.status_code == 200
    return parts([int(pk) for pk in re.findall(r'<tr id="item-(\d+)">', answer.content.decode())])


@pytest.mark.parametrize("backend", [found, simple], ids=["database-of-the-tests", "other-databases"])
def test_a_price_range_keeps_the_items_priced_in_the_chosen_currency(catalogs: None, backend) -> None:  # type: ignore[no-untyped-def]
    fifty = Decimal(50)
    assert backend("EUR", max_price=fifty) == ["E-CHEAP", "E-MID"]  # not 40 USD nor 40 JPY
    assert backend("USD", max_price=fifty) == ["U-MID", "U-CHEAP", "U-TIE"]
    assert backend("JPY", max_price=fifty) == ["J-1"]
    assert backend("EUR", min_price=Decimal(40), max_price=Decimal(100)) == ["E-MID", "E-DEAR"]
    assert backend("USD", "price-desc", min_price=Decimal(40)) == ["U-DEAR", "U-MID", "U-TIE"]
    assert backend("GBP", max_price=fifty) == []  # no item is priced in it
    assert backend("", max_price=fifty) == []  # a range is always in one currency
    # Without a price range, the currency filters nothing.
    assert backend("EUR") == ALL
    assert backend("USD", text="green") == ["U-MID", "U-TIE"]


@pytest.mark.parametrize("backend", [found, simple], ids=["database-of-the-tests", "other-databases"])
@pytest.mark.parametrize(("sort", "currency"), list(ORDERS))
def test_a_price_order_puts_the_chosen_currency_first(
    catalogs: None, backend, sort: str, currency: str
) -> None:  # type: ignore[no-untyped-def]
    assert backend(currency, sort) == ORDERS[sort, currency]


def test_a_price_order_without_a_currency_groups_every_priced_item_by_currency(catalogs: None) -> None:
    expected = [
        "E-CHEAP",
        "E-MID",
        "E-DEAR",
        "J-1",
        "U-CHEAP",
        "U-MID",
        "U-TIE",
        "U-DEAR",
        "E-PUNCH",
        "J-PUNCH",
    ]
    assert found("", "price-asc") == expected
    assert simple("", "price-asc") == expected


@pytest.mark.parametrize(("sort", "currency"), list(ORDERS))
def test_windows_of_a_price_order_never_repeat_nor_skip_an_item(
    catalogs: None, sort: str, currency: str
) -> None:
    query = SearchQuery(sort=sort, currency=currency)
    first = search(query, versions=versions(), offset=0, limit=3)
    windows = [search(query, versions=versions(), offset=start, limit=3, known=first) for start in (3, 6, 9)]
    assert first.total == 10
    assert (
        parts(first.item_ids) + [name for window in windows for name in parts(window.item_ids)]
        == ORDERS[sort, currency]
    )
    page = search_module._simple(query, versions(), False, 6, 3, None)
    assert parts(page.item_ids) == ORDERS[sort, currency][6:9]


def test_the_currencies_in_force_and_the_default(catalogs: None) -> None:
    counts = price_currencies(versions())
    assert counts == {"USD": 4, "EUR": 3, "JPY": 1}  # items with a price only
    assert list(counts) == ["USD", "EUR", "JPY"]  # most first
    assert price_currencies([]) == {}
    # Kept on each version by the check, read without counting the items; counted when missing.
    assert sorted(
        CatalogVersion.objects.filter(pk__in=versions()).values_list("currencies", flat=True), key=str
    ) == [
        {"EUR": 3},
        {"JPY": 1},
        {"USD": 4},
    ]
    CatalogVersion.objects.filter(supplier__name="Yen Pens").update(currencies=None)
    assert price_currencies(versions()) == counts
    assert price_currency_default(counts, "EUR") == "EUR"  # the company's, items are priced in it
    assert price_currency_default(counts, "GBP") == "USD"  # else the most common
    assert price_currency_default(counts, "") == "USD"
    assert price_currency_default({"JPY": 2, "EUR": 2}, "GBP") == "EUR"  # a tie: the first code
    assert price_currency_default({}, "EUR") == ""
    form = SearchForm({"currency": "usd", "max_price": "50"}, currencies=counts, preferred="EUR")
    assert form.is_valid() and form.currency == "USD"
    for asked in ("XYZ", "ABC", "GBP", "", "€", "x" * 300):
        form = SearchForm({"currency": asked}, currencies=counts, preferred="EUR")
        assert form.is_valid(), asked
        assert form.currency == "EUR", asked
    # One currency: no choice, it is implied.
    form = SearchForm({"currency": "USD"}, currencies={"EUR": 3}, preferred="USD")
    assert "currency" not in form.fields
    assert form.is_valid() and form.currency == "EUR"


def test_the_migration_counts_the_currencies_of_the_versions_checked_before(catalogs: None) -> None:
    migration = importlib.import_module("openprocure.buyer.catalogs.migrations.0008_version_currencies")
    kept = dict(CatalogVersion.objects.values_list("supplier__name", "currencies"))
    CatalogVersion.objects.update(currencies=None)
    migration.count_currencies(django_apps, None)
    assert (
        dict(CatalogVersion.objects.values_list("supplier__name", "currencies"))
        == kept
        == {
            "Office Supplies Ltd": {"EUR": 3},
            "Dollar Pens": {"USD": 4},
            "Yen Pens": {"JPY": 1},
        }
    )


def test_the_search_page_offers_the_currencies_and_says_what_a_price_range_leaves_out(
    catalogs: None, requester: Client
) -> None:
    page = requester.get("/catalogs/search/", {"q": ""}).content.decode()
    assert '<label for="id_currency">Currency of the prices:</label>' in page
    assert re.findall(
        r'<option value="([A-Z]+)"( selected)?>', page.split('id="id_currency"')[1].split("</select>")[0]
    ) == [
        ("EUR", " selected"),  # Acme's base currency
        ("JPY", ""),
        ("USD", ""),
    ]
    assert 'id="price-currency"' not in page  # neither a price range nor a price order
    assert shown(requester, q="", max_price="50") == ["E-CHEAP", "E-MID"]
    ranged = requester.get("/catalogs/search/", {"q": "", "max_price": "50"}).content.decode()
    assert "Prices in EUR; items priced in other currencies are not shown." in ranged
    assert "2 items" in ranged
    assert shown(requester, q="", max_price="50", currency="usd") == ["U-MID", "U-CHEAP", "U-TIE"]
    dollars = requester.get(
        "/catalogs/search/", {"q": "", "max_price": "50", "currency": "usd"}
    ).content.decode()
    assert "Prices in USD; items priced in other currencies are not shown." in dollars
    assert '<option value="USD" selected>' in dollars
    sorted_page = requester.get("/catalogs/search/", {"q": "", "sort": "price-asc"}).content.decode()
    assert (
        "Prices in EUR first, then items priced in other currencies (by currency), then items without a price."
        in sorted_page
    )
    french = requester.get(
        "/catalogs/search/", {"q": "", "max_price": "50"}, HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Prix en EUR ; les articles dont le prix est dans une autre devise ne sont pas affichés." in french


def test_the_search_pages_of_a_price_order_keep_the_currency(
    catalogs: None, requester: Client, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.HOSTED_CATALOG_PAGE_SIZE = 4
    first = requester.get(
        "/catalogs/search/", {"q": "", "sort": "price-desc", "currency": "USD"}
    ).content.decode()
    assert '<a href="?q=&amp;sort=price-desc&amp;currency=USD&amp;page=2" rel="next">' in first
    pages = [shown(requester, q="", sort="price-desc", currency="USD", page=str(n)) for n in (1, 2, 3)]
    assert pages == [
        ORDERS["price-desc", "USD"][:4],
        ORDERS["price-desc", "USD"][4:8],
        ORDERS["price-desc", "USD"][8:],
    ]


@pytest.mark.parametrize("asked", ["XYZ", "abc", "x" * 300, "EU R", "GBP"])
def test_an_unknown_currency_falls_back_to_the_default(catalogs: None, requester: Client, asked: str) -> None:
    answer = requester.get("/catalogs/search/", {"q": "", "max_price": "50", "currency": asked})
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "errorlist" not in page
    assert '<option value="EUR" selected>' in page
    assert shown(requester, q="", max_price="50", currency=asked) == ["E-CHEAP", "E-MID"]


def test_the_default_is_the_most_common_currency_when_the_company_has_no_item_in_its_own(
    catalogs: None, requester: Client
) -> None:
    Company.objects.update(default_currency="GBP")
    page = requester.get("/catalogs/search/", {"q": "", "max_price": "50"}).content.decode()
    assert '<option value="USD" selected>' in page
    assert "Prices in USD; items priced in other currencies are not shown." in page
    assert shown(requester, q="", max_price="50") == ["U-MID", "U-CHEAP", "U-TIE"]


def test_one_currency_in_force_is_implied(admin: Client, office: Supplier, requester: Client) -> None:
    publish_items(admin, office, [item("ONE", "Blue pen", "1.00"), item("TWO", "Red pen", "40")])
    page = requester.get(
        "/catalogs/search/", {"q": "", "max_price": "10", "currency": "USD"}
    ).content.decode()
    assert 'id="id_currency"' not in page
    assert 'id="price-currency"' not in page  # nothing left out: every item is in EUR
    assert shown(requester, q="", max_price="10", currency="USD") == ["ONE"]


def test_a_page_counts_once_and_reads_one_window(catalogs: None) -> None:
    matches = Matches(SearchQuery(text="pen", sort="price-asc", currency="EUR"), versions())
    with CaptureQueriesContext(connection) as captured:
        total = len(matches)
        page = matches[3:6]
        assert len(matches) == total
        assert page[0].version.supplier.name == "Yen Pens"  # loaded with the items
    assert (total, [item.supplier_part_id for item in page]) == (10, ORDERS["price-asc", "EUR"][3:6])
    # The count, the window of ids, the items with their supplier: nothing counted twice.
    sql = [query["sql"].lower() for query in captured.captured_queries]
    assert [("count(" in text) for text in sql] == [True, False, False]
