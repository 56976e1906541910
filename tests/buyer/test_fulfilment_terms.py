"""What a ship notice says beyond quantities, read and shown: the carrier's service level, the
Incoterms the shipment travels under, and the supplier's description of each shipped line; the
whole document stays in the journal."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from openprocure.buyer.fulfilment.models import ShipNotice
from openprocure.buyer.purchasing.models import PurchaseOrder
from punchout import cxml
from tests.buyer.fulfilment_world import envelope, post, receiving_desk, ship_notice

pytestmark = pytest.mark.django_db


def test_service_level_incoterms_and_line_descriptions_are_read_and_shown(
    client: Client,
    order: PurchaseOrder,
) -> None:
    request = ship_notice("SHIP-T1", [(1, "10")])
    request.header.service_levels = [cxml.ServiceLevel("Next day air", "en")]
    request.header.terms_of_delivery = cxml.TermsOfDelivery(
        "DeliveryCondition", "PrepaidBySeller", "DeliveredAtPlace", transport_terms_text="Lyon"
    )
    request.portions[0].items[0].detail = cxml.ShipNoticeItemDetail(
        descriptions=[cxml.Description("A4 paper, 80 gsm, 500 sheets", "en")]
    )
    body = envelope(request, payload_id="asn-t1@supplier.test")
    status = post(client, body)
    assert (status.code, status.message) == (200, "Ship notice SHIP-T1 recorded.")
    notice = ShipNotice.objects.get()
    assert (notice.service_level, notice.incoterms) == ("Next day air", "DeliveredAtPlace Lyon")
    assert [(line.quantity, line.description) for line in notice.lines.all()] == [
        (Decimal(10), "A4 paper, 80 gsm, 500 sheets")
    ]
    assert notice.journal is not None
    assert '<ServiceLevel xml:lang="en">Next day air</ServiceLevel>' in notice.journal.raw
    client.force_login(receiving_desk())
    page = client.get(f"/fulfilment/orders/{order.number}/").content.decode()
    assert "SHIP-T1 — UPS 1Z999AA10123456784 (Next day air) — Incoterms: DeliveredAtPlace Lyon" in page
    assert "Line 1: 10 EA — A4 paper, 80 gsm, 500 sheets" in page


def test_a_ship_notice_without_them_shows_none(client: Client, order: PurchaseOrder) -> None:
    assert post(client, envelope(ship_notice("SHIP-T2", [(1, "10")]), payload_id="asn-t2@s")).code == 200
    notice = ShipNotice.objects.get()
    assert (notice.service_level, notice.incoterms) == ("", "")
    client.force_login(receiving_desk())
    page = client.get(f"/fulfilment/orders/{order.number}/").content.decode()
    assert "Incoterms" not in page
    assert "Line 1: 10 EA</li>" in page
