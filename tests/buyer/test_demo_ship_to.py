"""The demo buyer ships to the storefront's demo address for Acme that has the Monday delivery day
(matched there by street and postal code), so the demo consolidates deliveries."""

from __future__ import annotations

import pytest

from openprocure.buyer.organization.models import Address
from openprocure.buyer.suppliers.models import PunchOutConnection

pytestmark = pytest.mark.django_db


def test_the_demo_ship_to_is_the_storefronts_monday_address(acme: PunchOutConnection) -> None:
    ship_to = Address.objects.get(kind="ship_to", is_default=True)
    assert (ship_to.name, ship_to.street, ship_to.postal_code, ship_to.city) == (
        "Acme Industries — Receiving dock",
        "12 rue des Entrepôts",
        "69007",
        "Lyon",
    )
