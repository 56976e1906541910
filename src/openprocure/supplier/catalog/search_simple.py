"""A search backend for any database: ``icontains`` on the text fields, facets by SQL aggregation.

It is the fallback on PostgreSQL (and any engine without FTS5) until a PostgreSQL full-text backend
is written against the same interface. "Relevance" here is the sales rank: there is no scoring.
Fine for tests and small catalogs; slow on millions of products.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from openprocure.core.tunables import tunable
from openprocure.supplier.catalog.models import Product
from openprocure.supplier.catalog.search import (
    SearchBackend,
    SearchQuery,
    SearchResult,
    Sort,
    brand_token,
    price_band,
)
from openprocure.supplier.catalog.search_fts5 import band_prefix, user_terms


def _band_range(band: int) -> tuple[Decimal | None, Decimal | None]:
    bounds = list(tunable("CATALOG_PRICE_BANDS"))
    low = bounds[band - 1] if band > 0 else None
    high = bounds[band] if band < len(bounds) else None
    return low, high


class SimpleSearchBackend(SearchBackend):
    """Substring search through the ORM; every word must appear in the title, brand, part number or ASIN."""

    def filtered(self, query: SearchQuery) -> QuerySet[Product]:
        products = Product.objects.all()
        for term in user_terms(query.text):
            term = term.strip("\"'")
            products = products.filter(
                Q(title__icontains=term)
                | Q(title_fr__icontains=term)
                | Q(brand__icontains=term)
                | Q(manufacturer__icontains=term)
                | Q(manufacturer_part_number__icontains=term)
                | Q(asin__iexact=term)
            )
        if query.category:
            products = products.filter(unspsc__startswith=query.category)
        if query.brands:
            products = products.filter(brand__in=query.brands)
        if query.seller_ids:
            products = products.filter(seller_id__in=query.seller_ids)
        if query.fulfilled_by_us is not None:
            products = products.filter(fulfilled_by_us=query.fulfilled_by_us)
        if query.price_band is not None:
            field = "business_price" if query.price_basis == "business" else "list_price"
            low, high = _band_range(query.price_band)
            if low is not None:
                products = products.filter(**{f"{field}__gte": low})
            if high is not None:
                products = products.filter(**{f"{field}__lt": high})
        return products

    def search(self, *, query: SearchQuery) -> SearchResult:
        products = self.filtered(query)
        price_field = "business_price" if query.price_basis == "business" else "list_price"
        counts: Counter[str] = Counter()
        groups = products.values("unspsc", "brand", "seller_id", "fulfilled_by_us", price_field).annotate(
            n=Count("id")
        )
        total = 0
        prefix = band_prefix(query.price_basis)
        for group in groups:
            n = group["n"]
            total += n
            code = group["unspsc"]
            for token in (
                f"seg{code[:2]}",
                f"fam{code[:4]}",
                f"cls{code[:6]}",
                f"com{code}",
                brand_token(group["brand"]),
                f"sel{group['seller_id']}",
                "ful1" if group["fulfilled_by_us"] else "ful0",
                f"{prefix}{price_band(group[price_field])}",
            ):
                counts[token] += n
        order = {
            Sort.RELEVANCE: ("sales_rank",),
            Sort.PRICE_ASC: (price_field, "sales_rank"),
            Sort.PRICE_DESC: (f"-{price_field}", "sales_rank"),
            Sort.DELIVERY: ("delivery_days", "sales_rank"),
        }[query.sort]
        page = list(
            products.order_by(*order).values_list("sales_rank", flat=True)[
                query.offset : query.offset + query.page_size
            ]
        )
        return SearchResult(sales_ranks=page, total=total, facet_counts=dict(counts), ranked_by=query.sort)
