"""Search of hosted catalog items: the buyer suite's own small full-text index.

Only the items of each supplier's *current* version (published, in force) are found: every search
names the versions it may return (``versions``), so a version published for a later date is indexed
ahead and found from its date on, with no job to run at that moment.

- **SQLite**: an external-content FTS5 table ``catalogs_fts`` over the view ``catalogs_searchdoc``
  (no copy of the text), row id = item id, tokenizer ``porter unicode61 remove_diacritics 2`` so
  "cafe" finds "café" and "chairs" finds "chair". The ``filters`` column holds filter words
  (``ver12 seg56 fam5610 cls561015 com56101504``): the version and UNSPSC filters are ANDed inside
  the MATCH, which FIELD-NOTES measured much faster than a join. Every user word is quoted (a
  hyphen or a quote is never syntax).
- **PostgreSQL**: a stored generated ``tsvector`` column ``search_document`` on the items (not in
  the Django model: the database fills it), in the text search configuration
  ``openprocure_catalogs`` (``simple`` with ``unaccent`` in front), so accents fold the same way,
  with a GIN index; filters are plain ``WHERE`` clauses on indexed columns. The document is
  stored, not only indexed, because ranking reads it for every match: computing it again per row
  (an expression index) cost 60 ms for a 2,000-match word at 100,000 items.
- Any other database: ``icontains`` on the text columns (correct, not fast).

Both full-text backends retry a query that found nothing with its last word (3 characters or more)
as a prefix ("stapl" finds "stapler"), rank by relevance up to ``HOSTED_CATALOG_RELEVANCE_LIMIT``
matches (then in file order: scoring a huge match set is the cost of a broad query), and count up
to ``HOSTED_CATALOG_COUNT_LIMIT``. Prices are compared only within one currency
(``SearchQuery.currency``): 100 USD is never 100 EUR. The price range filters on ``price_e4``, the
exact integer price, and keeps only the items priced in that currency. A search sorted by price
(``SearchQuery.sort``) orders on that same column, today's price (dated prices follow the calendar),
whatever the number of matches: first the items priced in the chosen currency, then those priced in
other currencies (grouped by currency code, each by price), then the items without a price
(PunchOut-only, or no period in force today) either way; the item id breaks ties, so pages never
repeat nor skip an item. The three backends give the same order (:func:`price_order`).

The index is kept in step by :func:`index_version` when a version is published and
:func:`unindex_version` once a newer one replaced it (``services.publish``); the indexed text of
an item never changes once written. Only the price columns of items with dated prices change, day by
day (``dated_prices``); the index holds no price (the price range joins the items).
"""

# ruff: noqa: S608 - SQL text is built from this module's constants only; user input is always a parameter.

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Q, Value, When

from openprocure.buyer.catalogs.choices import SearchSort
from openprocure.buyer.catalogs.models import CatalogItem, CatalogVersion
from openprocure.core.tunables import tunable

TABLE = "catalogs_fts"
VIEW = "catalogs_searchdoc"
COLUMNS = "description, short_name, body, filters"
TEXT_COLUMNS = "{description short_name body}"
RANK = "bm25(4.0, 6.0, 2.0, 0.0)"
PG_CONFIG = "openprocure_catalogs"
PG_DOCUMENT = (
    f"to_tsvector('{PG_CONFIG}'::regconfig, regexp_replace(description || ' ' || short_name || ' ' || "
    "supplier_part_id || ' ' || manufacturer_name || ' ' || manufacturer_part_id, '\\W+', ' ', 'g'))"
)
#: The stored document column (PostgreSQL) and its index.
PG_COLUMN = "search_document"
PG_INDEX = "catalogs_item_search"
_WORD = re.compile(r"\w", re.UNICODE)
_NOT_WORD = re.compile(r"\W+", re.UNICODE)


