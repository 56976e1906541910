"""What the protocol core reports as a warning is refused with a code where the storefront books it:
a negative order quantity, a currency that is not ISO 4217."""

from __future__ import annotations

import pytest

from openprocure.supplier.orders.models import Order, OrderLine
from punchout import cxml
from tests.supplier.worlds import order_request, punch_out, send, with_line

pytestmark = pytest.mark.django_db


def test_a_negative_quantity_is_a_warning_in_the_core_and_refused_with_a_code(client, shop):
    cart = punch_out(client, [("B000PAPER1", 1)])
    _payload_id, body = order_request(with_line(cart, 0, quantity="-2"))
    assert [w.code for w in cxml.parse(body).warnings] == ["negative-quantity"]
    status = send(client, body)
    assert (status.code, status.message) == (
        400,
        "QUANTITY_MISSING: Line 1 has no usable quantity (-2) at /cXML/Request/OrderRequest/ItemOut[1]/@quantity. "
        "Send a positive whole quantity for every line.",
    )
    assert Order.objects.count() == 0


def test_a_currency_that_is_not_iso_4217_is_a_warning_in_the_core_and_refused_with_a_code(client, shop):
    cart = punch_out(client, [("B000PAPER1", 1), ("B000PENS01", 1)])
    _payload_id, body = order_request(with_line(cart, 0, price="9.99", currency="DOLLARS"))
    assert "unknown-currency" in [w.code for w in cxml.parse(body).warnings]
    assert send(client, body).code == 200
    line = OrderLine.objects.get(line_number=1)
    assert line.code == "CURRENCY_MISMATCH"
    assert OrderLine.objects.get(line_number=2).code == "ACCEPTED"
