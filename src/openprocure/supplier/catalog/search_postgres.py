"""PostgreSQL full-text search backend: the catalog's search on a PostgreSQL database.

The index is the table ``catalog_pgsearch`` (created by migration ``0004_postgres_search`` on
PostgreSQL only), one row per product keyed by its ``sales_rank`` like the FTS5 index:

- ``document``: a ``tsvector`` of the English and French titles (weight A), brand (B) and
  manufacturer, part number and ASIN (C), with a GIN index. The text search configuration
  ``openprocure_english`` is PostgreSQL's ``english`` with the ``unaccent`` dictionary in front of
  the stemmer (the extension's documented use), so "cafe" finds "café" and the reverse, as FTS5's
  ``remove_diacritics`` does on SQLite; ``openprocure_simple`` does the same for prefix queries. Punctuation is turned into spaces on both sides
  (``regexp_replace(…, '\\W+', ' ')`` here, the same in Python for the query), so ``paper-mate``,
  ``O'Brien`` and ``MPN-004`` find what FTS5's unicode61 tokenizer finds.
- ``filters``: the facet tokens shared by every backend (``seg44`` ``fam4412`` … ``br<hex>``
  ``sel3`` ``ful1`` ``lpb2`` ``bpb1``, see ``catalog.search``) as a ``text[]`` with a GIN index.
  Filters are array containment (``@>`` for ANDed tokens, ``&&`` for a choice of brands or
  sellers), answered from the same kind of index as the text.

Our own code keeps it in step, exactly like the FTS5 index: ``index_products`` after inserting or
changing products, ``unindex_products`` before, ``index_range`` after a bulk load; ``rebuild``
re-reads the whole product table. No triggers.

Queries (same rules as the FTS5 backend):

- The visitor's words are ANDed (``plainto_tsquery``); when nothing matches and the last word has
  at least 3 characters, it is retried as a prefix (``'stapl':*``), so a half-typed word finds
  something (typeahead on the search page).
- One SQL statement returns the matches in sales-rank order up to ``CATALOG_FACET_LIMIT``, with
  their ``ts_rank`` when there are at most ``CATALOG_RELEVANCE_LIMIT`` of them (scoring is the cost
  of a broad query); facets are counted from the in-memory facet table (shared with the FTS5
  backend), the relevance page is sorted from those scores. A second statement counts up to
  ``CATALOG_COUNT_LIMIT`` only when the first was capped; price and delivery sorts read one page.
- Relevance (``ts_rank``, title > brand > body) only up to ``CATALOG_RELEVANCE_LIMIT`` matches;
  broader queries are ordered by sales rank, as on SQLite.
"""

# ruff: noqa: S608 - SQL text is built from this module's constants only; user input is always a parameter.

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connection

from openprocure.core.tunables import tunable
from openprocure.supplier.catalog.search import (
    SearchQuery,
    SearchResult,
    Sort,
    brand_token,
    category_token,
    product_order,
)
from openprocure.supplier.catalog.search_fts5 import (
    FullTextSearchBackend,
    _band_sql,
    band_prefix,
    first_matches,
    search_result,
    user_terms,
)

TABLE = "catalog_pgsearch"
# Text search configurations (created by ``install``): English stemming like FTS5's porter
# tokenizer, and no stemming for prefixes; both fold accents first (``unaccent``).
CONFIG = "openprocure_english"
PREFIX_CONFIG = "openprocure_simple"
_CONFIGS = ((CONFIG, "english", "english_stem"), (PREFIX_CONFIG, "simple", "simple"))
# ts_rank normalization 1: divide by 1 + log(document length), so a short title that matches beats
# a long one (what bm25 does on SQLite; the hand-made catalog's orders come out the same).
RANK_NORMALIZATION = 1

_NOT_WORD = re.compile(r"\W+", re.UNICODE)


def _clean(expression: str) -> str:
    """SQL turning every run of non-word characters of ``expression`` into one space."""
    return f"regexp_replace({expression}, '\\W+', ' ', 'g')"


def document_sql(alias: str = "p") -> str:
    """The ``tsvector`` of one ``catalog_product`` row (``alias``): title A, brand B, identifiers C."""
    body = f"{alias}.manufacturer || ' ' || {alias}.manufacturer_part_number || ' ' || {alias}.asin"
    return (
        f"setweight(to_tsvector('{CONFIG}', {_clean(f'{alias}.title')}), 'A') || "
        f"setweight(to_tsvector('{CONFIG}', {_clean(f'{alias}.title_fr')}), 'A') || "
        f"setweight(to_tsvector('{CONFIG}', {_clean(f'{alias}.brand')}), 'B') || "
        f"setweight(to_tsvector('{CONFIG}', {_clean(body)}), 'C')"
    )


