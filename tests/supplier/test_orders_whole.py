"""The storefront keeps the whole order: what the buyer's OrderRequest says beyond what the
storefront reads (payment terms, Incoterms, identifiers, the supplier's own order number…) is in
the order's journal entry, and normalizing that entry loses none of it."""

from __future__ import annotations

import pytest
from lxml import etree

from openprocure.supplier.orders.models import Order
from punchout.cxml.review import review
from tests.supplier.worlds import order_request, punch_out, send

pytestmark = pytest.mark.django_db

EXTRA = (
    b'<PaymentTerm payInNumberOfDays="30"><Discount><DiscountPercent percent="2"/></Discount></PaymentTerm>'
    b'<SupplierOrderInfo orderID="SO-4711"/>'
    b'<TermsOfDelivery><TermsOfDeliveryCode value="DeliveryCondition"/>'
    b'<ShippingPaymentMethod value="PrepaidBySeller"/>'
    b'<TransportTerms value="DeliveredAtPlace">Lyon</TransportTerms></TermsOfDelivery>'
)


def test_an_order_keeps_what_the_storefront_does_not_read(client, shop):
    cart = punch_out(client, [("B000PAPER1", 2)])
    _payload_id, body = order_request(cart)
    marker = b'<Extrinsic name="UserEmail">'
    assert body.count(marker) == 1
    body = body.replace(marker, EXTRA + marker)
    status = send(client, body)
    assert (status.code, status.text) == (200, "OK")
    order = Order.objects.get()
    assert order.journal is not None
    stored = order.journal.raw.encode()
    for part in (b'<PaymentTerm payInNumberOfDays="30">', b'<SupplierOrderInfo orderID="SO-4711"/>', b"Lyon"):
        assert part in stored
    verdict = review(stored)
    assert verdict.refusal is None
    assert [(f.kind, f.path) for f in verdict.findings] == [
        ("kept", "/cXML/Request/OrderRequest/OrderRequestHeader/SupplierOrderInfo")
    ]
    assert verdict.output is not None
    header = etree.fromstring(verdict.output).find("Request/OrderRequest/OrderRequestHeader")
    assert header is not None
    assert [c.tag for c in header][-4:] == [
        "PaymentTerm",
        "SupplierOrderInfo",
        "TermsOfDelivery",
        "Extrinsic",
    ]
