"""SQLite FTS5 search backend: the embedded default.

The index ``catalog_fts`` is an *external-content* FTS5 table: it stores only the inverted index;
its content is the view ``catalog_searchdoc`` over ``catalog_product``. Our own code keeps it in
step (``index_products`` after inserting or changing products, ``unindex_products`` before changing
or deleting them); there are no triggers. ``rebuild`` re-reads the whole view.

Design choices (measured in ``benchmarks/bench_search.py``, see ``benchmarks/results/search.md``):

- The index row id is the product's ``sales_rank``, so a MATCH without ORDER BY yields matches most
  popular first and stops after a LIMIT: broad queries are cheap in that order.
- Each row's ``filters`` column holds filter words (``all seg44 fam4412 cls441216 com44121615
  br<brand hex> sel3 ful1 lpb2 bpb1``). Category, brand, seller, fulfilment and price-band filters
  are ANDed inside the MATCH, which is much faster than a join or a WHERE on the product table.
- Both titles are indexed (``title`` and ``title_fr``): a French reader's "agrafeuse" finds the
  staplers. The tokenizer folds accents (``remove_diacritics 2``): "cafe" finds "café" and the reverse.
- Every user term is quoted (``"paper-mate"`` is a phrase, not a syntax error) and limited to the
  text columns; terms with no letter or digit are dropped.
- Relevance is bm25 with weights title 10, brand 6, body 2, filters 0 — but only when the query has
  at most ``CATALOG_RELEVANCE_LIMIT`` matches. Scoring 100k+ matches is the cost of a broad query;
  for those the order is the sales rank (most popular first), as a marketplace would show anyway.
- Facets are counted over the first ``CATALOG_FACET_LIMIT`` matches in sales-rank order; totals up to
  ``CATALOG_COUNT_LIMIT``. Beyond, counts are lower bounds and say so.
- When a query finds nothing and its last word is at least 3 characters long, it is retried with
  that word as a prefix (``"stapl"*``), so a half-typed query still finds something. No prefix index:
  FIELD-NOTES measured it tripling the index for an 8% gain.
"""

# ruff: noqa: S608 - SQL text is built from this module's constants only; user input is always a parameter.

from __future__ import annotations

import bisect
import re
from abc import abstractmethod
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import TypeVar

from django.db import connection

from openprocure.core.tunables import tunable
from openprocure.supplier.catalog.search import (
    SearchBackend,
    SearchQuery,
    SearchResult,
    Sort,
    brand_token,
    category_token,
    product_order,
)
from openprocure.supplier.catalog.versioned import CatalogCopy

TABLE = "catalog_fts"
VIEW = "catalog_searchdoc"
COLUMNS = "title, title_fr, brand, body, filters"
TEXT_COLUMNS = "{title title_fr brand body}"
# bm25 weights per column, in COLUMNS order: the French title counts as much as the English one.
RANK = "bm25(10.0, 10.0, 6.0, 2.0, 0.0)"

_WORD = re.compile(r"\w", re.UNICODE)

Row = TypeVar("Row")


def _band_sql(column: str, bounds: Sequence[Decimal]) -> str:
    # Comparing a price of at most 3 decimals with a whole-number bound is exact even on SQLite's REAL storage:
    # no arithmetic happens, and decimal → nearest double is monotonic.
    cases = " ".join(f"WHEN {column} < {int(bound)} THEN {number}" for number, bound in enumerate(bounds))
    return f"(CASE {cases} ELSE {len(bounds)} END)"


def view_sql() -> str:
    bounds = tunable("CATALOG_PRICE_BANDS")
    return f"""
        CREATE VIEW {VIEW} AS SELECT
            sales_rank,
            title,
            title_fr,
            brand,
            manufacturer || ' ' || manufacturer_part_number || ' ' || asin AS body,
            'all seg' || substr(unspsc, 1, 2) || ' fam' || substr(unspsc, 1, 4)
              || ' cls' || substr(unspsc, 1, 6) || ' com' || unspsc
              || ' br' || lower(hex(brand)) || ' sel' || seller_id || ' ful' || fulfilled_by_us
              || ' lpb' || {_band_sql("list_price", bounds)}
              || ' bpb' || {_band_sql("business_price", bounds)} AS filters
        FROM catalog_product
    """


