"""Pricing strategies: list price for visitors, business price and quantity tiers for businesses."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import RequestFactory

from openprocure.supplier.catalog.models import Product
from openprocure.supplier.catalog.pricing import (
    BusinessStrategy,
    DefaultStrategy,
    Price,
    strategy_for,
    strategy_for_request,
)
from tests.supplier.catalog_world import make_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def pens() -> Product:
    make_catalog()
    return Product.objects.prefetch_related("price_tiers").get(asin="B000000001")


@pytest.mark.parametrize(
    ("quantity", "amount"),
    [
        pytest.param(1, "8.50", id="one-unit-business-price"),
        pytest.param(9, "8.50", id="below-first-tier"),
        pytest.param(10, "8.00", id="first-tier"),
        pytest.param(49, "8.00", id="between-tiers"),
        pytest.param(50, "7.50", id="second-tier"),
        pytest.param(1000, "7.50", id="far-above"),
    ],
)
def test_business_strategy_quantity_tiers(pens: Product, quantity: int, amount: str) -> None:
    assert BusinessStrategy().price_for(pens, quantity) == Price(Decimal(amount), "EUR")


def test_default_strategy_is_the_list_price_whatever_the_quantity(pens: Product) -> None:
    strategy = DefaultStrategy()
    assert strategy.price_for(pens, 1) == Price(Decimal("9.99"), "EUR")
    assert strategy.price_for(pens, 50) == Price(Decimal("9.99"), "EUR")
    assert strategy.tiers_for(pens) == []
    assert strategy.price_basis == "list"


def test_business_tiers_for_display(pens: Product) -> None:
    tiers = BusinessStrategy().tiers_for(pens)
    assert [(tier.min_quantity, tier.price) for tier in tiers] == [
        (10, Price(Decimal("8.00"), "EUR")),
        (50, Price(Decimal("7.50"), "EUR")),
    ]


def test_a_tier_above_the_business_price_never_raises_it(pens: Product) -> None:
    pens.business_price = Decimal("7.80")
    assert BusinessStrategy().price_for(pens, 10) == Price(Decimal("7.80"), "EUR")
    assert BusinessStrategy().price_for(pens, 50) == Price(Decimal("7.50"), "EUR")


def test_strategy_choice() -> None:
    assert type(strategy_for(business=None)) is DefaultStrategy
    business = object()
    chosen = strategy_for(business=business)
    assert type(chosen) is BusinessStrategy
    assert chosen.business is business
    request = RequestFactory().get("/")
    assert type(strategy_for_request(request)) is DefaultStrategy
    request.business = business  # type: ignore[attr-defined]
    assert type(strategy_for_request(request)) is BusinessStrategy


def test_price_text() -> None:
    assert str(Price(Decimal("1234.5"), "EUR")) == "1,234.50 EUR"
