"""Confirmations, ship notices, status updates and receiving, through HTTP as a supplier system and
a receiving clerk would use them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from openprocure.buyer.fulfilment.models import (
    Confirmation,
    GoodsReceipt,
    InboundDocument,
    LineFulfilment,
    ShipNotice,
    SupplierIssue,
)
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.core.models import Document, User
from punchout import cxml
from tests.buyer.fulfilment_world import (
    confirmation,
    envelope,
    invoice_request,
    make_po,
    make_supplier,
    money,
    post,
    receiving_desk,
    ship_notice,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def test_confirmation_that_rejects_a_line_raises_an_issue_and_mails_the_requester(
    client: Client, order: PurchaseOrder, django_capture_on_commit_callbacks: Any
) -> None:
    body = envelope(
        confirmation(
            [
                cxml.ConfirmationItem(
                    1,
                    Decimal(12),
                    "EA",
                    [
                        cxml.ConfirmationStatus(cxml.ConfirmationStatusType.ACCEPT, Decimal(8), "EA"),
                        cxml.ConfirmationStatus(cxml.ConfirmationStatusType.BACKORDERED, Decimal(4), "EA"),
                    ],
                ),
                cxml.ConfirmationItem(
                    2,
                    Decimal(5),
                    "EA",
                    [cxml.ConfirmationStatus(cxml.ConfirmationStatusType.REJECT, Decimal(5), "EA")],
                ),
            ]
        ),
        payload_id="conf-1@supplier.test",
    )
    with django_capture_on_commit_callbacks(execute=True):
        status = post(client, body)
    assert (status.code, status.text) == (200, "OK")
    assert status.message == "Confirmation of PO-2026-000001 recorded. 1 change(s) passed to the buyer."
    line1, line2 = LineFulfilment.objects.order_by("po_line__line_number")
    assert (line1.state, line1.accepted_quantity, line1.backordered_quantity) == ("backordered", 8, 4)
    assert (line2.state, line2.rejected_quantity) == ("rejected", 5)
    issue = SupplierIssue.objects.get()
    assert issue.kind == "line_rejected"
    assert issue.message == "Line 2 (PEN-BLUE): Office Supply Co rejected 5 of 5 EA."
    order.refresh_from_db()
    assert order.status == "confirmed"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["rita@acme.test"]
    assert mail.outbox[0].subject == "Order PO-2026-000001: the supplier changed or rejected lines"
    assert "- Line 2 (PEN-BLUE): Office Supply Co rejected 5 of 5 EA." in mail.outbox[0].body
    journal = Document.objects.get(direction="in", kind="ConfirmationRequest")
    assert (journal.reference, journal.partner, journal.status_code) == (
        "PO-2026-000001",
        "Office Supply Co",
        200,
    )
    assert "SharedSecret>********<" in journal.raw

    # the same payloadID again: same answer, nothing created twice
    again = post(client, body)
    assert (again.code, again.message) == (200, status.message)
    assert Confirmation.objects.count() == 1
    assert SupplierIssue.objects.count() == 1
    assert len(mail.outbox) == 1

    # the buyer sees the issue and notes a decision
    buyer = User.objects.get(email="rita@acme.test")
    client.force_login(buyer)
    page = client.get("/fulfilment/issues/")
    assert "Line 2 (PEN-BLUE): Office Supply Co rejected 5 of 5 EA." in page.content.decode()
    order_page = client.get(f"/fulfilment/orders/{order.number}/").content.decode()
    assert " — Accepted with line details C-1</li>" in order_page  # the cXML type “detail”, in words
    answer = client.post(f"/fulfilment/issues/{issue.pk}/resolve/", {"resolution": "x" * 2001}, follow=True)
    assert "Ensure this value has at most 2000 characters (it has 2001)." in answer.content.decode()
    assert SupplierIssue.objects.get(pk=issue.pk).status == "open"
    answer = client.post(f"/fulfilment/issues/{issue.pk}/resolve/", {"resolution": "Order pens elsewhere"})
    assert answer.status_code == 302
    issue.refresh_from_db()
    assert (issue.status, issue.resolution, issue.resolved_by) == ("resolved", "Order pens elsewhere", buyer)


def test_price_change_in_confirmation_is_an_issue(client: Client, order: PurchaseOrder) -> None:
    item = cxml.ConfirmationItem(
        1,
        Decimal(12),
        "EA",
        [
            cxml.ConfirmationStatus(
                cxml.ConfirmationStatusType.DETAIL, Decimal(12), "EA", unit_price=money("10.50")
            )
        ],
    )
    status = post(client, envelope(confirmation([item]), payload_id="conf-2@supplier.test"))
    assert status.code == 200
    issue = SupplierIssue.objects.get()
    assert (issue.kind, issue.message) == (
        "price_changed",
        "Line 1 (PAPER-A4): unit price changed from 10.00\xa0EUR to 10.50\xa0EUR.",
    )
    assert LineFulfilment.objects.get(po_line__line_number=1).confirmed_unit_price == Decimal("10.5")


def test_only_the_requester_or_a_procurement_administrator_resolves_a_supplier_issue(
    client: Client, order: PurchaseOrder
) -> None:
    """An AP clerk, who may see the order but not record receipts on it, sees its issues without the
    form and a resolution they post is refused (403); a stranger, who may not see the order, sees no
    issue and gets 404. Either way the issue stays open, no event is recorded."""
    item = cxml.ConfirmationItem(
        1,
        Decimal(12),
        "EA",
        [
            cxml.ConfirmationStatus(
                cxml.ConfirmationStatusType.DETAIL, Decimal(12), "EA", unit_price=money("10.50")
            )
        ],
    )
    post(client, envelope(confirmation([item]), payload_id="conf-issue@supplier.test"))
    issue = SupplierIssue.objects.get()
    events = order.events.count()
    stranger = User.objects.create_user(email="bob@acme.test", password="x-correct-horse")
    for person, shown, status in (
        (stranger, False, 404),
        (user_with_role("ap@acme.test", "ap_clerk"), True, 403),
    ):
        client.force_login(person)
        page = client.get("/fulfilment/issues/").content.decode()
        assert ("Line 1 (PAPER-A4): unit price changed from 10.00\xa0EUR to 10.50\xa0EUR." in page) is shown
        assert f"/fulfilment/issues/{issue.pk}/resolve/" not in page
        answer = client.post(f"/fulfilment/issues/{issue.pk}/resolve/", {"resolution": "New price accepted"})
        assert answer.status_code == status
        issue.refresh_from_db()
        assert (issue.status, issue.resolution, issue.resolved_by) == ("open", "", None)
        assert order.events.count() == events
    desk = receiving_desk()
    client.force_login(desk)
    assert f"/fulfilment/issues/{issue.pk}/resolve/" in client.get("/fulfilment/issues/").content.decode()
    answer = client.post(f"/fulfilment/issues/{issue.pk}/resolve/", {"resolution": "New price accepted"})
    assert answer.status_code == 302
    issue.refresh_from_db()
    assert (issue.status, issue.resolution, issue.resolved_by) == ("resolved", "New price accepted", desk)


def test_wrong_secret_is_refused_and_nothing_is_created(client: Client, order: PurchaseOrder) -> None:
    body = envelope(confirmation([], kind="accept"), payload_id="conf-3@supplier.test", secret="guess")
    status = post(client, body)
    assert (status.code, status.text) == (401, "Unauthorized")
    assert status.message == (
        "The SharedSecret in Header/Sender/Credential does not match the one agreed for "
        "NetworkId:office-supply, NetworkId:office-supply. Check the shared secret configured for this buyer."
    )
    assert Confirmation.objects.count() == 0
    assert InboundDocument.objects.count() == 0
    assert LineFulfilment.objects.count() == 0


def test_unknown_sender_is_refused(client: Client, order: PurchaseOrder) -> None:
    status = post(client, envelope(confirmation([], kind="accept"), payload_id="x@y", identity="stranger"))
    assert status.code == 401
    assert status.message.startswith(
        "Unknown sender: no supplier connection has the identity NetworkId:stranger"
    )
    assert Confirmation.objects.count() == 0


def test_confirmation_for_an_unknown_order_is_a_400(client: Client, order: PurchaseOrder) -> None:
    request = confirmation([], kind="accept")
    request.order_reference = cxml.OrderReference(order_id="PO-9999", payload_id="unknown@buyer.test")
    status = post(client, envelope(request, payload_id="conf-4@supplier.test"))
    assert status.code == 400
    assert status.message == (
        "Unknown purchase order PO-9999: no order with this number (or OrderRequest payloadID) was sent to "
        "Office Supply Co. Check the orderID in OrderReference."
    )


def test_a_payload_id_longer_than_kept_is_a_400_and_its_repeat_too(
    client: Client, order: PurchaseOrder
) -> None:
    # Accepted before: kept cut to 250 characters, its repeat was not found under the whole
    # payloadID, ran again and failed on the kept one (a 500 "send it again later", forever).
    payload_id = "asn-" + "1" * 250 + "@supplier.test"
    for _ in range(2):
        status = post(client, envelope(ship_notice("SHIP-1", [(1, "10")]), payload_id=payload_id))
        assert (status.code, status.text, status.message) == (
            400,
            "Bad Request",
            "The payloadID has 268 characters; at most 250 are accepted. Send a shorter one.",
        )
    assert ShipNotice.objects.count() == 0
    assert InboundDocument.objects.count() == 0
    assert [d.status_code for d in Document.objects.filter(direction="in", kind="ShipNoticeRequest")] == [
        400,
        400,
    ]


def test_partial_shipment_then_receive_everything_on_the_notice(client: Client, order: PurchaseOrder) -> None:
    status = post(client, envelope(ship_notice("SHIP-1", [(1, "10")]), payload_id="asn-1@supplier.test"))
    assert (status.code, status.message) == (200, "Ship notice SHIP-1 recorded.")
    notice = ShipNotice.objects.get()
    assert (notice.carrier, notice.tracking_number, notice.status) == (
        "UPS",
        "1Z999AA10123456784",
        "expected",
    )
    order.refresh_from_db()
    assert order.status == "part_shipped"
    assert LineFulfilment.objects.get(po_line__line_number=1).state == "part_shipped"

    clerk = receiving_desk()
    client.force_login(clerk)
    page = client.get(f"/fulfilment/orders/{order.number}/")
    assert "SHIP-1" in page.content.decode()
    answer = client.post(f"/fulfilment/ship-notices/{notice.pk}/receive/")
    assert answer.status_code == 302
    receipt = GoodsReceipt.objects.get()
    assert [(line.po_line.line_number, line.quantity) for line in receipt.lines.all()] == [(1, Decimal(10))]
    notice.refresh_from_db()
    assert notice.status == "received"
    order.refresh_from_db()
    assert order.status == "part_received"
    # a second click has nothing left to receive
    answer = client.post(f"/fulfilment/ship-notices/{notice.pk}/receive/", follow=True)
    assert "Ship notice SHIP-1 is Received: nothing left to receive." in answer.content.decode()
    assert GoodsReceipt.objects.count() == 1


def test_receipt_with_refused_quantity_then_a_return(client: Client, order: PurchaseOrder) -> None:
    clerk = receiving_desk()
    client.force_login(clerk)
    line1, line2 = order.lines.order_by("line_number")
    # refusing without a reason is refused
    answer = client.post(
        f"/fulfilment/orders/{order.number}/receive/",
        {f"qty_{line1.pk}": "10", f"rejected_{line1.pk}": "2", f"reason_{line1.pk}": ""},
    )
    assert "Line 1: say why 2 were refused." in answer.content.decode()
    assert GoodsReceipt.objects.count() == 0
    answer = client.post(
        f"/fulfilment/orders/{order.number}/receive/",
        {
            f"qty_{line1.pk}": "10",
            f"rejected_{line1.pk}": "2",
            f"reason_{line1.pk}": "Wet boxes",
            f"qty_{line2.pk}": "5",
        },
    )
    assert answer.status_code == 302
    row1 = LineFulfilment.objects.get(po_line=line1)
    assert (row1.received_quantity, row1.refused_quantity, row1.state) == (10, 2, "part_received")
    # over-receipt is refused
    answer = client.post(f"/fulfilment/orders/{order.number}/receive/", {f"qty_{line1.pk}": "3"})
    assert (
        "Line 1: 3 received but only 2 are still expected (ordered 12, received 10)."
        in answer.content.decode()
    )
    answer = client.post(
        f"/fulfilment/orders/{order.number}/return/",
        {f"qty_{line2.pk}": "1", f"reason_{line2.pk}": "Leaking"},
    )
    assert answer.status_code == 302
    row2 = LineFulfilment.objects.get(po_line=line2)
    assert (row2.received_quantity, row2.state) == (4, "part_received")
    history = client.get(f"/fulfilment/lines/{line2.pk}/").content.decode()
    assert "Leaking" in history


def test_a_quantity_that_is_no_number_is_refused_beside_its_line_and_records_nothing(
    client: Client, order: PurchaseOrder
) -> None:
    client.force_login(receiving_desk())
    line1, line2 = order.lines.order_by("line_number")
    answer = client.post(
        f"/fulfilment/orders/{order.number}/receive/",
        {f"qty_{line1.pk}": "ten", f"qty_{line2.pk}": "-1", "note": "Dock 2"},
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "Correct the values marked below, then record again." in page
    assert f'name="qty_{line1.pk}" value="ten"' in page
    assert "ten is not a quantity." in page
    assert "Ensure this value is greater than or equal to 0." in page
    assert 'name="note" value="Dock 2"' in page
    answer = client.post(
        f"/fulfilment/orders/{order.number}/return/",
        {f"qty_{line2.pk}": "1e99", f"reason_{line2.pk}": "Leaking"},
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert f'name="reason_{line2.pk}" value="Leaking"' in page
    assert "Ensure that there are no more than 18 digits in total." in page
    assert GoodsReceipt.objects.count() == 0
    assert set(LineFulfilment.objects.values_list("received_quantity", flat=True)) == {0}


def test_status_update_is_kept_against_the_order(client: Client) -> None:
    supplier, connection = make_supplier()
    po = make_po(supplier, connection, payload_id="order-1@buyer.test")
    request = cxml.StatusUpdateRequest(
        status=cxml.Status(200, "OK", "Order in picking"), document_reference="order-1@buyer.test"
    )
    status = post(client, envelope(request, payload_id="su-1@supplier.test"))
    assert (status.code, status.message) == (200, "Status update recorded.")
    update = po.status_updates.get()
    assert (update.code, update.text, update.message) == (200, "OK", "Order in picking")


def orders_to_receive(client: Client) -> str:
    page = client.get("/fulfilment/").content.decode()
    return page[page.index("Orders to receive") :]


def test_an_order_invoiced_before_its_goods_arrive_stays_in_orders_to_receive(
    client: Client, order: PurchaseOrder, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(receiving_desk())
    post(client, envelope(ship_notice("SHIP-1", [(1, "12"), (2, "5")]), payload_id="asn-1@supplier.test"))
    with django_capture_on_commit_callbacks(execute=True):
        post(
            client,
            envelope(
                invoice_request(invoice_id="INV-1", lines=[(1, "12", "10.00"), (2, "5", "2.00")]),
                payload_id="inv-1@supplier.test",
            ),
        )
    order.refresh_from_db()
    assert order.status == "invoiced"
    assert f'href="/fulfilment/orders/{order.number}/"' in orders_to_receive(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/fulfilment/ship-notices/{ShipNotice.objects.get().pk}/receive/")
    assert [row.state for row in LineFulfilment.objects.order_by("po_line__line_number")] == [
        "received",
        "received",
    ]
    assert f'href="/fulfilment/orders/{order.number}/"' not in orders_to_receive(client)


def test_a_ship_notice_below_the_threshold_is_received_automatically(
    client: Client, order: PurchaseOrder, settings: Any
) -> None:
    settings.FULFILMENT_AUTO_RECEIPT_BELOW = "50"
    # 5 × 10.00 = 50.00: not below the threshold, waits for someone to receive it
    status = post(client, envelope(ship_notice("SHIP-1", [(1, "5")]), payload_id="asn-1@supplier.test"))
    assert (status.code, status.message) == (200, "Ship notice SHIP-1 recorded.")
    assert GoodsReceipt.objects.count() == 0
    assert ShipNotice.objects.get(shipment_id="SHIP-1").status == "expected"
    # 5 × 2.00 = 10.00: received on arrival, by nobody in particular
    status = post(client, envelope(ship_notice("SHIP-2", [(2, "5")]), payload_id="asn-2@supplier.test"))
    assert (status.code, status.message) == (200, "Ship notice SHIP-2 recorded.")
    receipt = GoodsReceipt.objects.get()
    assert (receipt.automatic, receipt.received_by, receipt.ship_notice.shipment_id) == (True, None, "SHIP-2")
    assert receipt.note == "Everything on ship notice SHIP-2."
    assert [(line.po_line.line_number, line.quantity) for line in receipt.lines.all()] == [(2, Decimal(5))]
    assert ShipNotice.objects.get(shipment_id="SHIP-2").status == "received"
    assert ShipNotice.objects.get(shipment_id="SHIP-1").status == "expected"
    assert [row.state for row in LineFulfilment.objects.order_by("po_line__line_number")] == [
        "part_shipped",
        "received",
    ]


def test_no_automatic_receipt_without_the_setting(
    client: Client, order: PurchaseOrder, settings: Any
) -> None:
    settings.FULFILMENT_AUTO_RECEIPT_BELOW = None
    post(client, envelope(ship_notice("SHIP-1", [(2, "1")]), payload_id="asn-1@supplier.test"))
    assert GoodsReceipt.objects.count() == 0
    assert ShipNotice.objects.get().status == "expected"


def _try_to_record(client: Client, order: PurchaseOrder, notice: ShipNotice) -> list[int]:
    line1, line2 = order.lines.order_by("line_number")
    return [
        client.post(f"/fulfilment/orders/{order.number}/receive/", {f"qty_{line1.pk}": "1"}).status_code,
        client.post(
            f"/fulfilment/orders/{order.number}/return/", {f"qty_{line2.pk}": "1", f"reason_{line2.pk}": "x"}
        ).status_code,
        client.post(f"/fulfilment/ship-notices/{notice.pk}/receive/").status_code,
    ]


def test_a_stranger_and_an_ap_clerk_cannot_record_receipts_or_returns(
    client: Client, order: PurchaseOrder
) -> None:
    post(client, envelope(ship_notice("SHIP-1", [(1, "12")]), payload_id="asn-1@supplier.test"))
    notice = ShipNotice.objects.get()
    client.force_login(User.objects.create_user(email="bob@acme.test", password="x-correct-horse"))
    assert _try_to_record(client, order, notice) == [404, 404, 404]
    clerk = user_with_role("ap@acme.test", "ap_clerk")
    client.force_login(clerk)
    assert _try_to_record(client, order, notice) == [403, 403, 403]
    assert GoodsReceipt.objects.count() == 0
    notice.refresh_from_db()
    assert notice.status == "expected"
    assert LineFulfilment.objects.filter(received_quantity__gt=0).count() == 0
    # the AP clerk still sees the order, without the forms to record anything
    page = client.get(f"/fulfilment/orders/{order.number}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "SHIP-1" in html
    assert "Record receipt" not in html
    assert "Record return" not in html
    assert "Receive everything on this ship notice" not in html


def test_the_receiving_page_offers_a_ship_notice_only_to_who_may_receive_it(
    client: Client, order: PurchaseOrder
) -> None:
    post(client, envelope(ship_notice("SHIP-1", [(1, "12")]), payload_id="asn-1@supplier.test"))
    notice = ShipNotice.objects.get()
    action = f"/fulfilment/ship-notices/{notice.pk}/receive/"
    stranger = User.objects.create_user(email="bob@acme.test", password="x-correct-horse")
    client.force_login(stranger)
    assert "SHIP-1" not in client.get("/fulfilment/").content.decode()
    client.force_login(user_with_role("ap@acme.test", "ap_clerk"))
    page = client.get("/fulfilment/").content.decode()
    assert "SHIP-1" in page
    assert action not in page
    client.force_login(order.requisition.requester)
    assert action in client.get("/fulfilment/").content.decode()
    client.force_login(receiving_desk())
    assert action in client.get("/fulfilment/").content.decode()


def test_the_requester_and_a_procurement_administrator_can_record(
    client: Client, order: PurchaseOrder
) -> None:
    line1, line2 = order.lines.order_by("line_number")
    client.force_login(User.objects.get(email="rita@acme.test"))
    assert "Record receipt" in client.get(f"/fulfilment/orders/{order.number}/").content.decode()
    answer = client.post(f"/fulfilment/orders/{order.number}/receive/", {f"qty_{line1.pk}": "12"})
    assert answer.status_code == 302
    client.force_login(receiving_desk())
    answer = client.post(f"/fulfilment/orders/{order.number}/receive/", {f"qty_{line2.pk}": "5"})
    assert answer.status_code == 302
    answer = client.post(
        f"/fulfilment/orders/{order.number}/return/",
        {f"qty_{line2.pk}": "1", f"reason_{line2.pk}": "Leaking"},
    )
    assert answer.status_code == 302
    assert [(r.kind, r.received_by.email) for r in GoodsReceipt.objects.order_by("pk")] == [
        ("receipt", "rita@acme.test"),
        ("receipt", "desk@acme.test"),
        ("return", "desk@acme.test"),
    ]


def test_a_reject_for_an_order_we_cancelled_confirms_the_cancellation_without_an_issue(
    client: Client, order: PurchaseOrder, django_capture_on_commit_callbacks: Any
) -> None:
    PurchaseOrder.objects.filter(pk=order.pk).update(status="cancelled")
    request = confirmation([], kind="reject")
    request.header.comments = [
        cxml.Comment(
            "Order 111-1 cancelled at your request (OrderRequest type=delete): nothing will ship or be charged."
        )
    ]
    with django_capture_on_commit_callbacks(execute=True):
        status = post(client, envelope(request, payload_id="cancel-1@supplier.test"))
    assert (status.code, status.message) == (200, "Confirmation of PO-2026-000001 recorded.")
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert SupplierIssue.objects.count() == 0
    assert mail.outbox == []
    assert list(order.events.values_list("kind", "detail__type"))[-1] == ("cancellation_confirmed", "reject")
    assert set(LineFulfilment.objects.values_list("rejected_quantity", flat=True)) == {
        Decimal(12),
        Decimal(5),
    }
    # The PO's page names what happened in the reader's language.
    client.force_login(User.objects.get(email="rita@acme.test"))
    page = client.get("/purchasing/PO-2026-000001/").content.decode()
    assert "· Cancellation confirmed by the supplier" in page and "cancellation_confirmed" not in page
    page = client.get("/purchasing/PO-2026-000001/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "· Annulation confirmée par le fournisseur" in page


def test_a_reject_for_a_live_order_is_an_issue_for_the_requester(
    client: Client, order: PurchaseOrder, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        status = post(client, envelope(confirmation([], kind="reject"), payload_id="reject-1@supplier.test"))
    assert (status.code, status.message) == (
        200,
        "Confirmation of PO-2026-000001 recorded. 1 change(s) passed to the buyer.",
    )
    assert list(SupplierIssue.objects.values_list("kind", "message")) == [
        ("order_rejected", "Office Supply Co rejected order PO-2026-000001.")
    ]
    assert list(order.events.values_list("kind", flat=True))[-3:] == [
        "cancelled_by_supplier",
        "order_confirmed",
        "requester_notified",
    ]
    assert len(mail.outbox) == 1
    # Nothing of it will come: the order and its lines are cancelled.
    order.refresh_from_db()
    assert (order.status, order.total_amount) == ("cancelled", Decimal("0.00"))
    assert set(LineFulfilment.objects.values_list("state", flat=True)) == {"cancelled"}


def test_the_receipt_form_is_filled_with_what_is_still_to_receive_and_keeps_what_was_typed(
    client: Client, order: PurchaseOrder
) -> None:
    client.force_login(receiving_desk())
    line1, line2 = order.lines.order_by("line_number")
    page = client.get(f"/fulfilment/orders/{order.number}/").content.decode()
    assert f'name="qty_{line1.pk}" value="12"' in page
    assert f'name="qty_{line2.pk}" value="5"' in page
    # one click receives everything
    assert (
        client.post(
            f"/fulfilment/orders/{order.number}/receive/", {f"qty_{line1.pk}": "12", f"qty_{line2.pk}": "5"}
        ).status_code
        == 302
    )
    page = client.get(f"/fulfilment/orders/{order.number}/").content.decode()
    assert f'name="qty_{line1.pk}" value="0"' in page
    # a refused receipt shows the form as it was typed, not refilled
    answer = client.post(
        f"/fulfilment/orders/{order.number}/receive/",
        {f"qty_{line1.pk}": "1", f"rejected_{line1.pk}": "1", f"reason_{line1.pk}": "Dented"},
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert f'name="qty_{line1.pk}" value="1"' in page
    assert f'name="rejected_{line1.pk}" value="1"' in page
    assert f'name="reason_{line1.pk}" value="Dented"' in page


def test_a_payload_id_kept_for_another_supplier_is_refused_and_not_answered_with_its_reply(
    client: Client, order: PurchaseOrder
) -> None:
    other, _connection = make_supplier(name="Other Supplies", identity="other-supplies")
    InboundDocument.objects.create(
        payload_id="taken@other.test", kind="ConfirmationRequest", supplier=other, reference="PO-OTHER-1"
    )
    status = post(client, envelope(confirmation([], kind="accept"), payload_id="taken@other.test"))
    assert (status.code, status.text, status.message) == (
        409,
        "Conflict",
        "payloadID taken@other.test was already used by another sender; send a new payloadID.",
    )
    assert Confirmation.objects.count() == 0
    assert list(InboundDocument.objects.values_list("payload_id", "supplier__name")) == [
        ("taken@other.test", "Other Supplies")
    ]