def install(conn=connection) -> None:
    """Create the view and the FTS5 table (SQLite only; a no-op elsewhere)."""
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        cursor.execute(f"DROP VIEW IF EXISTS {VIEW}")
        cursor.execute(view_sql())
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5({COLUMNS}, content='{VIEW}', "
            "content_rowid='sales_rank', tokenize='porter unicode61 remove_diacritics 2')"
        )
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}, rank) VALUES ('rank', %s)", [RANK])


def reinstall(conn=connection) -> None:
    """Drop and recreate the view and the index, then index every product (after a column change)."""
    if conn.vendor != "sqlite":
        return
    uninstall(conn)
    install(conn)
    with conn.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")


def uninstall(conn=connection) -> None:
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(f"DROP VIEW IF EXISTS {VIEW}")


def quote(term: str) -> str:
    """An FTS5 string literal: any user text becomes a phrase, never syntax."""
    return '"' + term.replace('"', '""') + '"'


def user_terms(text: str) -> list[str]:
    """The visitor's words, keeping only those with at least one letter or digit."""
    return [term for term in text.split() if _WORD.search(term)]


def match_expression(query: SearchQuery, *, prefix_last: bool = False) -> str:
    """The MATCH string: quoted user terms on the text columns AND filter words on ``filters``."""
    parts: list[str] = []
    terms = [quote(term) for term in user_terms(query.text)]
    if terms:
        if prefix_last:
            terms[-1] += "*"
        parts.append(f"{TEXT_COLUMNS} : ({' '.join(terms)})")
    filters = []
    if query.category:
        filters.append(category_token(query.category))
    if query.brands:
        filters.append("(" + " OR ".join(quote(brand_token(brand)) for brand in query.brands) + ")")
    if query.seller_ids:
        filters.append("(" + " OR ".join(f"sel{int(seller)}" for seller in query.seller_ids) + ")")
    if query.fulfilled_by_us is not None:
        filters.append("ful1" if query.fulfilled_by_us else "ful0")
    if query.price_band is not None:
        filters.append(f"{band_prefix(query.price_basis)}{int(query.price_band)}")
    if not parts and not filters:
        # Nothing asked: every row carries the word "all". Never added otherwise: ANDing a word
        # that is in every row makes FTS5 walk a million-entry list for each query.
        filters.append("all")
    if filters:
        parts.append(f"filters : ({' AND '.join(filters)})")
    return " AND ".join(parts)


def band_prefix(price_basis: str) -> str:
    return "bpb" if price_basis == "business" else "lpb"


