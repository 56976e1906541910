"""Purchase orders: numbering, the cXML OrderRequest, delivery to a real HTTP server, changes, pages, API."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import OperationalError, close_old_connections, transaction
from django.utils import timezone
from lxml import etree

from openprocure.buyer.approvals.models import ApprovalAssignment
from openprocure.buyer.fulfilment.services import record_confirmation
from openprocure.buyer.purchasing import selectors, services
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.core import outbox
from openprocure.core.models import DeliveryAttempt, Document, OutboxMessage
from punchout import cxml
from tests.buyer.approval_world import (
    AUX_ID,
    build_world,
    requisition,
    rule,
    signed_in,
    submit,
)
from tests.buyer.fulfilment_world import confirmation, deliver
from tests.buyer.punchout_world import connection_form_data
from tests.partner_server import PartnerServer, cxml_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def ordered(world, **kwargs) -> PurchaseOrder:
    req = requisition(world, **kwargs)
    submit(world, req)  # no rule: approved at submit, ordered at once
    return PurchaseOrder.objects.get(requisition=req)


# -- numbering ----------------------------------------------------------------------------------------
def test_po_numbers_follow_the_pattern_exactly(world, settings) -> None:
    settings.PO_NUMBER_PATTERN = "ACME-{year}{month}-{seq:04}"
    day = __import__("datetime").date(2026, 3, 9)
    assert [services.next_po_number(today=day) for _ in range(3)] == [
        "ACME-202603-0001",
        "ACME-202603-0002",
        "ACME-202603-0003",
    ]
    assert services.next_po_number(today=day.replace(month=4)) == "ACME-202604-0001"


@pytest.mark.django_db(transaction=True)
def test_concurrent_numbering_never_repeats_and_never_skips(settings) -> None:
    settings.PO_NUMBER_PATTERN = "PO-{year}-{seq:06}"
    year = __import__("django.utils.timezone", fromlist=["localdate"]).localdate().year
    numbers: list[str] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        for _ in range(5):
            while True:
                try:
                    numbers.append(services.next_po_number())
                    break
                except OperationalError:  # SQLite: "database is locked" — a client would retry
                    continue
        close_old_connections()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == [f"PO-{year}-{n:06d}" for n in range(1, 41)]


# -- the OrderRequest ---------------------------------------------------------------------------------
def test_order_request_is_dtd_valid_and_keeps_supplier_ids_byte_for_byte(world, interop) -> None:
    po = ordered(world, price="600.00", quantity="2")
    assert (po.number, po.status, po.total_amount) == (
        f"PO-{po.created_at.year}-000001",
        "sent",
        Decimal("1200.00"),
    )
    message = OutboxMessage.objects.get(reference=po.number)
    with PartnerServer() as supplier:
        delivered = deliver(po, supplier.url)
    assert delivered.status == "accepted"
    body = supplier.received[0].body  # what the supplier received
    dtd = etree.DTD(str(interop / "cxml-dtd" / "1.2.071" / "cXML.dtd"))
    tree = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    assert dtd.validate(tree), dtd.error_log.filter_from_errors()
    assert tree.findtext(".//SupplierPartAuxiliaryID") == AUX_ID
    assert tree.findtext(".//SupplierPartID") == " SKU-1001 "
    document = cxml.parse(body).document
    header = document.message.header
    assert document.payload_id == message.payload_id == po.transmissions.get().payload_id
    assert (header.order_id, header.type.value, header.order_version) == (po.number, "new", 1)
    assert (header.total.amount, header.total.currency) == (Decimal("1200.00"), "EUR")
    assert (header.ship_to.address_id, header.bill_to.address_id) == ("HQ", "AP")
    assert header.ship_to.postal_address.deliver_to == ["Goods-in", "Rita Requester"]
    assert [(c.role, c.email) for c in header.contacts] == [("endUser", "rita@acme.test")]
    item = document.message.items[0]
    assert (item.quantity, item.item_detail.unit_price.amount) == (Decimal("2"), Decimal("600.00"))
    assert [
        ([(s.id, s.name) for s in d.accounting.segments], d.charge.amount) for d in item.distributions
    ] == [([("CC100", "CostCenter")], Decimal("1200.00"))]
    assert document.header.sender_secret == "s3cret-Abc!"
    # What we keep is that document with the secret masked, in the outbox and in the journal.
    journal = Document.objects.get(reference=po.number, kind="OrderRequest")
    masked = body.decode().replace("<SharedSecret>s3cret-Abc!<", "<SharedSecret>********<")
    assert (OutboxMessage.objects.get(pk=message.pk).body, journal.raw) == (masked, masked)


def test_no_stored_row_holds_the_secret_and_a_secret_replaced_before_delivery_is_sent(world, caplog) -> None:
    """The procurement administrator enters the supplier's new secret after the PO was stored."""
    caplog.set_level(logging.DEBUG)
    po = ordered(world, price="600.00", quantity="2")
    message = OutboxMessage.objects.get(reference=po.number)
    admin = signed_in(world.people["ada"])
    connection = world.connection
    page = admin.post(
        f"/suppliers/{connection.supplier_id}/connections/{connection.pk}/",
        connection_form_data(connection, protocol="cxml", new_shared_secret="rotated-s3cret-&-<42>"),
    )
    assert page.status_code == 302
    with PartnerServer() as supplier:
        assert deliver(po, supplier.url).status == "accepted"
    [received] = supplier.received
    assert cxml.parse(received.body).document.header.sender_secret == "rotated-s3cret-&-<42>"
    assert b"<SharedSecret>rotated-s3cret-&amp;-&lt;42&gt;</SharedSecret>" in received.body
    stored = [
        str(value)
        for model in (OutboxMessage, DeliveryAttempt, Document)
        for row in model.objects.values_list()
        for value in row
    ]
    for secret in ("rotated-s3cret-&-<42>", "rotated-s3cret-&amp;-&lt;42&gt;", "s3cret-Abc!"):
        assert not [value for value in stored if secret in value], secret
        assert secret not in caplog.text
    assert OutboxMessage.objects.get(pk=message.pk).status == "delivered"


