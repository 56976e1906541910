"""The sites send documents to public addresses only, unless the operator allows a network
(``PARTNER_ALLOWED_NETWORKS``): a refused partner URL fails in the outbox at once, without retries,
with a message that says how to allow it; the settings' allow-list reaches the protocol core."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import translation

from openprocure.core import outbox
from openprocure.core.choices import OutboxStatus
from openprocure.core.models import DeliveryAttempt, OutboxMessage
from openprocure.core.trust import partner_url_error
from punchout import netguard
from tests.partner_server import PartnerServer

pytestmark = pytest.mark.django_db

ORDER = b'<?xml version="1.0"?><cXML payloadID="po-9@buyer.test"><Request><OrderRequest/></Request></cXML>'
HINT = "allow it with OPENPROCURE_PARTNER_ALLOWED_NETWORKS if it is yours"


def store(url: str) -> OutboxMessage:
    return outbox.enqueue_document(
        kind="OrderRequest",
        url=url,
        payload_id="po-9@buyer.test",
        body=ORDER,
        reference="PO-9",
        partner="ACME",
    )


@override_settings(PARTNER_ALLOWED_NETWORKS=[])
def test_a_refused_address_is_a_permanent_failure_that_says_how_to_allow_it() -> None:
    message = store("http://10.0.0.5:8080/cxml/")
    result = outbox.deliver_message(message.pk)
    message.refresh_from_db()
    assert (result.delivered, message.status, message.attempts) == (False, OutboxStatus.FAILED, 1)
    assert message.last_error == f"Not sent: 10.0.0.5 is a private address; {HINT}."
    attempt = DeliveryAttempt.objects.get(message=message)
    assert (attempt.outcome, attempt.status_code) == ("permanent", None)


@override_settings(PARTNER_ALLOWED_NETWORKS=[])
def test_a_partner_on_loopback_is_not_contacted_unless_allowed() -> None:
    with PartnerServer() as partner:
        refused = store(partner.url.replace("127.0.0.1", "localhost"))
        outbox.deliver_message(refused.pk)
        refused.refresh_from_db()
        assert refused.status == OutboxStatus.FAILED
        assert refused.last_error == f"Not sent: localhost resolves to a loopback address 127.0.0.1; {HINT}."
        assert partner.received == []
        # The operator allows the partner's host name; sent again, the same document goes.
        with override_settings(PARTNER_ALLOWED_NETWORKS=["localhost"]):
            outbox.retry_now(refused)
            result = outbox.deliver_message(refused.pk)
    refused.refresh_from_db()
    assert (result.delivered, refused.status, refused.attempts) == (True, OutboxStatus.DELIVERED, 2)
    assert len(partner.received) == 1


@override_settings(PARTNER_ALLOWED_NETWORKS=["10.20.0.0/16", "erp.internal.test"])
def test_the_setting_is_the_protocol_core_s_policy() -> None:
    policy = netguard.current_policy()
    assert policy.allows_host("ERP.internal.test")
    assert netguard.resolve("http://10.20.1.2/cxml/").addresses == ("10.20.1.2",)
    with pytest.raises(netguard.RefusedDestination, match=rf"^10\.21\.1\.2 is a private address; {HINT}$"):
        netguard.resolve("http://10.21.1.2/cxml/")
    with override_settings(PARTNER_ALLOWED_NETWORKS=[]):
        with pytest.raises(netguard.RefusedDestination):
            netguard.resolve("http://10.20.1.2/cxml/")


@override_settings(PARTNER_ALLOWED_NETWORKS=[])
def test_form_messages_name_the_address_in_both_languages() -> None:
    assert partner_url_error("https://93.184.215.14/cxml/") is None
    assert partner_url_error("https://erp.acme.test/cxml/") is None  # does not resolve now: said at delivery
    assert partner_url_error("http://169.254.169.254/latest/") == (
        "169.254.169.254 is a link-local address: documents are not sent there. If it is yours, an operator "
        "allows it with OPENPROCURE_PARTNER_ALLOWED_NETWORKS."
    )
    assert partner_url_error("http://localhost:8000/cxml/") == (
        "localhost resolves to a loopback address (127.0.0.1): documents are not sent there. If it is "
        "yours, an operator allows it with OPENPROCURE_PARTNER_ALLOWED_NETWORKS."
    )
    with translation.override("fr"):
        assert partner_url_error("http://10.0.0.5/cxml/") == (
            "10.0.0.5 est une adresse privée : aucun document n'y est envoyé. Si elle est à vous, un "
            "opérateur l'autorise avec OPENPROCURE_PARTNER_ALLOWED_NETWORKS."
        )
