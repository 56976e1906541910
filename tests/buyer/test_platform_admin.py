"""Who may open the buyer suite's "E-invoicing platforms" page: procurement and technical
administrators; anyone else is refused with who may, and nothing is saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from openprocure.core.models import AdminEvent, PlatformConnection
from tests.buyer.fulfilment_world import user_with_role

pytestmark = pytest.mark.django_db


def _client(role: str) -> Client:
    client = Client()
    client.force_login(user_with_role(f"{role}@acme.test", role))
    return client


def _data(tmp_path: Path) -> dict[str, str]:
    return {
        "siren": "732829320",
        "name": "Acme SAS",
        "adapter": "folder",
        "enabled": "on",
        "outbound": str(tmp_path),
        "inbound": str(tmp_path),
    }


@pytest.mark.parametrize("role", ["requester", "approver", "ap_clerk"])
def test_other_roles_are_refused_and_nothing_is_saved(role: str, tmp_path: Path) -> None:
    client = _client(role)
    for answer in (
        client.get("/platforms/"),
        client.get("/platforms/add/"),
        client.post("/platforms/add/", _data(tmp_path)),
        client.post("/platforms/732829320/test/"),
    ):
        assert answer.status_code == 403
        assert "Only procurement or technical administrators configure e-invoicing platforms." in (
            answer.content.decode()
        )
    assert not PlatformConnection.objects.exists() and not AdminEvent.objects.exists()
    assert "/platforms/" not in client.get("/").content.decode()


@pytest.mark.parametrize("role", ["procurement_admin", "tech_admin"])
def test_administrators_add_a_platform(role: str, tmp_path: Path) -> None:
    client = _client(role)
    assert '<a href="/platforms/"' in client.get("/").content.decode()
    assert client.post("/platforms/add/", _data(tmp_path)).status_code == 302
    assert PlatformConnection.objects.get().name == "Acme SAS"


def test_the_page_is_in_french_too(tmp_path: Path) -> None:
    client = _client("procurement_admin")
    page = client.get("/platforms/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<h1>Plateformes de facturation électronique</h1>" in page
