"""The search backend interface, what a search asks and answers, and the start-up check of the setting.

A backend turns a :class:`SearchQuery` into a :class:`SearchResult`: the ids of one page of
products in order, the total, and raw facet counts keyed by facet token. It knows nothing about
prices shown to a customer: the view prices the page afterwards with a pricing strategy. The only
price-related things a backend sees are which price basis the strategy uses (``list`` or
``business``) for the price-band filter, its facet and price sorting.

Backends:

- ``openprocure.supplier.catalog.search_fts5.FTS5SearchBackend`` — SQLite FTS5 (the embedded default).
- ``openprocure.supplier.catalog.search_simple.SimpleSearchBackend`` — ``icontains`` on any database;
  the fallback on PostgreSQL until a full-text backend is written against this interface.
- ``openprocure.supplier.catalog.search_postgres.PostgresSearchBackend`` — PostgreSQL full text
  (``tsvector`` + GIN, ``ts_rank``); the storefront's settings choose it on PostgreSQL.

Facet tokens are the vocabulary every backend shares (they are also the filter words inside the
FTS5 index): ``seg44`` ``fam4412`` ``cls441216`` ``com44121615`` (UNSPSC levels), ``br<hex of the
brand's UTF-8>``, ``sel<seller id>``, ``ful1``/``ful0`` (fulfilled by us or not), ``lpb<n>`` and
``bpb<n>`` (list / business price band number, see ``CATALOG_PRICE_BANDS``).
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils.module_loading import import_string

from openprocure.core.tunables import tunable
from openprocure.supplier.catalog.models import Suggestion as SuggestionRow


class Sort:
    """Orders a search can ask for."""

    RELEVANCE = "relevance"  # best match first (sales rank for very broad queries)
    PRICE_ASC = "price-asc"  # the customer's unit price, low to high
    PRICE_DESC = "price-desc"  # the customer's unit price, high to low
    DELIVERY = "delivery"  # fastest delivery first
    ALL = (RELEVANCE, PRICE_ASC, PRICE_DESC, DELIVERY)


FACETS = ("category", "brand", "seller", "fulfilment", "price")


def product_order(sort: str, price_basis: str) -> str:
    """The SQL ``ORDER BY`` term of a sort on the product's own columns (``catalog_product AS p``):
    the customer's unit price either way, or the delivery time."""
    price = "business_price" if price_basis == "business" else "list_price"
    return {
        Sort.PRICE_ASC: f"p.{price} ASC",
        Sort.PRICE_DESC: f"p.{price} DESC",
        Sort.DELIVERY: "p.delivery_days ASC",
    }[sort]


@dataclass(frozen=True)
class SearchQuery:
    """What a visitor asked: free text, filters (facet tokens per facet), order and page."""

    text: str = ""
    category: str = ""  # a UNSPSC code at any level ("44", "4412", "441216" or 8 digits, zeros trimmed)
    brands: tuple[str, ...] = ()
    seller_ids: tuple[int, ...] = ()
    fulfilled_by_us: bool | None = None
    price_band: int | None = None
    sort: str = Sort.RELEVANCE
    page: int = 1
    page_size: int = 24
    price_basis: str = "list"  # "list" or "business": which price the band and price sort use

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@dataclass
class SearchResult:
    """One page of products (by sales rank) in order, the number of matches and facet counts.

    ``total_exact`` is False when the matches were only counted up to ``CATALOG_COUNT_LIMIT``;
    ``facets_exact`` is False when facet counts come from the most popular ``CATALOG_FACET_LIMIT``
    matches only (each count is then a lower bound). ``ranked_by`` says how the page was ordered.
    """

    sales_ranks: list[int]
    total: int
    total_exact: bool = True
    facet_counts: dict[str, int] = field(default_factory=dict)
    facets_exact: bool = True
    ranked_by: str = Sort.RELEVANCE


@dataclass(frozen=True)
class Suggestion:
    """One typeahead entry."""

    text: str
    is_brand: bool = False


