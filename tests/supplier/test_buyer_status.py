"""The buyer's StatusUpdateRequest: kept against our invoice or its order, shown in Your account and
in the API; unknown references and wrong secrets refused with a coded answer, nothing stored."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from openprocure.core.models import User
from openprocure.supplier.fulfilment import services
from openprocure.supplier.fulfilment.models import BuyerStatus, Invoice
from openprocure.supplier.orders.models import Order
from openprocure.supplier.orders.services import create_api_key
from punchout import cxml
from tests.supplier.worlds import PASSWORD, disputed_rows, make_operator, place, send, status_update

pytestmark = pytest.mark.django_db


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
    assert (
        '<td>Issued</td><td><span class="buyer-status"><strong>Reconciled</strong> — <span class="wrap">Matched</span> <small>'
        in invoices
    )


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


def test_updates_without_a_payload_id_are_each_kept(client, shop):
    # Kept before under an empty payloadID: every later update without one was taken for a repeat
    # of the first, answered 200 and dropped.
    order = place(client, [("B000PAPER1", 3)])
    for state in ("received", "approved"):
        body = status_update(
            None, document_status=cxml.DocumentStatus(state, "PO-2026-000001", "OrderRequest")
        )
        body, removed = re.subn(rb' payloadID="[^"]*"', b"", body, count=1)
        assert removed == 1
        assert send(client, body).code == 200
    assert sorted((s.order, s.status_type) for s in BuyerStatus.objects.all()) == [
        (order, "approved"),
        (order, "received"),
    ]


def test_a_payload_id_longer_than_kept_is_refused(client, shop):
    place(client, [("B000PAPER1", 3)])
    body = status_update(
        None,
        document_status=cxml.DocumentStatus("received", "PO-2026-000001", "OrderRequest"),
        payload_id="s" * 251,
    )
    status = send(client, body)
    assert (status.code, status.message) == (
        400,
        "The payloadID has 251 characters; at most 250 are accepted. Send a shorter one.",
    )
    assert BuyerStatus.objects.count() == 0


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


def _credit_memo_requested(invoice: Invoice, payload_id: str, reason: str) -> bytes:
    """A request for a credit memo as the buyer suite sends it: type processing, the clerk's reason
    as the comment, an English note, and the Extrinsic that names it."""
    return status_update(
        invoice.payload_id,
        invoice_status=cxml.InvoiceStatus(
            cxml.InvoiceStatusType.PROCESSING, invoice.number, comments=[cxml.Comment(reason)]
        ),
        payload_id=payload_id,
        note=f"Credit memo requested — {reason}",
        extrinsics=[cxml.Extrinsic("invoiceStatusDetail", "creditMemoRequested")],
    )


def test_a_credit_memo_request_shows_on_the_invoice_pages_and_in_the_operators_queue(client, invoiced):
    number, order = invoiced.number, invoiced.order
    status = send(client, _credit_memo_requested(invoiced, "status-1@buyer.example", "Price agreed at 10.00"))
    assert (status.code, status.message) == (200, f"Status Credit memo requested kept for {number}.")
    kept = BuyerStatus.objects.get()
    assert (kept.status_type, kept.detail, kept.comments) == (
        "processing",
        "creditMemoRequested",
        "Price agreed at 10.00",
    )
    latest = '<span class="buyer-status"><strong>{label}</strong> — <span class="wrap">Price agreed at 10.00</span> <small>'
    # Your account, in the reader's language: the label translated, the buyer's words as written.
    assert client.login(username="admin@acme.test", password=PASSWORD)
    english = client.get("/account/invoices/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert latest.format(label="Credit memo requested") in english
    french = client.get("/account/invoices/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert latest.format(label="Avoir demandé") in french
    assert "Status history" not in english  # one status: nothing more to show
    # The operators: in the queue with the buyer's reason, and on the order's support page.
    client.force_login(User.objects.get(email="operator@marketplace.test"))
    assert disputed_rows(client) == [
        [number, f"{order.number} ({order.buyer_order_id})", "Acme Industries", "Credit memo requested",
         "Price agreed at 10.00", disputed_rows(client)[0][5]],
    ]  # fmt: skip
    support = client.get(f"/support/orders/{order.number}/").content.decode()
    assert f"{number} — " in support and latest.format(label="Credit memo requested") in support

    # The buyer reconciles it later: the history shows both, newest first, and the queue is empty.
    reconciled = status_update(
        invoiced.payload_id,
        invoice_status=cxml.InvoiceStatus(cxml.InvoiceStatusType.RECONCILED, number),
        payload_id="status-2@buyer.example",
    )
    assert send(client, reconciled).code == 200
    assert disputed_rows(client) == []
    assert client.login(username="admin@acme.test", password=PASSWORD)
    french = client.get("/account/invoices/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    history = french.split('<details class="buyer-status-history">', 1)[1].split("</details>", 1)[0]
    assert "<summary>Historique des statuts</summary>" in history
    assert [
        re.sub(r"<[^>]+>", "", item).split(" — ", 1)[1] for item in re.findall(r"<li>(.*?)</li>", history)
    ] == [
        "Rapprochée",
        "Avoir demandé — Price agreed at 10.00",
    ]


def test_a_rejection_reaches_the_operators_with_the_buyers_reason(client, invoiced):
    body = status_update(
        invoiced.payload_id,
        invoice_status=cxml.InvoiceStatus(
            cxml.InvoiceStatusType.REJECTED, invoiced.number, comments=[cxml.Comment("Goods never arrived")]
        ),
        note="Goods never arrived",
    )
    assert send(client, body).code == 200
    client.force_login(User.objects.get(email="operator@marketplace.test"))
    [row] = disputed_rows(client)
    assert row[:5] == [
        invoiced.number,
        f"{invoiced.order.number} ({invoiced.order.buyer_order_id})",
        "Acme Industries",
        "Rejected",
        "Goods never arrived",
    ]
    # A status that asks nothing of the operators is not in the queue.
    BuyerStatus.objects.update(status_type="reconciled")
    assert disputed_rows(client) == []


def test_a_credit_memo_request_worded_without_the_extrinsic_is_recognised(client, invoiced):
    body = status_update(
        invoiced.payload_id,
        invoice_status=cxml.InvoiceStatus(
            cxml.InvoiceStatusType.PROCESSING,
            invoiced.number,
            comments=[cxml.Comment("Credit memo requested — Wrong price", "en")],
        ),
        note="Credit memo requested — Wrong price",
    )
    assert send(client, body).code == 200
    kept = BuyerStatus.objects.get()
    assert (kept.detail, kept.label, kept.note) == (
        "creditMemoRequested",
        "Credit memo requested",
        "Credit memo requested — Wrong price",
    )
    # Being processed, without those words, is only that.
    other = status_update(
        invoiced.payload_id,
        invoice_status=cxml.InvoiceStatus(cxml.InvoiceStatusType.PROCESSING, invoiced.number),
        note="In the approval queue",
    )
    assert send(client, other).code == 200
    latest = BuyerStatus.objects.order_by("-id").first()
    assert (latest.detail, latest.label, latest.note) == ("", "Being processed", "In the approval queue")
