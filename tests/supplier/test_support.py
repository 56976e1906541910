"""PO lookup for support representatives, and the REST API with business API keys."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from openprocure.core.models import User
from openprocure.supplier.business.choices import StaffRole
from openprocure.supplier.business.models import StaffProfile
from openprocure.supplier.orders import services
from openprocure.supplier.orders.models import ApiKey, Order
from openprocure.supplier.support.forms import LookupForm
from openprocure.supplier.support.models import LookupRecord
from tests.factories import copies
from tests.supplier.worlds import PASSWORD, make_business, order_request, punch_out, send

pytestmark = pytest.mark.django_db


def support_user() -> User:
    user = User.objects.create_user("support@marketplace.test", password=PASSWORD, is_staff=True)
    StaffProfile.objects.create(user=user, role=StaffRole.SUPPORT)
    return user


@pytest.mark.parametrize("key", ["po", "number", "payload", "email"])
def test_support_finds_an_order_by_any_key_and_the_lookup_is_recorded(client, shop, key):
    cart = punch_out(client, [("B000PAPER1", 1)])
    payload_id, body = order_request(cart)
    assert send(client, body).code == 200
    order = Order.objects.get()
    rep = support_user()
    client.force_login(rep)
    query = {
        "po": "PO-2026-000001",
        "number": order.number,
        "payload": payload_id,
        "email": "BUYER@acme.test",
    }[key]
    page = client.get("/support/lookup/", {"q": query}).content.decode()
    assert f'href="/support/orders/{order.number}/"' in page
    record = LookupRecord.objects.get()
    assert (record.who, record.query, record.order, record.results) == (rep, query, order, 1)
    dossier = client.get(f"/support/orders/{order.number}/").content.decode()
    assert "OrderRequest" in dossier and "ConfirmationRequest" in dossier
    assert "OrderRequestHeader(order_id=&#x27;PO-2026-000001&#x27;" in dossier
    assert "acme-shared-secret" not in dossier
    assert "********" in dossier
    assert LookupRecord.objects.count() == 2


def test_support_sees_refused_order_requests(client, shop):
    cart = punch_out(client, [("B000PAPER1", 1)])
    _payload, body = order_request(cart, no_ship_to=True)
    assert send(client, body).code == 400
    client.force_login(support_user())
    page = client.get("/support/lookup/", {"q": "PO-2026-000001"}).content.decode()
    assert "SHIP_TO_MISSING" in page


def test_the_lookup_cuts_its_orders_into_pages_of_50(client, shop):
    cart = punch_out(client, [("B000PAPER1", 1)])
    _payload, body = order_request(cart)
    assert send(client, body).code == 200
    copies(Order.objects.get(), 119)  # 120 orders of buyer@acme.test
    rep = support_user()
    client.force_login(rep)
    newest_first = list(Order.objects.order_by("-created_at", "-pk").values_list("number", flat=True))

    def numbers(page: str) -> list[str]:
        return re.findall(r'href="/support/orders/([^/]+)/"', page)

    first = client.get("/support/lookup/", {"q": "buyer@acme.test"}).content.decode()
    assert "Page 1 of 3" in first
    assert 'href="?q=buyer%40acme.test&amp;page=2" rel="next"' in first
    second = client.get("/support/lookup/", {"q": "buyer@acme.test", "page": "2"}).content.decode()
    assert "Page 2 of 3" in second
    third = client.get("/support/lookup/", {"q": "buyer@acme.test", "page": "3"}).content.decode()
    assert "Page 3 of 3" in third
    assert (numbers(first), numbers(second), numbers(third)) == (
        newest_first[:50],
        newest_first[50:100],
        newest_first[100:],
    )
    # every lookup is recorded with all it found, not only what one page shows
    assert list(LookupRecord.objects.values_list("results", "order", flat=False)) == [(120, None)] * 3


def test_the_lookup_counts_what_it_found_once(client, shop):
    """The record and both pagers take one count of the orders and one of the refused requests."""
    cart = punch_out(client, [("B000PAPER1", 1)])
    _payload, body = order_request(cart)
    assert send(client, body).code == 200
    copies(Order.objects.get(), 59)  # 60 orders of buyer@acme.test
    client.force_login(support_user())
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/support/lookup/", {"q": "buyer@acme.test", "page": "2"}).content.decode()
    assert "Page 2 of 2" in page
    assert len(re.findall(r'href="/support/orders/', page)) == 10
    counted = [
        match[1]
        for query in queries.captured_queries
        if (match := re.match(r'SELECT COUNT\(\*\) AS "__count" FROM "(\w+)"', query["sql"]))
    ]
    assert sorted(counted) == ["orders_order", "orders_orderrequestreceipt"]
    assert LookupRecord.objects.get().results == 60


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("q=+PO-2026-000001+", " PO-2026-000001 ", id="as-typed"),
        pytest.param("", "", id="nothing"),
        pytest.param("q=PO%00", "", id="null-character-is-nothing"),
    ],
)
def test_the_lookup_form_reads_what_was_typed(url: str, expected: str) -> None:
    assert LookupForm(QueryDict(url)).query() == expected


def test_a_lookup_of_a_null_character_looks_nothing_up(client, shop):
    client.force_login(support_user())
    answer = client.get("/support/lookup/", {"q": "PO\x00"})
    assert answer.status_code == 200
    assert answer.context["result"] is None
    assert LookupRecord.objects.count() == 0


def test_a_lookup_that_finds_one_order_has_no_pager(client, shop):
    cart = punch_out(client, [("B000PAPER1", 1)])
    _payload, body = order_request(cart)
    assert send(client, body).code == 200
    client.force_login(support_user())
    page = client.get("/support/lookup/", {"q": "PO-2026-000001"}).content.decode()
    assert 'class="pager"' not in page
    assert len(re.findall(r'href="/support/orders/', page)) == 1


def test_a_business_member_cannot_use_the_lookup(client, shop):
    assert client.login(username="buyer@acme.test", password=PASSWORD)
    assert client.get("/support/lookup/", {"q": "PO-2026-000001"}).status_code == 403
    assert LookupRecord.objects.count() == 0


def test_api_lists_only_the_business_orders_with_its_key(client, shop):
    cart = punch_out(client, [("B000PAPER1", 2)])
    _payload, body = order_request(cart)
    assert send(client, body).code == 200
    order = Order.objects.get()
    admin = User.objects.get(email="admin@acme.test")
    api_key, key = services.create_api_key(business=shop.business, by=admin, name="ERP")
    assert ApiKey.objects.get().key_hash != key and key.startswith(api_key.prefix)
    listing = client.get("/api/orders/", headers={"Authorization": f"Bearer {key}"})
    assert listing.status_code == 200
    assert [(o["number"], o["buyer_order_id"], o["total"]) for o in listing.json()] == [
        (order.number, "PO-2026-000001", "12.48")
    ]
    detail = client.get(f"/api/orders/{order.number}", headers={"Authorization": f"Bearer {key}"}).json()
    assert [(line["line_number"], line["accepted_quantity"], line["code"]) for line in detail["lines"]] == [
        (1, 2, "ACCEPTED")
    ]
    assert client.get("/api/orders/", headers={"Authorization": "Bearer opk_wrong"}).status_code == 401
    other, other_admin = make_business("Other Co", "admin@other.test")
    _other_key, other_secret = services.create_api_key(business=other, by=other_admin, name="ERP")
    assert client.get("/api/orders/", headers={"Authorization": f"Bearer {other_secret}"}).json() == []
    assert (
        client.get(
            f"/api/orders/{order.number}", headers={"Authorization": f"Bearer {other_secret}"}
        ).status_code
        == 404
    )
    assert client.get("/api/shipments/", headers={"Authorization": f"Bearer {key}"}).json() == []
    assert client.get("/api/invoices/", headers={"Authorization": f"Bearer {key}"}).json() == []
    assert client.get("/api/charges/", headers={"Authorization": f"Bearer {key}"}).json() == []
    assert client.get("/api/docs").status_code == 200


def test_api_lists_the_business_charges(client, shop):
    from openprocure.supplier.fulfilment import services as fulfilment
    from openprocure.supplier.fulfilment.models import Charge
    from tests.supplier.worlds import make_operator

    cart = punch_out(client, [("B000PAPER1", 2)])
    _payload, body = order_request(cart)
    assert send(client, body).code == 200
    order = Order.objects.get()
    shipment = fulfilment.ship(order_ids=[order.pk], carrier="DHL", tracking_number="JD1", by=make_operator())
    charge = Charge.objects.get()
    admin = User.objects.get(email="admin@acme.test")
    _api_key, key = services.create_api_key(business=shop.business, by=admin, name="ERP")
    expected = {
        "id": charge.pk,
        "order": order.number,
        "buyer_order_id": "PO-2026-000001",
        "shipment": shipment.shipment_id,
        "goods_return": None,
        "payment_method": "Visa •••• 4242 (12/29)",
        "amount": "12.48",
        "currency": "EUR",
        "charged_at": charge.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    auth = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/charges/", headers=auth).json() == [expected]
    assert client.get(f"/api/charges/{charge.pk}", headers=auth).json() == expected
    # A return is refunded: a negative line with the return and no shipment; its credit memo is listed.
    goods_return = fulfilment.record_return(
        order_id=order.pk,
        quantities=[fulfilment.ReturnedQuantity(order.lines.get().pk, 1)],
        reason="Damaged",
        by=make_operator("second.operator@marketplace.test"),
    )
    refund = client.get("/api/charges/", headers=auth).json()[0]
    assert (refund["shipment"], refund["goods_return"], refund["amount"]) == (
        None,
        goods_return.number,
        "-6.24",
    )
    invoices = client.get("/api/invoices/", headers=auth).json()
    assert [(i["kind"], i["total"]) for i in invoices] == [("credit_memo", "6.24"), ("invoice", "12.48")]
    other, other_admin = make_business("Other Co", "admin@other.test")
    _other_key, other_secret = services.create_api_key(business=other, by=other_admin, name="ERP")
    other_auth = {"Authorization": f"Bearer {other_secret}"}
    assert client.get("/api/charges/", headers=other_auth).json() == []
    assert client.get(f"/api/charges/{charge.pk}", headers=other_auth).status_code == 404
