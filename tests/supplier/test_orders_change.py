"""Changes and cancellations after confirmation: what the buyer's system asks (cXML update/delete),
what the business's administrator or our staff cancel, and what the buyer's system is told."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from openprocure.core.models import OutboxMessage, User
from openprocure.supplier.business.choices import InvoiceGrouping
from openprocure.supplier.catalog.models import Product
from openprocure.supplier.fulfilment import services as fulfilment
from openprocure.supplier.fulfilment.models import Invoice
from openprocure.supplier.orders.choices import LineOutcome, OrderStatus
from openprocure.supplier.orders.models import Order
from punchout import cxml
from tests.supplier.worlds import make_operator, order_request, punch_out, send, with_line

pytestmark = pytest.mark.django_db


def _confirmations(order: Order) -> list[cxml.ConfirmationRequest]:
    found = []
    for message in OutboxMessage.objects.filter(reference=order.number, kind="ConfirmationRequest").order_by(
        "id"
    ):
        request = cxml.parse(message.body.encode()).document.message
        assert isinstance(request, cxml.ConfirmationRequest)
        found.append(request)
    return found


def _statuses(request: cxml.ConfirmationRequest) -> list[tuple[int, str, Decimal, str]]:
    return [
        (
            item.line_number,
            str(status.type),
            status.quantity,
            status.comments[0].text if status.comments else "",
        )
        for item in request.items
        for status in item.statuses
    ]


def test_update_that_lowers_one_line_and_leaves_out_another_is_confirmed_line_by_line(client, shop):
    cart = punch_out(client, [("B000PAPER1", 3), ("B000PENS01", 1)])
    send(client, order_request(cart)[1])
    order = Order.objects.get()
    _payload, body = order_request(with_line(cart[:1], 0, quantity=2), kind="update", version=2)
    answer = send(client, body)
    assert answer.code == 200
    order.refresh_from_db()
    assert order.order_version == 2
    assert list(
        order.lines.filter(is_current=True).values_list(
            "line_number", "quantity", "accepted_quantity", "outcome"
        )
    ) == [(1, 2, 2, LineOutcome.ACCEPTED), (2, 1, 0, LineOutcome.CANCELLED)]
    assert dict(Product.objects.values_list("asin", "stock")) == {"B000PAPER1": 998, "B000PENS01": 20}
    # One confirmation per seller, as for the first version.
    after_update = [c for c in _confirmations(order) if c.header.confirm_id.startswith(f"{order.number}-v2")]
    assert [c.header.confirm_id for c in after_update] == [f"{order.number}-v2-1", f"{order.number}-v2-2"]
    assert [s for c in after_update for s in _statuses(c)] == [
        (1, "accept", Decimal("2"), ""),
        (
            2,
            "reject",
            Decimal("1"),
            "LINE_CANCELLED: Cancelled by the buyer's update request. Nothing to do.",
        ),
    ]
    event = order.events.get(kind="order_updated")
    assert (event.detail["asked_by"], event.detail["cancelled_lines"]) == ("buyer_system", [2])


def test_update_after_shipment_is_refused_naming_the_lines(client, shop):
    cart = punch_out(client, [("B000PAPER1", 3), ("B000PENS01", 1)])
    send(client, order_request(cart)[1])
    order = Order.objects.get()
    fulfilment.ship(order_ids=[order.pk], carrier="DHL", tracking_number="JD0001", by=make_operator())
    _payload, body = order_request(with_line(cart, 0, quantity=1), kind="update", version=2)
    answer = send(client, body)
    assert (answer.code, answer.message) == (
        409,
        f"ALREADY_SHIPPED: Order PO-2026-000001 (our {order.number}) has already shipped, in whole or in "
        "part: line 1 (3 of 3 shipped), line 2 (1 of 1 shipped). Refuse the delivery when it arrives, or ask "
        "for a return on the order's page in Your account.",
    )
    order.refresh_from_db()
    assert (order.order_version, order.lines.filter(is_current=True).count()) == (1, 2)


def _ordered_and_part_shipped(client, *, paper: int) -> tuple[list, Order, User]:
    """3 paper and 1 pens ordered through PunchOut; ``paper`` of the paper shipped by the operator
    (returned with the cart and the order as stored)."""
    operator = make_operator()
    cart = punch_out(client, [("B000PAPER1", 3), ("B000PENS01", 1)])
    send(client, order_request(cart)[1])
    order = Order.objects.get()
    fulfilment.ship(
        order_ids=[order.pk],
        carrier="DHL",
        tracking_number=f"JD000{paper}",
        by=operator,
        quantities=[fulfilment.ShipRequest(line_id=order.lines.get(line_number=1).pk, quantity=paper)],
    )
    order.refresh_from_db()
    return cart, order, operator


def test_update_after_part_shipped_closes_what_is_left_to_ship(client, shop):
    """The buyer closes a partly shipped order short (nothing more expected): each line ships what it
    shipped, a line that shipped nothing is cancelled, the rest goes back to stock, the order is Shipped."""
    cart, order, operator = _ordered_and_part_shipped(client, paper=1)
    assert (order.status, order.shipping, order.total) == (
        OrderStatus.PARTIALLY_SHIPPED,
        Decimal("4.99"),
        Decimal("36.71"),
    )
    # More than ordered, or another part on the line: refused as after any shipment, nothing changes.
    for changed in (with_line(cart, 0, quantity=4), with_line(cart, 0, supplier_part_id="B000PENS01")):
        _payload, body = order_request(changed[:1], kind="update", version=2)
        answer = send(client, body)
        assert (answer.code, answer.message.split(":")[0]) == (409, "ALREADY_SHIPPED")
    order.refresh_from_db()
    assert (order.order_version, order.status) == (1, OrderStatus.PARTIALLY_SHIPPED)
    _payload, body = order_request(with_line(cart[:1], 0, quantity=1), kind="update", version=2)
    answer = send(client, body)
    assert (answer.code, answer.message) == (
        200,
        f"Order {order.number} updated: what is left to ship of line(s) 1, 2 is lowered as asked.",
    )
    order.refresh_from_db()
    assert (order.order_version, order.status) == (2, OrderStatus.SHIPPED)
    assert list(
        order.lines.filter(is_current=True)
        .order_by("line_number")
        .values_list(
            "line_number", "quantity", "accepted_quantity", "shipped_quantity", "outcome", "shipping"
        )
    ) == [
        (1, 3, 1, 1, LineOutcome.ACCEPTED, Decimal("4.99")),
        (2, 1, 0, 0, LineOutcome.CANCELLED, Decimal("0")),
    ]
    # The order costs what shipped and was invoiced, the seller's charge (invoiced with the first
    # shipment) included.
    invoiced = Invoice.objects.get(order=order)
    assert (order.subtotal, order.shipping, order.total) == (
        invoiced.subtotal,
        Decimal("4.99"),
        invoiced.total,
    )
    assert dict(Product.objects.values_list("asin", "stock")) == {"B000PAPER1": 999, "B000PENS01": 20}
    event = order.events.get(kind="order_updated")
    assert (event.detail["asked_by"], event.detail["closed_lines"], event.detail["changes"]) == (
        "buyer_system",
        [1, 2],
        {"1": {"from": "3", "to": "1"}, "2": {"from": "1", "to": "0"}},
    )
    # Nothing is left in the operators' queue.
    assert order.pk not in {queued.pk for queued in fulfilment.queue()}
    client.force_login(operator)
    page = client.get(f"/support/orders/{order.number}/").content.decode()
    assert (
        "Order updated — asked by the buyer's procurement system (cXML) · lines lowered after part shipped: 1, 2"
        in page
    )


def test_an_order_invoiced_as_a_whole_is_invoiced_when_closed_short(client, shop):
    shop.invoice_grouping = InvoiceGrouping.PER_ORDER
    shop.save(update_fields=["invoice_grouping"])
    cart = punch_out(client, [("B000PAPER1", 3), ("B000PENS01", 1)])
    send(client, order_request(cart)[1])
    order = Order.objects.get()
    paper = order.lines.get(line_number=1)
    fulfilment.ship(
        order_ids=[order.pk],
        carrier="DHL",
        tracking_number="JD0001",
        by=make_operator(),
        quantities=[fulfilment.ShipRequest(line_id=paper.pk, quantity=2)],
    )
    assert not Invoice.objects.filter(order=order).exists()  # the rest of the order is awaited
    _payload, body = order_request(with_line(cart[:1], 0, quantity=2), kind="update", version=2)
    assert send(client, body).code == 200
    order.refresh_from_db()
    invoice = Invoice.objects.get(order=order)
    assert [(line.order_line_id, line.quantity) for line in invoice.lines.all()] == [(paper.pk, 2)]
    assert (invoice.subtotal, invoice.shipping, invoice.total) == (
        order.subtotal,
        order.shipping,
        order.total,
    )
    assert order.shipping == Decimal("4.99")
    assert list(order.events.values_list("kind", flat=True))[-2:] == ["order_updated", "order_invoiced"]


def test_close_short_below_what_shipped_keeps_the_goods_in_transit(client, shop):
    """The buyer closes at what it received while more is on its way (shipped, not yet received): the
    line ships what shipped and nothing more, the answer and the timeline say so, and both sites can
    agree on the order's amount (what shipped, the amount invoiced)."""
    cart, order, operator = _ordered_and_part_shipped(client, paper=2)
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    # The buyer received 1 of the 2 shipped and asks 1 of paper, nothing of the pens.
    _payload, body = order_request(with_line(cart[:1], 0, quantity=1), kind="update", version=2)
    answer = send(client, body)
    assert (answer.code, answer.message) == (
        200,
        f"Order {order.number} updated: what is left to ship of line(s) 1, 2 is lowered as asked. "
        "More had already shipped than asked (line 1: 1 asked, 2 shipped): those goods are on their "
        "way and these lines stay at what shipped; nothing more ships on them.",
    )
    order.refresh_from_db()
    assert (order.order_version, order.status) == (2, OrderStatus.SHIPPED)
    assert list(
        order.lines.filter(is_current=True)
        .order_by("line_number")
        .values_list(
            "line_number",
            "quantity",
            "accepted_quantity",
            "backordered_quantity",
            "shipped_quantity",
            "outcome",
            "shipping",
        )
    ) == [
        (1, 3, 2, 0, 2, LineOutcome.ACCEPTED, Decimal("4.99")),
        (2, 1, 0, 0, 0, LineOutcome.CANCELLED, Decimal("0")),
    ]
    invoiced = Invoice.objects.get(order=order)
    assert (order.subtotal, order.shipping, order.tax, order.total) == (
        invoiced.subtotal,
        Decimal("4.99"),
        invoiced.tax,
        invoiced.total,
    )
    assert (order.subtotal, order.tax, order.total) == (Decimal("10.40"), Decimal("3.08"), Decimal("18.47"))
    # Only what will never ship goes back to stock: 1 of paper, the pen.
    assert dict(Product.objects.values_list("asin", "stock")) == {"B000PAPER1": 998, "B000PENS01": 20}
    event = order.events.get(kind="order_updated")
    assert (
        event.detail["closed_lines"],
        event.detail["changes"],
        event.detail["kept_at_shipped"],
        event.detail["kept"],
    ) == (
        [1, 2],
        {"1": {"from": "3", "to": "2"}, "2": {"from": "1", "to": "0"}},
        [1],
        {"1": {"asked": "1", "shipped": "2"}},
    )
    assert order.pk not in {queued.pk for queued in fulfilment.queue()}
    client.force_login(operator)
    page = client.get(f"/support/orders/{order.number}/").content.decode()
    assert (
        "Order updated — asked by the buyer's procurement system (cXML) · lines lowered after part shipped: 1, 2"
        " · lines kept at what shipped (asked below it): 1" in page
    )
    # Asked again, below what shipped: nothing is left to lower, refused as after any shipment.
    _payload, body = order_request(with_line(cart[:1], 0, quantity=1), kind="update", version=3)
    answer = send(client, body)
    assert (answer.code, answer.message.split(":")[0]) == (409, "ALREADY_SHIPPED")
    order.refresh_from_db()
    assert (order.order_version, order.status, order.total) == (2, OrderStatus.SHIPPED, Decimal("18.47"))


