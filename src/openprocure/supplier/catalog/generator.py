"""A realistic synthetic catalog, generated deterministically.

Product number ``i`` depends only on the seed and ``i`` (each block of 1,000 products has its own
seeded random generator), so the same seed and count always give the same products, and growing a
catalog from 50,000 to 1,000,000 products keeps the first 50,000 as they were.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Callable, Iterator
from decimal import ROUND_HALF_UP, Decimal

from openprocure.core.tunables import tunable
from openprocure.supplier.catalog import services, taxonomy, taxonomy_fr
from openprocure.supplier.catalog.models import Product
from punchout.money import quantize_money

MARKETPLACE = "OpenProcure Marketplace"
SELLERS = (
    MARKETPLACE,
    "Northwind Office Supply",
    "Büroprofi Handels GmbH",
    "Lyon Bureau Distribution",
    "Contoso Industrial Supply",
    "Fabrikam Safety Products",
    "Adventure Works Tools",
    "Tailspin IT Solutions",
    "Wide World Importers",
    "Litware Electronics",
    "Proseware Janitorial",
    "Coho Coffee Service",
    "Fourth Coffee Wholesale",
    "Margie's Office Furniture",
    "Blue Yonder Print Supplies",
    "Woodgrove Facility Services",
)
BLOCK = 1_000
_CENT = Decimal("0.01")
_TIER_QUANTITIES = (5, 10, 25, 50, 100, 250)
_BLURBS = (
    "Built for busy offices and shared workspaces.",
    "Reliable everyday quality at a business price.",
    "Tested for heavy daily use.",
    "Ships in recyclable packaging.",
    "Backed by the manufacturer's warranty.",
    "A favourite of facility and procurement teams.",
    "Consistent results, order after order.",
    "Designed for comfort and long working days.",
)
_ASIN_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ASIN_SPACE = 36**8


def asin_for(index: int) -> str:
    """A unique ASIN-like id for product ``index``: a bijection of the index onto 8 base-36 digits."""
    number = (index * 2_654_435_761 + 1_234_567) % _ASIN_SPACE
    digits = []
    for _ in range(8):
        number, digit = divmod(number, 36)
        digits.append(_ASIN_ALPHABET[digit])
    return "B0" + "".join(reversed(digits))


def _money(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(_CENT, rounding=ROUND_HALF_UP)


def _charm(value: float) -> Decimal:
    """A shelf price: 12.99, 149.00, 4.49…"""
    if value >= 100:
        return Decimal(round(value)).quantize(_CENT) - (Decimal("0.01") if value < 1000 else 0)
    return (_money(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) + Decimal("0.09")).quantize(_CENT)


class Generator:
    """Draws products. ``seller_ids`` maps the names in ``SELLERS`` to stored ids."""

    def __init__(self, *, seed: int, seller_ids: dict[str, int], currency: str) -> None:
        self.seed = seed
        self.seller_ids = seller_ids
        self.currency = currency
        self.commodities = taxonomy.COMMODITIES
        self.cumulative = list(itertools.accumulate(commodity.weight for commodity in self.commodities))

    def products(self, *, start: int, stop: int) -> Iterator[services.ProductRow]:
        """Products number ``start`` to ``stop - 1``."""
        block = start // BLOCK
        while block * BLOCK < stop:
            rng = random.Random(self.seed * 1_000_003 + block)
            for index in range(block * BLOCK, (block + 1) * BLOCK):
                row = self._product(rng, index)
                if start <= index < stop:
                    yield row
            block += 1

    def _product(self, rng: random.Random, index: int) -> services.ProductRow:
        total = self.cumulative[-1]
        commodity = self.commodities[bisect.bisect_right(self.cumulative, rng.random() * total)]
        brand = rng.choice(commodity.brands)
        line = rng.choice(taxonomy.LINES)
        kind = rng.choice(commodity.kinds)
        details = [rng.choice(choices) for choices in commodity.details]
        pack = rng.choice(commodity.packs)
        title = f"{brand} {line} {kind}, {', '.join(details)}"
        if pack > 1:
            title += f", {pack:,} Count"
        low, high = commodity.price
        list_price = _charm(math.exp(rng.uniform(math.log(low), math.log(high))))
        business_price = max(_CENT, (list_price * Decimal(str(rng.uniform(0.82, 0.97)))).quantize(_CENT))
        tiers: list[tuple[int, Decimal]] = []
        if rng.random() < 0.6:
            quantities = sorted(rng.sample(_TIER_QUANTITIES, rng.randint(1, 3)))
            for step, quantity in enumerate(quantities, start=1):
                tiers.append((quantity, (business_price * (1 - Decimal("0.03") * step)).quantize(_CENT)))
        seller = MARKETPLACE if rng.random() < 0.45 else rng.choice(SELLERS[1:])
        fulfilled_by_us = seller == MARKETPLACE or rng.random() < 0.6
        initials = "".join(word[0] for word in brand.split() if word[0].isalnum()).upper()[:3] or "X"
        part_number = f"{initials}-{rng.randrange(10_000, 99_999)}{rng.choice('ABCDEFGHKLMNPRSTX')}"
        blurbs = rng.sample(_BLURBS, 2)
        description = (
            f"{brand} {line} {kind.lower()}: {', '.join(details).lower()}"
            + (f", {pack:,} per pack" if pack > 1 else "")
            + ". "
            + " ".join(blurbs)
        )
        # The same product in French, from the same parts (no further draws: English titles stay as
        # they were for a given seed).
        kind_fr = taxonomy_fr.KINDS[kind]
        details_fr = ", ".join(taxonomy_fr.detail(detail) for detail in details)
        title_fr = f"{kind_fr} {brand} {line}, {details_fr}" + (taxonomy_fr.pack(pack) if pack > 1 else "")
        description_fr = (
            f"{kind_fr} {brand} {line} : {details_fr}"
            + (taxonomy_fr.pack(pack) if pack > 1 else "")
            + ". "
            + " ".join(taxonomy_fr.BLURBS[blurb] for blurb in blurbs)
        )
        return services.ProductRow(
            asin=asin_for(index),
            title=title,
            brand=brand,
            manufacturer=taxonomy.MANUFACTURERS.get(brand, brand),
            manufacturer_part_number=part_number,
            description=description,
            unspsc=commodity.code,
            unit_of_measure=rng.choice(commodity.units),
            # Drawn in hundredths, written in the currency's minor units (JPY 0, EUR 2, KWD 3).
            list_price=quantize_money(list_price, self.currency),
            business_price=quantize_money(business_price, self.currency),
            currency=self.currency,
            seller_id=self.seller_ids[seller],
            fulfilled_by_us=fulfilled_by_us,
            stock=0 if rng.random() < 0.08 else rng.randint(1, 5_000),
            delivery_days=rng.choice((1, 1, 2, 2, 3)) if fulfilled_by_us else rng.randint(2, 9),
            tiers=[(quantity, quantize_money(price, self.currency)) for quantity, price in tiers],
            title_fr=title_fr,
            description_fr=description_fr,
        )


def generate_catalog(*, products: int, seed: int = 42, progress: Callable[[int], None] | None = None) -> int:
    """Grow the catalog to ``products`` generated products (idempotent). Returns how many were added."""
    existing = Product.objects.count()
    if existing >= products:
        return 0
    services.ensure_categories()
    generator = Generator(
        seed=seed,
        seller_ids=services.seller_ids(names=SELLERS, marketplace_name=MARKETPLACE),
        currency=tunable("CATALOG_DEFAULT_CURRENCY"),
    )
    inserted, _updated = services.load_products(
        rows=generator.products(start=existing, stop=products), progress=progress
    )
    if inserted >= 10_000:
        services.get_backend().optimize()
    services.rebuild_suggestions()
    return inserted
