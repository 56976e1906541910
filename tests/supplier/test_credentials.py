"""Administrators replace the cXML shared secret and the OCI password, through HTTP."""

from __future__ import annotations

import logging
import re

import pytest

from openprocure.core.models import DeliveryAttempt, Document, OutboxMessage, User
from openprocure.core.outbox import deliver_message
from openprocure.supplier.business.models import Integration, SettingsChange
from openprocure.supplier.orders import documents
from openprocure.supplier.orders.crypto import decrypt_secret, encrypt_secret
from openprocure.supplier.orders.models import OrderSettings
from openprocure.supplier.punchout.models import PunchOutSession
from punchout import cxml
from punchout.cxml.profile import ProfileRequest
from tests.partner_server import PartnerServer
from tests.supplier.worlds import make_business, make_integration, make_member, post_setup, setup_request

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
    assert post_setup(client, setup_request(secret="acme-shared-secret")).status.code == 200

    new = replace(client, "shared_secret", reason="Secret pasted in a ticket")
    assert len(new) >= 40 and new != "acme-shared-secret"
    old = post_setup(client, setup_request(secret="acme-shared-secret", cookie="after-old")).status
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
    # Shown once: the management page never shows it again.
    assert new not in client.get("/business/").content.decode()


def test_documents_waiting_for_the_buyer_carry_the_secret_of_the_moment_they_are_sent(
    client, acme, caplog
) -> None:
    """Documents are stored with the secret masked and get the business's secret at each attempt:
    one replaced between enqueue and delivery is the one the buyer receives, and no row holds either."""
    caplog.set_level(logging.DEBUG)
    globex_business, globex_admin = make_business("Globex", "admin@globex.test")
    globex = make_integration(globex_business, globex_admin, identity="GLOBEX", secret="globex-shared-secret")
    with PartnerServer() as buyer:
        for integration, secret in ((acme, "acme-shared-secret"), (globex, "globex-shared-secret")):
            # As the first authenticated OrderRequest of each business would have left them.
            OrderSettings.objects.update_or_create(
                integration=integration,
                defaults={"buyer_cxml_url": buyer.url, "outbound_secret_encrypted": encrypt_secret(secret)},
            )
        first, waiting = documents.send_all(
            acme, [ProfileRequest(), ProfileRequest()], reference="r", is_test=True
        )
        [theirs] = documents.send_all(globex, [ProfileRequest()], reference="g", is_test=True)
        assert deliver_message(first.pk).delivered
        stored = [OutboxMessage.objects.get(pk=m.pk).body for m in (waiting, theirs)]
        assert all("<SharedSecret>********</SharedSecret>" in body for body in stored)

        client.force_login(User.objects.get(email="admin@acme.test"))
        new = replace(client, "shared_secret", reason="Rotated")
        assert [deliver_message(m.pk).delivered for m in (waiting, theirs)] == [True, True]
        # Nothing was rewritten: the bodies are as they were stored.
        assert [OutboxMessage.objects.get(pk=m.pk).body for m in (waiting, theirs)] == stored
    sent = [cxml.parse(r.body).document.header.sender_secret for r in buyer.received]
    assert sent == ["acme-shared-secret", new, "globex-shared-secret"]
    every_row = str(
        [list(model.objects.values_list()) for model in (OutboxMessage, DeliveryAttempt, Document)]
    )
    for secret in ("acme-shared-secret", new, "globex-shared-secret"):
        assert secret not in every_row
        assert secret not in caplog.text


def test_the_admin_shows_the_outbox_and_the_journal_masked(client, acme) -> None:
    with PartnerServer() as buyer:
        OrderSettings.objects.filter(integration=acme).update(
            buyer_cxml_url=buyer.url, outbound_secret_encrypted=encrypt_secret("acme-shared-secret")
        )
        [message] = documents.send_all(
            Integration.objects.get(pk=acme.pk), [ProfileRequest()], reference="r", is_test=True
        )
        assert deliver_message(message.pk).delivered
    superuser = User.objects.create_superuser("root@marketplace.test", "a-long-password-1")
    client.force_login(superuser)
    pages = [
        client.get(f"/admin/core/outboxmessage/{message.pk}/change/"),
        client.get(f"/admin/core/document/{message.document_id}/change/"),
    ]
    for page in pages:
        text = page.content.decode()
        assert page.status_code == 200
        assert "acme-shared-secret" not in text
        assert "&lt;SharedSecret&gt;********&lt;/SharedSecret&gt;" in text


def test_the_oci_password_is_replaced_on_its_own(client, acme, products) -> None:
    client.force_login(User.objects.get(email="admin@acme.test"))
    new = replace(client, "oci_password")
    assert len(new) >= 16
    callup = {"USERNAME": acme.oci_username, "HOOK_URL": HOOK, "email": "buyer@acme.test"}
    assert client.get("/oci/", callup | {"PASSWORD": "oci-password-1"}).status_code == 401
    assert client.get("/oci/", callup | {"PASSWORD": new}).status_code == 302
    # The cXML secret is untouched.
    assert post_setup(client, setup_request(secret="acme-shared-secret")).status.code == 200
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
    assert post_setup(client, setup_request(secret="acme-shared-secret")).status.code == 200
    assert SettingsChange.objects.count() == 0


def test_a_short_shared_secret_is_refused_when_punchout_is_added() -> None:
    from django.core.exceptions import ValidationError

    from openprocure.supplier.business import services

    business, admin = make_business()
    with pytest.raises(ValidationError) as refused:
        services.add_punchout(
            business=business, by=admin, buyer_identity="ACME", buyer_domain="NetworkId", shared_secret="a"
        )
    assert refused.value.messages == [
        "A shared secret must be at least 16 characters long; this one has 1. A short secret can be guessed: "
        "agree on a longer one with your trading partner."
    ]
    assert Integration.objects.filter(business=business).count() == 0
    # Without one given, the generated secret is long.
    created = services.add_punchout(
        business=business, by=admin, buyer_identity="ACME", buyer_domain="NetworkId"
    )
    assert len(created.shared_secret) == 43


def test_documents_stored_before_masking_are_given_their_integration_and_masked(acme) -> None:
    """The upgrade: documents waiting in the outbox with the secret in clear keep being deliverable."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("openprocure.supplier.orders.migrations.0003_outbox_secret_source")
    with PartnerServer() as buyer:
        OrderSettings.objects.filter(integration=acme).update(
            buyer_cxml_url=buyer.url, outbound_secret_encrypted=encrypt_secret("acme-shared-secret")
        )
        [message] = documents.send_all(
            Integration.objects.get(pk=acme.pk), [ProfileRequest()], reference="r", is_test=True
        )
        legacy = message.body.replace("********", "acme-shared-secret")
        OutboxMessage.objects.filter(pk=message.pk).update(body=legacy, secret_source="")
        unknown = OutboxMessage.objects.create(
            kind="ShipNoticeRequest",
            url=buyer.url,
            payload_id="x@s.test",
            body=legacy,
            partner="NetworkId:NOBODY",
        )
        migration.attribute_and_mask(apps, None)
        rows = {m.pk: (m.secret_source, m.body) for m in OutboxMessage.objects.all()}
        masked = legacy.replace("acme-shared-secret", "********")
        assert rows == {message.pk: (str(acme.pk), masked), unknown.pk: ("", masked)}
        assert deliver_message(message.pk).delivered
        # A document whose business is unknown cannot be sent, and says so.
        assert deliver_message(unknown.pk).status == "failed"
    assert [cxml.parse(r.body).document.header.sender_secret for r in buyer.received] == [
        "acme-shared-secret"
    ]
