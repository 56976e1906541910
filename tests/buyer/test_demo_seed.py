"""The buyer's demo seed creates the demo once and never overwrites what administrators changed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import override_settings

from openprocure.buyer.approvals.models import ApprovalRule
from openprocure.buyer.suppliers.models import PunchOutConnection
from openprocure.buyer.suppliers.services import save_connection, shared_secret
from openprocure.core.models import User

pytestmark = pytest.mark.django_db


@override_settings(DEMO_MODE=True, DEMO_PEER_URL="http://127.0.0.1:8100")
def test_a_second_seed_keeps_rotated_secrets_passwords_and_rules() -> None:
    call_command("seed_demo")
    connection = PunchOutConnection.objects.get()
    assert (shared_secret(connection), connection.setup_url) == (
        "acme-demo-secret",
        "http://127.0.0.1:8100/cxml/",
    )
    # Administrators rotate the shared secret, change a password and a rule, remove a rule.
    save_connection(connection=connection, new_secret="rotated-secret-2027-xyz")
    admin = User.objects.get(email="admin@acme.test")
    admin.set_password("a-new-admin-password")
    admin.save()
    ApprovalRule.objects.filter(name="Above 500 EUR: approver").update(min_amount="750.00")
    ApprovalRule.objects.filter(name="Above 5,000 EUR: administrator").delete()

    with override_settings(DEMO_PEER_URL="http://127.0.0.1:9100"):
        call_command("seed_demo")

    connection.refresh_from_db()
    assert shared_secret(connection) == "rotated-secret-2027-xyz"
    # The demo's own loopback address follows the storefront's port of this run.
    assert (connection.setup_url, connection.order_url) == (
        "http://127.0.0.1:9100/cxml/",
        "http://127.0.0.1:9100/cxml/",
    )
    admin.refresh_from_db()
    assert admin.check_password("a-new-admin-password")
    assert not admin.check_password("demo")
    assert [(r.name, r.min_amount) for r in ApprovalRule.objects.all()] == [
        ("Above 500 EUR: approver", Decimal("750.00"))
    ]


@override_settings(DEMO_MODE=True, DEMO_PEER_URL="http://127.0.0.1:8100")
def test_an_address_an_administrator_changed_is_not_moved() -> None:
    call_command("seed_demo")
    PunchOutConnection.objects.update(setup_url="https://punchout.marketplace.example/cxml/")
    with override_settings(DEMO_PEER_URL="http://127.0.0.1:9100"):
        call_command("seed_demo")
    assert PunchOutConnection.objects.get().setup_url == "https://punchout.marketplace.example/cxml/"
