"""A supplier connection holds other document identities: documents signed with one are
recognised (with the connection's secret), managed by administrators, and add no shop tile."""

from __future__ import annotations

import pytest
from django.test import Client

from openprocure.buyer.fulfilment.models import Confirmation
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.suppliers.models import DocumentIdentity, PunchOutConnection
from openprocure.core.models import User
from punchout import cxml
from tests.buyer.fulfilment_world import NOW, SECRET, confirmation, make_po, make_supplier, user_with_role

pytestmark = pytest.mark.django_db


def signed(identity: str, domain: str = "DUNS", secret: str = SECRET, payload_id: str = "c-1@s") -> bytes:
    """A confirmation signed with another identity than the connection's own (From and Sender)."""
    header = cxml.make_header(
        from_=[cxml.Credential(domain, identity)],
        to=[cxml.Credential("NetworkId", "acme-buyer")],
        sender=[cxml.Credential(domain, identity, secret)],
        user_agent="Network 1.0",
    )
    message = confirmation([], kind="accept")
    return cxml.build(cxml.CXML(message=message, payload_id=payload_id, timestamp=NOW, header=header))


def post_status(client: Client, body: bytes) -> cxml.Status:
    status = cxml.parse(client.post("/cxml/", data=body, content_type="text/xml").content).document.status
    assert status is not None
    return status


@pytest.fixture
def setup() -> tuple[PunchOutConnection, PurchaseOrder]:
    supplier, connection = make_supplier()
    return connection, make_po(supplier, connection)


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(user_with_role("proc@acme.test", "procurement_admin"))
    return client


def test_an_administrator_adds_an_identity_and_its_documents_are_recognised(
    client: Client, admin_client: Client, setup: tuple[PunchOutConnection, PurchaseOrder]
) -> None:
    connection, po = setup
    refused = post_status(client, signed("123456789"))
    assert refused.code == 401
    assert Confirmation.objects.count() == 0

    page = admin_client.post(
        f"/suppliers/connections/{connection.pk}/identities/",
        {"domain": "DUNS", "identity": "123456789"},
        follow=True,
    ).content.decode()
    assert "Documents signed DUNS:123456789 are now recognised." in page
    assert "<td>DUNS</td><td>123456789</td>" in page
    assert list(DocumentIdentity.objects.values_list("connection", "domain", "identity")) == [
        (connection.pk, "DUNS", "123456789")
    ]
    status = post_status(client, signed("123456789", domain="duns", payload_id="c-2@s"))
    assert status.code == 200
    assert Confirmation.objects.get().purchase_order == po
    # No second shop tile: still one connection.
    assert PunchOutConnection.objects.count() == 1


def test_the_identity_still_needs_the_connections_secret(
    client: Client, setup: tuple[PunchOutConnection, PurchaseOrder]
) -> None:
    connection, _po = setup
    DocumentIdentity.objects.create(connection=connection, domain="DUNS", identity="123456789")
    assert post_status(client, signed("123456789", secret="guess")).code == 401
    assert Confirmation.objects.count() == 0


def test_an_identity_leads_to_one_supplier_only(
    admin_client: Client, setup: tuple[PunchOutConnection, PurchaseOrder]
) -> None:
    connection, _po = setup
    _other_supplier, other = make_supplier(name="Other Co", identity="other-co")
    DocumentIdentity.objects.create(connection=other, domain="DUNS", identity="123456789")
    page = admin_client.post(
        f"/suppliers/connections/{connection.pk}/identities/", {"domain": "duns", "identity": "123456789"}
    ).content.decode()
    assert "DUNS:123456789 already belongs to" in page.replace("duns:", "DUNS:")
    own = admin_client.post(
        f"/suppliers/connections/{connection.pk}/identities/",
        {"domain": "NetworkId", "identity": "office-supply"},
    ).content.decode()
    assert "NetworkId:office-supply is already this connection&#x27;s own identity (To)." in own
    assert DocumentIdentity.objects.filter(connection=connection).count() == 0


def test_only_administrators_manage_identities(setup: tuple[PunchOutConnection, PurchaseOrder]) -> None:
    connection, _po = setup
    client = Client()
    client.force_login(User.objects.create_user(email="stranger@acme.test", password="x-correct-horse"))
    answer = client.post(
        f"/suppliers/connections/{connection.pk}/identities/", {"domain": "DUNS", "identity": "1"}
    )
    assert answer.status_code == 403
    identity = DocumentIdentity.objects.create(connection=connection, domain="DUNS", identity="2")
    assert client.post(f"/suppliers/identities/{identity.pk}/delete/").status_code == 403
    assert list(DocumentIdentity.objects.values_list("identity", flat=True)) == ["2"]


def test_an_administrator_removes_an_identity(
    client: Client, admin_client: Client, setup: tuple[PunchOutConnection, PurchaseOrder]
) -> None:
    connection, _po = setup
    identity = DocumentIdentity.objects.create(connection=connection, domain="DUNS", identity="123456789")
    answer = admin_client.post(f"/suppliers/identities/{identity.pk}/delete/")
    assert answer.status_code == 302
    assert not DocumentIdentity.objects.exists()
    assert post_status(client, signed("123456789")).code == 401