def test_one_purchase_order_per_supplier(world) -> None:
    from openprocure.buyer.requisitions.services import CartLine, add_cart_lines

    req = requisition(world)
    add_cart_lines(
        requisition=req,
        actor=world.rita,
        supplier=world.other_supplier,
        lines=[
            CartLine(
                supplier_part_id="LAB-9", quantity=Decimal("1"), unit_price=Decimal("10.00"), currency="EUR"
            )
        ],
    )
    submit(world, req)
    orders = PurchaseOrder.objects.filter(requisition=req).order_by("number")
    assert [(o.supplier.name, o.total_amount, o.status) for o in orders] == [
        ("Office Depot", Decimal("600.00"), "sent"),
        ("Lab Supplies Inc", Decimal("10.00"), "approved"),  # no cXML connection: never e-mailed, not sent
    ]
    assert orders[1].supplier_message.startswith("No cXML order URL for Lab Supplies Inc")
    assert OutboxMessage.objects.count() == 1


def test_final_approval_creates_the_po(world) -> None:
    rule("r", {"users": [world.alan]})
    req = requisition(world)
    submit(world, req)
    assert PurchaseOrder.objects.count() == 0
    assignment = ApprovalAssignment.objects.get(status="pending")
    signed_in(world.alan).post(f"/approvals/{assignment.pk}/", {"decision": "approve"})
    assert PurchaseOrder.objects.get().requisition_id == req.pk


# -- delivery against a real server -------------------------------------------------------------------
def test_supplier_200_marks_the_po_accepted(world) -> None:
    po = ordered(world)
    with PartnerServer() as partner:
        po = deliver(po, partner.url)
    assert (po.status, len(partner.received)) == ("accepted", 1)
    assert b"SupplierPartAuxiliaryID" in partner.received[0].body