class SearchBackend(ABC):
    """Finds products. One instance per process; methods take keyword arguments only."""

    #: Database vendors this backend works on (``connection.vendor``); empty means any.
    vendors: tuple[str, ...] = ()

    @classmethod
    def check_configuration(cls) -> None:
        """Raise ImproperlyConfigured when this backend cannot run on the configured database."""
        if cls.vendors and connection.vendor not in cls.vendors:
            raise ImproperlyConfigured(
                f"CATALOG_SEARCH_BACKEND {cls.__module__}.{cls.__qualname__} needs a "
                f"{' or '.join(cls.vendors)} database, but the default database is {connection.vendor}. "
                "Leave CATALOG_SEARCH_BACKEND empty to pick the backend from the database engine."
            )

    @abstractmethod
    def search(self, *, query: SearchQuery) -> SearchResult:
        """One page of matches for ``query``."""

    def suggest(self, *, prefix: str, limit: int) -> list[Suggestion]:
        """Completions for what the visitor is typing: brands and common product phrases.

        Reads the ``Suggestion`` table (an index range scan on the lower-cased prefix), which works
        the same on every database; a backend may answer from its own index instead.
        """
        key = " ".join(prefix.lower().split())
        if not key:
            return []
        rows = (
            SuggestionRow.objects.filter(key__gte=key, key__lt=key + "\U0010ffff")
            .order_by("-weight", "text")
            .values_list("text", "is_brand")[: limit * 3]
        )
        seen: set[str] = set()
        found: list[Suggestion] = []
        for text, is_brand in rows:
            if text.lower() not in seen:
                seen.add(text.lower())
                found.append(Suggestion(text=text, is_brand=is_brand))
        return found[:limit]

    def index_products(self, *, sales_ranks: Iterable[int]) -> None:  # noqa: B027 - optional hook
        """Add products (by sales rank) to the index after they were inserted or changed."""

    def unindex_products(self, *, sales_ranks: Iterable[int]) -> None:  # noqa: B027 - optional hook
        """Remove products from the index before they are changed or deleted."""

    def index_range(self, *, first: int, last: int) -> None:  # noqa: B027 - optional hook
        """Index the products whose sales rank is in ``first..last`` (a bulk load's new rows)."""

    def optimize(self) -> None:  # noqa: B027 - optional hook
        """Compact the index after a bulk load."""

    def rebuild(self) -> None:  # noqa: B027 - optional hook
        """Rebuild the whole index from the product table."""


def default_backend_path() -> str:
    if connection.vendor == "sqlite":
        return "openprocure.supplier.catalog.search_fts5.FTS5SearchBackend"
    return "openprocure.supplier.catalog.search_simple.SimpleSearchBackend"


def get_backend_class() -> type[SearchBackend]:
    """The class named by ``CATALOG_SEARCH_BACKEND`` (or the engine's default), checked."""
    path = tunable("CATALOG_SEARCH_BACKEND") or default_backend_path()
    if not isinstance(path, str) or "." not in path:
        raise ImproperlyConfigured(
            f"CATALOG_SEARCH_BACKEND={path!r} is not a dotted path to a SearchBackend class, e.g. "
            "'openprocure.supplier.catalog.search_fts5.FTS5SearchBackend'."
        )
    try:
        backend_class = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"CATALOG_SEARCH_BACKEND={path!r} cannot be imported: {exc}") from exc
    if not (isinstance(backend_class, type) and issubclass(backend_class, SearchBackend)):
        raise ImproperlyConfigured(
            f"CATALOG_SEARCH_BACKEND={path!r} is not a subclass of "
            "openprocure.supplier.catalog.search.SearchBackend."
        )
    backend_class.check_configuration()
    return backend_class


@functools.cache
def _backend_for(path: str, vendor: str) -> SearchBackend:
    return get_backend_class()()


def get_backend() -> SearchBackend:
    """The configured backend instance (cached per setting and database engine)."""
    return _backend_for(str(tunable("CATALOG_SEARCH_BACKEND")), connection.vendor)


# --- helpers shared by the backends -------------------------------------------------------------


def brand_token(brand: str) -> str:
    """The index word standing for one exact brand name."""
    return "br" + brand.encode("utf-8").hex()


def brand_from_token(token: str) -> str:
    return bytes.fromhex(token[2:]).decode("utf-8", "replace")


def price_band(amount: Decimal) -> int:
    """The band number of a price (0 = below the first bound)."""
    bounds: Sequence[Decimal] = tunable("CATALOG_PRICE_BANDS")
    for number, bound in enumerate(bounds):
        if amount < bound:
            return number
    return len(bounds)


def category_token(code: str) -> str:
    """The index word of a UNSPSC code given at any level, zeros trimmed ("4412" → "fam4412")."""
    prefix = {2: "seg", 4: "fam", 6: "cls", 8: "com"}[len(code)]
    return prefix + code


def trim_code(code: str) -> str:
    """``44120000`` → ``4412``: a UNSPSC code without its trailing zero pairs."""
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


def facet_level(category: str) -> str:
    """Token prefix of the category facet shown under a category filter (one level down)."""
    return {0: "seg", 2: "fam", 4: "cls", 6: "com", 8: "com"}[len(category)]