class FacetTable(CatalogCopy):
    """Per-product facet data of the whole catalog, in memory, indexed by sales rank.

    Counting facets over a few thousand matches by reading their rows back from SQLite costs
    10-20 ms; counting from these arrays costs about one. About 11 bytes per product (11 MB for a
    million). Reloaded when the catalog changes (``CatalogCopy``), so a process never counts from
    stale data.
    """

    def __init__(self) -> None:
        super().__init__()
        self.codes: list[str] = [""]
        self.brands: list[str] = [""]
        self.code = array("H")
        self.brand = array("I")
        self.seller = array("I")
        self.fulfilled = array("b")
        self.list_band = array("b")
        self.business_band = array("b")

    def current(self, cursor) -> FacetTable:
        self.refresh(cursor)
        return self

    def _load(self, cursor) -> None:
        bounds = [float(bound) for bound in tunable("CATALOG_PRICE_BANDS")]
        cursor.execute("SELECT coalesce(max(sales_rank), 0) FROM catalog_product")
        size = int(cursor.fetchone()[0]) + 1
        code, brand, seller = (
            array("H", bytes(2 * size)),
            array("I", bytes(4 * size)),
            array("I", bytes(4 * size)),
        )
        fulfilled, list_band, business_band = (array("b", bytes(size)) for _ in range(3))
        codes: dict[str, int] = {"": 0}
        brands: dict[str, int] = {"": 0}
        cursor.execute(
            "SELECT sales_rank, unspsc, brand, seller_id, fulfilled_by_us, list_price, business_price "
            "FROM catalog_product"
        )
        while rows := cursor.fetchmany(50_000):
            for rank, unspsc, brand_name, seller_id, by_us, list_price, business_price in rows:
                code[rank] = codes.setdefault(unspsc, len(codes))
                brand[rank] = brands.setdefault(brand_name, len(brands))
                seller[rank] = seller_id
                fulfilled[rank] = 1 if by_us else 0
                list_band[rank] = bisect.bisect_right(bounds, float(list_price))
                business_band[rank] = bisect.bisect_right(bounds, float(business_price))
        self.code, self.brand, self.seller = code, brand, seller
        self.fulfilled, self.list_band, self.business_band = fulfilled, list_band, business_band
        self.codes, self.brands = list(codes), list(brands)

    def count(self, ranks: list[int], *, price_basis: str) -> dict[str, int]:
        """Facet token → number of ``ranks`` carrying it."""
        counts: dict[str, int] = {"all": len(ranks)}
        size = len(self.code)
        ranks = [rank for rank in ranks if rank < size]
        for index, n in Counter(map(self.code.__getitem__, ranks)).items():
            unspsc = self.codes[index]
            for token in (f"seg{unspsc[:2]}", f"fam{unspsc[:4]}", f"cls{unspsc[:6]}", f"com{unspsc}"):
                counts[token] = counts.get(token, 0) + n
        for index, n in Counter(map(self.brand.__getitem__, ranks)).items():
            counts[brand_token(self.brands[index])] = n
        for seller_id, n in Counter(map(self.seller.__getitem__, ranks)).items():
            counts[f"sel{seller_id}"] = n
        for flag, n in Counter(map(self.fulfilled.__getitem__, ranks)).items():
            counts[f"ful{flag}"] = n
        bands = self.business_band if price_basis == "business" else self.list_band
        prefix = band_prefix(price_basis)
        for band, n in Counter(map(bands.__getitem__, ranks)).items():
            counts[f"{prefix}{band}"] = n
        return counts


FACETS = FacetTable()


def search_result(
    cursor,
    query: SearchQuery,
    ranks: list[int],
    *,
    total: int,
    capped: bool,
    page: Callable[[str], list[int]],
) -> SearchResult:
    """What a full-text backend answers once it has its matches: ``ranks``, the first of them in
    sales-rank order (all of them unless ``capped``), and their ``total``. The total is cut at
    CATALOG_COUNT_LIMIT, facets are counted over ``ranks``, and ``page`` is asked for the page in
    the order the query wants, or by popularity when there are too many matches to rank."""
    count_limit = int(tunable("CATALOG_COUNT_LIMIT"))
    total_exact = total <= count_limit
    total = min(total, count_limit)
    counts = FACETS.current(cursor).count(ranks, price_basis=query.price_basis)
    ranked_by = query.sort
    if query.sort == Sort.RELEVANCE and total > int(tunable("CATALOG_RELEVANCE_LIMIT")):
        ranked_by = "popularity"
    return SearchResult(
        sales_ranks=page(ranked_by),
        total=total,
        total_exact=total_exact,
        facet_counts=counts,
        facets_exact=not capped,
        ranked_by=ranked_by,
    )


class FullTextSearchBackend(SearchBackend):
    """What the full-text backends (FTS5, PostgreSQL) do alike: a query that finds nothing and
    whose last word has at least 3 characters is asked again with that word as a prefix, so a
    half-typed word still finds something. Each backend says what its words are (``words``) and
    runs one query (``_search``)."""

    @abstractmethod
    def words(self, text: str) -> list[str]:
        """The visitor's words as this backend matches them."""

    @abstractmethod
    def _search(self, query: SearchQuery, *, prefix_last: bool) -> SearchResult:
        """One page of matches, with the last word as a prefix when ``prefix_last``."""

    def search(self, *, query: SearchQuery) -> SearchResult:
        result = self._search(query, prefix_last=False)
        words = self.words(query.text)
        if result.total == 0 and words and len(words[-1]) >= 3:
            result = self._search(query, prefix_last=True)
        return result


