"""Order intake through HTTP as a buyer system sends it: real carts, real OrderRequests, coded answers.

Carts are punched out through the setup + cart flow; OrderRequests are built with punchout.cxml
from the returned PunchOutOrderMessage, exactly as a procurement system would.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.http import QueryDict

from openprocure.core.models import Document, OutboxMessage, User
from openprocure.supplier.business.choices import QuantityAction
from openprocure.supplier.business.models import Integration
from openprocure.supplier.catalog.models import Product
from openprocure.supplier.orders.choices import LineOutcome, OrderStatus
from openprocure.supplier.orders.crypto import decrypt_secret
from openprocure.supplier.orders.forms import OrdersScopeForm
from openprocure.supplier.orders.models import Order, OrderLine, OrderRequestReceipt, OrderSettings
from punchout import cxml
from tests.supplier.worlds import BUYER_URL, make_dock, make_member, order_request, punch_out, send, with_line

pytestmark = pytest.mark.django_db


# -- helpers shared with the other order tests -----------------------------------------------------


# -- acceptance --------------------------------------------------------------------------------------
def test_an_order_from_a_punched_out_cart_is_accepted_priced_by_us_and_confirmed(
    client, shop, django_capture_on_commit_callbacks
):
    cart = punch_out(client, [("B000PAPER1", 3), ("B000PENS01", 2)])
    # Our price fell after the cart was returned: the order says the carted 5.20, we charge 5.00.
    Product.objects.filter(asin="B000PAPER1").update(business_price=Decimal("5.00"))
    payload_id, body = order_request(cart)
    with django_capture_on_commit_callbacks(execute=True):
        status = send(client, body)
    order = Order.objects.get()
    assert (status.code, status.text) == (200, "OK")
    assert status.message == (
        f"Order received as {order.number}: 2 line(s) accepted, 0 backordered, 0 rejected. "
        "A ConfirmationRequest follows with each line's outcome."
    )
    assert (order.buyer_order_id, order.order_version, order.payload_id, order.is_test, order.status) == (
        "PO-2026-000001",
        1,
        payload_id,
        False,
        OrderStatus.ACCEPTED,
    )
    assert (order.email, order.user.email, order.currency) == ("buyer@acme.test", "buyer@acme.test", "EUR")
    # Priced from our catalog (the order's prices are the cart's, see PRICE_NOT_AS_CARTED).
    assert (order.subtotal, order.shipping, order.tax, order.total) == (
        Decimal("35.00"),
        Decimal("4.99"),
        Decimal("8.00"),
        Decimal("47.99"),
    )
    lines = list(order.lines.order_by("line_number"))
    assert [
        (
            line.line_number,
            line.supplier_part_id,
            line.quantity,
            line.accepted_quantity,
            line.unit_price,
            line.buyer_unit_price,
            line.outcome,
            line.code,
        )
        for line in lines
    ] == [
        (1, "B000PAPER1", 3, 3, Decimal("5.0000"), Decimal("5.2000"), LineOutcome.ACCEPTED, "ACCEPTED"),
        (2, "B000PENS01", 2, 2, Decimal("10.0000"), Decimal("10.0000"), LineOutcome.ACCEPTED, "ACCEPTED"),
    ]
    assert dict(Product.objects.values_list("asin", "stock")) == {"B000PAPER1": 997, "B000PENS01": 18}
    # One ConfirmationRequest per seller, through the outbox, with our credentials and the secret
    # (stored masked: the outbox puts the business's secret in at delivery).
    messages = list(OutboxMessage.objects.filter(kind="ConfirmationRequest").order_by("id"))
    assert [(m.url, m.reference, m.status) for m in messages] == [(BUYER_URL, order.number, "pending")] * 2
    assert {m.secret_source for m in messages} == {str(order.business.integration.pk)}
    first = cxml.parse(messages[0].body.encode()).document
    assert (
        first.header.from_[0].identity,
        first.header.to[0].identity,
        first.header.sender[0].shared_secret,
    ) == (
        "MARKETPLACE",
        "ACME",
        "********",
    )
    confirmation = first.message
    assert (confirmation.header.type, confirmation.header.confirm_id) == ("detail", f"{order.number}-v1-1")
    assert (confirmation.order_reference.order_id, confirmation.order_reference.payload_id) == (
        "PO-2026-000001",
        payload_id,
    )
    assert [
        (
            i.line_number,
            [(s.type, s.quantity, s.unit_price.amount if s.unit_price else None) for s in i.statuses],
        )
        for i in confirmation.items
    ] == [(1, [("detail", Decimal("3"), Decimal("5.00"))])]
    second = cxml.parse(messages[1].body.encode()).document.message
    assert [(i.line_number, [(s.type, s.quantity) for s in i.statuses]) for i in second.items] == [
        (2, [("accept", Decimal("2"))])
    ]
    assert (
        "acme-shared-secret"
        not in Document.objects.get(kind="ConfirmationRequest", payload_id=messages[0].payload_id).raw
    )
    # The confirmation e-mail to the PunchOut user.
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert (email.to, email.subject) == (
        ["buyer@acme.test"],
        f"Order {order.number} confirmed (your purchase order PO-2026-000001)",
    )
    assert (
        "Will ship:\n- line 1: 3 × Copy paper A4 80 g, 500 sheets\n- line 2: 2 × Ballpoint pens, blue, box of 50"
        in email.body
    )
    assert "Will not ship" not in email.body
    assert "Total: 47.99\xa0EUR (tax included)" in email.body
    # The secret it authenticated with is kept encrypted for the documents we send back.
    settings_row = OrderSettings.objects.get(integration=shop)
    assert decrypt_secret(settings_row.outbound_secret_encrypted) == "acme-shared-secret"
    assert "acme-shared-secret" not in settings_row.outbound_secret_encrypted


def test_the_confirmation_e_mail_speaks_the_language_of_the_person_who_ordered(
    client, shop, django_capture_on_commit_callbacks
):
    User.objects.filter(email="buyer@acme.test").update(preferred_language="fr")
    cart = punch_out(client, [("B000PAPER1", 3)])
    _payload_id, body = order_request(cart)
    with django_capture_on_commit_callbacks(execute=True):
        assert send(client, body).code == 200
    order = Order.objects.get()
    [email] = mail.outbox
    assert email.subject == f"Commande {order.number} confirmée (votre bon de commande PO-2026-000001)"
    assert "Total : 18,72\xa0EUR (TTC)" in email.body


def test_partial_acceptance_backorders_and_rejects_lines_with_codes(
    client, shop, django_capture_on_commit_callbacks
):
    Integration.objects.filter(pk=shop.pk).update(max_delivery_days=3)
    cart = punch_out(client, [("B000PAPER1", 5), ("B000PENS01", 1)])
    Product.objects.filter(asin="B000PAPER1").update(stock=2)
    _payload, body = order_request(cart)
    with django_capture_on_commit_callbacks(execute=True):
        status = send(client, body)
    order = Order.objects.get()
    assert status.message == (
        f"Order received as {order.number}: 0 line(s) accepted, 1 backordered, 1 rejected. "
        "A ConfirmationRequest follows with each line's outcome."
    )
    assert [
        (
            line.outcome,
            line.code,
            line.accepted_quantity,
            line.backordered_quantity,
            line.rejected_quantity,
            line.reason,
        )
        for line in order.lines.order_by("line_number")
    ] == [
        (
            LineOutcome.BACKORDERED,
            "BACKORDERED",
            2,
            3,
            0,
            "2 of 5 ship now; 3 are backordered. Nothing to do: the rest ships when it is back in stock (or cancel the order).",
        ),
        (
            LineOutcome.REJECTED,
            "DELIVERY_TOO_LATE",
            0,
            0,
            1,
            "Delivery takes 4 days; this account accepts at most 3. Choose a product that arrives sooner, or ask the supplier to change the maximum delivery time.",
        ),
    ]
    # Shipping is charged only for sellers with a line to ship: the pens' seller has none.
    assert (order.subtotal, order.shipping) == (Decimal("26.00"), Decimal("0.00"))
    body_text = mail.outbox[0].body
    assert (
        "- line 1: 2 × Copy paper A4 80 g, 500 sheets\n  backordered: 3 (ships when back in stock)"
        in body_text
    )
    assert (
        "Will not ship:\n- line 2: 1 × Ballpoint pens, blue, box of 50 — DELIVERY_TOO_LATE: Delivery takes 4 days"
        in body_text
    )
    confirmations = [
        cxml.parse(m.body.encode()).document.message
        for m in OutboxMessage.objects.filter(kind="ConfirmationRequest").order_by("id")
    ]
    assert [[i.line_number for i in c.items] for c in confirmations] == [[1], [2]]
    confirmation = confirmations[0]
    assert [(s.type, s.quantity) for s in confirmation.items[0].statuses] == [
        ("accept", Decimal("2")),
        ("backordered", Decimal("3")),
    ]


@pytest.mark.parametrize(
    ("setup", "change", "code", "reason"),
    [
        (
            {},
            {"price": "4.00"},
            "PRICE_NOT_AS_CARTED",
            "The order says 4.00 EUR per unit; the cart returned this line at 5.20 EUR (/cXML/Request/OrderRequest/ItemOut[1]/ItemDetail/UnitPrice/Money). Order cart lines at the price the cart returned, or punch out again if the line must change.",
        ),
        (
            {},
            {"price": "9.99"},
            "PRICE_NOT_AS_CARTED",
            "The order says 9.99 EUR per unit; the cart returned this line at 5.20 EUR (/cXML/Request/OrderRequest/ItemOut[1]/ItemDetail/UnitPrice/Money). Order cart lines at the price the cart returned, or punch out again if the line must change.",
        ),
        (
            {"catalog_price": "6.00"},
            {},
            "PRICE_ABOVE_TOLERANCE",
            "Our price is 6.00 EUR; the order says 5.20 EUR, beyond the 10% tolerance (/cXML/Request/OrderRequest/ItemOut[1]/ItemDetail/UnitPrice/Money). Punch out again to get the current price, then order the line again.",
        ),
        ({"catalog_price": "5.70"}, {}, "ACCEPTED", "Accepted: 1 at 5.70 EUR each. Nothing to do."),
        (
            {},
            {"supplier_part_id": "B000PENS01"},
            "ITEM_IDENTITY_ALTERED",
            "SupplierPartID B000PENS01 at /cXML/Request/OrderRequest/ItemOut[1]/ItemID/SupplierPartID differs from the cart line's product B000PAPER1. Send SupplierPartID and SupplierPartAuxiliaryID exactly as returned in the cart.",
        ),
        (
            {},
            {"aux": "CL-forged-identity"},
            "ITEM_UNKNOWN",
            "SupplierPartAuxiliaryID CL-forged-identity at /cXML/Request/OrderRequest/ItemOut[1]/ItemID is not a cart line of ours. Order only lines returned by a PunchOut cart, with their SupplierPartAuxiliaryID unchanged.",
        ),
        (
            {},
            {"price": "5.20", "currency": "USD"},
            "CURRENCY_MISMATCH",
            "The line is priced in USD; this product is sold in EUR (/cXML/Request/OrderRequest/ItemOut[1]/ItemDetail/UnitPrice/Money). Order the line in the currency of the PunchOut cart.",
        ),
        (
            {"quantity_action": QuantityAction.REJECT_LINE},
            {"quantity": 2000},
            "QUANTITY_NOT_AVAILABLE",
            "Only 1000 of 2000 are available. Order the available quantity in a new order, or ask the supplier to ship what is available.",
        ),
    ],
    ids=[
        "price-below-cart",
        "price-above-cart",
        "catalog-price-above-tolerance",
        "catalog-price-within-tolerance",
        "altered-identity",
        "unknown-identity",
        "currency",
        "quantity-reject-line",
    ],
)
def test_each_line_rule_gives_its_code_and_reason(client, shop, setup, change, code, reason):
    setup = dict(setup)
    catalog_price = setup.pop("catalog_price", None)
    Integration.objects.filter(pk=shop.pk).update(**setup)
    cart = punch_out(client, [("B000PAPER1", 1), ("B000PENS01", 1)])
    if catalog_price is not None:  # our price changed between the cart and the order
        Product.objects.filter(asin="B000PAPER1").update(business_price=Decimal(catalog_price))
    _payload, body = order_request(with_line(cart, 0, **change))
    status = send(client, body)
    assert status.code == 200
    line = OrderLine.objects.get(line_number=1)
    assert (line.code, line.reason) == (code, reason)
    assert OrderLine.objects.get(line_number=2).code == "ACCEPTED"


def test_not_fulfilled_by_us_and_shipping_above_max(client, shop):
    cart = punch_out(client, [("B000PAPER1", 1), ("B000PENS01", 1)])
    Integration.objects.filter(pk=shop.pk).update(fulfilled_by_us_only=True)
    _payload, body = order_request(cart)
    assert send(client, body).code == 200
    line = OrderLine.objects.get(line_number=2)
    assert (line.outcome, line.code, line.reason) == (
        LineOutcome.REJECTED,
        "NOT_FULFILLED_BY_US",
        "B000PENS01 is fulfilled by Paper & Co. Choose an item fulfilled by us.",
    )
    Integration.objects.filter(pk=shop.pk).update(
        fulfilled_by_us_only=False, max_shipping_price=Decimal("2.00")
    )
    cart = punch_out(client, [("B000PAPER1", 1), ("B000PENS01", 1)])
    _payload, body = order_request(cart, order_id="PO-2026-000002")
    assert send(client, body).code == 200
    line = OrderLine.objects.get(order__buyer_order_id="PO-2026-000002", line_number=2)
    assert (line.code, line.reason) == (
        "SHIPPING_ABOVE_MAX",
        "Shipping from Paper & Co (4.99 EUR) would exceed the maximum of 2.00 EUR. Choose an item fulfilled by us, or ask the supplier to raise the maximum shipping price.",
    )


# -- whole-order refusals ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "code", "status", "message"),
    [
        (
            {"no_ship_to": True},
            "SHIP_TO_MISSING",
            400,
            "SHIP_TO_MISSING: The order has no delivery address at /cXML/Request/OrderRequest/OrderRequestHeader/ShipTo. Add ShipTo/Address with a PostalAddress (street, city, postal code, country) and send the order again.",
        ),
        (
            {"order_id": " "},
            "ORDER_ID_MISSING",
            400,
            "ORDER_ID_MISSING: The order has no orderID at /cXML/Request/OrderRequest/OrderRequestHeader/@orderID. Send the purchase order number as orderID.",
        ),
        (
            {"order_type": cxml.OrderType.BLANKET},
            "UNSUPPORTED_TERMS",
            400,
            'UNSUPPORTED_TERMS: We cannot accept orderType="blanket" at /cXML/Request/OrderRequest/OrderRequestHeader/@orderType. Send a regular order in EUR without Payment: we charge the business\'s default payment method.',
        ),
        (
            {"payment": cxml.PCard("4111111111111111", "2029-12-31")},
            "UNSUPPORTED_TERMS",
            400,
            "UNSUPPORTED_TERMS: We cannot accept a payment card at /cXML/Request/OrderRequest/OrderRequestHeader/Payment. Send a regular order in EUR without Payment: we charge the business's default payment method.",
        ),
        (
            {"secret": "wrong"},
            "AUTH_BAD_SECRET",
            401,
            "AUTH_BAD_SECRET: The SharedSecret at /cXML/Header/Sender/Credential/SharedSecret does not match the one issued for this account. Copy the shared secret again from the supplier's integration page.",
        ),
        (
            {"identity": "NOBODY"},
            "AUTH_UNKNOWN_BUYER",
            401,
            "AUTH_UNKNOWN_BUYER: No PunchOut account is registered for the From credential (NetworkId:NOBODY) at /cXML/Header/From. Check the identity and domain with the supplier's integration page.",
        ),
        (
            {"kind": "update", "order_id": "PO-UNKNOWN"},
            "ORDER_UNKNOWN",
            404,
            'ORDER_UNKNOWN: No order PO-UNKNOWN is known for this account (/cXML/Request/OrderRequest/OrderRequestHeader/@orderID). Check the orderID; a new order is sent with type="new".',
        ),
    ],
    ids=[
        "no-ship-to",
        "no-order-id",
        "blanket-order",
        "payment-card",
        "wrong-secret",
        "unknown-buyer",
        "update-unknown",
    ],
)
def test_whole_order_refusals_are_coded_and_create_nothing(
    client, shop, kwargs, code, status, message, django_capture_on_commit_callbacks
):
    cart = punch_out(client, [("B000PAPER1", 1)])
    _payload, body = order_request(cart, **kwargs)
    with django_capture_on_commit_callbacks(execute=True):
        answer = send(client, body)
    assert (answer.code, answer.message) == (status, message)
    assert Order.objects.count() == 0
    assert OrderLine.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert Product.objects.get(asin="B000PAPER1").stock == 1000
    inbound = Document.objects.get(direction="in", kind="OrderRequest")
    assert inbound.status_code == status
    if status == 401:
        assert OrderRequestReceipt.objects.count() == 0
        assert mail.outbox == []
    else:
        assert OrderRequestReceipt.objects.get().code == code
        assert [m.subject for m in mail.outbox] == [
            f"Your purchase order {kwargs.get('order_id', 'PO-2026-000001').strip() or '?'} was not accepted"
        ]
        assert (
            "Please contact your company's procurement representative: the order was not placed."
            in mail.outbox[0].body
        )


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        (
            {"order_id": "PO-" + "1" * 198},
            {"order_id": "PO-" + "1" * 197 + "2"},
            "VALUE_TOO_LONG: The orderID at /cXML/Request/OrderRequest/OrderRequestHeader/@orderID "
            "has 201 characters; at most 200 are accepted. Send a shorter one.",
        ),
        (
            {"payload_id": "p" * 250 + "1@buyer.example"},
            {"payload_id": "p" * 250 + "2@buyer.example"},
            "VALUE_TOO_LONG: The payloadID at /cXML/@payloadID has 265 characters; at most 250 are "
            "accepted. Send a shorter one.",
        ),
    ],
    ids=["order-id", "payload-id"],
)
def test_a_payload_or_order_id_longer_than_kept_is_refused_with_its_code(
    client, shop, first, second, message
):
    # Accepted before: an orderID cut to 200 characters made the next order sharing those 200 (or
    # the same order resent under a new payloadID) a fault on our side after three attempts; a
    # payloadID over 250 failed on PostgreSQL's column, also as a fault to retry.
    cart = punch_out(client, [("B000PAPER1", 1)])
    for kwargs in (first, second, first):
        _payload, body = order_request(cart, **kwargs)
        answer = send(client, body)
        assert (answer.code, answer.text, answer.message) == (400, "Bad Request", message)
    assert Order.objects.count() == 0
    assert Product.objects.get(asin="B000PAPER1").stock == 1000
    assert [r.code for r in OrderRequestReceipt.objects.all()] == ["VALUE_TOO_LONG"] * (
        3 if "order_id" in first else 1
    )
    assert [d.status_code for d in Document.objects.filter(direction="in", kind="OrderRequest")] == [400] * 3


def test_missing_quantity_and_product_name_are_refused(client, shop):
    cart = punch_out(client, [("B000PAPER1", 1), ("B000PENS01", 1)])
    _payload, body = order_request(with_line(cart, 1, quantity="1.5"))
    answer = send(client, body)
    assert (answer.code, answer.message) == (
        400,
        "QUANTITY_MISSING: Line 2 has no usable quantity (1.5) at /cXML/Request/OrderRequest/ItemOut[2]/@quantity. Send a positive whole quantity for every line.",
    )
    _payload, body = order_request(with_line(cart, 0, description=True))
    answer = send(client, body)
    assert (answer.code, answer.message) == (
        400,
        "PRODUCT_NAME_MISSING: Line 1 has no product name at /cXML/Request/OrderRequest/ItemOut[1]/ItemDetail/Description. Send the line's ItemDetail with the Description received in the PunchOut cart.",
    )
    # Without @quantity, or with an empty one, the parser cannot build the line: the same code.
    _payload, body = order_request(cart)
    answer = send(client, body.replace(b'quantity="1" lineNumber="1"', b'lineNumber="1"', 1))
    assert (answer.code, answer.text, answer.message) == (
        400,
        "Bad Request",
        "QUANTITY_MISSING: Line 1 has no usable quantity (missing) at /cXML/Request/OrderRequest/ItemOut[1]/@quantity. Send a positive whole quantity for every line.",
    )
    _payload, body = order_request(cart)
    answer = send(client, body.replace(b'quantity="1" lineNumber="2"', b'quantity=" " lineNumber="2"', 1))
    assert (answer.code, answer.message) == (
        400,
        'QUANTITY_MISSING: Line 2 has no usable quantity (" ") at /cXML/Request/OrderRequest/ItemOut[2]/@quantity. Send a positive whole quantity for every line.',
    )
    _payload, body = order_request(cart)
    answer = send(client, body.replace(b'quantity="1" lineNumber="2"', b'quantity="ten" lineNumber="2"', 1))
    assert (answer.code, answer.message) == (
        400,
        'QUANTITY_MISSING: Line 2 has no usable quantity ("ten") at /cXML/Request/OrderRequest/ItemOut[2]/@quantity. Send a positive whole quantity for every line.',
    )
    payload_id, body = order_request(cart[:1])
    answer = send(client, body.replace(b'quantity="1" lineNumber="1"', b'quantity="" lineNumber="1"', 1))
    assert (answer.code, answer.message) == (
        400,
        'QUANTITY_MISSING: Line 1 has no usable quantity ("") at /cXML/Request/OrderRequest/ItemOut[1]/@quantity. Send a positive whole quantity for every line.',
    )
    journal = Document.objects.get(direction="in", payload_id="", status_code=400, raw__contains=payload_id)
    assert journal.status_text == answer.message
    # Another parse error keeps the parser's own answer.
    _payload, body = order_request(cart)
    answer = send(
        client, body.replace(b'quantity="1" lineNumber="1"', b'quantity="1" lineNumber="1" lineNumber="2"', 1)
    )
    assert answer.code == 400
    assert not answer.message.startswith("QUANTITY_MISSING")
    malformed = send(client, b"<cXML><Request><OrderRequest>")
    assert malformed.code == 400
    assert Order.objects.count() == 0


def test_active_business_without_payment_method_is_told_what_to_add(
    client, acme, products, django_capture_on_commit_callbacks
):
    cart = punch_out(client, [("B000PAPER1", 1)])
    _payload, body = order_request(cart)
    with django_capture_on_commit_callbacks(execute=True):
        answer = send(client, body)
    assert (answer.code, answer.text, answer.message) == (
        402,
        "Payment Required",
        "NO_PAYMENT_METHOD: Acme Industries has no valid default payment method (none, or its card has expired), so the order cannot be charged. The business administrator must add a payment method (a card or invoice terms) on the Manage your business page; then send the order again.",
    )
    assert Order.objects.count() == 0
    assert mail.outbox[0].subject == "Your purchase order PO-2026-000001 was not accepted"
    assert (
        "Reason (NO_PAYMENT_METHOD): NO_PAYMENT_METHOD: Acme Industries has no valid default payment method"
        in mail.outbox[0].body
    )


def test_quantity_action_reject_order_and_all_lines_rejected(client, shop):
    Integration.objects.filter(pk=shop.pk).update(quantity_action=QuantityAction.REJECT_ORDER)
    cart = punch_out(client, [("B000PAPER1", 1), ("B000PENS01", 30)])
    _payload, body = order_request(cart)
    answer = send(client, body)
    assert (answer.code, answer.message) == (
        409,
        "QUANTITY_REJECTS_ORDER: Line 2: only 20 of 30 are available, and this account rejects an order when a quantity is short (/cXML/Request/OrderRequest/ItemOut[2]/@quantity). Lower the quantity or ask the supplier to change the quantity setting, then send a new order.",
    )
    _payload, body = order_request(with_line(cart[:1], 0, price="1.00"), order_id="PO-2")
    answer = send(client, body)
    assert answer.code == 409
    assert answer.message.startswith(
        "ALL_LINES_REJECTED: No line can be accepted: line 1: PRICE_NOT_AS_CARTED — The order says 1.00 EUR per unit; the cart returned this line at 5.20 EUR"
    )
    assert Order.objects.count() == 0


def test_a_cart_line_of_another_business_refuses_the_order(client, shop, globex):
    foreign = punch_out(
        client,
        [("B000PAPER1", 1)],
        identity="GLOBEX",
        secret="globex-shared-secret",
        email="buyer@globex.test",
        url="https://globex.example/return",
    )
    own = punch_out(client, [("B000PENS01", 1)])
    _payload, body = order_request([*own, *with_line(foreign, 0, line_number=2)])
    answer = send(client, body)
    assert (answer.code, answer.message) == (
        403,
        "CART_LINE_OTHER_BUSINESS: Line 2 names a cart line (SupplierPartAuxiliaryID at /cXML/Request/OrderRequest/ItemOut[2]/ItemID/SupplierPartAuxiliaryID) that belongs to another business account. Order only from carts punched out with your own account; contact the supplier if this is unexpected.",
    )
    assert Order.objects.count() == 0
    assert Product.objects.get(asin="B000PENS01").stock == 20


def test_a_cart_line_is_ordered_once(client, shop):
    cart = punch_out(client, [("B000PAPER1", 1), ("B000PENS01", 1)])
    _payload, body = order_request(cart)
    assert send(client, body).code == 200
    first = Order.objects.get()
    _payload, body = order_request(
        cart[:1] + with_line(punch_out(client, [("B000PENS01", 1)]), 0, line_number=2),
        order_id="PO-2026-000002",
    )
    assert send(client, body).code == 200
    line = OrderLine.objects.get(order__buyer_order_id="PO-2026-000002", line_number=1)
    assert (line.code, line.reason) == (
        "CART_LINE_ALREADY_ORDERED",
        f"This cart line was already ordered in order {first.number}. Punch out again for a new cart if you need the item again.",
    )


# -- test status -------------------------------------------------------------------------------------
def test_a_test_integration_validates_like_active_and_records_a_test_order(
    client, globex, products, django_capture_on_commit_callbacks
):
    OrderSettings.objects.create(integration=globex, buyer_cxml_url=BUYER_URL)
    cart = punch_out(
        client,
        [("B000PAPER1", 2)],
        identity="GLOBEX",
        secret="globex-shared-secret",
        email="buyer@globex.test",
        url="https://globex.example/return",
    )
    _payload, body = order_request(
        with_line(cart, 0, price="1.00"),
        identity="GLOBEX",
        secret="globex-shared-secret",
        email="buyer@globex.test",
    )
    assert send(client, body).code == 409  # the same price rule as Active
    _payload, body = order_request(
        cart, identity="GLOBEX", secret="globex-shared-secret", email="buyer@globex.test", order_id="PO-T-2"
    )
    with django_capture_on_commit_callbacks(execute=True):
        answer = send(client, body)
    order = Order.objects.get()
    assert answer.message.startswith(
        f"Test order: recorded, never charged nor shipped. Order received as {order.number}"
    )
    assert (order.is_test, order.payment_method) == (True, None)
    assert Product.objects.get(asin="B000PAPER1").stock == 1000  # nothing reserved
    document = cxml.parse(OutboxMessage.objects.get(kind="ConfirmationRequest").body.encode()).document
    assert document.deployment_mode == "test"
    assert [c.text for c in document.message.header.comments] == [
        "test order: never charged nor shipped",
        "Sold by Marketplace",
    ]
    confirmation_mail = next(m for m in mail.outbox if "confirmed" in m.subject)
    assert (
        confirmation_mail.subject
        == f"[Test order] Order {order.number} confirmed (your purchase order PO-T-2)"
    )
    assert "This is a test order: it will never be charged nor shipped." in confirmation_mail.body


# -- the help page -------------------------------------------------------------------------------------
def test_the_code_catalogue_is_a_help_page(client):
    from openprocure.supplier.orders.codes import CODES

    response = client.get("/help/order-codes/")
    assert response.status_code == 200
    page = response.content.decode()
    for entry in CODES:
        assert f'id="{entry.code}"' in page
    assert "Cancel and place a new order." in page
    # 34 since PRICE_NOT_AS_CARTED, LINE_CANCELLED_BY_US and VALUE_TOO_LONG
    assert len(CODES) == len({entry.code for entry in CODES}) == 34


def test_shipping_address_is_matched(client, shop):
    address = make_dock(shop.business, 1)
    cart = punch_out(client, [("B000PAPER1", 1)])
    _payload, body = order_request(cart)
    assert send(client, body).code == 200
    assert Order.objects.get().shipping_address == address


def test_second_member_orders_are_theirs(client, shop):
    make_member(shop.business, "second@acme.test")
    cart = punch_out(client, [("B000PAPER1", 1)], email="second@acme.test")
    _payload, body = order_request(cart, email="buyer@acme.test")
    assert send(client, body).code == 200
    assert Order.objects.get().email == "second@acme.test"


def test_the_demo_points_only_acme_at_the_demo_buyer_suite(acme, globex, settings) -> None:
    """Globex's documents would reach a buyer suite that does not know Globex and be refused (401)."""
    from openprocure.supplier.orders import documents
    from openprocure.supplier.orders.demo import DEMO_AUTO_FULFIL_MINUTES, seed_order_settings

    settings.DEMO_MODE = True
    settings.DEMO_PEER_URL = "http://127.0.0.1:8001"
    assert acme.buyer_identity == "ACME" and globex.buyer_identity == "GLOBEX"
    # Created on first use (an order before the demo seeding ran) …
    assert documents.settings_for(Integration.objects.get(pk=globex.pk)).buyer_cxml_url == ""
    assert (
        documents.settings_for(Integration.objects.get(pk=acme.pk)).buyer_cxml_url
        == "http://127.0.0.1:8001/cxml/"
    )
    # … and by the demo seeding, which also sets the automatic fulfilment delay of both.
    assert seed_order_settings() == 2
    rows = dict(OrderSettings.objects.values_list("integration__buyer_identity", "buyer_cxml_url"))
    assert rows == {"ACME": "http://127.0.0.1:8001/cxml/", "GLOBEX": ""}
    assert set(OrderSettings.objects.values_list("auto_fulfil_after_minutes", flat=True)) == {
        DEMO_AUTO_FULFIL_MINUTES
    }


