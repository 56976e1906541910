"""Idempotency is scoped to the sender: a payloadID or an orderID is a business's own key.

The concurrent resends of one order under new payloadIDs run against real processes in
``test_orders_live.py``.
"""

from __future__ import annotations

import pytest
from django.test import Client

from openprocure.supplier.orders.models import Order, OrderRequestReceipt
from tests.supplier.worlds import order_request, punch_out, send

pytestmark = pytest.mark.django_db

GLOBEX = {
    "identity": "GLOBEX",
    "secret": "globex-shared-secret",
    "email": "buyer@globex.test",
    "url": "https://globex.example/cart",
}


def test_another_business_may_use_the_same_payload_id_and_gets_its_own_order(shop, globex, products):
    acme_lines = punch_out(Client(), [("B000PAPER1", 2)])
    _payload, body = order_request(acme_lines, payload_id="shared-key@erp", order_id="PO-1")
    acme_status = send(Client(), body)
    assert acme_status.code == 200
    acme_order = Order.objects.get(business=shop.business)

    globex_lines = punch_out(Client(), [("B000PENS01", 1)], **GLOBEX)
    _payload, body = order_request(
        globex_lines,
        payload_id="shared-key@erp",
        order_id="PO-1",
        identity="GLOBEX",
        secret="globex-shared-secret",
        email="buyer@globex.test",
    )
    globex_status = send(Client(), body)
    # Globex's order is created and answered with its own number, never Acme's.
    assert globex_status.code == 200, globex_status.message
    globex_order = Order.objects.get(business=globex.business)
    assert globex_order.number != acme_order.number
    assert globex_order.number in globex_status.message
    assert acme_order.number not in globex_status.message
    assert globex_order.payload_id == acme_order.payload_id == "shared-key@erp"
    assert sorted(
        OrderRequestReceipt.objects.values_list("business__name", "payload_id", "order__number")
    ) == [
        ("Acme Industries", "shared-key@erp", acme_order.number),
        ("Globex", "shared-key@erp", globex_order.number),
    ]
    # Each business's resend gets its own first answer back and creates nothing.
    assert send(Client(), body).message == globex_status.message
    assert Order.objects.count() == 2
    assert OrderRequestReceipt.objects.count() == 2


def test_a_resend_under_a_new_payload_id_gets_the_first_answer(shop, products):
    lines = punch_out(Client(), [("B000PAPER1", 2)])
    _payload, body = order_request(lines, order_id="PO-7")
    first = send(Client(), body)
    assert first.code == 200
    _payload, resend = order_request(lines, order_id="PO-7")
    again = send(Client(), resend)
    assert (again.code, again.message) == (first.code, first.message)
    assert Order.objects.count() == 1
    assert list(OrderRequestReceipt.objects.values_list("status_code", "code")) == [(200, ""), (200, "")]
