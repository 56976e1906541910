"""A connection keeps the transactions its supplier's ProfileResponse lists (Test connection and the
daily refresh); an invoice status goes only to a supplier that accepts it, and its history follows
the outbox message: never "sent" when it was refused."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from openprocure.buyer.invoicing.models import Invoice, InvoiceException, ToleranceRule
from openprocure.buyer.suppliers.models import PunchOutConnection
from openprocure.buyer.suppliers.services import refresh_profiles
from openprocure.core.models import OutboxMessage, User
from openprocure.core.outbox import deliver_message
from punchout import cxml
from tests.buyer.fulfilment_world import ap_clerk, envelope, invoice_request, make_po, make_supplier, post
from tests.buyer.punchout_world import SupplierServer, status_response
from tests.partner_server import PartnerServer, cxml_response, free_port_url

pytestmark = pytest.mark.django_db


def profile_response(*names: str) -> bytes:
    transactions = "".join(
        f'<Transaction requestName="{name}"><URL>http://market.test/cxml/</URL></Transaction>'
        for name in names
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<cXML payloadID="p1@market.test" timestamp="2026-11-26T10:00:00+00:00"><Response>'
        '<Status code="200" text="OK"/><ProfileResponse effectiveDate="2026-01-01T00:00:00+00:00">'
        f"{transactions}</ProfileResponse></Response></cXML>"
    ).encode()


@pytest.fixture
def admin(acme: PunchOutConnection) -> Client:
    client = Client()
    client.force_login(User.objects.get(email="admin@acme.test"))
    return client


def test_test_connection_keeps_the_transactions_and_a_refusal_keeps_the_last_ones(
    acme: PunchOutConnection, admin: Client
) -> None:
    answers = [
        (200, profile_response("OrderRequest", "StatusUpdateRequest")),
        (200, status_response(401, "Unauthorized", "Unknown buyer")),
    ]
    with SupplierServer(lambda body: answers.pop(0)) as server:
        acme.setup_url = server.url
        acme.save(update_fields=["setup_url"])
        assert admin.post(f"/suppliers/connections/{acme.pk}/test/").status_code == 200
        acme.refresh_from_db()
        assert acme.supported_transactions == {
            "OrderRequest": "http://market.test/cxml/",
            "StatusUpdateRequest": "http://market.test/cxml/",
        }
        read_at = acme.profile_refreshed_at
        assert read_at is not None
        assert acme.accepts("StatusUpdateRequest")
        admin.post(f"/suppliers/connections/{acme.pk}/test/")
    acme.refresh_from_db()
    assert (acme.last_test_ok, acme.profile_refreshed_at) == (False, read_at)
    assert list(acme.supported_transactions) == ["OrderRequest", "StatusUpdateRequest"]


def test_the_daily_refresh_reads_only_profiles_a_day_old(acme: PunchOutConnection) -> None:
    with SupplierServer(lambda body: (200, profile_response("OrderRequest"))) as server:
        PunchOutConnection.objects.filter(pk=acme.pk).update(setup_url=server.url)
        assert refresh_profiles() == 1
        assert refresh_profiles() == 0  # read a moment ago
        assert len(server.received) == 1
        PunchOutConnection.objects.filter(pk=acme.pk).update(
            profile_refreshed_at=timezone.now() - timedelta(days=1, minutes=1)
        )
        assert refresh_profiles() == 1
        assert len(server.received) == 2
    acme.refresh_from_db()
    assert acme.supported_transactions == {"OrderRequest": "http://market.test/cxml/"}
    assert not acme.accepts("StatusUpdateRequest")


def test_a_failed_refresh_is_retried_ten_minutes_later(acme: PunchOutConnection) -> None:
    answers = [
        (200, status_response(500, "Internal Server Error", "Profile down")),
        (200, profile_response("X")),
    ]
    with SupplierServer(lambda body: answers.pop(0)) as server:
        PunchOutConnection.objects.filter(pk=acme.pk).update(setup_url=server.url)
        assert refresh_profiles() == 0
        acme.refresh_from_db()
        assert (acme.last_test_ok, acme.profile_refreshed_at) == (False, None)
        assert refresh_profiles() == 0
        assert len(server.received) == 1  # not asked again at once
        assert refresh_profiles(now=timezone.now() + timedelta(minutes=11)) == 1
        assert len(server.received) == 2
    acme.refresh_from_db()
    assert (acme.last_test_ok, list(acme.supported_transactions)) == (True, ["X"])


def test_a_supplier_not_started_yet_is_asked_again_at_the_next_run(acme: PunchOutConnection) -> None:
    PunchOutConnection.objects.filter(pk=acme.pk).update(setup_url=free_port_url())
    assert refresh_profiles() == 0
    acme.refresh_from_db()
    assert (acme.last_tested_at, acme.profile_refreshed_at) == (None, None)
    with SupplierServer(lambda body: (200, profile_response("OrderRequest"))) as server:
        PunchOutConnection.objects.filter(pk=acme.pk).update(setup_url=server.url)
        assert refresh_profiles() == 1


def _credit_requested(client: Client, callbacks: Any, url: str, transactions: dict[str, str]) -> Invoice:
    supplier, connection = make_supplier(order_url=url)
    PunchOutConnection.objects.filter(pk=connection.pk).update(supported_transactions=transactions)
    make_po(supplier, connection, lines=[("PAPER-A4", "10", "10.00")])
    ToleranceRule.objects.create(mode="2way", price_pct=Decimal("2"), price_abs=Decimal("0.10"))
    post(
        client,
        envelope(invoice_request(invoice_id="INV-2", lines=[(1, "10", "10.50")]), payload_id="inv-2@s"),
    )
    exception = InvoiceException.objects.get(status="open")
    client.force_login(ap_clerk())
    with callbacks(execute=True):
        answer = client.post(
            f"/invoicing/exceptions/{exception.pk}/credit/", {"reason": "Price agreed at 10.00"}
        )
    assert answer.status_code == 302
    return Invoice.objects.get()


def test_no_status_to_a_supplier_that_does_not_accept_it(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    invoice = _credit_requested(
        client, django_capture_on_commit_callbacks, "https://supplier.test/cxml", {"OrderRequest": "x"}
    )
    assert invoice.status == "credit_req"
    assert not OutboxMessage.objects.filter(kind="StatusUpdateRequest").exists()
    page = client.get(f"/invoicing/{invoice.pk}/").content.decode()
    assert "Status not sent: the supplier does not accept status updates" in page
    assert "Status sent to the supplier" not in page


def test_a_refused_status_shows_as_not_delivered_never_as_sent(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with PartnerServer() as partner:
        partner.script(
            (200, cxml_response(450, "Not Implemented", "StatusUpdateRequest is not accepted here"))
        )
        invoice = _credit_requested(
            client, django_capture_on_commit_callbacks, partner.url, {"StatusUpdateRequest": partner.url}
        )
        # the exception was told first (207 En litige), then the request for a credit memo
        disputed, message = OutboxMessage.objects.filter(kind="StatusUpdateRequest").order_by("pk")
        assert '<Extrinsic name="invoiceStatusDetailCode">207</Extrinsic>' in disputed.body
        assert '<Extrinsic name="invoiceStatusDetailCode">206</Extrinsic>' in message.body
        page = client.get(f"/invoicing/{invoice.pk}/").content.decode()
        assert "Status waiting to be sent to the supplier" in page
        assert not deliver_message(message.pk).delivered
    message.refresh_from_db()
    assert message.status == "failed"
    page = client.get(f"/invoicing/{invoice.pk}/").content.decode()
    assert "Status could not be delivered to the supplier: " in page
    assert "StatusUpdateRequest is not accepted here" in page
    assert "Status sent to the supplier" not in page


def test_our_cxml_endpoint_answers_a_known_suppliers_profile_request(client: Client, settings: Any) -> None:
    settings.PUBLIC_URL = "https://buy.acme.test"
    make_supplier()
    answer = client.post(
        "/cxml/", data=envelope(cxml.ProfileRequest(), payload_id="profile-1@s"), content_type="text/xml"
    )
    document = cxml.parse(answer.content).document
    assert document.status is not None and document.status.code == 200
    assert isinstance(document.message, cxml.ProfileResponse)
    assert [(t.request_name, t.url) for t in document.message.transactions] == [
        ("ConfirmationRequest", "https://buy.acme.test/cxml/"),
        ("InvoiceDetailRequest", "https://buy.acme.test/cxml/"),
        ("ProfileRequest", "https://buy.acme.test/cxml/"),
        ("ShipNoticeRequest", "https://buy.acme.test/cxml/"),
        ("StatusUpdateRequest", "https://buy.acme.test/cxml/"),
    ]


def test_a_profile_request_with_a_wrong_secret_is_refused(client: Client) -> None:
    make_supplier()
    answer = client.post(
        "/cxml/",
        data=envelope(cxml.ProfileRequest(), payload_id="profile-2@s", secret="not-the-secret"),
        content_type="text/xml",
    )
    document = cxml.parse(answer.content).document
    assert document.status is not None and document.status.code == 401
    assert document.message is None or not isinstance(document.message, cxml.ProfileResponse)


def test_cxml_requests_other_than_orders_go_where_the_profile_says_and_never_to_an_oagis_order_url() -> None:
    _supplier, connection = make_supplier()
    connection.order_url = "https://supplier.test/cxml/"
    assert connection.cxml_url("StatusUpdateRequest") == "https://supplier.test/cxml/"
    connection.order_channel, connection.order_url = "oagis", "https://supplier.test/oagis/"
    assert connection.cxml_url("StatusUpdateRequest") == ""  # the OAGIS endpoint reads no cXML
    connection.supported_transactions = {"StatusUpdateRequest": "https://supplier.test/cxml/status"}
    assert connection.cxml_url("StatusUpdateRequest") == "https://supplier.test/cxml/status"
    connection.order_channel = "email"
    assert connection.cxml_url("StatusUpdateRequest") == "https://supplier.test/cxml/status"
    assert connection.cxml_url("ProfileRequest") == ""
