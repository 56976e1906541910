"""Bad values get a message or a coded cXML answer, never a 500 and never a silent reading.

Payment methods (an expired card is refused; Active needs a valid default method), the ship form
(a negative quantity is refused, not read as 0), record ids beyond what a database holds, and
permanent input errors in an OrderRequest.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from openprocure.supplier.business import services
from openprocure.supplier.business.choices import IntegrationStatus, PaymentKind
from openprocure.supplier.business.models import Integration, PaymentMethod
from openprocure.supplier.fulfilment.models import Shipment
from openprocure.supplier.orders.models import Order, OrderLine, OrderRequestReceipt
from punchout import cxml
from tests.supplier.worlds import (
    make_business,
    make_integration,
    make_operator,
    order_request,
    place,
    punch_out,
    send,
)

pytestmark = pytest.mark.django_db

LAST_YEAR = f"12/{(date.today().year - 1) % 100:02d}"
NEXT_YEAR = f"01/{(date.today().year + 1) % 100:02d}"


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# -- payment methods --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expiry", "message"),
    [
        (LAST_YEAR, f"This card expired at the end of {LAST_YEAR}: add a card that is still valid."),
        ("13/29", "Give the card's expiry as MM/YY, e.g. 09/28 (month 01 to 12)."),
        ("ab/cd", "Give the card's expiry as MM/YY, e.g. 09/28 (month 01 to 12)."),
    ],
)
def test_an_expired_or_unreadable_card_cannot_be_added(client, expiry, message):
    _business, admin = make_business()
    client.force_login(admin)
    response = client.post(
        reverse("business-add-payment"),
        {"kind": "card", "card_brand": "Visa", "card_last4": "4242", "card_expiry": expiry},
    )
    assert response.status_code == 200
    assert response.context["payment_form"].non_field_errors() == [message]
    assert PaymentMethod.objects.count() == 0


def test_a_card_valid_to_the_end_of_its_month_is_added_and_an_expired_one_never_becomes_default(client):
    business, admin = make_business()
    client.force_login(admin)
    client.post(
        reverse("business-add-payment"),
        {"kind": "card", "card_brand": "Visa", "card_last4": "4242", "card_expiry": NEXT_YEAR},
    )
    assert list(PaymentMethod.objects.values_list("card_expiry", "is_default")) == [(NEXT_YEAR, True)]
    # A card stored earlier that has expired since.
    old = PaymentMethod.objects.create(
        business=business, kind=PaymentKind.CARD, card_brand="Visa", card_last4="1111", card_expiry=LAST_YEAR
    )
    with pytest.raises(services.ValidationError) as refused:
        services.set_default_payment_method(business=business, by=admin, method_id=old.pk)
    assert refused.value.messages == [
        f"This card expired at the end of {LAST_YEAR}: add a card that is still valid."
    ]
    assert list(PaymentMethod.objects.order_by("id").values_list("card_last4", "is_default")) == [
        ("4242", True),
        ("1111", False),
    ]


@pytest.mark.parametrize("method", [None, "expired-card"])
def test_test_to_active_needs_a_valid_default_payment_method(client, method):
    business, admin = make_business()
    integration = make_integration(business, admin)
    if method == "expired-card":
        PaymentMethod.objects.create(
            business=business,
            kind=PaymentKind.CARD,
            card_brand="Visa",
            card_last4="1111",
            card_expiry=LAST_YEAR,
            is_default=True,
        )
    client.force_login(admin)
    response = client.post(reverse("business-activate"), {"confirm": "on"}, follow=True)
    assert (
        "Add a valid default payment method first (invoice terms, or a card that has not expired): "
        "Active orders are charged to it."
    ) in _messages(response)
    integration.refresh_from_db()
    assert (integration.status, integration.activated_at) == (IntegrationStatus.TEST, None)
    PaymentMethod.objects.all().delete()
    client.post(reverse("business-add-payment"), {"kind": "invoice", "invoice_terms": "30 days"})
    client.post(reverse("business-activate"), {"confirm": "on"})
    assert Integration.objects.get().status == IntegrationStatus.ACTIVE


# -- fulfilment -------------------------------------------------------------------------------------
def test_the_ship_form_refuses_a_negative_quantity_and_ships_nothing(client, shop):
    order = place(client, [("B000PAPER1", 3), ("B000PENS01", 2)])
    client.force_login(make_operator())
    lines = {line.line_number: line for line in order.lines.all()}
    response = client.post(
        f"/fulfilment/orders/{order.pk}/ship/",
        {
            f"line-{lines[1].pk}": "-1",
            f"line-{lines[2].pk}": "2",
            "carrier": "DHL",
            "tracking_number": "JD1",
        },
    )
    assert response.status_code == 200
    assert "Line 1: a quantity to ship cannot be negative (-1)." in _messages(response)
    assert Shipment.objects.count() == 0
    assert list(OrderLine.objects.values_list("shipped_quantity", flat=True)) == [0, 0]


def test_record_ids_beyond_a_database_integer_are_refused_with_a_message(client, shop):
    order = place(client, [("B000PAPER1", 1)])
    client.force_login(make_operator())
    response = client.post(
        "/fulfilment/ship-together/",
        {"order": "9" * 30, "carrier": "DHL", "tracking_number": "JD1"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Enter whole numbers of items." in _messages(response)
    assert client.post(f"/business/review/{'9' * 30}/approve/").status_code == 404
    assert client.post("/business/review/424242/refuse/", {"reason": "x"}).status_code == 404
    assert Shipment.objects.count() == 0
    assert Order.objects.get(pk=order.pk).status == "accepted"


# -- OrderRequest values ----------------------------------------------------------------------------
@pytest.mark.parametrize("address_id", ["²", "9" * 5000, "9" * 20])
def test_an_address_id_that_is_no_id_of_ours_is_a_name_not_a_fault(client, shop, address_id):
    cart = punch_out(client, [("B000PAPER1", 1)])
    _payload, body = order_request(cart)
    body, count = re.subn(
        rb"<ShipTo>\s*<Address", f'<ShipTo><Address addressID="{address_id}"'.encode(), body, count=1
    )
    assert count == 1
    status = send(client, body)
    assert status.code == 200, status.message
    assert Order.objects.get().shipping_address is None


@pytest.mark.parametrize(
    ("pattern", "value", "fragment"),
    [
        (
            rb'quantity="1"',
            b'quantity="' + b"9" * 5000 + b'"',
            "QUANTITY_MISSING: Line 1 has no usable quantity",
        ),
        (
            rb'<Money currency="EUR">5\.20*</Money>',
            b'<Money currency="EUR">' + b"9" * 5000 + b"</Money>",
            "a number of 5000 characters is not a plausible amount",
        ),
        (
            rb'orderVersion="1"',
            b'orderVersion="99999999999999999999"',
            "is out of range for an amount or quantity",
        ),
    ],
    ids=["quantity", "unit-price", "order-version"],
)
def test_an_unusable_number_is_a_400_never_a_500(client, shop, pattern, value, fragment):
    cart = punch_out(client, [("B000PAPER1", 1)])
    _payload, body = order_request(cart)
    body, count = re.subn(pattern, value, body, count=1)
    assert count == 1
    response = client.post("/cxml/", body, content_type="text/xml")
    status = cxml.parse(response.content).document.status
    assert status.code == 400
    assert fragment in status.message
    assert Order.objects.count() == 0
    assert OrderRequestReceipt.objects.filter(status_code__gte=500).count() == 0


def test_a_setup_request_with_a_line_beyond_the_cart_maximum_is_a_400(client, shop):
    from decimal import Decimal

    from openprocure.supplier.punchout.models import PunchOutSession
    from tests.supplier.worlds import post_setup, setup_request

    huge = cxml.ItemOut(quantity=Decimal("1000000000000"), item_id=cxml.ItemID("B000PAPER1", None))
    document = post_setup(client, setup_request(operation=cxml.PunchOutOperation.EDIT, items=[huge]))
    assert (document.status.code, document.status.message) == (
        400,
        "ItemOut 1 asks for 1000000000000: a cart line holds at most 100000. "
        "Send the line with a smaller quantity.",
    )
    assert PunchOutSession.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_shipping_price", "9" * 5000),
        ("max_shipping_price", "1e30"),
        ("max_shipping_price", "-1"),
        ("max_delivery_days", "9" * 30),
        ("unit_price_tolerance_percent", "-5"),
    ],
)
def test_an_operator_setting_beyond_its_domain_is_refused_with_a_message(client, shop, field, value):
    before = Integration.objects.filter(pk=shop.pk).values(field).get()
    client.force_login(make_operator())
    url = reverse("business-integration-settings", args=[shop.pk])
    response = client.post(url, {"field": field, "value": value, "reason": "Ticket 9"}, follow=True)
    assert response.status_code in (200, 400)
    assert Integration.objects.filter(pk=shop.pk).values(field).get() == before
    page = response.content.decode()
    assert 'class="error"' in page, page[-3000:]
    if value.startswith("-"):
        assert "cannot be negative: enter 0 or more, or leave it empty for no limit." in page


def test_an_active_business_whose_default_card_expired_since_is_refused_with_the_code(client, shop):
    PaymentMethod.objects.filter(business=shop.business).update(card_expiry=LAST_YEAR)
    cart = punch_out(client, [("B000PAPER1", 1)])
    _payload, body = order_request(cart)
    status = send(client, body)
    assert (status.code, status.message.split(":")[0]) == (402, "NO_PAYMENT_METHOD")
    assert "has no valid default payment method (none, or its card has expired)" in status.message
    assert Order.objects.count() == 0
