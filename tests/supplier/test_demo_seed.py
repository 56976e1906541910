"""The storefront's demo seed creates the demo once and never overwrites what administrators changed;
a second "pay by invoice" method no longer stops the demo from starting."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import override_settings

from openprocure.supplier.business.choices import PaymentKind
from openprocure.supplier.business.credentials import check_secret, hash_secret
from openprocure.supplier.business.models import Business, Integration, PaymentMethod, ShippingAddress
from openprocure.supplier.orders.demo import DEMO_AUTO_FULFIL_MINUTES
from openprocure.supplier.orders.models import OrderSettings

pytestmark = pytest.mark.django_db


@override_settings(DEMO_MODE=True, DEMO_PEER_URL="http://127.0.0.1:8000")
def test_a_second_seed_keeps_what_administrators_changed() -> None:
    call_command("seed_demo", products=0)
    acme = Business.objects.get(name="Acme Industries")
    integration = Integration.objects.get(business=acme)
    assert check_secret("acme-demo-secret", integration.shared_secret_hash)
    # The business rotates its shared secret and adds a second "pay by invoice" method.
    Integration.objects.filter(pk=integration.pk).update(shared_secret_hash=hash_secret("rotated-acme-2027"))
    PaymentMethod.objects.create(business=acme, kind=PaymentKind.INVOICE, invoice_terms="60 days")

    with override_settings(DEMO_PEER_URL="http://127.0.0.1:9000"):
        call_command("seed_demo", products=0)  # used to fail with MultipleObjectsReturned

    integration.refresh_from_db()
    assert check_secret("rotated-acme-2027", integration.shared_secret_hash)
    assert not check_secret("acme-demo-secret", integration.shared_secret_hash)
    assert sorted(PaymentMethod.objects.filter(business=acme).values_list("invoice_terms", flat=True)) == [
        "30 days end of month",
        "60 days",
    ]
    # The demo's loopback return address follows the buyer suite's port of this run.
    assert integration.allowed_return_urls == ["http://127.0.0.1:9000/"]
    assert Business.objects.count() == 2


@override_settings(DEMO_MODE=True, DEMO_PEER_URL="http://127.0.0.1:8000")
def test_the_demo_ships_automatically_and_keeps_a_delay_an_operator_chose() -> None:
    call_command("seed_demo", products=0)
    rows = dict(OrderSettings.objects.values_list("integration__buyer_identity", "auto_fulfil_after_minutes"))
    assert rows == {"ACME": DEMO_AUTO_FULFIL_MINUTES, "GLOBEX": DEMO_AUTO_FULFIL_MINUTES}
    assert OrderSettings.objects.get(integration__buyer_identity="ACME").buyer_cxml_url == (
        "http://127.0.0.1:8000/cxml/"
    )
    # Acme's Monday address is the one the demo buyer suite ships to (same street and postal code).
    monday = ShippingAddress.objects.get(business__name="Acme Industries", preferred_delivery_day=1)
    assert (monday.street, monday.postal_code) == ("12 rue des Entrepôts", "69007")
    OrderSettings.objects.filter(integration__buyer_identity="ACME").update(auto_fulfil_after_minutes=30)
    call_command("seed_demo", products=0)
    assert OrderSettings.objects.get(integration__buyer_identity="ACME").auto_fulfil_after_minutes == 30
