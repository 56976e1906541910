"""What the requester is told about their order (one e-mail per event, in their language, and a line
on the order's page and their home), closing a partly received order, and receiving everything at
once: through HTTP as the supplier's system, the receiving desk and the requester would."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from openprocure.buyer.fulfilment.models import LineFulfilment
from openprocure.buyer.purchasing import services
from openprocure.buyer.purchasing.models import PurchaseOrder, Transmission
from openprocure.buyer.suppliers.models import PunchOutConnection
from openprocure.core.models import OutboxMessage, User
from punchout import cxml
from tests.buyer.fulfilment_world import (
    confirmation,
    deliver,
    envelope,
    make_po,
    make_supplier,
    post,
    receive,
    receiving_desk,
    ship_notice,
    user_with_role,
)
from tests.partner_server import PartnerServer, cxml_response

pytestmark = pytest.mark.django_db

LINK = "http://buyer.test/purchasing/PO-2026-000001/"


@pytest.fixture(autouse=True)
def public_url(settings: Any) -> None:
    settings.PUBLIC_URL = "http://buyer.test"


def rita() -> User:
    return User.objects.get(email="rita@acme.test")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


HQ = {
    "code": "HQ",
    "name": "Acme HQ",
    "deliver_to": "Goods in",
    "street": "1 Main Street",
    "city": "Lyon",
    "state": "",
    "postal_code": "69001",
    "country": "FR",
}


def addressed(po: PurchaseOrder) -> PurchaseOrder:
    """The order's ship-to and bill-to, which its OrderRequest documents need."""
    PurchaseOrder.objects.filter(pk=po.pk).update(ship_to=HQ, bill_to=HQ)
    po.refresh_from_db()
    return po


def accept_all() -> cxml.ConfirmationRequest:
    return confirmation([], kind="accept")


def test_a_confirmation_is_told_once_with_the_order_and_its_link(
    client: Client, order: PurchaseOrder, django_capture_on_commit_callbacks: Any
) -> None:
    body = envelope(accept_all(), payload_id="confirm-1@supplier.test")
    with django_capture_on_commit_callbacks(execute=True):
        post(client, body)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, body)  # the supplier sends the same document again
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("Order PO-2026-000001 confirmed by the supplier", ["rita@acme.test"])
    ]
    assert mail.outbox[0].body == (
        f"Hello,\n\nOffice Supply Co confirmed order PO-2026-000001.\n\nOrder PO-2026-000001: {LINK}"
    )
    page = signed_in(rita()).get("/purchasing/PO-2026-000001/").content.decode()
    assert "Requester notified by e-mail: Order PO-2026-000001 confirmed by the supplier" in page
    home = signed_in(rita()).get("/").content.decode()
    assert "News of your orders" in home
    assert 'href="/purchasing/PO-2026-000001/">Order PO-2026-000001 confirmed by the supplier</a>' in home


