"""Every tunable of the catalog, with what it does. A project setting of the same name overrides it."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import Any

from openprocure.core.tunables import tunable

# Dotted path to the SearchBackend class. Empty: chosen from the database engine (SQLite → FTS5,
# anything else → SimpleSearchBackend). Checked at start-up.
CATALOG_SEARCH_BACKEND = ""

# Results per search page.
CATALOG_PAGE_SIZE = 24

# Above this many matches a query is "broad": ordered by sales rank instead of relevance score,
# because scoring 100k+ matches is what makes a search slow (FIELD-NOTES, "Catalog search").
CATALOG_RELEVANCE_LIMIT = 3_000

# Facet counts are taken over at most this many matches (the most popular ones). Beyond it the
# counts are lower bounds and shown with a "+" (e.g. "2,310+").
CATALOG_FACET_LIMIT = 5_000

# Totals are counted exactly up to this many matches; beyond it the page says "10,000+ results".
CATALOG_COUNT_LIMIT = 10_000

# Typeahead: suggestions returned, and shortest prefix answered.
CATALOG_SUGGEST_LIMIT = 8
CATALOG_SUGGEST_MIN_CHARS = 2

# Spelling suggestions ("Did you mean: stapler?"): looked for when a search finds at most this many
# products, and shown when the corrected words find more. A vocabulary word is proposed when its
# similarity to the typed word (normalised Indel similarity, 0 to 1) is at least the cutoff.
CATALOG_SPELLING_MAX_RESULTS = 2
CATALOG_SPELLING_CUTOFF = 0.8

# Rows per executemany batch when generating or importing.
CATALOG_BATCH_SIZE = 5_000

# Products read per query when exporting a business's catalog (CIF, BMEcat): memory grows with the
# chunk, never with the catalog; 2,000 keeps a chunk with its price tiers to a few megabytes.
CATALOG_EXPORT_CHUNK_SIZE = 2_000

# Our identity and name in exported catalogs for a business without a PunchOut integration (with
# one, its "our identity" is used, so the catalog names us as the business's system knows us).
CATALOG_EXPORT_SUPPLIER_ID = "OpenProcure"
CATALOG_EXPORT_SUPPLIER_NAME = "OpenProcure Marketplace"

# Upper bounds of the price bands shown as a facet (the last band is "and above"). The search
# index holds each product's band number, not its price; changing these needs a reindex.
CATALOG_PRICE_BANDS = (Decimal(10), Decimal(25), Decimal(50), Decimal(100), Decimal(250), Decimal(500))

# Currency of generated products and of imported rows that leave it empty.
CATALOG_DEFAULT_CURRENCY = "EUR"


def get(name: str) -> Any:
    """The project's setting ``name`` if set, else the default above (``openprocure.core.tunables``)."""
    return tunable(name, sys.modules[__name__])