@dataclass(frozen=True)
class SearchQuery:
    """What a person asked: words, a UNSPSC code at any level, a price range and the currency its
    prices are in, an order."""

    text: str = ""
    category: str = ""  # "44", "4412", "441216" or 8 digits (trailing "00" pairs are trimmed)
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    sort: str = SearchSort.BEST_MATCH  # a SearchSort value
    #: The ISO 4217 currency of the price range (only items priced in it match a range) and the
    #: first of a price order; "" (no currency) puts every priced item with the other currencies.
    currency: str = ""

    @property
    def priced(self) -> bool:
        """Whether a price range is asked (it keeps only the items priced in ``currency``)."""
        return self.min_price is not None or self.max_price is not None


@dataclass
class SearchResult:
    """One page of item ids in order and the number of matches (a lower bound when not exact)."""

    item_ids: list[int]
    total: int
    total_exact: bool = True
    #: Whether the last word was taken as a prefix (nothing matched it as a whole word).
    prefixed: bool = False


def category_level(code: str) -> str:
    """A UNSPSC code without its trailing "00" pairs (``44120000`` → ``4412``)."""
    code = code.strip()
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


def category_token(code: str) -> str:
    level = category_level(code)
    return {2: "seg", 4: "fam", 6: "cls"}.get(len(level), "com") + level


def quote(term: str) -> str:
    """An FTS5 string literal: any user text becomes a phrase, never syntax."""
    return '"' + term.replace('"', '""') + '"'


def user_terms(text: str) -> list[str]:
    """The words asked for, keeping only those with at least one letter or digit."""
    return [term for term in text.split() if _WORD.search(term)]


# -- SQLite FTS5 -----------------------------------------------------------------------------------


VIEW_SQL = f"""
    CREATE VIEW {VIEW} AS SELECT
        id,
        description,
        short_name,
        supplier_part_id || ' ' || supplier_part_auxiliary_id || ' ' || manufacturer_name || ' '
          || manufacturer_part_id AS body,
        'ver' || version_id || ' seg' || substr(unspsc, 1, 2) || ' fam' || substr(unspsc, 1, 4)
          || ' cls' || substr(unspsc, 1, 6) || ' com' || substr(unspsc, 1, 8) AS filters
    FROM catalogs_catalogitem
"""


def install(conn: Any = connection) -> None:
    """Create the search index of this database's kind (run by the app's migration)."""
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute(f"DROP VIEW IF EXISTS {VIEW}")
            cursor.execute(VIEW_SQL)
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5({COLUMNS}, content='{VIEW}', "
                "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
            )
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}, rank) VALUES ('rank', %s)", [RANK])
        elif conn.vendor == "postgresql":
            cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
            cursor.execute(
                "SELECT 1 FROM pg_ts_config WHERE cfgname = %s AND cfgnamespace = "
                "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())",
                [PG_CONFIG],
            )
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE TEXT SEARCH CONFIGURATION {PG_CONFIG} (COPY = simple)")
                cursor.execute(
                    f"ALTER TEXT SEARCH CONFIGURATION {PG_CONFIG} "
                    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple"
                )
            cursor.execute(
                f"ALTER TABLE catalogs_catalogitem ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector "
                f"GENERATED ALWAYS AS ({PG_DOCUMENT}) STORED"
            )
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON catalogs_catalogitem USING gin ({PG_COLUMN})"
            )
            # The expression index of the first release, replaced by the stored column's.
            cursor.execute("DROP INDEX IF EXISTS catalogs_item_document")


def uninstall(conn: Any = connection) -> None:
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
            cursor.execute(f"DROP VIEW IF EXISTS {VIEW}")
        elif conn.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
            cursor.execute(f"ALTER TABLE catalogs_catalogitem DROP COLUMN IF EXISTS {PG_COLUMN}")
            cursor.execute("DROP INDEX IF EXISTS catalogs_item_document")
            cursor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {PG_CONFIG}")