@pytest.mark.parametrize("kind", ["reject", "accept"])
def test_a_confirmation_that_comes_before_the_delivery_is_recorded_applies_once_it_is(world, kind) -> None:
    """A supplier that answers our OrderRequest slowly may send its ConfirmationRequest first: the
    order is still Sent then, and moves as the confirmation said once the delivery is recorded."""
    po = ordered(world)
    request = confirmation([], kind=kind)
    request.order_reference.order_id = po.number
    with transaction.atomic():
        record_confirmation(po=PurchaseOrder.objects.select_for_update().get(pk=po.pk), request=request)
    assert PurchaseOrder.objects.get(pk=po.pk).status == "sent"
    with PartnerServer() as partner:
        po = deliver(po, partner.url)
    if kind == "reject":
        assert (po.status, po.total_amount) == ("cancelled", Decimal("0"))
        assert list(po.events.values_list("kind", flat=True))[-2:] == ["accepted", "cancelled_by_supplier"]
    else:
        assert po.status == "confirmed"
        assert list(po.events.values_list("kind", "detail__to"))[-1] == ("status_changed", "confirmed")


def test_supplier_400_fails_the_po_with_its_text_shown(world) -> None:
    po = ordered(world)
    with PartnerServer() as partner:
        partner.script((200, cxml_response(400, "Bad Request", "Unknown ShipTo addressID HQ")))
        po = deliver(po, partner.url)
    assert po.status == "failed"
    assert po.supplier_message == "400 Bad Request: Unknown ShipTo addressID HQ"
    page = signed_in(world.rita).get(f"/purchasing/{po.number}/").content.decode()
    assert "Bad Request: Unknown ShipTo addressID HQ" in page


def test_supplier_500_retries_then_accepts(world) -> None:
    po = ordered(world)
    with PartnerServer() as partner:
        partner.script((500, cxml_response(500, "Internal Server Error")))
        po = deliver(po, partner.url)
        assert po.status == "sent"
        message = OutboxMessage.objects.get(reference=po.number)
        assert message.status == "retrying"
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        po = deliver(po, partner.url)
    assert (po.status, len(partner.received)) == ("accepted", 2)
    assert partner.received[0].body == partner.received[1].body  # same payloadID: idempotent retry


def test_delivery_moves_the_po_in_the_outbox_transaction_without_any_periodic_task(world, settings) -> None:
    po = ordered(world)
    message = OutboxMessage.objects.get(reference=po.number)
    # The OrderRequest names purchasing's result callback; nothing polls the outbox.
    assert message.on_result == services.DELIVERY_RESULT == "purchasing.order"
    assert [path for path, _ in settings.PERIODIC_TASKS if "purchasing" in path] == []
    with PartnerServer() as partner:
        partner.script((200, cxml_response(200, "OK")))
        po = deliver(po, partner.url)
    assert (po.status, po.supplier_message) == ("accepted", "")
    assert list(po.transmissions.values_list("status", "answer")) == [("accepted", "")]
    assert list(po.events.filter(kind="accepted").values_list("detail", flat=True)) == [
        {"type": "new", "version": 1, "status_code": 200}
    ]


def test_a_po_whose_delivery_is_given_up_fails_with_the_last_answer(world) -> None:
    po = ordered(world)
    OutboxMessage.objects.filter(reference=po.number).update(max_attempts=1)
    with PartnerServer() as partner:
        partner.script((503, b"down for maintenance"))
        po = deliver(po, partner.url)
    message = OutboxMessage.objects.get(reference=po.number)
    assert (message.status, message.last_status_code) == ("failed", 503)
    assert po.status == "failed"
    assert po.supplier_message == message.last_error != ""
    assert list(po.transmissions.values_list("status", "answer")) == [("refused", message.last_error)]
    assert po.events.filter(kind="refused").get().detail == {
        "type": "new",
        "status_code": 503,
        "text": message.last_error,
    }


