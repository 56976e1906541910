"""Administrators replace the cXML shared secret and the OCI password, through HTTP."""

from __future__ import annotations

import re

import pytest

from openprocure.core.choices import OutboxStatus
from openprocure.core.models import OutboxMessage, User
from openprocure.core.outbox import Outgoing, enqueue_documents
from openprocure.supplier.business.models import Integration, SettingsChange
from openprocure.supplier.orders import documents
from openprocure.supplier.orders.crypto import decrypt_secret
from openprocure.supplier.orders.models import OrderSettings
from openprocure.supplier.punchout.models import PunchOutSession
from tests.supplier.test_business import make_business, make_integration, make_member
from tests.supplier.test_punchout import post_setup, products, setup_request  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

HOOK = "https://srm.example/sap/bc/gui/sap/its/bbpsc02"


@pytest.fixture
def acme() -> Integration:
    business, admin = make_business()
    integration = make_integration(
        business, admin, urls=("https://buyer.example/", "https://srm.example/sap/")
    )
    make_member(business, "buyer@acme.test")
    OrderSettings.objects.create(integration=integration, buyer_cxml_url="http://127.0.0.1:9/cxml/")
    return integration


def replace(client, which: str, **data: str) -> str:
    response = client.post("/business/punchout/credentials/", {"which": which, "confirm": "on", **data})
    assert response.status_code == 200, response.content.decode()[:500]
    found = re.search(r'<code id="new-credential">([^<]+)</code>', response.content.decode())
    assert found is not None, response.content.decode()[:2000]
    return found[1]


def test_the_administrator_replaces_the_shared_secret_and_the_old_one_stops_working(client, acme) -> None:
    client.force_login(User.objects.get(email="admin@acme.test"))
    page = client.get("/business/").content.decode()
    assert 'href="/business/punchout/credentials/"' in page
    assert client.get("/business/punchout/credentials/").status_code == 200
    # Without the confirmation nothing changes.
    refused = client.post("/business/punchout/credentials/", {"which": "shared_secret"})
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()
    assert post_setup(client, setup_request(secret="acme-secret")).status.code == 200

    waiting = _outbox_documents()
    new = replace(client, "shared_secret", reason="Secret pasted in a ticket")
    assert len(new) >= 40 and new != "acme-secret"
    old = post_setup(client, setup_request(secret="acme-secret", cookie="after-old")).status
    assert old.code == 401
    assert post_setup(client, setup_request(secret=new, cookie="after-new")).status.code == 200
    assert PunchOutSession.objects.filter(buyer_cookie="after-old").count() == 0
    # Recorded without either value; our outbound documents carry the new secret from now on.
    change = SettingsChange.objects.get(field="shared_secret")
    assert (change.old_value, change.new_value, change.changed_by.email, change.reason) == (
        "(replaced)",
        "(new, shown once)",
        "admin@acme.test",
        "Secret pasted in a ticket",
    )
    assert new not in str(list(SettingsChange.objects.values()))
    settings_row = OrderSettings.objects.get(integration=acme)
    assert decrypt_secret(settings_row.outbound_secret_encrypted) == new
    assert documents.outbound_secret(documents.settings_for(Integration.objects.get(pk=acme.pk))) == new
    # Documents still waiting for Acme now carry the new secret; delivered ones and others' are as they were.
    bodies = {m.payload_id: m.body for m in OutboxMessage.objects.all()}
    assert f"<SharedSecret>{new}</SharedSecret>" in bodies[waiting["pending"]]
    assert f"<SharedSecret>{new}</SharedSecret>" in bodies[waiting["failed"]]
    assert "<SharedSecret>acme-secret</SharedSecret>" in bodies[waiting["delivered"]]
    assert "<SharedSecret>globex-secret</SharedSecret>" in bodies[waiting["other partner"]]
    # Shown once: the management page never shows it again.
    assert new not in client.get("/business/").content.decode()


def _outbox_documents() -> dict[str, str]:
    """Outbox documents built with the old secret: their payloadIDs by situation."""

    def body(secret: str) -> str:
        return (
            '<cXML payloadID="x"><Header><Sender><Credential domain="NetworkId"><Identity>MARKETPLACE</Identity>'
            f"<SharedSecret>{secret}</SharedSecret></Credential></Sender></Header></cXML>"
        )

    situations = {
        "pending": ("NetworkId:ACME", "acme-secret", OutboxStatus.PENDING),
        "failed": ("NetworkId:ACME", "acme-secret", OutboxStatus.FAILED),
        "delivered": ("NetworkId:ACME", "acme-secret", OutboxStatus.DELIVERED),
        "other partner": ("NetworkId:GLOBEX", "globex-secret", OutboxStatus.PENDING),
    }
    stored = enqueue_documents(
        [
            Outgoing(
                kind="ShipNoticeRequest",
                url="http://127.0.0.1:9/cxml/",
                payload_id=f"{name}@s.test",
                body=body(secret),
                partner=partner,
            )
            for name, (partner, secret, _status) in situations.items()
        ]
    )
    for message, (_partner, _secret, status) in zip(stored, situations.values(), strict=True):
        OutboxMessage.objects.filter(pk=message.pk).update(status=status)
    return {name: f"{name}@s.test" for name in situations}


def test_the_oci_password_is_replaced_on_its_own(client, acme, products) -> None:  # noqa: F811
    client.force_login(User.objects.get(email="admin@acme.test"))
    new = replace(client, "oci_password")
    assert len(new) >= 16
    callup = {"USERNAME": acme.oci_username, "HOOK_URL": HOOK, "email": "buyer@acme.test"}
    assert client.get("/oci/", callup | {"PASSWORD": "oci-password-1"}).status_code == 401
    assert client.get("/oci/", callup | {"PASSWORD": new}).status_code == 302
    # The cXML secret is untouched.
    assert post_setup(client, setup_request(secret="acme-secret")).status.code == 200
    assert list(SettingsChange.objects.values_list("field", flat=True)) == ["oci_password"]


def test_only_the_business_administrators_may_replace_credentials(client, acme) -> None:
    client.force_login(User.objects.get(email="buyer@acme.test"))
    assert client.get("/business/punchout/credentials/").status_code == 403
    assert (
        client.post(
            "/business/punchout/credentials/", {"which": "shared_secret", "confirm": "on"}
        ).status_code
        == 403
    )
    make_business("Other Co", "admin@other.test")
    client.force_login(User.objects.get(email="admin@other.test"))
    assert client.get("/business/punchout/credentials/").status_code == 404  # no PunchOut of its own
    assert post_setup(client, setup_request(secret="acme-secret")).status.code == 200
    assert SettingsChange.objects.count() == 0