def _write(insert: str, leading: str, version_id: int) -> None:
    if connection.vendor != "sqlite":
        return  # PostgreSQL's expression index follows the rows
    with connection.cursor() as cursor:
        cursor.execute(
            f"{insert} SELECT {leading}, {COLUMNS} FROM {VIEW} "
            "WHERE id IN (SELECT id FROM catalogs_catalogitem WHERE version_id = %s) ORDER BY id",
            [version_id],
        )


def index_version(version_id: int) -> None:
    """Add a version's items to the index."""
    _write(f"INSERT INTO {TABLE}(rowid, {COLUMNS})", "id", version_id)


def unindex_version(version_id: int) -> None:
    """Take a version's items out of the index (they must be in it: FTS5 trusts the values given)."""
    _write(f"INSERT INTO {TABLE}({TABLE}, rowid, {COLUMNS})", "'delete', id", version_id)


def optimize() -> None:
    """Merge the FTS5 index segments (after a large publication: faster queries)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")


#: The price orders (``SearchSort``) and whether each is high to low.
PRICE_SORTS: dict[str, bool] = {SearchSort.PRICE_ASC: False, SearchSort.PRICE_DESC: True}


def price_order(query: SearchQuery) -> tuple[str, list[Any]]:
    """The SQL ``ORDER BY`` of the query's price order on the items (``catalogs_catalogitem AS i``)
    and its parameters: the items priced in the query's currency by price, then the other priced
    items grouped by currency code, each by price, then the items without a price today; the id
    last (SQLite and PostgreSQL read it alike; :func:`_simple` says the same with the ORM)."""
    direction = "DESC" if PRICE_SORTS[query.sort] else "ASC"
    return (
        "CASE WHEN i.price_e4 IS NULL THEN 2 WHEN i.currency = %s THEN 0 ELSE 1 END, "
        f"CASE WHEN i.price_e4 IS NULL THEN '' ELSE i.currency END, i.price_e4 {direction}, i.id",
        [query.currency],
    )


def _price_sql(query: SearchQuery) -> tuple[str, list[Any]]:
    if not query.priced:
        return "", []
    clauses = ["i.currency = %s"]
    params: list[Any] = [query.currency]
    if query.min_price is not None:
        clauses.append("i.price_e4 >= %s")
        params.append(CatalogItem.e4(query.min_price))
    if query.max_price is not None:
        clauses.append("i.price_e4 <= %s")
        params.append(CatalogItem.e4(query.max_price))
    return "".join(f" AND {clause}" for clause in clauses), params


def match_expression(query: SearchQuery, versions: Sequence[int], *, prefix_last: bool = False) -> str:
    """The FTS5 MATCH string: quoted words on the text columns AND the version and category words."""
    parts = []
    terms = [quote(term) for term in user_terms(query.text)]
    if terms:
        if prefix_last:
            terms[-1] += "*"
        parts.append(f"{TEXT_COLUMNS} : ({' '.join(terms)})")
    filters = ["(" + " OR ".join(f"ver{int(version)}" for version in versions) + ")"]
    if query.category:
        filters.append(category_token(query.category))
    parts.append(f"filters : ({' AND '.join(filters)})")
    return " AND ".join(parts)


def _fts5(
    query: SearchQuery, versions: Sequence[int], prefix_last: bool, offset: int, limit: int, known: int | None
) -> SearchResult:
    expression = match_expression(query, versions, prefix_last=prefix_last)
    price, price_params = _price_sql(query)
    count_limit = int(tunable("HOSTED_CATALOG_COUNT_LIMIT"))
    joined = (
        f"FROM {TABLE} AS f JOIN catalogs_catalogitem AS i ON i.id = f.rowid WHERE {TABLE} MATCH %s{price}"
    )
    source = joined if price else f"FROM {TABLE} AS f WHERE {TABLE} MATCH %s"
    params = [expression, *price_params]
    with connection.cursor() as cursor:
        total = known
        if total is None:
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 {source} LIMIT %s)", [*params, count_limit + 1])
            total = int(cursor.fetchone()[0])
        ranked = user_terms(query.text) and total <= int(tunable("HOSTED_CATALOG_RELEVANCE_LIMIT"))
        order = "f.rank, f.rowid" if ranked else "f.rowid"
        order_params: list[Any] = []
        if query.sort in PRICE_SORTS:  # the price is the item's: the page joins the items
            source = joined
            order, order_params = price_order(query)
        ids = []
        if limit:
            cursor.execute(
                f"SELECT f.rowid {source} ORDER BY {order} LIMIT %s OFFSET %s",
                [*params, *order_params, limit, offset],
            )
            ids = [row[0] for row in cursor.fetchall()]
    return SearchResult(item_ids=ids, total=min(total, count_limit), total_exact=total <= count_limit)


# -- PostgreSQL full text --------------------------------------------------------------------------


def _postgres(
    query: SearchQuery, versions: Sequence[int], prefix_last: bool, offset: int, limit: int, known: int | None
) -> SearchResult:
    words = [word for term in user_terms(query.text) for word in _NOT_WORD.sub(" ", term).split()]
    clauses = ["i.version_id = ANY(%s)"]
    params: list[Any] = [list(versions)]
    rank = ""
    rank_params: list[Any] = []
    if words:
        if prefix_last:
            tsquery = f"to_tsquery('{PG_CONFIG}'::regconfig, %s)"
            # Only word characters are left in ``words``: no quote or operator reaches to_tsquery.
            text = " & ".join([*(f"'{word}'" for word in words[:-1]), f"'{words[-1]}':*"])
        else:
            tsquery = f"plainto_tsquery('{PG_CONFIG}'::regconfig, %s)"
            text = " ".join(words)
        clauses.append(f"i.{PG_COLUMN} @@ {tsquery}")
        params.append(text)
        rank = f"ts_rank(i.{PG_COLUMN}, {tsquery}) DESC, "
        rank_params = [text]
    if query.category:
        clauses.append("i.unspsc LIKE %s")
        params.append(category_level(query.category) + "%")
    price, price_params = _price_sql(query)
    where = " AND ".join(clauses) + price
    params += price_params
    count_limit = int(tunable("HOSTED_CATALOG_COUNT_LIMIT"))
    table = "catalogs_catalogitem AS i"
    with connection.cursor() as cursor:
        total = known
        if total is None:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {where} LIMIT %s) AS m",
                [*params, count_limit + 1],
            )
            total = int(cursor.fetchone()[0])
        if not rank or total > int(tunable("HOSTED_CATALOG_RELEVANCE_LIMIT")):
            rank, rank_params = "", []
        order = f"{rank}i.id"
        if query.sort in PRICE_SORTS:
            order, rank_params = price_order(query)
        ids = []
        if limit:
            cursor.execute(
                f"SELECT i.id FROM {table} WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s",
                [*params, *rank_params, limit, offset],
            )
            ids = [row[0] for row in cursor.fetchall()]
    return SearchResult(item_ids=ids, total=min(total, count_limit), total_exact=total <= count_limit)


# -- any database ----------------------------------------------------------------------------------


def _simple(
    query: SearchQuery, versions: Sequence[int], prefix_last: bool, offset: int, limit: int, known: int | None
) -> SearchResult:
    items = CatalogItem.objects.filter(version_id__in=versions)
    for term in user_terms(query.text):
        items = items.filter(
            Q(description__icontains=term)
            | Q(short_name__icontains=term)
            | Q(supplier_part_id__icontains=term)
            | Q(manufacturer_name__icontains=term)
            | Q(manufacturer_part_id__icontains=term)
        )
    if query.category:
        items = items.filter(unspsc__startswith=category_level(query.category))
    if query.priced:
        items = items.filter(currency=query.currency)
    if query.min_price is not None:
        items = items.filter(price_e4__gte=CatalogItem.e4(query.min_price))
    if query.max_price is not None:
        items = items.filter(price_e4__lte=CatalogItem.e4(query.max_price))
    order: list[Any] = ["id"]
    if query.sort in PRICE_SORTS:  # as price_order()
        priceless = Q(price_e4__isnull=True)
        group = Case(
            When(priceless, then=Value(2)),
            When(currency=query.currency, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        currency = Case(When(priceless, then=Value("")), default=F("currency"))
        price = F("price_e4").desc() if PRICE_SORTS[query.sort] else F("price_e4").asc()
        order = [group, currency, price, "id"]
    ids = list(items.order_by(*order).values_list("id", flat=True)[offset : offset + limit]) if limit else []
    return SearchResult(item_ids=ids, total=items.count() if known is None else known)


def search(
    query: SearchQuery,
    *,
    versions: Sequence[int],
    offset: int = 0,
    limit: int = 24,
    known: SearchResult | None = None,
) -> SearchResult:
    """The items ``offset`` to ``offset + limit`` of ``versions`` that match ``query``, best first
    or in the query's price order, and the number of matches (``limit`` 0: only the number).
    ``known``: an earlier answer to the same query, whose count (and prefix choice) is reused
    instead of counting again."""
    if not versions:
        return SearchResult(item_ids=[], total=0)
    backend = {"sqlite": _fts5, "postgresql": _postgres}.get(connection.vendor, _simple)
    if known is not None:
        result = backend(query, versions, known.prefixed, offset, limit, known.total)
        result.total_exact, result.prefixed = known.total_exact, known.prefixed
        return result
    result = backend(query, versions, False, offset, limit, None)
    terms = user_terms(query.text)
    if result.total == 0 and terms and len(terms[-1]) >= 3 and backend is not _simple:
        result = backend(query, versions, True, offset, limit, None)
        result.prefixed = True
    return result


def item_currencies(version_id: int) -> dict[str, int]:
    """Currency → how many items of a version have a price in it (kept as ``CatalogVersion.currencies``
    by the check)."""
    rows = (
        CatalogItem.objects.filter(version_id=version_id, unit_price__isnull=False)
        .exclude(currency="")
        .values("currency")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("currency", "n")
    )
    return dict(rows)


def price_currencies(versions: Sequence[int]) -> dict[str, int]:
    """Currency → how many items of ``versions`` have a price in it, most first (then by code): the
    currencies a price can be compared in. Read from the versions' ``currencies`` (one small query
    whatever the number of items); a version without them is counted from its items."""
    counts: dict[str, int] = {}
    for version_id, kept in CatalogVersion.objects.filter(pk__in=list(versions)).values_list(
        "pk", "currencies"
    ):
        for code, number in (kept if kept is not None else item_currencies(version_id)).items():
            counts[code] = counts.get(code, 0) + int(number)
    return dict(sorted(counts.items(), key=lambda pair: (-pair[1], pair[0])))


class Matches:
    """The matches of a search as a sequence ``core.lists.paginate`` can cut into pages: its length
    is the number of matches, a slice runs the search for those rows only (items with supplier),
    reusing the count (one count and one window query a page)."""

    def __init__(self, query: SearchQuery, versions: Sequence[int]) -> None:
        self.query, self.versions = query, list(versions)
        self._counted: SearchResult | None = None

    def _count(self) -> SearchResult:
        if self._counted is None:
            self._counted = search(self.query, versions=self.versions, limit=0)
        return self._counted

    @property
    def total_exact(self) -> bool:
        return self._count().total_exact

    def __len__(self) -> int:
        return self._count().total

    def __getitem__(self, window: slice) -> list[CatalogItem]:
        start = window.start or 0
        result = search(
            self.query,
            versions=self.versions,
            offset=start,
            limit=(window.stop or start) - start,
            known=self._count(),
        )
        found = CatalogItem.objects.select_related("version__supplier").in_bulk(result.item_ids)
        return [found[pk] for pk in result.item_ids if pk in found]