def test_a_crash_in_the_callback_undoes_the_recorded_delivery_and_the_repeat_settles_both(world) -> None:
    po = ordered(world)

    def crash(message, outcome) -> None:  # the worker dies after moving the PO, before the commit
        assert PurchaseOrder.objects.get(pk=po.pk).status == "accepted"
        raise RuntimeError("worker died")

    hook = outbox.result_hook(services.DELIVERY_RESULT)
    hook.register(crash)
    try:
        with PartnerServer() as partner, pytest.raises(RuntimeError, match="worker died"):
            deliver(po, partner.url)
    finally:
        hook.remove(crash)
    message = OutboxMessage.objects.get(reference=po.number)
    # Neither the delivery nor the PO's move was committed: the message is still leased.
    assert (message.status, message.attempts, message.delivery_attempts.count()) == ("delivering", 0, 0)
    assert PurchaseOrder.objects.get(pk=po.pk).status == "sent"
    assert po.transmissions.get().status == "queued"
    # The lease runs out and the next worker sends it again (same payloadID): both settle together.
    OutboxMessage.objects.filter(pk=message.pk).update(lease_until=timezone.now())
    with PartnerServer() as partner:
        po = deliver(po, partner.url)
    message.refresh_from_db()
    assert (message.status, message.attempts, po.status) == ("delivered", 1, "accepted")
    assert po.events.filter(kind="accepted").count() == 1


# -- change orders and cancellation -------------------------------------------------------------------
def test_lower_quantity_is_sent_as_update_version_two(world) -> None:
    po = ordered(world, quantity="3")
    with PartnerServer() as partner:
        po = deliver(po, partner.url)
        signed_in(world.rita).post(f"/purchasing/{po.number}/change/", {"qty_1": "2"})
        po = deliver(PurchaseOrder.objects.get(pk=po.pk), partner.url)
    update = cxml.parse(partner.received[1].body).document.message
    assert (update.header.type.value, update.header.order_version, update.items[0].quantity) == (
        "update",
        2,
        Decimal("2"),
    )
    assert (po.status, po.version, po.total_amount) == ("accepted", 2, Decimal("1200.00"))


def test_higher_quantity_is_a_new_order_not_a_change(world) -> None:
    rule("above 1000", {"users": [world.alan]}, min_amount=Decimal("1000"))
    po = ordered(world, quantity="1")
    with PartnerServer() as partner:
        po = deliver(po, partner.url)
        page = signed_in(world.rita).post(f"/purchasing/{po.number}/change/", {"qty_1": "2"}, follow=True)
    assert "Line 1: a higher quantity (or a new line) is a new order." in page.content.decode()
    po.refresh_from_db()
    assert (po.version, po.pending_change, OutboxMessage.objects.count()) == (1, {}, 1)
    assert not ApprovalAssignment.objects.filter(status="pending").exists()


def test_a_change_order_quantity_that_is_no_number_is_refused_beside_its_line(world) -> None:
    po = ordered(world, quantity="3")
    with PartnerServer() as partner:
        po = deliver(po, partner.url)
        answer = signed_in(world.rita).post(
            f"/purchasing/{po.number}/change/", {"qty_1": "two", "reason": "Fewer people"}
        )
        assert answer.status_code == 400
        page = answer.content.decode()
        assert 'name="qty_1" value="two"' in page
        assert "Quantities must be numbers such as 3 or 2.5." in page
        answer = signed_in(world.rita).post(f"/purchasing/{po.number}/cancel/", {"reason": "x" * 2001})
        assert answer.status_code == 400
        assert "Ensure this value has at most 2000 characters (it has 2001)." in answer.content.decode()
    po.refresh_from_db()
    assert (po.status, po.version, po.pending_change, len(partner.received)) == ("accepted", 1, {}, 1)


