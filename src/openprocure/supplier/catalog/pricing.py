"""Where prices for a customer are decided: pricing strategies, chosen per request.

A strategy answers "what does this customer pay per unit for this product at this quantity?". The
search index never holds prices: a page of results is priced after the search, with the strategy
of the request. Two strategies exist:

- :class:`DefaultStrategy` — visitors who are not business customers pay the list price.
- :class:`BusinessStrategy` — business customers pay the business price, and less from the
  quantities in the product's price tiers.

The catalog does not know what a business account is. ``strategy_for(business=...)`` takes any
object (or ``True``) saying "this is a business customer"; ``strategy_for_request`` asks the
callable named by ``CATALOG_BUSINESS_FOR_REQUEST`` (default: ``request.business``, which the
business app sets) for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.module_loading import import_string

from openprocure.supplier.catalog.models import PriceTier, Product
from punchout.money import quantize_money


def in_minor_units(value: Decimal, currency: str) -> Decimal:
    """A stored catalog price written with its currency's minor units: the columns keep three
    decimals for every currency, so ``5.200`` EUR is ``5.20``, ``1250.000`` JPY ``1250``, ``0.125`` KWD
    stays ``0.125``. Imports refuse a price with more decimals than its currency has, so nothing is
    rounded away."""
    return quantize_money(Decimal(value), currency)


@dataclass(frozen=True)
class Price:
    """A unit price: a Decimal amount in one ISO 4217 currency, with the currency's minor units."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", in_minor_units(self.amount, self.currency))

    def __str__(self) -> str:
        """``1,234.50 EUR``, ``1,250 JPY``, ``0.125 KWD``: the currency's minor units, grouped."""
        return f"{self.amount:,f} {self.currency}"


@dataclass(frozen=True)
class TierPrice:
    """The unit price from ``min_quantity`` units."""

    min_quantity: int
    price: Price


class PricingStrategy:
    """Decides the unit price one customer pays. Subclass to add contract or negotiated prices."""

    #: Which stored price the search index's price bands and price sorting follow for this customer.
    price_basis = "list"
    is_business = False

    def price_for(self, product: Product, quantity: int = 1) -> Price:
        """The unit price for ``quantity`` units of ``product``."""
        return Price(product.list_price, product.currency)

    def tiers_for(self, product: Product) -> list[TierPrice]:
        """Quantity prices to show on the product page (empty when there are none for this customer)."""
        return []

    def list_price(self, product: Product) -> Price:
        return Price(product.list_price, product.currency)


class DefaultStrategy(PricingStrategy):
    """Anonymous visitors and consumers: the list price, whatever the quantity."""


class BusinessStrategy(PricingStrategy):
    """Business customers: the business price, lowered by quantity tiers.

    The unit price for a quantity is the lowest of the business price and the prices of the tiers
    whose ``min_quantity`` the quantity reaches. Uses ``product.price_tiers.all()``, so prefetch it
    when pricing a list.
    """

    price_basis = "business"
    is_business = True

    def __init__(self, business: Any = True) -> None:
        self.business = business

    def _tiers(self, product: Product) -> list[PriceTier]:
        return sorted(product.price_tiers.all(), key=lambda tier: tier.min_quantity)

    def price_for(self, product: Product, quantity: int = 1) -> Price:
        amount = product.business_price
        for tier in self._tiers(product):
            if quantity >= tier.min_quantity and tier.unit_price < amount:
                amount = tier.unit_price
        return Price(amount, product.currency)

    def tiers_for(self, product: Product) -> list[TierPrice]:
        return [
            TierPrice(tier.min_quantity, self.price_for(product, tier.min_quantity))
            for tier in self._tiers(product)
        ]


def strategy_for(*, business: Any = None) -> PricingStrategy:
    """The strategy for a customer: business pricing when ``business`` is truthy."""
    return BusinessStrategy(business) if business else DefaultStrategy()


def business_from_request(request: HttpRequest) -> Any:
    """Default ``CATALOG_BUSINESS_FOR_REQUEST``: the business the business app put on the request."""
    return getattr(request, "business", None)


def strategy_for_request(request: HttpRequest) -> PricingStrategy:
    """The strategy for the visitor of ``request``."""
    path = getattr(
        settings, "CATALOG_BUSINESS_FOR_REQUEST", "openprocure.supplier.catalog.pricing.business_from_request"
    )
    return strategy_for(business=import_string(path)(request))
