"""The storefront's shared fixtures: the Acme (active) and Globex (test) integrations, two products,
and a shop where Acme can order (payment method, order settings)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from openprocure.supplier.business.choices import IntegrationStatus, PaymentKind
from openprocure.supplier.business.models import Integration, PaymentMethod
from openprocure.supplier.catalog.models import PriceTier, Product, Seller
from openprocure.supplier.orders.models import OrderSettings
from tests.supplier.worlds import BUYER_URL, make_business, make_integration, make_member


@pytest.fixture
def acme():
    business, admin = make_business()
    integration = make_integration(business, admin)
    Integration.objects.filter(pk=integration.pk).update(status=IntegrationStatus.ACTIVE)
    integration.refresh_from_db()
    make_member(business, "buyer@acme.test")
    return integration


@pytest.fixture
def globex():
    business, admin = make_business("Globex", "admin@globex.test")
    integration = make_integration(
        business,
        admin,
        identity="GLOBEX",
        secret="globex-shared-secret",
        urls=("https://globex.example/",),
        encoding="cxml-base64",
    )
    make_member(business, "buyer@globex.test")
    return integration


@pytest.fixture
def products():
    us = Seller.objects.create(name="Marketplace", is_marketplace=True)
    other = Seller.objects.create(name="Paper & Co")
    paper = Product.objects.create(
        asin="B000PAPER1",
        title="Copy paper A4 80 g, 500 sheets",
        brand="Navigator",
        manufacturer="The Navigator Company",
        manufacturer_part_number="NAV-A4-80",
        unspsc="14111507",
        unit_of_measure="PK",
        list_price=Decimal("6.50"),
        business_price=Decimal("5.20"),
        currency="EUR",
        seller=us,
        fulfilled_by_us=True,
        stock=1000,
        delivery_days=1,
        sales_rank=1,
    )
    PriceTier.objects.create(product=paper, min_quantity=10, unit_price=Decimal("4.90"))
    pens = Product.objects.create(
        asin="B000PENS01",
        title="Ballpoint pens, blue, box of 50",
        brand="Bic",
        manufacturer="BIC",
        manufacturer_part_number="BIC-50",
        unspsc="44121704",
        unit_of_measure="BX",
        list_price=Decimal("12.00"),
        business_price=Decimal("10.00"),
        currency="EUR",
        seller=other,
        fulfilled_by_us=False,
        stock=20,
        delivery_days=4,
        sales_rank=2,
    )
    return paper, pens


@pytest.fixture
def shop(acme, products):
    """Acme (Active) with a default payment method, a buyer endpoint and two products."""
    PaymentMethod.objects.create(
        business=acme.business,
        kind=PaymentKind.CARD,
        card_brand="Visa",
        card_last4="4242",
        card_expiry="12/29",
        is_default=True,
    )
    OrderSettings.objects.create(integration=acme, buyer_cxml_url=BUYER_URL)
    return acme


@pytest.fixture
def integration():
    business, admin = make_business()
    made = make_integration(
        business, admin, urls=("https://srm.example/sap/", "SAPEVENT:"), oci_password="oci-pass-123"
    )
    make_member(business, "buyer@acme.test")
    return made