def test_cancellation_sends_delete_and_refusals_change_nothing(world) -> None:
    po = ordered(world)
    with PartnerServer() as partner:
        po = deliver(po, partner.url)
        answer = signed_in(world.bob).post(f"/purchasing/{po.number}/cancel/")
        assert answer.status_code == 404  # Bob may not even see it
        world.connection.accepts_cancellations = False
        world.connection.save()
        signed_in(world.rita).post(f"/purchasing/{po.number}/cancel/")
        assert OutboxMessage.objects.count() == 1
        world.connection.accepts_cancellations = True
        world.connection.save()
        signed_in(world.rita).post(f"/purchasing/{po.number}/cancel/")
        po = deliver(PurchaseOrder.objects.get(pk=po.pk), partner.url)
    assert cxml.parse(partner.received[1].body).document.message.header.type.value == "delete"
    assert (po.status, po.version) == ("cancelled", 2)


def test_only_the_buyer_or_an_administrator_sends_a_failed_order_again(world) -> None:
    """An approver may open the order they approved, but sending it again is its buyer's (as the page
    shows the button only to them): a POST by the approver is refused and sends nothing."""
    rule("r", {"users": [world.alan]})
    req = requisition(world)
    submit(world, req)
    assignment = ApprovalAssignment.objects.get(status="pending")
    signed_in(world.alan).post(f"/approvals/{assignment.pk}/", {"decision": "approve"})
    po = PurchaseOrder.objects.get(requisition=req)
    with PartnerServer() as partner:
        partner.script((200, cxml_response(400, "Bad Request", "Unknown ShipTo addressID HQ")))
        po = deliver(po, partner.url)
    assert po.status == "failed"
    alan = signed_in(world.alan)
    assert alan.get(f"/purchasing/{po.number}/").status_code == 200
    answer = alan.post(f"/purchasing/{po.number}/resend/", follow=True)
    assert [str(m) for m in answer.context["messages"]] == [
        "Only the requester or a procurement administrator can send this order again."
    ]
    assert (PurchaseOrder.objects.get(pk=po.pk).status, po.transmissions.count()) == ("failed", 1)
    assert OutboxMessage.objects.filter(reference=po.number).count() == 1
    signed_in(world.rita).post(f"/purchasing/{po.number}/resend/")
    assert (PurchaseOrder.objects.get(pk=po.pk).status, po.transmissions.count()) == ("sent", 2)


# -- pages and API ------------------------------------------------------------------------------------
def test_po_page_timeline_and_print(world) -> None:
    po = ordered(world)
    with PartnerServer() as partner:
        deliver(po, partner.url)
    rita = signed_in(world.rita)
    page = rita.get(f"/purchasing/{po.number}/").content.decode()
    assert page.count('<details class="document">') == 2  # the OrderRequest and the supplier's Response
    assert "s3cret-Abc!" not in page
    printed = rita.get(f"/purchasing/{po.number}/print/").content.decode()
    assert po.number in printed and "Acme Accounts Payable" in printed
    assert signed_in(world.bob).get(f"/purchasing/{po.number}/").status_code == 404  # as the API says


def test_the_timeline_puts_each_answer_right_after_the_document_it_answers(world) -> None:
    po = ordered(world)
    Document.objects.filter(reference=po.number).delete()  # the order's own journal: built below
    at = timezone.now()

    def journal(direction: str, kind: str, seconds: int, answers: Document | None = None) -> Document:
        return Document.objects.create(
            direction=direction,
            kind=kind,
            reference=po.number,
            in_reply_to=answers,
            created_at=at + timedelta(seconds=seconds),
        )

    # The supplier's ConfirmationRequest (and our Response to it) were journaled before the
    # Response to our OrderRequest: the page still shows that Response right after the order.
    order = journal("out", "OrderRequest", 0)
    confirmation_ = journal("in", "ConfirmationRequest", 1)
    journal("out", "Response", 2, answers=confirmation_)
    journal("in", "Response", 3, answers=order)
    journal("in", "ShipNoticeRequest", 4)
    shown = [(d.direction, d.kind) for d in selectors.timeline(po)]
    assert shown == [
        ("out", "OrderRequest"),
        ("in", "Response"),
        ("in", "ConfirmationRequest"),
        ("out", "Response"),
        ("in", "ShipNoticeRequest"),
    ]


