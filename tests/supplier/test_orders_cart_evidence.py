"""The cart is evidence: an order line must be a line of a punched-out cart, at the carted price.

The cart travels through the buyer's browser and procurement system; a line whose price was changed
on the way (a forged negative price, a lowered or raised one) or that no cart ever held is refused
with its code, and never charged.
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal

import pytest

from openprocure.supplier.orders.models import Order, OrderLine, OrderRequestReceipt
from punchout import cxml
from tests.supplier.worlds import order_request, punch_out, send, with_line

pytestmark = pytest.mark.django_db

PRICE_PATH = "/cXML/Request/OrderRequest/ItemOut[1]/ItemDetail/UnitPrice/Money"


def test_a_forged_price_and_a_never_carted_line_are_refused_and_never_charged(client, shop):
    cart = punch_out(client, [("B000PAPER1", 3), ("B000PENS01", 2)])
    lines = with_line(cart, 0, price="-100.00")
    never_carted = copy.deepcopy(cart[0])
    never_carted.item_id = cxml.ItemID("B000PAPER1", "CL-never-carted")
    never_carted.line_number = 3
    _payload, body = order_request([*lines, never_carted])
    status = send(client, body)
    order = Order.objects.get()
    assert (status.code, status.message) == (
        200,
        f"Order received as {order.number}: 1 line(s) accepted, 0 backordered, 2 rejected. "
        "A ConfirmationRequest follows with each line's outcome.",
    )
    assert list(OrderLine.objects.order_by("line_number").values_list("line_number", "code", "reason")) == [
        (
            1,
            "PRICE_NOT_AS_CARTED",
            f"The order says -100.00 EUR per unit; the cart returned this line at 5.20 EUR ({PRICE_PATH}). "
            "Order cart lines at the price the cart returned, or punch out again if the line must change.",
        ),
        (2, "ACCEPTED", "Accepted: 2 at 10.00 EUR each. Nothing to do."),
        (
            3,
            "ITEM_UNKNOWN",
            "SupplierPartAuxiliaryID CL-never-carted at /cXML/Request/OrderRequest/ItemOut[3]/ItemID is not a "
            "cart line of ours. Order only lines returned by a PunchOut cart, with their "
            "SupplierPartAuxiliaryID unchanged.",
        ),
    ]
    # Only the carted line at the carted price is charged: 2 × 10.00 + 4.99 shipping + 20 % VAT.
    assert (order.subtotal, order.total) == (Decimal("20.00"), Decimal("29.99"))


def test_an_order_of_only_altered_lines_is_refused_with_the_code(client, shop):
    cart = punch_out(client, [("B000PAPER1", 3)])
    _payload, body = order_request(with_line(cart, 0, price="0.01"))
    status = send(client, body)
    assert (status.code, status.text) == (409, "Conflict")
    assert status.message == (
        "ALL_LINES_REJECTED: No line can be accepted: line 1: PRICE_NOT_AS_CARTED — The order says 0.01 EUR "
        f"per unit; the cart returned this line at 5.20 EUR ({PRICE_PATH}). Order cart lines at the price "
        "the cart returned, or punch out again if the line must change. Punch out again to rebuild the "
        "cart, then send a new order."
    )
    assert Order.objects.count() == 0
    assert list(OrderRequestReceipt.objects.values_list("status_code", "code")) == [
        (409, "ALL_LINES_REJECTED")
    ]


def test_the_carted_price_with_a_price_basis_quantity_is_the_same_price(client, shop):
    cart = punch_out(client, [("B000PAPER1", 3)])
    _payload, body = order_request(cart)
    # 5.20 per unit written as 52.00 per 10 units.
    body, count = re.subn(
        rb"<UnitPrice>\s*<Money currency=\"EUR\">5\.20*</Money>",
        b'<UnitPrice><Money currency="EUR">52.00</Money>',
        body,
        count=1,
    )
    assert count == 1
    body = body.replace(
        b"</UnitOfMeasure>",
        b'</UnitOfMeasure><PriceBasisQuantity quantity="10" conversionFactor="1">'
        b"<UnitOfMeasure>PK</UnitOfMeasure></PriceBasisQuantity>",
        1,
    )
    assert b"PriceBasisQuantity" in body
    status = send(client, body)
    assert status.code == 200, status.message
    assert OrderLine.objects.get().code == "ACCEPTED"
