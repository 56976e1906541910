"""A ship notice in another unit than the order line, or shipping more than ordered, raises a
supplier issue naming the line, both units and both quantities; another unit is never counted as
shipped, nor received automatically."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from openprocure.buyer.fulfilment.models import GoodsReceipt, LineFulfilment, SupplierIssue
from openprocure.buyer.purchasing.models import PurchaseOrder, PurchaseOrderLine
from punchout import cxml
from tests.buyer.fulfilment_world import envelope, make_po, make_supplier, post, receiving_desk, ship_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def order() -> PurchaseOrder:
    supplier, connection = make_supplier()
    # Line 1: 3 reams of paper; line 2: 5 pens.
    po = make_po(supplier, connection, lines=[("PAPER-A4", "3", "4.00"), ("PEN-BLUE", "5", "2.00")])
    PurchaseOrderLine.objects.filter(purchase_order=po, line_number=1).update(unit_of_measure="RM")
    return po


def notice(shipment: str, items: list[tuple[int, str, str]]) -> cxml.ShipNoticeRequest:
    request = ship_notice(shipment, [])
    request.portions[0].items = [cxml.ShipNoticeItem(n, Decimal(q), unit) for n, q, unit in items]
    return request


def test_another_unit_is_an_issue_and_is_not_counted_as_shipped(
    client: Client, order: PurchaseOrder, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.FULFILMENT_AUTO_RECEIPT_BELOW = "1000"
    with django_capture_on_commit_callbacks(execute=True):
        status = post(client, envelope(notice("SHIP-1", [(1, "30", "EA")]), payload_id="asn-1@s"))
    assert status.code == 200
    issue = SupplierIssue.objects.get()
    assert (issue.kind, issue.po_line.line_number, issue.ship_notice.shipment_id, issue.confirmation) == (
        "unit_mismatch",
        1,
        "SHIP-1",
        None,
    )
    assert issue.message == (
        "Order PO-2026-000001 line 1 (PAPER-A4): ship notice SHIP-1 ships 30 EA, the line orders 3 RM. "
        "The shipped quantity is not counted until you check it with the supplier."
    )
    row = LineFulfilment.objects.get(po_line__line_number=1)
    assert (row.shipped_quantity, row.state) == (Decimal(0), "open")
    assert GoodsReceipt.objects.count() == 0  # never received automatically
    assert [m.subject for m in mail.outbox] == [
        "Order PO-2026-000001: the supplier's shipment needs checking"
    ]
    assert issue.message in mail.outbox[0].body
    client.force_login(receiving_desk())
    page = client.get("/fulfilment/issues/").content.decode()
    assert "ships 30 EA, the line orders 3 RM" in page
    order_page = client.get(f"/fulfilment/orders/{order.number}/").content.decode()
    assert "Shipped 31" not in order_page and "Other unit shipped" in order_page


def test_the_same_unit_in_other_case_counts(client: Client, order: PurchaseOrder) -> None:
    post(client, envelope(notice("SHIP-1", [(1, "3", "rm")]), payload_id="asn-1@s"))
    assert not SupplierIssue.objects.exists()
    row = LineFulfilment.objects.get(po_line__line_number=1)
    assert (row.shipped_quantity, row.state) == (Decimal(3), "shipped")


def test_shipping_more_than_ordered_is_an_issue(client: Client, order: PurchaseOrder) -> None:
    post(client, envelope(notice("SHIP-1", [(2, "4", "EA")]), payload_id="asn-1@s"))
    assert not SupplierIssue.objects.exists()
    post(client, envelope(notice("SHIP-2", [(2, "3", "EA")]), payload_id="asn-2@s"))
    issue = SupplierIssue.objects.get()
    assert (issue.kind, issue.po_line.line_number, issue.ship_notice.shipment_id) == (
        "over_shipped",
        2,
        "SHIP-2",
    )
    assert issue.message == (
        "Order PO-2026-000001 line 2 (PEN-BLUE): 7 EA shipped in all (with ship notice SHIP-2), 5 EA ordered."
    )
    row = LineFulfilment.objects.get(po_line__line_number=2)
    assert row.shipped_quantity == Decimal(7)