def test_api_with_a_personal_token(world) -> None:
    rule("r", {"users": [world.alan]})
    req = requisition(world)
    submit(world, req)
    page = signed_in(world.alan).post("/approvals/tokens/", {"name": "cli"}).content.decode()
    token = page.split('<code class="token">')[1].split("</code>")[0]
    from django.test import Client

    api = Client(headers={"Authorization": f"Bearer {token}"})
    assert Client().get("/api/approvals/").status_code == 401
    inbox = api.get("/api/approvals/").json()
    assert [(a["requisition"], a["amount"], a["currency"]) for a in inbox] == [(req.number, "600.00", "EUR")]
    detail = api.get(f"/api/requisitions/{req.pk}").json()
    assert detail["lines"][0]["supplier_part_auxiliary_id"] == AUX_ID
    assert detail["approval"][0]["steps"][0]["assignments"][0]["approver"] == "alan@acme.test"
    answer = api.post(
        f"/api/approvals/{inbox[0]['id']}/approve", {"comment": "fine"}, content_type="application/json"
    )
    assert answer.json() == {"request_status": "approved", "step_completed": True, "referred_to": []}
    again = api.post(f"/api/approvals/{inbox[0]['id']}/approve", {}, content_type="application/json")
    assert again.status_code == 409
    orders = api.get("/api/purchase-orders/").json()
    # Alan approved it, so he sees its order, on the pages and through the API alike.
    assert [o["number"] for o in orders] == [PurchaseOrder.objects.get().number]
    assert signed_in(world.rita).get("/api/docs").status_code == 200


def test_documents_stored_before_masking_are_given_their_connection_and_masked(world) -> None:
    """The upgrade: orders waiting in the outbox with the secret in clear keep being deliverable."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("openprocure.buyer.purchasing.migrations.0003_outbox_secret_source")
    po = ordered(world, price="600.00", quantity="2")
    message = OutboxMessage.objects.get(reference=po.number)
    legacy = message.body.replace("<SharedSecret>********<", "<SharedSecret>s3cret-Abc!<")
    OutboxMessage.objects.filter(pk=message.pk).update(body=legacy, secret_source="")
    delivered = OutboxMessage.objects.create(
        kind="OrderRequest",
        url="http://127.0.0.1:9/",
        payload_id="old@buyer.test",
        body=legacy,
        status="delivered",
    )
    migration.attribute_and_mask(apps, None)
    message.refresh_from_db()
    assert (message.secret_source, message.body) == (
        str(world.connection.pk),
        legacy.replace("s3cret-Abc!", "********"),
    )
    assert OutboxMessage.objects.get(pk=delivered.pk).body == legacy  # finished: the core migration's part
    with PartnerServer() as supplier:
        assert deliver(po, supplier.url).status == "accepted"
    assert cxml.parse(supplier.received[0].body).document.header.sender_secret == "s3cret-Abc!"


def test_orders_waiting_in_the_outbox_before_callbacks_are_moved_by_their_delivery(world) -> None:
    """The upgrade: an OrderRequest stored without a result callback is given purchasing's, so its
    order moves when it is delivered; one without a transmission is delivered and told nobody."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("openprocure.buyer.purchasing.migrations.0008_order_delivery_result_callback")
    po = ordered(world)
    message = OutboxMessage.objects.get(reference=po.number)
    OutboxMessage.objects.filter(pk=message.pk).update(on_result="")
    other = OutboxMessage.objects.create(
        kind="StatusUpdateRequest", url="http://127.0.0.1:9/", payload_id="s@buyer.test", body="<cXML/>"
    )
    migration.name_the_callback(apps, None)
    assert dict(OutboxMessage.objects.values_list("payload_id", "on_result")) == {
        message.payload_id: "purchasing.order",
        "s@buyer.test": "",
    }
    with PartnerServer() as supplier:
        assert deliver(po, supplier.url).status == "accepted"
        OutboxMessage.objects.filter(pk=other.pk).update(url=supplier.url)
        assert outbox.deliver_message(other.pk).delivered
