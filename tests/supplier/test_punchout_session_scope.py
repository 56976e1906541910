"""A PunchOut session is a shopping session, whatever ``UserEmail`` the partner sent.

A partner's credential (the cXML shared secret, the OCI password) opens ``/po/<key>/…`` for the
person it names. Even when it names the business administrator, the session browses, fills and
returns its cart and shows the shopper's own orders; every administration page answers 403 there and
nothing changes. The same administrator signed in to the storefront still can (with CSRF).
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from openprocure.supplier.business.models import Integration, Invitation, PaymentMethod
from openprocure.supplier.orders.choices import OrderStatus
from openprocure.supplier.orders.models import ApiKey, Order
from tests.supplier.worlds import PASSWORD, open_session, order_request, punch_out, send

pytestmark = pytest.mark.django_db

ADMIN = "admin@acme.test"


def _state(integration: Integration) -> dict[str, object]:
    integration.refresh_from_db()
    return {
        "api_keys": ApiKey.objects.count(),
        "secret": integration.shared_secret_hash,
        "oci": integration.oci_password_hash,
        "urls": list(integration.allowed_return_urls),
        "invitations": Invitation.objects.count(),
        "payment_methods": PaymentMethod.objects.count(),
        "orders": sorted(Order.objects.values_list("number", "status")),
    }


def _admin_actions(number: str) -> list[tuple[str, dict[str, str]]]:
    return [
        ("account/api-keys/", {"name": "stolen"}),
        ("business/punchout/credentials/", {"which": "shared_secret", "confirm": "on"}),
        ("business/punchout/credentials/", {"which": "oci_password", "confirm": "on"}),
        ("business/punchout/return-urls/", {"allowed_return_urls": "https://attacker.test/"}),
        ("business/users/invite/", {"email": "mallory@attacker.test", "role": "administrator"}),
        ("business/payment-methods/add/", {"kind": "invoice", "invoice_terms": "never"}),
        (f"account/orders/{number}/cancel/", {}),
    ]


@pytest.fixture
def placed(client, shop, products) -> str:
    """An accepted order of Acme (placed by its administrator through PunchOut): its number."""
    lines = punch_out(client, [("B000PAPER1", 2)], email=ADMIN)
    _payload, body = order_request(lines, email=ADMIN)
    assert send(client, body).code == 200
    return Order.objects.get().number


def test_a_punchout_session_of_the_administrator_cannot_administer(client, shop, placed):
    before = _state(shop)
    assert before["orders"] == [(placed, OrderStatus.ACCEPTED)]
    prefix = open_session(client, email=ADMIN, cookie="admin-session")
    for path, data in _admin_actions(placed):
        response = client.post(prefix + path, data)
        assert response.status_code == 403, path
        assert "Not available in a PunchOut session" in response.content.decode(), path
    for path in (
        "business/",
        "account/api-keys/",
        "business/punchout/credentials/",
        "business/punchout/documents/",
        "fulfilment/",
        "admin/",
        "account/invoices/",
        "mailbox/",
    ):
        assert client.get(prefix + path).status_code == 403, path
    assert _state(shop) == before


def test_an_oci_session_of_the_administrator_cannot_administer(client, shop, placed):
    before = _state(shop)
    response = client.post(
        "/oci/",
        {
            "USERNAME": shop.oci_username,
            "PASSWORD": "oci-password-1",
            "HOOK_URL": "https://buyer.example/punchout/oci",
            "USER_EMAIL": ADMIN,
        },
    )
    assert response.status_code == 302, response.content
    prefix = re.match(r"^(/po/[^/]+/)", response.url)[1]
    assert client.get(prefix).status_code == 200
    for path, data in _admin_actions(placed):
        assert client.post(prefix + path, data).status_code == 403, path
    assert _state(shop) == before


def test_a_punchout_session_shops_and_sees_only_its_shoppers_orders(client, shop, placed):
    # Another member's order of the same business.
    lines = punch_out(Client(), [("B000PAPER1", 1)])
    _payload, body = order_request(lines, order_id="PO-OTHER-1")
    assert send(client, body).code == 200
    other = Order.objects.get(buyer_order_id="PO-OTHER-1").number
    prefix = open_session(client, email=ADMIN, cookie="admin-session-2")
    assert client.get(prefix + "search/?q=paper").status_code == 200
    assert client.post(prefix + "cart/add/", {"asin": "B000PAPER1", "quantity": "3"}).status_code == 302
    assert client.get(prefix + "cart/").status_code == 200
    assert client.get(prefix + "help/order-codes/").status_code == 200
    # The whole business's orders stay out of reach, even with ?all=1.
    page = client.get(prefix + "account/orders/?all=1").content.decode()
    assert placed in page
    assert other not in page
    assert "API keys" not in page
    assert "Manage your business" not in page
    assert client.get(prefix + f"account/orders/{other}/").status_code == 404
    order_page = client.get(prefix + f"account/orders/{placed}/").content.decode()
    assert "Cancel this order" not in order_page
    assert client.post(prefix + "cart/submit/").status_code == 200


def test_the_administrator_signed_in_with_csrf_still_administers(shop, placed):
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(username=ADMIN, password=PASSWORD)
    # Without the CSRF token the signed-in administrator's POST is refused too.
    assert browser.post("/account/api-keys/", {"name": "no token"}).status_code == 403
    assert ApiKey.objects.count() == 0
    page = browser.get("/account/api-keys/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    response = browser.post("/account/api-keys/", {"name": "ERP", "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert list(ApiKey.objects.values_list("name", flat=True)) == ["ERP"]
    response = browser.post(f"/account/orders/{placed}/cancel/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Order.objects.get(number=placed).status == OrderStatus.CANCELLED