def first_matches(
    fetch: Callable[[int], list[Row]], count: Callable[[int], int]
) -> tuple[list[Row], int, bool]:
    """The first matches in sales-rank order, up to CATALOG_FACET_LIMIT, their total and whether
    there were more: ``fetch(limit)`` returns at most ``limit`` matches; only when there were more
    than the facet limit is ``count(limit)`` asked for the total, up to ``limit`` (one past
    CATALOG_COUNT_LIMIT, so that ``search_result`` knows the total is cut)."""
    facet_limit = int(tunable("CATALOG_FACET_LIMIT"))
    rows = fetch(facet_limit + 1)
    capped = len(rows) > facet_limit
    del rows[facet_limit:]
    total = count(int(tunable("CATALOG_COUNT_LIMIT")) + 1) if capped else len(rows)
    return rows, total, capped


class FTS5SearchBackend(FullTextSearchBackend):
    """Full-text search in the site's SQLite database (external-content FTS5)."""

    vendors = ("sqlite",)

    def words(self, text: str) -> list[str]:
        return user_terms(text)

    def _search(self, query: SearchQuery, *, prefix_last: bool) -> SearchResult:
        expression = match_expression(query, prefix_last=prefix_last)
        with connection.cursor() as cursor:

            def fetch(limit: int) -> list[int]:
                """Matches in sales-rank order (the index's natural order)."""
                cursor.execute(
                    f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s LIMIT %s", [expression, limit]
                )
                return [row[0] for row in cursor.fetchall()]

            def count(limit: int) -> int:
                cursor.execute(
                    f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE {TABLE} MATCH %s LIMIT %s)",
                    [expression, limit],
                )
                return int(cursor.fetchone()[0])

            ranks, total, capped = first_matches(fetch, count)
            return search_result(
                cursor,
                query,
                ranks,
                total=total,
                capped=capped,
                page=lambda ranked_by: self._page(cursor, query, expression, ranked_by, ranks),
            )

    def _page(
        self, cursor, query: SearchQuery, expression: str, ranked_by: str, popular: list[int]
    ) -> list[int]:
        size, offset = query.page_size, query.offset
        if ranked_by == "popularity":
            if offset + size <= len(popular):
                return popular[offset : offset + size]
            cursor.execute(
                f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s LIMIT %s OFFSET %s",
                [expression, size, offset],
            )
        elif ranked_by == Sort.RELEVANCE:
            cursor.execute(
                f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s ORDER BY rank, rowid LIMIT %s OFFSET %s",
                [expression, size, offset],
            )
        else:
            # Ordering by a 2-decimal price is exact even on SQLite's REAL storage (no arithmetic;
            # decimal → nearest double is monotonic), so this is a display order we can trust.
            order = product_order(ranked_by, query.price_basis)
            cursor.execute(
                f"SELECT p.sales_rank FROM catalog_product AS p WHERE p.sales_rank IN "
                f"(SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s) "
                f"ORDER BY {order}, p.sales_rank LIMIT %s OFFSET %s",
                [expression, size, offset],
            )
        return [row[0] for row in cursor.fetchall()]

    def raw_match(self, *, expression: str, limit: int = 24) -> list[int]:
        """Only the FTS5 MATCH, bm25-ordered (used by the benchmark as the floor to compare with)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s ORDER BY rank LIMIT %s",
                [expression, limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def index_products(self, *, sales_ranks: Iterable[int]) -> None:
        self._write(f"INSERT INTO {TABLE}(rowid, {COLUMNS})", "sales_rank", sales_ranks)

    def unindex_products(self, *, sales_ranks: Iterable[int]) -> None:
        self._write(f"INSERT INTO {TABLE}({TABLE}, rowid, {COLUMNS})", "'delete', sales_rank", sales_ranks)

    def _write(self, insert: str, leading: str, sales_ranks: Iterable[int]) -> None:
        ranks = list(sales_ranks)
        with connection.cursor() as cursor:
            for start in range(0, len(ranks), 500):
                chunk = ranks[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"{insert} SELECT {leading}, {COLUMNS} FROM {VIEW} WHERE sales_rank IN ({marks})", chunk
                )

    def index_range(self, *, first: int, last: int) -> None:
        """Index the products whose sales rank is in ``first..last`` (a bulk load's new rows)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {TABLE}(rowid, {COLUMNS}) SELECT sales_rank, {COLUMNS} FROM {VIEW} "
                "WHERE sales_rank BETWEEN %s AND %s ORDER BY sales_rank",
                [first, last],
            )

    def optimize(self) -> None:
        """Merge the index segments into one (after a bulk load: faster queries)."""
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")

    def rebuild(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")
