"""A URL a supplier sends is data: only an http(s) tracking URL becomes a link on the buyer's pages.

A ship notice whose ``trackingURL`` is ``javascript:…`` used to be rendered as ``<a href="javascript:…">``
on the Receiving page (stored XSS); it is now shown as text beside the tracking number.
"""

from __future__ import annotations

import pytest
from django.test import Client

from openprocure.buyer.fulfilment.models import ShipNotice
from openprocure.buyer.purchasing.models import PurchaseOrder
from tests.buyer.fulfilment_world import (
    envelope,
    notice_with_tracking,
    post,
    receiving_desk,
)

pytestmark = pytest.mark.django_db

HOSTILE = "javascript:fetch('/admin/')"


@pytest.mark.parametrize(
    "url",
    [
        pytest.param(HOSTILE, id="javascript"),
        pytest.param("JavaScript:alert(1)", id="javascript-mixed-case"),
        pytest.param("data:text/html,<script>alert(1)</script>", id="data"),
        pytest.param("//evil.test/x", id="scheme-relative"),
    ],
)
def test_a_tracking_url_that_is_not_a_web_link_is_shown_as_text(
    client: Client, order: PurchaseOrder, url: str
) -> None:
    status = post(client, envelope(notice_with_tracking("SHIP-X", url), payload_id="asn-x@supplier.test"))
    assert (status.code, status.message) == (200, "Ship notice SHIP-X recorded.")
    # The partner's value is kept as sent.
    assert ShipNotice.objects.get().tracking_url == url
    client.force_login(receiving_desk())
    for page in (client.get("/fulfilment/"), client.get(f"/fulfilment/orders/{order.number}/")):
        html = page.content.decode()
        assert page.status_code == 200
        assert "1Z999" in html
        assert '<a href="javascript' not in html.lower().replace("&#x27;", "'")
        assert 'href="data:' not in html
        assert 'href="//evil.test' not in html
        assert '<span class="untrusted-url">(' in html


def test_an_https_tracking_url_is_a_link(client: Client, order: PurchaseOrder) -> None:
    url = "https://track.example.test/?n=1Z999&lang=fr"
    post(client, envelope(notice_with_tracking("SHIP-Y", url), payload_id="asn-y@supplier.test"))
    client.force_login(receiving_desk())
    expected = '<a href="https://track.example.test/?n=1Z999&amp;lang=fr" rel="noopener noreferrer nofollow">1Z999</a>'
    assert expected in client.get("/fulfilment/").content.decode()
    assert expected in client.get(f"/fulfilment/orders/{order.number}/").content.decode()
