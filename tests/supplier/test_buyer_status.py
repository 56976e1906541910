"""The buyer's StatusUpdateRequest: kept against our invoice or its order, shown in Your account and
in the API; unknown references and wrong secrets refused with a coded answer, nothing stored."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from openprocure.core.models import User
from openprocure.supplier.fulfilment import services
from openprocure.supplier.fulfilment.models import BuyerStatus, Invoice
from openprocure.supplier.orders.models import Order
from openprocure.supplier.orders.services import create_api_key
from punchout import cxml
from tests.supplier.worlds import PASSWORD, make_operator, place, send

pytestmark = pytest.mark.django_db


def status_update(
    reference: str | None,
    *,
    invoice_status: cxml.InvoiceStatus | None = None,
    document_status: cxml.DocumentStatus | None = None,
    secret: str = "acme-shared-secret",
    payload_id: str | None = None,
    note: str = "",
) -> bytes:
    return cxml.build(
        cxml.CXML(
            message=cxml.StatusUpdateRequest(
                cxml.Status(200, "OK", note),
                reference,
                invoice_status,
                document_status=document_status,
            ),
            payload_id=payload_id or cxml.new_payload_id("buyer.example"),
            timestamp=datetime.now(UTC).replace(microsecond=0),
            header=cxml.make_header(
                from_=[cxml.Credential("NetworkId", "ACME")],
                to=[cxml.Credential("NetworkId", "MARKETPLACE")],
                sender=[cxml.Credential("NetworkId", "ACME", secret)],
                user_agent="Buyer test 1.0",
            ),
        )
    )


def admin() -> User:
    return User.objects.get(email="admin@acme.test")


@pytest.fixture
def invoiced(client, shop) -> Invoice:
    order = place(client, [("B000PAPER1", 3)])
    services.ship(order_ids=[order.pk], carrier="UPS", tracking_number="1Z999", by=make_operator())
    return Invoice.objects.get()


def test_the_profile_lists_status_update(client, shop):
    response = client.post(
        "/cxml/",
        cxml.build(
            cxml.CXML(
                message=cxml.ProfileRequest(),
                payload_id="profile-1@buyer.example",
                timestamp=datetime.now(UTC).replace(microsecond=0),
                header=cxml.make_header(
                    from_=[cxml.Credential("NetworkId", "ACME")],
                    to=[cxml.Credential("NetworkId", "MARKETPLACE")],
                    sender=[cxml.Credential("NetworkId", "ACME", "acme-shared-secret")],
                    user_agent="Buyer test 1.0",
                ),
            )
        ),
        content_type="text/xml",
    )
    profile = cxml.parse(response.content).document.message
    assert "StatusUpdateRequest" in [t.request_name for t in profile.transactions]
    # Orders name cart lines only: the profile says free-text lines are refused.
    assert cxml.profile.free_text_declared(profile) is False
    [order] = [t for t in profile.transactions if t.request_name == "OrderRequest"]
    assert [(o.name, o.value) for o in order.options] == [("freeTextLines", "no")]


def test_invoice_status_is_kept_shown_and_a_repeat_is_kept_once(client, invoiced):
    body = status_update(
        invoiced.payload_id,
        invoice_status=cxml.InvoiceStatus(
            cxml.InvoiceStatusType.RECONCILED, invoiced.number, comments=[cxml.Comment("Matched", "en")]
        ),
        payload_id="status-1@buyer.example",
        note="Approved for payment",
    )
    status = send(client, body)
    assert (status.code, status.message) == (200, f"Status Reconciled kept for {invoiced.number}.")
    again = send(client, body)
    assert (again.code, again.message) == (200, f"Already received: status Reconciled for {invoiced.number}.")
    kept = BuyerStatus.objects.get()
    assert (kept.invoice, kept.order, kept.kind, kept.status_type, kept.message, kept.comments) == (
        invoiced,
        invoiced.order,
        "invoice",
        "reconciled",
        "Approved for payment",
        "Matched",
    )
    invoiced.refresh_from_db()
    assert invoiced.status == "issued"
    # Your account: the order page and the invoices page.
    assert client.login(username="buyer@acme.test", password=PASSWORD)
    page = client.get(f"/account/orders/{invoiced.order.number}/").content.decode()
    assert f"invoice {invoiced.number}: <strong>Reconciled</strong> — Approved for payment — Matched" in page
    invoices = client.get("/account/invoices/").content.decode()
    assert "<td>Issued</td><td>Reconciled <small>" in invoices


def test_paid_in_full_marks_the_invoice_paid_and_a_partial_payment_does_not(client, invoiced):
    partial = status_update(
        invoiced.payload_id,
        invoice_status=cxml.InvoiceStatus(
            cxml.InvoiceStatusType.PAID, partial_amount=cxml.Money(Decimal("10.00"), "EUR")
        ),
    )
    assert send(client, partial).code == 200
    invoiced.refresh_from_db()
    assert invoiced.status == "issued"
    full = status_update(invoiced.payload_id, invoice_status=cxml.InvoiceStatus(cxml.InvoiceStatusType.PAID))
    assert send(client, full).code == 200
    invoiced.refresh_from_db()
    assert invoiced.status == "paid"
    # The API shows both, newest first, with the amount of the partial payment.
    _key, token = create_api_key(business=invoiced.business, by=admin(), name="ERP")
    data = client.get(f"/api/invoices/{invoiced.number}", headers={"Authorization": f"Bearer {token}"}).json()
    assert data["status"] == "paid"
    assert [(s["status"], s["amount_paid"]) for s in data["buyer_statuses"]] == [
        ("paid", None),
        ("paid", "10.00"),
    ]


def test_a_document_status_about_an_order_by_its_po_number(client, shop):
    order = place(client, [("B000PAPER1", 3)])
    body = status_update(
        None, document_status=cxml.DocumentStatus("received", "PO-2026-000001", "OrderRequest")
    )
    assert send(client, body).code == 200
    kept = BuyerStatus.objects.get()
    assert (kept.order, kept.invoice, kept.kind, kept.status_type) == (order, None, "document", "received")
    _key, token = create_api_key(business=order.business, by=admin(), name="ERP")
    data = client.get(f"/api/orders/{order.number}", headers={"Authorization": f"Bearer {token}"}).json()
    assert [(s["kind"], s["status"], s["invoice"]) for s in data["buyer_statuses"]] == [
        ("document", "received", None)
    ]


def test_an_unknown_reference_is_refused_with_what_to_send(client, shop):
    status = send(
        client,
        status_update("nobody@buyer.example", invoice_status=cxml.InvoiceStatus(cxml.InvoiceStatusType.PAID)),
    )
    assert status.code == 400
    assert "We have no order or invoice of yours for 'nobody@buyer.example'" in status.message
    assert not BuyerStatus.objects.exists()


def test_a_wrong_secret_is_refused_and_nothing_is_kept(client, invoiced):
    body = status_update(
        invoiced.payload_id,
        invoice_status=cxml.InvoiceStatus(cxml.InvoiceStatusType.PAID),
        secret="wrong",
    )
    assert send(client, body).code == 401
    assert not BuyerStatus.objects.exists()
    invoiced.refresh_from_db()
    assert invoiced.status == "issued"
    assert Order.objects.count() == 1