def test_the_administrator_cancels_one_line_and_the_buyer_is_told_who_asked(client, shop):
    cart = punch_out(client, [("B000PAPER1", 3), ("B000PENS01", 1)])
    send(client, order_request(cart)[1])
    order = Order.objects.get()
    total_before = order.total
    assert order.shipping == Decimal("4.99")  # the marketplace seller's charge, on line 2
    client.force_login(User.objects.get(email="buyer@acme.test"))  # not an administrator
    assert client.post(f"/account/orders/{order.number}/cancel/", {"line": "2"}).status_code == 403
    assert order.lines.get(line_number=2).outcome == LineOutcome.ACCEPTED
    client.force_login(User.objects.get(email="admin@acme.test"))
    count = OutboxMessage.objects.count()
    response = client.post(f"/account/orders/{order.number}/cancel/", {"line": ["2", "two"]}, follow=True)
    assert "Tick the lines to cancel." in response.content.decode()
    assert order.lines.get(line_number=2).outcome == LineOutcome.ACCEPTED
    assert OutboxMessage.objects.count() == count
    response = client.post(f"/account/orders/{order.number}/cancel/", {"line": "2"}, follow=True)
    page = response.content.decode()
    assert "Line(s) 2 cancelled; the buyer&#x27;s system is told." in page
    assert "asked by admin@acme.test, administrator of the business" in page
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED
    assert list(order.lines.order_by("line_number").values_list("outcome", "accepted_quantity")) == [
        (LineOutcome.ACCEPTED, 3),
        (LineOutcome.CANCELLED, 0),
    ]
    assert order.total < total_before
    # The seller's shipping charge went with its only line: nothing of it is invoiced.
    assert (order.lines.get(line_number=2).shipping, order.shipping) == (Decimal("0"), Decimal("0"))
    assert Product.objects.get(asin="B000PENS01").stock == 20
    cancellation = _confirmations(order)[-1]
    reason = (
        f"Line(s) 2 of order {order.number} cancelled by admin@acme.test, administrator of Acme Industries, in "
        "the storefront's Your account: nothing will ship or be charged."
    )
    assert (str(cancellation.header.type), cancellation.header.comments[0].text) == ("detail", reason)
    assert _statuses(cancellation) == [(2, "reject", Decimal("1"), f"LINE_CANCELLED: {reason}")]
    assert "cancelled by the supplier" not in cancellation.header.comments[0].text
    # A line that is no longer open: a clear message, nothing sent.
    count = OutboxMessage.objects.count()
    response = client.post(f"/account/orders/{order.number}/cancel/", {"line": "2"}, follow=True)
    assert "Line(s) 2 cannot be cancelled: they are not open on this order." in response.content.decode()
    assert OutboxMessage.objects.count() == count