def test_an_order_is_accepted_while_the_mail_server_is_down_and_its_e_mail_waits(
    client, shop, settings, django_capture_on_commit_callbacks
) -> None:
    from django_tasks_db.models import DBTaskResult

    from tests.core.processes import closed_port

    cart = punch_out(client, [("B000PAPER1", 3)])
    _payload_id, body = order_request(cart)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2
    with django_capture_on_commit_callbacks(execute=True):
        status = send(client, body)
    order = Order.objects.get()
    assert (status.code, order.status) == (200, OrderStatus.ACCEPTED)
    assert mail.outbox == []
    (task,) = DBTaskResult.objects.filter(task_path="openprocure.core.mail.send_mail_later")
    subject, text, recipients, attempt = task.args_kwargs["args"]
    assert (subject, recipients, attempt) == (
        f"Order {order.number} confirmed (your purchase order PO-2026-000001)",
        ["buyer@acme.test"],
        2,
    )
    assert text.startswith(
        f"Thank you. We received your purchase order PO-2026-000001 as our order {order.number}."
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("all=1", True, id="whole-business"),
        pytest.param("", False, id="own"),
        pytest.param("all=0", False, id="zero"),
        pytest.param("all=yes", False, id="another-word"),
        pytest.param("all=1&all=0", False, id="the-last-value-counts"),
    ],
)
def test_the_order_lists_scope_from_its_url(url: str, expected: bool) -> None:
    assert OrdersScopeForm(QueryDict(url)).whole_business() is expected
