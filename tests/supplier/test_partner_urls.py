"""The ship form refuses a tracking link that is not http(s); the order pages link only web URLs."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from openprocure.supplier.fulfilment import services
from openprocure.supplier.fulfilment.models import Shipment
from tests.supplier.worlds import PASSWORD, make_operator, place

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("javascript:alert(document.cookie)", id="javascript"),
        pytest.param("data:text/html,<b>x</b>", id="data"),
        pytest.param("ftp://files.test/track", id="ftp"),
    ],
)
def test_the_ship_form_refuses_a_tracking_link_that_is_not_http(client, shop, url):
    order = place(client, [("B000PAPER1", 3)])
    client.force_login(make_operator())
    line = order.lines.get()
    response = client.post(
        f"/fulfilment/orders/{order.pk}/ship/",
        {f"line-{line.pk}": "3", "carrier": "DHL", "tracking_number": "JD1", "tracking_url": url},
    )
    assert response.status_code == 200
    assert (
        "Enter a web address that starts with http:// or https://, or leave the link empty."
        in response.content.decode()
    )
    assert Shipment.objects.count() == 0
    order.lines.get().refresh_from_db()
    assert order.lines.get().shipped_quantity == 0


def test_the_ship_service_refuses_it_too(client, shop):
    order = place(client, [("B000PAPER1", 1)])
    with pytest.raises(ValidationError) as refused:
        services.ship(
            order_ids=[order.pk],
            carrier="DHL",
            tracking_number="JD1",
            tracking_url="javascript:alert(1)",
            by=make_operator(),
        )
    assert refused.value.messages == [
        "The tracking link must be a web address that starts with http:// or https://."
    ]
    assert Shipment.objects.count() == 0


def test_a_web_tracking_link_ships_and_is_a_link_on_the_order_pages(client, shop):
    order = place(client, [("B000PAPER1", 2)])
    operator = make_operator()
    client.force_login(operator)
    line = order.lines.get()
    response = client.post(
        f"/fulfilment/orders/{order.pk}/ship/",
        {
            f"line-{line.pk}": "2",
            "carrier": "DHL",
            "tracking_number": "JD1",
            "tracking_url": "https://dhl.example.test/track?id=JD1",
        },
    )
    assert response.status_code == 302
    assert Shipment.objects.get().tracking_url == "https://dhl.example.test/track?id=JD1"
    link = '<a href="https://dhl.example.test/track?id=JD1" rel="noopener noreferrer nofollow">JD1</a>'
    assert link in client.get("/fulfilment/").content.decode()
    client.logout()
    assert client.login(username="buyer@acme.test", password=PASSWORD)
    assert link in client.get(f"/account/orders/{order.number}/").content.decode()


def test_a_stored_hostile_link_is_shown_as_text_on_the_order_pages(client, shop):
    order = place(client, [("B000PAPER1", 1)])
    services.ship(order_ids=[order.pk], carrier="DHL", tracking_number="JD1", by=make_operator())
    # As a link stored before the form refused such values.
    Shipment.objects.update(tracking_url="javascript:alert(1)")
    assert client.login(username="buyer@acme.test", password=PASSWORD)
    page = client.get(f"/account/orders/{order.number}/").content.decode()
    assert 'href="javascript' not in page
    assert 'JD1 <span class="untrusted-url">(javascript:alert(1))</span>' in page