def test_our_staff_cancel_an_order_and_the_buyer_is_told_it_was_the_supplier(client, shop):
    cart = punch_out(client, [("B000PAPER1", 3)])
    send(client, order_request(cart)[1])
    order = Order.objects.get()
    client.force_login(User.objects.get(email="buyer@acme.test"))
    assert client.post(f"/support/orders/{order.number}/cancel/").status_code == 403
    assert Order.objects.get().status == OrderStatus.ACCEPTED
    client.force_login(make_operator())
    response = client.post(f"/support/orders/{order.number}/cancel/")
    assert (response.status_code, response["Location"]) == (302, f"/support/orders/{order.number}/")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    cancellation = _confirmations(order)[-1]
    assert (str(cancellation.header.type), cancellation.header.comments[0].text) == (
        "reject",
        f"Order {order.number} cancelled by the supplier before shipment: nothing will ship or be charged.",
    )
    event = order.events.get(kind="order_cancelled")
    assert (event.detail["asked_by"], event.actor.email) == ("staff", "operator@marketplace.test")
    assert list(order.lines.values_list("code", flat=True)) == ["LINE_CANCELLED_BY_US"]


def test_the_cancellation_e_mail_speaks_the_language_of_the_person_who_ordered(
    client, shop, django_capture_on_commit_callbacks
):
    User.objects.filter(email="buyer@acme.test").update(preferred_language="fr")
    cart = punch_out(client, [("B000PAPER1", 3)])
    send(client, order_request(cart)[1])
    order = Order.objects.get()
    client.force_login(make_operator())  # the operator reads the storefront in English
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/support/orders/{order.number}/cancel/", HTTP_ACCEPT_LANGUAGE="en")
    [email] = [m for m in mail.outbox if "annulée" in m.subject]
    assert email.subject == f"Commande {order.number} annulée (votre bon de commande PO-2026-000001)"
    assert email.body.startswith(
        f"Nous avons annulé votre commande {order.number} (bon de commande PO-2026-000001)"
    )
    assert [m.subject for m in mail.outbox if "cancelled" in m.subject] == []
