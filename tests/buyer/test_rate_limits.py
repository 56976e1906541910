"""The buyer's ``/cxml/``: failed documents count per address; a supplier's accepted ones do not."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from openprocure.buyer.fulfilment.models import ShipNotice
from punchout import cxml
from tests.buyer.fulfilment_world import envelope, notice_with_tracking

pytestmark = pytest.mark.django_db


def answer(client: Client, body: bytes, address: str) -> tuple[int, int, str]:
    response = client.post("/cxml/", data=body, content_type="text/xml", REMOTE_ADDR=address)
    status = cxml.parse(response.content).document.status
    assert status is not None
    return response.status_code, status.code, response.get("Retry-After", "")


@override_settings(RATELIMIT_ANONYMOUS="2/h", RATELIMIT_PARTNER="100/h")
def test_wrong_secrets_are_limited_per_address_and_the_supplier_goes_on(client: Client, order) -> None:
    forged = [
        answer(
            client,
            envelope(
                notice_with_tracking(f"F-{n}", "https://t.test/"), payload_id=f"f{n}@x.test", secret="guess"
            ),
            "127.0.0.2",
        )[:2]
        for n in range(3)
    ]
    assert forged == [(200, 401), (200, 401), (429, 560)]
    assert ShipNotice.objects.count() == 0
    accepted = [
        answer(
            client,
            envelope(notice_with_tracking(f"S-{n}", "https://t.test/"), payload_id=f"s{n}@supplier.test"),
            "127.0.0.1",
        )[:2]
        for n in range(3)
    ]
    assert accepted == [(200, 200)] * 3
    assert ShipNotice.objects.count() == 3
