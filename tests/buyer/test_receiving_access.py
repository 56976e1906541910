"""The receiving pages follow the order's visibility: who may see the order (its requester, an
approver asked, a procurement administrator) and the accounts-payable clerks open them; anyone else
gets the order page's 404 and finds the order in no receiving list."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from openprocure.buyer.approvals.models import ApprovalAssignment, ApprovalRequest, ApprovalStep
from openprocure.buyer.fulfilment.models import GoodsReceipt, ShipNotice, SupplierIssue
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.core.models import User
from punchout import cxml
from tests.buyer.fulfilment_world import (
    confirmation,
    envelope,
    money,
    post,
    receiving_desk,
    ship_notice,
    user_with_role,
)

pytestmark = pytest.mark.django_db

ISSUE = "Line 1 (PAPER-A4): unit price changed from 10.00\xa0EUR to 10.50\xa0EUR."


def asked_to_approve(po: PurchaseOrder, approver: User) -> None:
    request = ApprovalRequest.objects.create(
        requisition=po.requisition, requester=po.requisition.requester, amount=po.total_amount, currency="EUR"
    )
    step = ApprovalStep.objects.create(
        request=request, position=1, name="Manager", mode="serial", quorum="any", required=1
    )
    ApprovalAssignment.objects.create(step=step, approver=approver)


@pytest.fixture
def shipped(client: Client, order: PurchaseOrder) -> tuple[PurchaseOrder, ShipNotice, SupplierIssue]:
    """The order with a ship notice on its way and a supplier issue (a changed price) open."""
    item = cxml.ConfirmationItem(
        1,
        Decimal(12),
        "EA",
        [
            cxml.ConfirmationStatus(
                cxml.ConfirmationStatusType.DETAIL, Decimal(12), "EA", unit_price=money("10.50")
            )
        ],
    )
    post(client, envelope(confirmation([item]), payload_id="conf-access@supplier.test"))
    post(client, envelope(ship_notice("SHIP-1", [(1, "12")]), payload_id="asn-access@supplier.test"))
    return order, ShipNotice.objects.get(), SupplierIssue.objects.get()


def pages(person: User, po: PurchaseOrder) -> dict[str, int]:
    client = Client()
    client.force_login(person)
    line = po.lines.get(line_number=1)
    return {
        "order": client.get(f"/purchasing/{po.number}/").status_code,
        "receiving": client.get(f"/fulfilment/orders/{po.number}/").status_code,
        "line": client.get(f"/fulfilment/lines/{line.pk}/").status_code,
    }


def lists(person: User) -> tuple[bool, bool, bool]:
    """Whether the order, its ship notice and its issue show in the receiving lists."""
    client = Client()
    client.force_login(person)
    to_receive = client.get("/fulfilment/")
    issues = client.get("/fulfilment/issues/?all=1")
    assert (to_receive.status_code, issues.status_code) == (200, 200)
    return (
        "/fulfilment/orders/PO-2026-000001/" in to_receive.content.decode(),
        "SHIP-1" in to_receive.content.decode(),
        ISSUE in issues.content.decode(),
    )


def test_a_stranger_of_the_same_company_gets_404_and_finds_the_order_in_no_list(
    shipped: tuple[PurchaseOrder, ShipNotice, SupplierIssue],
) -> None:
    po, _notice, _issue = shipped
    stranger = user_with_role("sam@acme.test", "requester")
    assert pages(stranger, po) == {"order": 404, "receiving": 404, "line": 404}
    assert lists(stranger) == (False, False, False)


def test_a_stranger_cannot_record_on_an_order_they_may_not_see_and_learns_nothing_of_it(
    shipped: tuple[PurchaseOrder, ShipNotice, SupplierIssue],
) -> None:
    """The same 404 on every POST as on the pages (not the 403 that says the order exists); nothing
    is received, returned or resolved."""
    po, notice, issue = shipped
    client = Client()
    client.force_login(user_with_role("sam@acme.test", "requester"))
    line1, line2 = po.lines.order_by("line_number")
    answers = [
        client.post(f"/fulfilment/orders/{po.number}/receive/", {f"qty_{line1.pk}": "1"}).status_code,
        client.post(
            f"/fulfilment/orders/{po.number}/return/", {f"qty_{line2.pk}": "1", f"reason_{line2.pk}": "x"}
        ).status_code,
        client.post(f"/fulfilment/ship-notices/{notice.pk}/receive/").status_code,
        client.post(f"/fulfilment/issues/{issue.pk}/resolve/", {"resolution": "Fine"}).status_code,
    ]
    assert answers == [404, 404, 404, 404]
    assert GoodsReceipt.objects.count() == 0
    notice.refresh_from_db()
    issue.refresh_from_db()
    assert (notice.status, issue.status, issue.resolved_by) == ("expected", "open", None)


def test_an_approver_not_asked_gets_404_too(shipped: tuple[PurchaseOrder, ShipNotice, SupplierIssue]) -> None:
    po, _notice, _issue = shipped
    other = user_with_role("bob@acme.test", "approver")
    assert pages(other, po) == {"order": 404, "receiving": 404, "line": 404}
    assert lists(other) == (False, False, False)


def test_who_may_see_the_order_opens_its_receiving_pages_and_finds_it_in_the_lists(
    shipped: tuple[PurchaseOrder, ShipNotice, SupplierIssue],
) -> None:
    po, _notice, _issue = shipped
    approver = user_with_role("alan@acme.test", "approver")
    asked_to_approve(po, approver)
    for person in (po.requisition.requester, approver, receiving_desk()):
        assert pages(person, po) == {"order": 200, "receiving": 200, "line": 200}, person.email
        assert lists(person) == (True, True, True), person.email


def test_an_ap_clerk_opens_the_receiving_pages_of_an_order_whose_order_page_they_may_not_open(
    shipped: tuple[PurchaseOrder, ShipNotice, SupplierIssue],
) -> None:
    """AP clerks match invoices against receipts: they read every order's receiving (read-only), while
    the order page keeps its own rule."""
    po, _notice, _issue = shipped
    clerk = user_with_role("ap@acme.test", "ap_clerk")
    assert pages(clerk, po) == {"order": 404, "receiving": 200, "line": 200}
    assert lists(clerk) == (True, True, True)
