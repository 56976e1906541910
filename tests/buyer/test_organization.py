"""Organisation: the demo seed (exact reference data) and the page that lists it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import CommandError
from django.test import Client

from openprocure.buyer.organization.demo import seed_organization
from openprocure.buyer.organization.models import CostCenter, GLAccount, SpendingLimit, UserProfile
from openprocure.buyer.organization.services import spending_limit_for
from openprocure.buyer.suppliers.demo import seed_marketplace
from openprocure.buyer.suppliers.models import PunchOutConnection
from openprocure.core.models import User


def test_demo_organisation(acme: PunchOutConnection) -> None:
    assert [(c.code, c.name, c.owner.email) for c in CostCenter.objects.order_by("code")] == [
        ("CC-100", "Operations", "approver@acme.test"),
        ("CC-200", "Finance", "ap@acme.test"),
        ("CC-300", "IT", "admin@acme.test"),
    ]
    assert list(GLAccount.objects.order_by("code").values_list("code", flat=True)) == [
        "6000",
        "6100",
        "6200",
        "6300",
    ]
    roles = {
        p.user.email: (sorted(p.role_codes()), p.manager.email if p.manager else None)
        for p in UserProfile.objects.all()
    }
    assert roles == {
        "requester@acme.test": (["requester"], "approver@acme.test"),
        "approver@acme.test": (["approver", "requester"], None),
        "admin@acme.test": (["procurement_admin", "requester", "tech_admin"], None),
        "ap@acme.test": (["ap_clerk"], None),
    }
    assert (acme.protocol, acme.deployment_mode, acme.setup_url, acme.order_url) == (
        "cxml",
        "production",
        "http://127.0.0.1:8100/cxml/",
        "http://127.0.0.1:8100/cxml/",
    )
    assert (acme.from_identity, acme.sender_identity, acme.to_identity, acme.from_domain) == (
        "ACME",
        "ACME",
        "MARKETPLACE",
        "NetworkId",
    )
    assert acme.user_attributes == ["UserEmail", "FirstName", "LastName", "UniqueName"]
    assert spending_limit_for(user=User.objects.get(email="requester@acme.test")) == (
        Decimal("1000.00"),
        "EUR",
    )
    assert spending_limit_for(user=User.objects.get(email="approver@acme.test")) == (
        Decimal("25000.00"),
        "EUR",
    )


def test_seed_is_idempotent(acme: PunchOutConnection) -> None:
    seed_organization()
    seed_marketplace()
    assert CostCenter.objects.count() == 3
    assert PunchOutConnection.objects.count() == 1
    assert SpendingLimit.objects.count() == 2


def test_seed_refused_outside_demo_mode(db, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        seed_organization()
    assert CostCenter.objects.count() == 0


def test_organisation_page_lists_cost_centers_with_owners(acme: PunchOutConnection) -> None:
    client = Client()
    client.force_login(User.objects.get(email="requester@acme.test"))
    page = client.get("/organization/").content.decode()
    assert "<td>CC-100</td><td>Operations</td><td>approver@acme.test</td><td>Operations</td>" in page
    assert "6200 IT equipment" in page


def test_organisation_page_needs_a_profile(db) -> None:  # type: ignore[no-untyped-def]
    stranger = User.objects.create_user(email="someone@else.test", password="x" * 12)
    client = Client()
    client.force_login(stranger)
    assert client.get("/organization/").status_code == 404