def filters_sql(alias: str = "p") -> str:
    """The facet tokens of one ``catalog_product`` row, as a ``text[]`` (same words as FTS5's ``filters``)."""
    bounds = tunable("CATALOG_PRICE_BANDS")
    return (
        f"ARRAY['seg' || substr({alias}.unspsc, 1, 2), 'fam' || substr({alias}.unspsc, 1, 4), "
        f"'cls' || substr({alias}.unspsc, 1, 6), 'com' || {alias}.unspsc, "
        f"'br' || encode(convert_to({alias}.brand, 'UTF8'), 'hex'), 'sel' || {alias}.seller_id, "
        f"'ful' || (CASE WHEN {alias}.fulfilled_by_us THEN 1 ELSE 0 END), "
        f"'lpb' || {_band_sql(f'{alias}.list_price', bounds)}, "
        f"'bpb' || {_band_sql(f'{alias}.business_price', bounds)}]"
    )


def _insert_sql(where: str) -> str:
    return (
        f"INSERT INTO {TABLE} (sales_rank, document, filters) "
        f"SELECT p.sales_rank, {document_sql()}, {filters_sql()} FROM catalog_product AS p WHERE {where} "
        "ON CONFLICT (sales_rank) DO UPDATE SET document = EXCLUDED.document, filters = EXCLUDED.filters"
    )


def install(conn=connection, *, fill: bool = True) -> None:
    """Create the index table and its GIN indexes, filled from the products (PostgreSQL only).

    ``fill=False`` leaves it empty: for migration 0004, which runs before the columns the filling
    reads exist (0005 refills it).
    """
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        # A trusted extension (PostgreSQL 13+): the database owner may create it.
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        for name, base, dictionary in _CONFIGS:
            cursor.execute(
                "SELECT 1 FROM pg_ts_config WHERE cfgname = %s AND cfgnamespace = "
                "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())",
                [name],
            )
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {base})")
                cursor.execute(
                    f"ALTER TEXT SEARCH CONFIGURATION {name} "
                    f"ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {dictionary}"
                )
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} ("
            "sales_rank integer PRIMARY KEY, document tsvector NOT NULL, filters text[] NOT NULL)"
        )
        if fill:
            cursor.execute(_insert_sql("true"))
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_document ON {TABLE} USING gin (document)")
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_filters ON {TABLE} USING gin (filters)")


def uninstall(conn=connection) -> None:
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        for name, _base, _dictionary in _CONFIGS:
            cursor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")


def reinstall(conn=connection) -> None:
    """Drop and recreate the index from the products (after a change of what it holds)."""
    uninstall(conn)
    install(conn)


def query_text(text: str) -> str:
    """The visitor's words with punctuation turned into spaces (as the indexed text is)."""
    return " ".join(_NOT_WORD.sub(" ", " ".join(user_terms(text))).split())


def prefix_query(word: str) -> str:
    """A ``to_tsquery(PREFIX_CONFIG, …)`` operand matching lexemes that start with ``word``."""
    return "'" + word.lower().replace("'", "''").replace("\\", "") + "':*"


def conditions(query: SearchQuery, *, prefix_last: bool = False) -> tuple[str, str, list[str | list[str]]]:
    """(FROM … WHERE SQL over alias ``s`` with the tsquery as ``t.q``, score SQL, parameters)."""
    words = query_text(query.text).split()
    tsquery_params: list[str | list[str]] = []
    if not words:
        tsquery = ""
    elif prefix_last and len(words) == 1:
        tsquery, tsquery_params = f"to_tsquery('{PREFIX_CONFIG}', %s)", [prefix_query(words[0])]
    elif prefix_last:
        tsquery = f"(plainto_tsquery('{CONFIG}', %s) && to_tsquery('{PREFIX_CONFIG}', %s))"
        tsquery_params = [" ".join(words[:-1]), prefix_query(words[-1])]
    else:
        tsquery, tsquery_params = f"plainto_tsquery('{CONFIG}', %s)", [" ".join(words)]
    where: list[str] = []
    params: list[str | list[str]] = []
    if words:
        where.append("s.document @@ t.q")
    required: list[str] = []
    if query.category:
        required.append(category_token(query.category))
    if query.fulfilled_by_us is not None:
        required.append("ful1" if query.fulfilled_by_us else "ful0")
    if query.price_band is not None:
        required.append(f"{band_prefix(query.price_basis)}{int(query.price_band)}")
    if required:
        where.append("s.filters @> %s::text[]")
        params.append(required)
    if query.brands:
        where.append("s.filters && %s::text[]")
        params.append([brand_token(brand) for brand in query.brands])
    if query.seller_ids:
        where.append("s.filters && %s::text[]")
        params.append([f"sel{int(seller)}" for seller in query.seller_ids])
    source = f"{TABLE} AS s"
    score = "0::real"
    if tsquery:
        source += f" CROSS JOIN (SELECT {tsquery} AS q) AS t"
        score = f"ts_rank(s.document, t.q, {RANK_NORMALIZATION})"
    return f"{source} WHERE {' AND '.join(where) or 'true'}", score, [*tsquery_params, *params]


