"""The storefront's "E-invoicing platforms" page is the operators': a support representative or a
business's administrator is refused with who may, and nothing is saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from openprocure.core.models import AdminEvent, PlatformConnection
from openprocure.supplier.business.choices import StaffRole
from tests.supplier.factories import StaffProfileFactory
from tests.supplier.worlds import make_operator

pytestmark = pytest.mark.django_db


def _data(tmp_path: Path) -> dict[str, str]:
    return {
        "siren": "732829304",
        "name": "Marketplace SAS",
        "adapter": "folder",
        "enabled": "on",
        "outbound": str(tmp_path),
        "inbound": str(tmp_path),
    }


def test_an_operator_adds_and_tests_a_platform(tmp_path: Path) -> None:
    client = Client()
    operator = make_operator()
    client.force_login(operator)
    assert '<a href="/platforms/"' in client.get("/").content.decode()
    assert client.post("/platforms/add/", _data(tmp_path)).status_code == 302
    connection = PlatformConnection.objects.get()
    assert (connection.siren, connection.name) == ("732829304", "Marketplace SAS")
    assert AdminEvent.objects.get().subject_id == connection.pk
    page = client.get("/platforms/").content.decode()
    assert '<tr id="platform-732829304">' in page
    tested = client.post("/platforms/732829304/test/").content.decode()
    assert "The connection works" in tested
    event = AdminEvent.objects.get(kind="tested")
    assert (event.subject_type, event.subject_id, event.actor, event.label, event.detail) == (
        "core.platformconnection",
        connection.pk,
        operator,
        "Connection tested",
        {
            "siren": "732829304",
            "adapter": "folder",
            "from_environment": False,
            "outcome": "works",
            "message": "The connection works: a probe file was written, read back and deleted in both directories.",
        },
    )


def test_support_and_business_administrators_are_refused(shop, tmp_path: Path) -> None:
    support = Client()
    support.force_login(
        StaffProfileFactory(user__email="support@marketplace.test", role=StaffRole.SUPPORT).user
    )
    business_admin = Client()
    business_admin.force_login(shop.business.memberships.get(is_administrator=True).user)
    for client in (support, business_admin):
        for answer in (
            client.get("/platforms/"),
            client.post("/platforms/add/", _data(tmp_path)),
            client.post("/platforms/732829304/test/"),
        ):
            assert answer.status_code == 403
            assert "Only operators configure e-invoicing platforms." in answer.content.decode()
        assert "/platforms/" not in client.get("/").content.decode()
    assert not PlatformConnection.objects.exists() and not AdminEvent.objects.exists()