def test_the_requester_reads_it_in_their_language(
    client: Client, order: PurchaseOrder, django_capture_on_commit_callbacks: Any
) -> None:
    User.objects.filter(email="rita@acme.test").update(preferred_language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        post(client, envelope(accept_all(), payload_id="confirm-1@supplier.test"))
    assert [m.subject for m in mail.outbox] == ["Commande PO-2026-000001 confirmée par le fournisseur"]
    assert mail.outbox[0].body == (
        "Bonjour,\n\nOffice Supply Co a confirmé la commande PO-2026-000001.\n\n"
        f"Commande PO-2026-000001 : {LINK}"
    )


def test_refused_lines_are_one_notice_naming_them(
    client: Client, order: PurchaseOrder, django_capture_on_commit_callbacks: Any
) -> None:
    items = [
        cxml.ConfirmationItem(
            2,
            Decimal(5),
            "EA",
            [cxml.ConfirmationStatus(cxml.ConfirmationStatusType.REJECT, Decimal(5), "EA")],
        )
    ]
    with django_capture_on_commit_callbacks(execute=True):
        post(client, envelope(confirmation(items, kind="except"), payload_id="confirm-1@supplier.test"))
    assert [m.subject for m in mail.outbox] == [
        "Order PO-2026-000001: the supplier changed or rejected lines"
    ]
    assert mail.outbox[0].body == (
        "Hello,\n\nOffice Supply Co confirmed order PO-2026-000001 with changes that need your attention:\n\n"
        "- Line 2 (PEN-BLUE): Office Supply Co rejected 5 of 5 EA.\n\n"
        "See them and note what you decide: http://buyer.test/fulfilment/issues/\n\n"
        f"Order PO-2026-000001: {LINK}"
    )


def test_shipped_then_received_are_two_notices(
    client: Client, order: PurchaseOrder, django_capture_on_commit_callbacks: Any
) -> None:
    body = envelope(ship_notice("SHIP-1", [(1, "12"), (2, "5")]), payload_id="asn-1@supplier.test")
    with django_capture_on_commit_callbacks(execute=True):
        post(client, body)
        post(client, body)  # resent: nothing twice
    assert [m.subject for m in mail.outbox] == ["Order PO-2026-000001 shipped"]
    assert mail.outbox[0].body == (
        f"Hello,\n\nOffice Supply Co shipped goods of order PO-2026-000001.\n\nOrder PO-2026-000001: {LINK}"
    )
    desk = signed_in(receiving_desk())
    with django_capture_on_commit_callbacks(execute=True):
        receive(desk, order, {1: "2"})  # part of it: no notice yet
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        receive(desk, order, {1: "10", 2: "5"})
    assert [m.subject for m in mail.outbox][1:] == ["Order PO-2026-000001 received"]
    assert mail.outbox[1].body == (
        "Hello,\n\nEvery item of order PO-2026-000001 from Office Supply Co has been received.\n\n"
        f"Order PO-2026-000001: {LINK}"
    )


def test_an_order_the_supplier_refuses_is_told(django_capture_on_commit_callbacks: Any) -> None:
    supplier, connection = make_supplier()
    po = addressed(make_po(supplier, connection, status="approved"))
    services.send_purchase_order(po=po)
    with PartnerServer() as partner, django_capture_on_commit_callbacks(execute=True):
        partner.script((200, cxml_response(400, "Bad Request", "Unknown ShipTo addressID HQ")))
        po = deliver(po, partner.url)
    assert po.status == "failed"
    assert [m.subject for m in mail.outbox] == ["Order PO-2026-000001 could not be delivered to the supplier"]
    assert mail.outbox[0].body == (
        "Hello,\n\nOrder PO-2026-000001 could not be delivered to Office Supply Co: the supplier does not "
        "have it.\n\n- 400 Bad Request: Unknown ShipTo addressID HQ\n\n"
        "Send it again once the cause is fixed, or cancel it, from the order's page.\n\n"
        f"Order PO-2026-000001: {LINK}"
    )


# -- closing a partly received order ------------------------------------------------------------------
def partly_received(client: Client, *, accepts_updates: bool) -> PurchaseOrder:
    """12 paper at 10.00 and 5 pens at 2.00; 4 paper received."""
    supplier, connection = make_supplier()
    PunchOutConnection.objects.filter(pk=connection.pk).update(accepts_order_updates=accepts_updates)
    po = addressed(make_po(supplier, connection, payload_id="order-1@buyer.test"))
    desk = signed_in(receiving_desk())
    receive(desk, po, {1: "4"})
    po.refresh_from_db()
    assert po.status == "part_received"
    assert "PO-2026-000001" in desk.get("/fulfilment/").content.decode()
    return po


def lines_of(po: PurchaseOrder) -> list[tuple[int, Decimal, Decimal, Decimal, str]]:
    return [
        (line.line_number, line.quantity, line.cancelled_quantity, line.amount, line.fulfilment.state)
        for line in po.lines.select_related("fulfilment").order_by("line_number")
    ]


def test_closing_keeps_what_came_and_sends_a_change_order(client: Client) -> None:
    po = partly_received(client, accepts_updates=True)
    requester = signed_in(rita())
    page = requester.get(f"/purchasing/{po.number}/").content.decode()
    assert "Close — nothing more expected" in page
    answer = requester.post(
        f"/purchasing/{po.number}/close/", {"confirm": "on", "reason": "Enough paper"}, follow=True
    )
    assert (
        "Order PO-2026-000001 closed: nothing more is expected. The supplier was sent a change order."
        in answer.content.decode()
    )
    po.refresh_from_db()
    assert (po.status, po.total_amount) == ("received", Decimal("40.00"))
    assert lines_of(po) == [
        (1, Decimal(4), Decimal(8), Decimal("40.00"), "received"),
        (2, Decimal(0), Decimal(5), Decimal("0.00"), "cancelled"),
    ]
    assert list(po.events.filter(kind="closed_short").values_list("detail", flat=True)) == [
        {
            "changes": {"1": {"from": "12", "to": "4"}, "2": {"from": "5", "to": "0"}},
            "reason": "Enough paper",
            "supplier_told": True,
        }
    ]
    transmission = Transmission.objects.get(purchase_order=po, type="update")
    assert (transmission.version, transmission.status) == (2, "queued")
    message = OutboxMessage.objects.get(pk=transmission.outbox_message_id)
    document = cxml.parse(message.body.encode()).document
    header = document.message.header
    assert (header.type.value, header.order_version, header.order_id) == ("update", 2, "PO-2026-000001")
    assert [(i.line_number, i.quantity) for i in document.message.items] == [(1, Decimal(4))]
    # The supplier accepts it: the order stays as closed, at its next version.
    with PartnerServer() as partner:
        po = deliver(po, partner.url)
    assert cxml.parse(partner.received[0].body).document.message.header.order_version == 2
    assert (po.status, po.version, po.total_amount) == ("received", 2, Decimal("40.00"))
    assert [line[:4] for line in lines_of(po)] == [
        (1, Decimal(4), Decimal(8), Decimal("40.00")),
        (2, Decimal(0), Decimal(5), Decimal("0.00")),
    ]
    # Receiving no longer waits for it.
    desk = signed_in(User.objects.get(email="desk@acme.test"))
    assert "PO-2026-000001" not in desk.get("/fulfilment/").content.decode()
    # Nothing remains: a second close is refused and changes nothing.
    again = requester.post(f"/purchasing/{po.number}/close/", {"confirm": "on"}, follow=True)
    assert (
        "Order PO-2026-000001 has nothing partly received left to close: it is Received."
        in again.content.decode()
    )
    assert Transmission.objects.filter(purchase_order=po, type="update").count() == 1


def test_closing_keeps_what_shipped_and_is_on_its_way(client: Client) -> None:
    """Goods shipped but not yet received are not called back: each line keeps what the ship notices
    say shipped (the change order asks that much, so the supplier keeps the same quantities), and
    only the rest is released; the order is Received once they arrive."""
    po = partly_received(client, accepts_updates=True)
    body = envelope(ship_notice("SHIP-1", [(1, "6"), (2, "2")]), payload_id="asn-1@supplier.test")
    post(client, body)
    po.refresh_from_db()
    requester = signed_in(rita())
    closed = requester.post(
        f"/purchasing/{po.number}/close/", {"confirm": "on", "reason": "Enough paper"}, follow=True
    )
    assert (
        "Order PO-2026-000001 closed: nothing more is expected. The supplier was sent a change order. "
        "Goods already shipped are still on their way (line(s) 1, 2): receive them when they arrive."
    ) in closed.content.decode()
    po.refresh_from_db()
    assert (po.status, po.total_amount) == ("part_received", Decimal("64.00"))
    assert lines_of(po) == [
        (1, Decimal(6), Decimal(6), Decimal("60.00"), "part_received"),
        (2, Decimal(2), Decimal(3), Decimal("4.00"), "shipped"),
    ]
    assert list(po.events.filter(kind="closed_short").values_list("detail", flat=True)) == [
        {
            "changes": {"1": {"from": "12", "to": "6"}, "2": {"from": "5", "to": "2"}},
            "reason": "Enough paper",
            "supplier_told": True,
            "in_transit": {"1": "2", "2": "2"},
        }
    ]
    transmission = Transmission.objects.get(purchase_order=po, type="update")
    message = OutboxMessage.objects.get(pk=transmission.outbox_message_id)
    document = cxml.parse(message.body.encode()).document
    assert [(i.line_number, i.quantity) for i in document.message.items] == [(1, Decimal(6)), (2, Decimal(2))]
    # The supplier accepts it; nothing more can be closed while what is open is on its way.
    with PartnerServer() as partner:
        po = deliver(po, partner.url)
    assert (po.status, po.version, po.total_amount) == ("part_received", 2, Decimal("64.00"))
    again = requester.post(f"/purchasing/{po.number}/close/", {"confirm": "on"}, follow=True)
    assert (
        "Order PO-2026-000001 has nothing left to close: what is still open has shipped and is on its "
        "way. Receive it when it arrives, or refuse it then."
    ) in again.content.decode()
    assert Transmission.objects.filter(purchase_order=po, type="update").count() == 1
    # They arrive: the order is Received, at what shipped.
    receive(signed_in(User.objects.get(email="desk@acme.test")), po, {1: "2", 2: "2"})
    po.refresh_from_db()
    assert (po.status, po.total_amount) == ("received", Decimal("64.00"))


def test_closing_when_the_supplier_takes_no_change_orders_says_so(client: Client) -> None:
    po = partly_received(client, accepts_updates=False)
    requester = signed_in(rita())
    page = requester.get(f"/purchasing/{po.number}/").content.decode()
    assert "Office Supply Co does not accept change orders by cXML: tell the supplier yourself" in page
    french = requester.get(f"/purchasing/{po.number}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Clôturer — plus rien n'est attendu" in french
    answer = requester.post(f"/purchasing/{po.number}/close/", {"confirm": "on"}, follow=True)
    text = answer.content.decode()
    assert (
        "Order PO-2026-000001 closed: nothing more is expected. Office Supply Co does not accept change "
        "orders by cXML: tell the supplier yourself."
    ) in text
    assert "Closed: nothing more expected · the supplier was not told" in text
    po.refresh_from_db()
    assert po.status == "received"
    assert not Transmission.objects.filter(purchase_order=po, type="update").exists()


def test_closing_needs_the_box_ticked_and_the_right_person(client: Client) -> None:
    po = partly_received(client, accepts_updates=True)
    unticked = signed_in(rita()).post(f"/purchasing/{po.number}/close/", {"reason": "x"})
    assert unticked.status_code == 400
    assert "Tick the box to confirm that nothing more is expected." in unticked.content.decode()
    stranger = signed_in(user_with_role("sam@acme.test", "requester"))
    assert stranger.post(f"/purchasing/{po.number}/close/", {"confirm": "on"}).status_code == 404
    po.refresh_from_db()
    assert po.status == "part_received"
    assert LineFulfilment.objects.filter(po_line__purchase_order=po, state="cancelled").count() == 0
    assert not Transmission.objects.filter(purchase_order=po, type="update").exists()


def test_an_order_not_partly_received_cannot_be_closed(client: Client, order: PurchaseOrder) -> None:
    answer = signed_in(rita()).post(f"/purchasing/{order.number}/close/", {"confirm": "on"}, follow=True)
    assert (
        "Order PO-2026-000001 has nothing partly received left to close: it is Accepted by supplier."
        in answer.content.decode()
    )
    order.refresh_from_db()
    assert order.status == "accepted"


# -- receiving everything at once ---------------------------------------------------------------------
def test_the_receiving_form_is_filled_and_receive_all_takes_every_open_quantity(
    order: PurchaseOrder, django_capture_on_commit_callbacks: Any
) -> None:
    desk = signed_in(receiving_desk())
    paper, pens = order.lines.order_by("line_number")
    receive(desk, order, {1: "2"})
    page = desk.get(f"/fulfilment/orders/{order.number}/").content.decode()
    assert f'name="qty_{paper.pk}" value="10"' in page and f'name="qty_{pens.pk}" value="5"' in page
    assert '<button type="submit" name="receive_all" value="1">Receive all</button>' in page
    with django_capture_on_commit_callbacks(execute=True):
        # What was typed in the rows does not count: every open quantity is received.
        answer = desk.post(
            f"/fulfilment/orders/{order.number}/receive/",
            {f"qty_{paper.pk}": "1", f"qty_{pens.pk}": "", "receive_all": "1"},
        )
    assert answer.status_code == 302
    assert list(
        LineFulfilment.objects.filter(po_line__purchase_order=order)
        .order_by("po_line__line_number")
        .values_list("received_quantity", "state")
    ) == [(Decimal(12), "received"), (Decimal(5), "received")]
    order.refresh_from_db()
    assert order.status == "received"
    assert [m.subject for m in mail.outbox] == ["Order PO-2026-000001 received"]
    # Nothing left: receiving all again is refused with the service's reason.
    again = desk.post(f"/fulfilment/orders/{order.number}/receive/", {"receive_all": "1"})
    assert again.status_code == 400
    assert "Enter a quantity received (or refused) on at least one line." in again.content.decode()


def test_a_status_from_the_suppliers_system_is_told_in_its_words(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    supplier, connection = make_supplier()
    make_po(supplier, connection, payload_id="order-1@buyer.test")
    User.objects.filter(email="rita@acme.test").update(preferred_language="fr")
    picking = cxml.StatusUpdateRequest(
        status=cxml.Status(200, "OK", "Order in picking, leaves Friday"),
        document_reference="order-1@buyer.test",
    )
    body = envelope(picking, payload_id="su-1@supplier.test")
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, body).code == 200
    with django_capture_on_commit_callbacks(execute=True):
        post(client, body)  # the supplier sends the same document again
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("Commande PO-2026-000001 : nouvelles du fournisseur", ["rita@acme.test"])
    ]
    assert mail.outbox[0].body == (
        "Bonjour,\n\nOffice Supply Co a donné des nouvelles de la commande PO-2026-000001 :\n\n"
        f"- Order in picking, leaves Friday\n\nCommande PO-2026-000001 : {LINK}"
    )
    home = signed_in(rita()).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="/purchasing/PO-2026-000001/">Order PO-2026-000001: news from the supplier</a>' in home

    # Without words, the requester reads the status code and text.
    mail.outbox.clear()
    bare = cxml.StatusUpdateRequest(
        status=cxml.Status(201, "Accepted"), document_reference="order-1@buyer.test"
    )
    with django_capture_on_commit_callbacks(execute=True):
        post(client, envelope(bare, payload_id="su-2@supplier.test"))
    assert "- 201 Accepted\n" in mail.outbox[0].body