class PostgresSearchBackend(FullTextSearchBackend):
    """Full-text search in the site's PostgreSQL database (``tsvector`` + GIN, ``ts_rank``)."""

    vendors = ("postgresql",)

    def words(self, text: str) -> list[str]:
        return query_text(text).split()

    def _search(self, query: SearchQuery, *, prefix_last: bool) -> SearchResult:
        source, score, params = conditions(query, prefix_last=prefix_last)
        with connection.cursor() as cursor:
            # Matches in sales-rank order up to the facet limit, each with its relevance score — scored
            # only when they are few enough to be ordered by relevance (scoring is what costs).
            relevance_limit = int(tunable("CATALOG_RELEVANCE_LIMIT"))
            columns = "s.sales_rank, s.document, t.q" if score != "0::real" else "s.sales_rank"
            scored = score.replace("s.document", "m.document").replace("t.q", "m.q")

            def fetch(limit: int) -> list[tuple[int, float]]:
                cursor.execute(
                    f"WITH m AS MATERIALIZED (SELECT {columns} FROM {source} ORDER BY s.sales_rank LIMIT %s) "
                    f"SELECT m.sales_rank, CASE WHEN (SELECT count(*) FROM m) <= %s THEN {scored} ELSE 0 END "
                    "FROM m ORDER BY m.sales_rank",
                    [*params, limit, relevance_limit],
                )
                return cursor.fetchall()

            def count(limit: int) -> int:
                cursor.execute(
                    f"SELECT count(*) FROM (SELECT 1 FROM {source} LIMIT %s) AS matches", [*params, limit]
                )
                return int(cursor.fetchone()[0])

            rows, total, capped = first_matches(fetch, count)
            return search_result(
                cursor,
                query,
                [rank for rank, _score in rows],
                total=total,
                capped=capped,
                page=lambda ranked_by: self._page(
                    cursor, query, source, score, params, ranked_by, rows, capped
                ),
            )

    def _page(
        self,
        cursor,
        query: SearchQuery,
        source: str,
        score: str,
        params: list[str | list[str]],
        ranked_by: str,
        rows: list[tuple[int, float]],
        capped: bool,
    ) -> list[int]:
        size, offset = query.page_size, query.offset
        if ranked_by == "popularity" and offset + size <= len(rows):
            return [rank for rank, _score in rows[offset : offset + size]]
        if ranked_by == Sort.RELEVANCE and not capped:
            # Every match is in ``rows``, scored (there are at most CATALOG_RELEVANCE_LIMIT of them):
            # best score first, then the best seller.
            ordered = sorted(rows, key=lambda row: (-row[1], row[0]))
            return [rank for rank, _score in ordered[offset : offset + size]]
        if ranked_by == "popularity":
            order = "s.sales_rank"
        elif ranked_by == Sort.RELEVANCE:
            order = f"{score} DESC, s.sales_rank"
        else:
            order = f"{product_order(ranked_by, query.price_basis)}, s.sales_rank"
            source = source.replace(
                f"{TABLE} AS s", f"{TABLE} AS s JOIN catalog_product AS p ON p.sales_rank = s.sales_rank", 1
            )
        cursor.execute(
            f"SELECT s.sales_rank FROM {source} ORDER BY {order} LIMIT %s OFFSET %s", [*params, size, offset]
        )
        return [row[0] for row in cursor.fetchall()]

    def raw_match(self, *, text: str, category: str = "", limit: int = 24) -> list[int]:
        """Only the full-text match (and category), ``ts_rank``-ordered: the benchmark's floor."""
        tokens = [category_token(category)] if category else []
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s.sales_rank FROM {TABLE} AS s, plainto_tsquery('{CONFIG}', %s) AS q "
                "WHERE s.document @@ q AND s.filters @> %s::text[] "
                f"ORDER BY ts_rank(s.document, q, {RANK_NORMALIZATION}) DESC LIMIT %s",
                [query_text(text), tokens, limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def index_products(self, *, sales_ranks: Iterable[int]) -> None:
        ranks = list(sales_ranks)
        if ranks:
            with connection.cursor() as cursor:
                cursor.execute(_insert_sql("p.sales_rank = ANY(%s)"), [ranks])

    def unindex_products(self, *, sales_ranks: Iterable[int]) -> None:
        ranks = list(sales_ranks)
        if ranks:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {TABLE} WHERE sales_rank = ANY(%s)", [ranks])

    def index_range(self, *, first: int, last: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(_insert_sql("p.sales_rank BETWEEN %s AND %s"), [first, last])

    def optimize(self) -> None:
        """Refresh the planner's statistics after a bulk load: the index, and the tables a page reads.

        Without them (autovacuum may not have run yet) PostgreSQL guessed 27,000 price tiers for 24
        products and read the whole tier table for each page: 150-200 ms per search at 200k products.
        """
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}, catalog_product, catalog_pricetier")

    def rebuild(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")
            cursor.execute(_insert_sql("true"))
