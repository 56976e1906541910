"""A supplier whose order channel is OAGIS: purchase orders, changes and cancellations go out as
Process/Change/Cancel PurchaseOrder BODs through the outbox to a real HTTP server; the synchronous
AcknowledgePurchaseOrder (or a ConfirmBOD with errors) updates the order; an acknowledgement sent
later reaches ``POST /oagis/``; the connection form asks for an order URL."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from openprocure.buyer.fulfilment.models import Confirmation, InboundDocument, LineFulfilment, SupplierIssue
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.buyer.suppliers.models import Supplier
from openprocure.core.models import DeliveryAttempt, Document, OutboxMessage
from punchout import oagis
from punchout.oagis.transport import basic_credentials
from tests.buyer.approval_world import (
    AUX_ID,
    build_world,
    requisition,
    signed_in,
    submit,
    two_line_order,
)
from tests.buyer.fulfilment_world import deliver
from tests.buyer.punchout_world import connection_form_data
from tests.partner_server import PartnerServer
from tests.punchout.oagis_world import schema_errors

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def world():
    made = build_world()
    made.connection.order_channel = "oagis"
    made.connection.save()
    return made


def acknowledgement(
    po: PurchaseOrder,
    lines: list[tuple[int, str, str, str | None]],
    *,
    bod_id: str = "ack-1@supplier.test",
    answers: str | None = None,
) -> bytes:
    """An AcknowledgePurchaseOrder of ``po``: ``lines`` are (number, status, quantity, reason)."""
    return oagis.build(
        oagis.PurchaseOrderBOD(
            verb=oagis.Verb.ACKNOWLEDGE,
            application_area=oagis.ApplicationArea(
                sender_logical_id="123456789", creation=NOW, bod_id=bod_id
            ),
            original_application_area=oagis.ApplicationArea(bod_id=answers) if answers else None,
            purchase_orders=[
                oagis.PurchaseOrder(
                    oagis.PurchaseOrderHeader(
                        id=po.number, status="Accepted", status_reason="Order received."
                    ),
                    [
                        oagis.PurchaseOrderLine(
                            line_number=str(number),
                            quantity=oagis.Quantity(Decimal(quantity), "EA"),
                            status=status,
                            status_reason=reason,
                        )
                        for number, status, quantity, reason in lines
                    ],
                )
            ],
        )
    )


def confirm_error(code: str, text: str, status: int = 400) -> tuple[int, bytes]:
    document = oagis.refusal(
        oagis.InvalidBOD(text, path="/ProcessPurchaseOrder/DataArea"),
        code=code,
        received=oagis.ApplicationArea(bod_id="x"),
        sender_logical_id="123456789",
        bod_id="confirm-1@supplier.test",
        creation=NOW,
    )
    return status, oagis.build(document)


def states(po: PurchaseOrder) -> list[tuple[int, str, Decimal, Decimal]]:
    return list(
        LineFulfilment.objects.filter(po_line__purchase_order=po)
        .order_by("po_line__line_number")
        .values_list("po_line__line_number", "state", "accepted_quantity", "rejected_quantity")
    )


def test_a_purchase_order_goes_out_as_a_schema_valid_process_bod_with_basic_authentication(
    world, interop
) -> None:
    po = requisition(world, price="600.00", quantity="2")
    submit(world, po)
    po = PurchaseOrder.objects.get(requisition=po)
    message = OutboxMessage.objects.get(reference=po.number)
    assert (message.kind, message.secret_source) == ("ProcessPurchaseOrder", str(world.connection.pk))
    with PartnerServer() as supplier:
        supplier.script((200, acknowledgement(po, [(1, "Accepted", "2", None)])))
        po = deliver(po, supplier.url)
    [received] = supplier.received
    assert schema_errors(interop, received.body) == []
    assert received.headers["Content-Type"] == "application/xml; charset=utf-8"
    user, secret = base64.b64decode(received.headers["Authorization"].split()[1]).decode().split(":", 1)
    assert (user, secret) == ("ACME-BUYER", "s3cret-Abc!")
    bod = oagis.parse_purchase_order(received.body)
    assert bod.verb is oagis.Verb.PROCESS
    assert bod.application_area.bod_id == message.payload_id == po.transmissions.get().payload_id
    assert bod.application_area.sender_logical_id == "ACME-BUYER"
    header = bod.purchase_order.header
    assert (header.id, header.revision_id, header.total_amount) == (
        po.number,
        "1",
        oagis.Amount(Decimal("1200.00"), "EUR"),
    )
    assert (header.buyer.id, header.supplier.id, header.supplier.name) == (
        "ACME-BUYER",
        "123456789",
        "Office Depot",
    )
    assert header.ship_to.address.city == "Paris"
    [line] = bod.purchase_order.lines
    # The cart's references travel byte for byte.
    assert (line.line_number, line.item.id, line.item.supplier_item_id) == ("1", AUX_ID, " SKU-1001 ")
    assert (line.quantity, line.unit_price) == (
        oagis.Quantity(Decimal("2"), "EA"),
        oagis.Amount(Decimal("600.00"), "EUR"),
    )
    # The acknowledgement went through the confirmation service: accepted, then confirmed.
    assert po.status == "confirmed"
    assert states(po) == [(1, "accepted", Decimal(2), Decimal(0))]
    assert Confirmation.objects.get().payload_id == "ack-1@supplier.test"
    # Both documents are in the journal as OAGIS; the secret is in no stored row.
    sent = Document.objects.get(kind="ProcessPurchaseOrder")
    answer = Document.objects.get(kind="AcknowledgePurchaseOrder")
    assert (sent.protocol, sent.raw) == ("oagis", received.body.decode())
    assert (answer.protocol, answer.in_reply_to_id, answer.status_code) == ("oagis", sent.pk, 200)
    stored = [
        str(value)
        for model in (OutboxMessage, DeliveryAttempt, Document)
        for row in model.objects.values_list()
        for value in row
    ]
    assert not [value for value in stored if "s3cret-Abc!" in value]
    assert OutboxMessage.objects.get(pk=message.pk).last_error == ""
    assert (
        DeliveryAttempt.objects.get().detail
        == "200 Acknowledged (Accepted): 1 accepted line(s). Order received."
    )


def test_lines_modified_and_rejected_in_the_acknowledgement_update_the_order(world) -> None:
    po = two_line_order(world)
    with PartnerServer() as supplier:
        supplier.script(
            (
                200,
                acknowledgement(
                    po,
                    [
                        (1, "Modified", "2", "BACKORDERED: one chair later"),
                        (2, "Rejected", "2", "ITEM_UNKNOWN: discontinued"),
                    ],
                ),
            )
        )
        po = deliver(po, supplier.url)
    assert states(po) == [
        (1, "accepted", Decimal(2), Decimal(1)),
        (2, "rejected", Decimal(0), Decimal(2)),
    ]
    issues = sorted(SupplierIssue.objects.values_list("message", flat=True))
    assert issues == [
        "Line 1 (SKU-1001): Office Depot rejected 1 of 3 EA.",
        "Line 2 (SKU-2002): Office Depot rejected 2 of 2 EA.",
    ]


def test_a_confirm_bod_with_errors_fails_the_order_and_its_text_is_on_the_page(world) -> None:
    po = two_line_order(world)
    with PartnerServer() as supplier:
        supplier.script(confirm_error("ORDER_EXISTS", "ORDER_EXISTS: order PO-1 was already received.", 409))
        po = deliver(po, supplier.url)
    assert po.status == "failed"
    assert po.supplier_message == "409 ORDER_EXISTS: ORDER_EXISTS: order PO-1 was already received."
    page = signed_in(world.rita).get(f"/purchasing/{po.number}/").content.decode()
    assert "ORDER_EXISTS: order PO-1 was already received." in page
    assert Document.objects.get(kind="ConfirmBOD").protocol == "oagis"


def test_a_change_and_a_cancellation_go_out_as_change_and_cancel_bods(world, client, interop) -> None:
    po = two_line_order(world)
    rita = signed_in(world.rita)
    with PartnerServer() as supplier:
        supplier.script((200, acknowledgement(po, [(1, "Accepted", "3", None), (2, "Accepted", "2", None)])))
        po = deliver(po, supplier.url)
        assert po.status == "confirmed"
        rita.post(f"/purchasing/{po.number}/change/", {"qty_1": "2", "qty_2": "0"})
        supplier.script(
            (200, acknowledgement(po, [(1, "Accepted", "2", None)], bod_id="ack-2@supplier.test"))
        )
        po = deliver(po, supplier.url)
        assert (po.status, po.version, po.total_amount) == ("confirmed", 2, Decimal("1200.00"))
        rita.post(f"/purchasing/{po.number}/cancel/", {"reason": "Bought elsewhere"})
        supplier.script((200, acknowledgement(po, [], bod_id="ack-3@supplier.test")))
        po = deliver(po, supplier.url)
    process, change, cancel = (oagis.parse_purchase_order(r.body) for r in supplier.received)
    for received in supplier.received:
        assert schema_errors(interop, received.body) == []
    assert [b.verb for b in (process, change, cancel)] == [
        oagis.Verb.PROCESS,
        oagis.Verb.CHANGE,
        oagis.Verb.CANCEL,
    ]
    assert [(line.line_number, line.quantity.value) for line in change.purchase_order.lines] == [
        ("1", Decimal(2))
    ]
    assert (change.purchase_order.header.revision_id, cancel.purchase_order.header.revision_id) == ("2", "3")
    assert cancel.purchase_order.header.notes == ["Bought elsewhere"]
    assert po.status == "cancelled"


def post_ack(client, body: bytes, *, user: str = "123456789", secret: str = "s3cret-Abc!"):
    return client.post(
        "/oagis/", body, content_type="application/xml", HTTP_AUTHORIZATION=basic_credentials(user, secret)
    )


def test_an_acknowledgement_sent_later_to_post_oagis_updates_the_order_once(world, client, interop) -> None:
    po = two_line_order(world)
    with PartnerServer() as supplier:
        received = oagis.accepted_with_warnings(
            [], received=oagis.ApplicationArea(bod_id="x"), sender_logical_id="s", bod_id="c@s", creation=NOW
        )
        supplier.script((200, oagis.build(received)))
        deliver(po, supplier.url)
    po.refresh_from_db()
    assert po.status == "accepted"
    body = acknowledgement(
        po, [(1, "Accepted", "3", None), (2, "Rejected", "2", "Out of stock")], bod_id="late@s"
    )
    answer = post_ack(client, body)
    assert answer.status_code == 200
    assert schema_errors(interop, answer.content) == []
    confirm = oagis.parse_confirm(answer.content)
    assert confirm.results[0].bod_id == "late@s"
    assert [m.description for m in confirm.results[0].warnings] == [
        f"Acknowledgement of {po.number} recorded."
    ]
    assert states(po) == [(1, "accepted", Decimal(3), Decimal(0)), (2, "rejected", Decimal(0), Decimal(2))]
    again = post_ack(client, body)
    assert again.status_code == 200
    assert Confirmation.objects.filter(purchase_order=po).count() == 1
    received = Document.objects.filter(kind="AcknowledgePurchaseOrder", direction="in").first()
    assert (received.protocol, received.reference, received.partner) == ("oagis", po.number, "Office Depot")


def test_post_oagis_refuses_wrong_credentials_unknown_orders_and_other_bods(world, client) -> None:
    po = two_line_order(world)
    body = acknowledgement(po, [(1, "Accepted", "3", None)])
    wrong = post_ack(client, body, secret="not-the-secret-1234")
    assert wrong.status_code == 401
    [error] = oagis.parse_confirm(wrong.content).results[0].errors
    assert (error.reason_code, error.description) == (
        "AUTH_BAD_SECRET",
        "Unknown sender or wrong shared secret for 123456789: use your supplier identity as the user name "
        "and the shared secret agreed with the buyer as the password (HTTP Basic).",
    )
    po.number = "PO-0000-999999"
    unknown = post_ack(client, acknowledgement(po, [(1, "Accepted", "3", None)], bod_id="u@s"))
    assert unknown.status_code == 400
    [error] = oagis.parse_confirm(unknown.content).results[0].errors
    assert error.reason_code == "INVALID_BOD"
    assert error.description.startswith("Unknown purchase order PO-0000-999999")
    assert error.location == "/AcknowledgePurchaseOrder/DataArea/PurchaseOrder/PurchaseOrderHeader/ID"
    process = oagis.build(
        oagis.PurchaseOrderBOD(
            verb=oagis.Verb.PROCESS,
            application_area=oagis.ApplicationArea(creation=NOW, bod_id="p@s"),
            purchase_orders=[oagis.PurchaseOrder(oagis.PurchaseOrderHeader(id="X"))],
        )
    )
    other = post_ack(client, process)
    assert other.status_code == 501
    assert oagis.parse_confirm(other.content).results[0].errors[0].reason_code == "UNSUPPORTED_BOD"
    assert Confirmation.objects.count() == 0


def test_the_connection_form_asks_for_an_order_url_for_oagis(world) -> None:
    connection = world.connection
    admin = signed_in(world.people["ada"])
    page = admin.post(
        f"/suppliers/{connection.supplier_id}/connections/{connection.pk}/",
        connection_form_data(connection, order_channel="oagis", order_url=""),
    )
    assert page.status_code == 200
    assert page.context["form"].errors["order_url"] == [
        "Enter the supplier's OAGIS order URL: purchase orders, changes and cancellations are posted there as BODs."
    ]
    before = connection.order_url
    connection.refresh_from_db()
    assert (connection.order_channel, connection.order_url) == ("oagis", before)


def test_a_bodid_kept_for_another_supplier_is_refused_with_409(world, client) -> None:
    po = two_line_order(world)
    other = Supplier.objects.create(name="Other Supplies")
    InboundDocument.objects.create(
        payload_id="taken@other.test", kind="AcknowledgePurchaseOrder", supplier=other, reference="PO-OTHER-1"
    )
    answer = post_ack(client, acknowledgement(po, [(1, "Accepted", "3", None)], bod_id="taken@other.test"))
    assert answer.status_code == 409
    [error] = oagis.parse_confirm(answer.content).results[0].errors
    assert (error.reason_code, error.description, error.location) == (
        "DUPLICATE_BODID",
        "BODID taken@other.test was already used by another sender; send a new BODID.",
        "/AcknowledgePurchaseOrder/ApplicationArea/BODID",
    )
    assert Confirmation.objects.count() == 0
    assert InboundDocument.objects.get().reference == "PO-OTHER-1"
