"""Retries, cancellations and updates of orders, through HTTP as a buyer system sends them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from openprocure.core.models import OutboxMessage, User
from openprocure.supplier.business.models import Integration
from openprocure.supplier.catalog.models import Product
from openprocure.supplier.fulfilment import services as fulfilment
from openprocure.supplier.fulfilment.models import Charge, Invoice, Shipment
from openprocure.supplier.orders.choices import LineOutcome, OrderStatus
from openprocure.supplier.orders.models import Order, OrderLine, OrderRequestReceipt
from punchout import cxml
from tests.supplier.worlds import make_operator, order_request, punch_out, send, with_line

pytestmark = pytest.mark.django_db


def test_the_same_payload_id_twice_gets_the_original_answer_and_creates_nothing(client, shop):
    cart = punch_out(client, [("B000PAPER1", 2)])
    payload_id, body = order_request(cart)
    first = send(client, body)
    again = send(client, body)
    assert (again.code, again.text, again.message) == (first.code, first.text, first.message)
    assert Order.objects.count() == 1
    assert OrderLine.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="ConfirmationRequest").count() == 1
    assert Product.objects.get(asin="B000PAPER1").stock == 998
    assert OrderRequestReceipt.objects.get().payload_id == payload_id


def test_a_refusal_is_answered_the_same_on_retry(client, shop):
    cart = punch_out(client, [("B000PAPER1", 2)])
    _payload, body = order_request(cart, no_ship_to=True)
    first = send(client, body)
    again = send(client, body)
    assert (first.code, again.code, again.message) == (400, 400, first.message)
    assert OrderRequestReceipt.objects.count() == 1
    assert Order.objects.count() == 0


def test_same_order_id_and_version_under_a_new_payload_id_is_the_same_order(client, shop):
    cart = punch_out(client, [("B000PAPER1", 2)])
    _p1, body1 = order_request(cart)
    _p2, body2 = order_request(cart)
    first = send(client, body1)
    second = send(client, body2)
    assert (second.code, second.message) == (200, first.message)
    assert Order.objects.count() == 1
    assert OrderRequestReceipt.objects.count() == 2
    # Another version of a new order with the same orderID is a conflict, not a second order.
    _p3, body3 = order_request(cart, version=2)
    third = send(client, body3)
    order = Order.objects.get()
    assert (third.code, third.message) == (
        409,
        f'ORDER_EXISTS: Order PO-2026-000001 already exists here as our order {order.number} (version 1). To change it send type="update" (when allowed), or cancel it with type="delete".',
    )


# Concurrent copies of one order are tested against gunicorn on a file database in
# test_orders_live.py: the in-memory test database refuses concurrent writers ("table is locked").


def test_delete_before_shipment_cancels_and_gives_stock_back(
    client, shop, django_capture_on_commit_callbacks
):
    cart = punch_out(client, [("B000PAPER1", 2)])
    _payload, body = order_request(cart)
    send(client, body)
    _payload, body = order_request(cart, kind="delete", version=1)
    with django_capture_on_commit_callbacks(execute=True):
        answer = send(client, body)
    order = Order.objects.get()
    assert (answer.code, answer.message) == (
        200,
        f"Order {order.number} (your PO-2026-000001) is cancelled; nothing will ship.",
    )
    assert order.status == OrderStatus.CANCELLED
    assert list(order.lines.values_list("outcome", "code")) == [(LineOutcome.CANCELLED, "LINE_CANCELLED")]
    assert Product.objects.get(asin="B000PAPER1").stock == 1000
    assert mail.outbox[-1].subject == f"Order {order.number} cancelled (your purchase order PO-2026-000001)"
    # The buyer's system gets a ConfirmationRequest type="reject" confirming the cancellation.
    cancellation = _cancellation_sent(order)
    assert cancellation.comments[0].text == (
        f"Order {order.number} cancelled at your request (OrderRequest type=delete): nothing will ship or be charged."
    )
    # Cancelled orders cannot be cancelled twice.
    _payload, body = order_request(cart, kind="delete", version=2)
    assert send(client, body).code == 409


def _cancellation_sent(order: Order) -> cxml.ConfirmationHeader:
    """The one ConfirmationRequest type="reject" in the outbox for ``order``, checked and parsed."""
    (message,) = OutboxMessage.objects.filter(reference=order.number, body__contains='type="reject"')
    assert (message.kind, message.url, message.partner) == (
        "ConfirmationRequest",
        "http://127.0.0.1:9/cxml/",
        "NetworkId:ACME",
    )
    request = cxml.parse(message.body.encode()).document.message
    assert isinstance(request, cxml.ConfirmationRequest)
    assert (request.header.type, request.header.confirm_id, request.items) == (
        cxml.ConfirmationType.REJECT,
        f"{order.number}-v{order.order_version}-cancelled",
        [],
    )
    assert (request.order_reference.order_id, request.order_reference.payload_id) == (
        order.buyer_order_id,
        order.payload_id,
    )
    return request.header


def test_the_administrator_cancels_an_unshipped_order_and_the_buyer_is_told(
    client, shop, django_capture_on_commit_callbacks
):
    cart = punch_out(client, [("B000PAPER1", 2)])
    _payload, body = order_request(cart)
    send(client, body)
    order = Order.objects.get()
    client.force_login(User.objects.get(email="buyer@acme.test"))  # a PunchOut user, not an administrator
    assert client.post(f"/account/orders/{order.number}/cancel/").status_code == 403
    assert Order.objects.get().status == OrderStatus.ACCEPTED
    client.force_login(User.objects.get(email="admin@acme.test"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/account/orders/{order.number}/cancel/")
    assert (response.status_code, response["Location"]) == (302, f"/account/orders/{order.number}/")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Product.objects.get(asin="B000PAPER1").stock == 1000
    assert list(order.events.values_list("kind", "detail__via", "detail__asked_by"))[-1] == (
        "order_cancelled",
        "cancel",
        "business_user",
    )
    assert _cancellation_sent(order).comments[0].text == (
        f"Order {order.number} cancelled by admin@acme.test, administrator of Acme Industries, in the storefront's "
        "Your account: nothing will ship or be charged."
    )
    # Twice: a clear message, and no second document.
    response = client.post(f"/account/orders/{order.number}/cancel/", follow=True)
    assert "This order has shipped or is closed: it can no longer be cancelled." in response.content.decode()
    _cancellation_sent(order)


def test_delete_after_shipment_is_refused(client, shop):
    cart = punch_out(client, [("B000PAPER1", 2)])
    _payload, body = order_request(cart)
    send(client, body)
    order = Order.objects.get()
    fulfilment.ship(order_ids=[order.pk], carrier="DHL", tracking_number="JD0001", by=make_operator())
    _payload, body = order_request(cart, kind="delete")
    answer = send(client, body)
    assert (answer.code, answer.message) == (
        409,
        f"ALREADY_SHIPPED: Order PO-2026-000001 (our {order.number}) has already shipped, in whole or in part: line 1 (2 of 2 shipped). Refuse the delivery when it arrives, or ask for a return on the order's page in Your account.",
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED


def test_update_is_refused_when_the_business_does_not_allow_it(client, shop):
    Integration.objects.filter(pk=shop.pk).update(allow_order_updates=False)
    cart = punch_out(client, [("B000PAPER1", 2)])
    _payload, body = order_request(cart)
    send(client, body)
    _payload, body = order_request(with_line(cart, 0, quantity=5), kind="update", version=2)
    answer = send(client, body)
    assert (answer.code, answer.message) == (
        409,
        "UPDATES_NOT_ALLOWED: Order PO-2026-000001 cannot be updated: this account does not accept order changes. Cancel and place a new order.",
    )
    assert list(OrderLine.objects.values_list("quantity", "is_current")) == [(2, True)]


def test_update_replaces_the_unshipped_lines_when_allowed(client, shop):
    cart = punch_out(client, [("B000PAPER1", 2), ("B000PENS01", 1)])
    _payload, body = order_request(cart)
    send(client, body)
    _payload, body = order_request(with_line(cart[:1], 0, quantity=12), kind="update", version=2)
    answer = send(client, body)
    order = Order.objects.get()
    assert (answer.code, answer.message) == (
        200,
        f"Order updated as {order.number}: 1 line(s) accepted, 0 backordered, 0 rejected. A ConfirmationRequest follows with each line's outcome.",
    )
    assert order.order_version == 2
    assert list(
        order.lines.filter(is_current=True).values_list("line_number", "quantity", "unit_price", "outcome")
    ) == [
        (1, 12, Decimal("4.9000"), LineOutcome.ACCEPTED),
        (2, 1, Decimal("10.0000"), LineOutcome.CANCELLED),  # left out: cancelled at the buyer's request
    ]
    assert order.lines.filter(is_current=False, outcome=LineOutcome.CANCELLED).count() == 1
    assert dict(Product.objects.values_list("asin", "stock")) == {"B000PAPER1": 988, "B000PENS01": 20}
    assert (order.subtotal, order.shipping, order.total) == (
        Decimal("58.80"),
        Decimal("0.00"),
        Decimal("70.56"),
    )
    # The same version again is stale.
    _payload, body = order_request(cart[:1], kind="update", version=2)
    assert send(client, body).code == 200  # a retry of the accepted update: the original answer
    _payload, body = order_request(cart[:1], kind="update", version=1)
    assert send(client, body).code == 409


def test_test_orders_never_ship_nor_charge(client, globex, products):
    cart = punch_out(
        client,
        [("B000PAPER1", 2)],
        identity="GLOBEX",
        secret="globex-shared-secret",
        email="buyer@globex.test",
        url="https://globex.example/return",
    )
    _payload, body = order_request(
        cart, identity="GLOBEX", secret="globex-shared-secret", email="buyer@globex.test"
    )
    assert send(client, body).code == 200
    order = Order.objects.get()
    assert fulfilment.queue() == []
    with pytest.raises(Exception, match=r"A test order never ships\."):
        fulfilment.ship(order_ids=[order.pk], carrier="DHL", tracking_number="X", by=make_operator())
    Integration.objects.filter(pk=order.integration_id).update(**{})  # unchanged
    assert (Shipment.objects.count(), Charge.objects.count(), Invoice.objects.count()) == (0, 0, 0)


def test_every_order_request_and_its_answer_are_journaled_once(client, shop):
    from openprocure.core.models import Document

    cart = punch_out(client, [("B000PAPER1", 2)])
    payload_id, body = order_request(cart)
    first = send(client, body)
    again = send(client, body)
    _bad, unknown = order_request(cart, secret="wrong", payload_id="bad-secret@buyer.example")
    refused = send(client, unknown)
    number = Order.objects.get().number
    requests = list(Document.objects.filter(direction="in", kind="OrderRequest").order_by("id"))
    assert [(d.kind, d.payload_id, d.status_code, d.reference, d.partner) for d in requests] == [
        ("OrderRequest", payload_id, 200, number, "NetworkId:ACME"),
        ("OrderRequest", payload_id, 200, number, "NetworkId:ACME"),
        ("OrderRequest", "bad-secret@buyer.example", 401, "PO-2026-000001", "NetworkId:ACME"),
    ]
    assert [d.status_text for d in requests] == [first.message, again.message, refused.message]
    answers = [
        (d.kind, d.in_reply_to_id, d.status_code, d.reference, d.status_text)
        for d in Document.objects.filter(direction="out", in_reply_to__kind="OrderRequest").order_by("id")
    ]
    assert answers == [
        ("Response", requests[0].pk, 200, number, first.message),
        ("Response", requests[1].pk, 200, number, first.message),
        ("Response", requests[2].pk, 401, "PO-2026-000001", refused.message),
    ]
