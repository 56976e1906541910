"""French lifecycle statuses of our invoices: read from the buyer's StatusUpdateRequest (its
invoiceStatusDetailCode Extrinsic), shown on the invoice pages and in the API, 207/210 in the
operators' queue, and 212 Encaissée said when our staff record the payment."""

from __future__ import annotations

import pytest

from openprocure.core.lifecycle import LifecycleError
from openprocure.core.models import User
from openprocure.supplier.fulfilment import lifecycle, services
from openprocure.supplier.fulfilment.models import BuyerStatus, Invoice
from openprocure.supplier.orders.models import OrderEvent
from openprocure.supplier.orders.services import create_api_key
from punchout import cxml
from tests.supplier.worlds import PASSWORD, disputed_rows, make_operator, place, send, status_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoiced(client, shop) -> Invoice:
    order = place(client, [("B000PAPER1", 3)])
    services.ship(order_ids=[order.pk], carrier="UPS", tracking_number="1Z999", by=make_operator())
    return Invoice.objects.get()


def _refused(invoice: Invoice, payload_id: str, code: str = "210", reason: str = "CMD_ERR") -> bytes:
    extrinsics = [cxml.Extrinsic("invoiceStatusDetailCode", code)]
    if reason:
        extrinsics.append(cxml.Extrinsic("invoiceStatusDetailReasonCode", reason))
    return status_update(
        invoice.payload_id,
        invoice_status=cxml.InvoiceStatus(
            cxml.InvoiceStatusType.REJECTED, invoice.number, comments=[cxml.Comment("No such order")]
        ),
        payload_id=payload_id,
        extrinsics=extrinsics,
    )


def test_a_refusal_is_recorded_shown_and_queued_with_its_reason(
    client, invoiced, lifecycle_heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = send(client, _refused(invoiced, "life-1@buyer.example"))
    assert answer.code == 200
    kept = BuyerStatus.objects.get()
    assert (kept.lifecycle_code, kept.reason_code, kept.label) == (
        "210",
        "CMD_ERR",
        "210 Refused (CMD_ERR Wrong order reference)",
    )
    invoiced.refresh_from_db()
    assert invoiced.lifecycle_status == "210"
    event = OrderEvent.objects.get(kind="invoice_lifecycle")
    assert (event.detail["code"], event.detail["reason_code"], event.detail["received"]) == (
        "210",
        "CMD_ERR",
        True,
    )
    assert [(m.status, m.reason_code, m.sender_role, r) for m, r in lifecycle_heard] == [
        ("210", "CMD_ERR", "buyer", True)
    ]
    client.force_login(User.objects.get(email="operator@marketplace.test"))
    rows = disputed_rows(client)
    assert [row[3:5] for row in rows] == [["210 Refused (CMD_ERR Wrong order reference)", "No such order"]]
    # Your account, in French: the official name
    assert client.login(username="admin@acme.test", password=PASSWORD)
    french = client.get("/account/invoices/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "210 Refusée" in french
    # the API
    key = create_api_key(
        business=invoiced.business, by=User.objects.get(email="admin@acme.test"), name="erp"
    )[1]
    body = client.get(f"/api/invoices/{invoiced.number}", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert body["lifecycle_status"] == "210"
    assert (body["buyer_statuses"][0]["lifecycle_code"], body["buyer_statuses"][0]["reason_code"]) == (
        "210",
        "CMD_ERR",
    )
    # refused is final: the payment cannot be cashed
    client.force_login(User.objects.get(email="operator@marketplace.test"))
    client.post(f"/fulfilment/invoices/{invoiced.number}/payment-received/")
    invoiced.refresh_from_db()
    assert invoiced.lifecycle_status == "210"


def test_a_refusal_without_its_reason_code_is_refused_naming_the_extrinsic(client, invoiced):
    answer = send(client, _refused(invoiced, "life-2@buyer.example", reason=""))
    assert answer.code == 400
    assert "Status 210 needs a reason code among" in (answer.message or "")
    assert not BuyerStatus.objects.exists()
    answer = send(client, _refused(invoiced, "life-3@buyer.example", code="299", reason=""))
    assert answer.code == 400
    assert not BuyerStatus.objects.exists()


def test_payment_recorded_by_staff_says_cashed(
    client, invoiced, lifecycle_heard, django_capture_on_commit_callbacks
):
    client.force_login(User.objects.get(email="admin@acme.test"))
    refused = client.post(f"/fulfilment/invoices/{invoiced.number}/payment-received/")
    assert refused.status_code == 403
    client.force_login(User.objects.get(email="operator@marketplace.test"))
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/fulfilment/invoices/{invoiced.number}/payment-received/")
    assert answer.status_code == 302
    invoiced.refresh_from_db()
    assert (invoiced.status, invoiced.lifecycle_status) == ("paid", "212")
    assert [(m.status, m.sender_role, m.invoice_number, r) for m, r in lifecycle_heard] == [
        ("212", "seller", invoiced.number, False)
    ]
    support = client.get(f"/support/orders/{invoiced.order.number}/").content.decode()
    assert "212 Cashed" in support
    again = client.post(f"/fulfilment/invoices/{invoiced.number}/payment-received/", follow=True)
    assert f"The payment of invoice {invoiced.number} is already recorded." in again.content.decode()


def test_a_status_from_a_platform_is_kept_once_and_recorded(
    invoiced, lifecycle_heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = lifecycle.receive(invoice=invoiced, code="205", reference="cdar-205-1")
        again = lifecycle.receive(invoice=invoiced, code="205", reference="cdar-205-1")
    assert first.pk == again.pk and BuyerStatus.objects.count() == 1
    assert (first.label, first.lifecycle_code, first.kind) == ("205 Approved", "205", "invoice")
    invoiced.refresh_from_db()
    assert invoiced.lifecycle_status == "205"
    assert [(m.status, r) for m, r in lifecycle_heard] == [("205", True)]
    with pytest.raises(LifecycleError, match="needs a reason code"):
        lifecycle.receive(invoice=invoiced, code="207", reference="cdar-207-1")
    assert BuyerStatus.objects.count() == 1


def test_a_status_with_a_reference_longer_than_a_payload_id_is_kept_once(
    invoiced, django_capture_on_commit_callbacks
):
    reference = "cdar-" + "x" * 300
    with django_capture_on_commit_callbacks(execute=True):
        first = lifecycle.receive(invoice=invoiced, code="205", reference=reference)
        again = lifecycle.receive(invoice=invoiced, code="205", reference=reference)
    assert first.pk == again.pk and BuyerStatus.objects.count() == 1
    assert first.payload_id == reference[:250]
