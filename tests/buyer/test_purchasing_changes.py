"""Changing and cancelling a purchase order after the supplier confirmed it, and the supplier's own
cancellations: through the PO page as a requester would, a real HTTP server as the supplier's order
endpoint, and POST /cxml/ as the supplier's system."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from openprocure.buyer.approvals import budgets
from openprocure.buyer.approvals.models import Budget, BudgetCommitment
from openprocure.buyer.fulfilment.models import LineFulfilment, SupplierIssue
from openprocure.buyer.purchasing import services
from openprocure.buyer.purchasing.models import PurchaseOrder, Transmission
from openprocure.buyer.requisitions.models import AccountingSplit
from openprocure.core.models import OutboxMessage
from punchout import cxml
from tests.buyer.approval_world import build_world, requisition, signed_in, submit, two_line_order
from tests.buyer.fulfilment_world import deliver, receive
from tests.partner_server import PartnerServer, cxml_response

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def budget(world) -> Budget:
    today = timezone.localdate()
    return Budget.objects.create(
        cost_center=world.cc_ops,
        period_start=today.replace(month=1, day=1),
        period_end=today.replace(month=12, day=31),
        amount=Decimal("10000.00"),
        currency="EUR",
        enforcement="warn",
    )


def post_cxml(client: Any, message: object, payload_id: str) -> cxml.Status:
    """A document from Office Depot's system (its connection's identity and shared secret)."""
    header = cxml.make_header(
        from_=[cxml.Credential("DUNS", "123456789")],
        to=[cxml.Credential("NetworkId", "ACME-BUYER")],
        sender=[cxml.Credential("DUNS", "123456789", "s3cret-Abc!")],
        user_agent="Storefront test",
    )
    body = cxml.build(cxml.CXML(message=message, payload_id=payload_id, timestamp=NOW, header=header))  # type: ignore[arg-type]
    answer = client.post("/cxml/", data=body, content_type="text/xml")
    assert answer.status_code == 200
    status = cxml.parse(answer.content).document.status
    assert status is not None
    return status


def confirmation(
    po: PurchaseOrder, kind: str, lines: list[tuple[int, str, str, str]], comment: str = ""
) -> cxml.ConfirmationRequest:
    """``lines``: (line number, status type, quantity, comment); statuses of the same line number are
    one ConfirmationItem (e.g. 2 accepted and 1 rejected)."""
    numbers = list(dict.fromkeys(line[0] for line in lines))
    return cxml.ConfirmationRequest(
        header=cxml.ConfirmationHeader(
            type=cxml.ConfirmationType(kind),
            notice_date=NOW,
            confirm_id=f"C-{kind}-{len(lines)}",
            comments=[cxml.Comment(comment, lang="en")] if comment else [],
        ),
        order_reference=cxml.OrderReference(order_id=po.number, payload_id="x@y"),
        items=[
            cxml.ConfirmationItem(
                line_number=number,
                quantity=sum((Decimal(q) for n, _s, q, _t in lines if n == number), Decimal(0)),
                unit_of_measure="EA",
                statuses=[
                    cxml.ConfirmationStatus(
                        type=cxml.ConfirmationStatusType(status),
                        quantity=Decimal(quantity),
                        unit_of_measure="EA",
                        comments=[cxml.Comment(text, lang="en")] if text else [],
                    )
                    for n, status, quantity, text in lines
                    if n == number
                ],
            )
            for number in numbers
        ],
    )


def confirmed(world, client, partner: PartnerServer) -> PurchaseOrder:
    po = deliver(two_line_order(world), partner.url)
    status = post_cxml(
        client, confirmation(po, "detail", [(1, "accept", "3", ""), (2, "accept", "2", "")]), "c1@s"
    )
    assert status.code == 200
    po.refresh_from_db()
    assert po.status == "confirmed"
    return po


def lines_of(po: PurchaseOrder) -> list[tuple[int, Decimal, Decimal, Decimal]]:
    return [
        (line.line_number, line.quantity, line.cancelled_quantity, line.amount)
        for line in po.lines.order_by("line_number")
    ]


def test_lower_one_line_and_cancel_another_after_confirmation(world, budget, client) -> None:
    rita = signed_in(world.rita)
    with PartnerServer() as partner:
        po = confirmed(world, client, partner)
        assert budgets.committed_by_budget([budget])[budget.pk] == Decimal("2400.00")
        page = rita.post(f"/purchasing/{po.number}/change/", {"qty_1": "2", "qty_2": "0"}, follow=True)
        assert "Change order sent: it applies once the supplier accepts it." in page.content.decode()
        # Nothing changes until the supplier accepts it.
        assert lines_of(po) == [
            (1, Decimal(3), Decimal(0), Decimal("1800.00")),
            (2, Decimal(2), Decimal(0), Decimal("600.00")),
        ]
        po = deliver(po, partner.url)
    new, update = (cxml.parse(r.body).document for r in partner.received)
    header = update.message.header
    assert (header.type.value, header.order_version, header.document_reference) == (
        "update",
        2,
        new.payload_id,
    )
    assert [(i.line_number, i.quantity) for i in update.message.items] == [(1, Decimal(2))]
    assert header.total.amount == Decimal("1200.00")
    assert (po.status, po.version, po.total_amount) == ("confirmed", 2, Decimal("1200.00"))
    assert lines_of(po) == [
        (1, Decimal(2), Decimal(0), Decimal("1200.00")),
        (2, Decimal(0), Decimal(2), Decimal("0.00")),
    ]
    assert budgets.committed_by_budget([budget])[budget.pk] == Decimal("1200.00")
    transmission = Transmission.objects.get(purchase_order=po, type="update")
    assert (transmission.version, transmission.status, transmission.changes) == (
        2,
        "accepted",
        {"1": {"from": "3", "to": "2"}, "2": {"from": "2", "to": "0"}},
    )
    # The supplier confirms what it did: line 1 at 2, line 2 rejected as cancelled: no issue.
    status = post_cxml(
        client,
        confirmation(
            po,
            "detail",
            [
                (1, "accept", "2", ""),
                (2, "reject", "2", "LINE_CANCELLED: Cancelled by the buyer's update request."),
            ],
        ),
        "c2@s",
    )
    assert (status.code, status.message) == (200, f"Confirmation of {po.number} recorded.")
    assert SupplierIssue.objects.count() == 0
    assert list(
        LineFulfilment.objects.order_by("po_line__line_number").values_list("state", "accepted_quantity")
    ) == [("accepted", Decimal(2)), ("cancelled", Decimal(0))]
    page = rita.get(f"/purchasing/{po.number}/").content.decode()
    assert "line 1: 3 → 2, line 2: 2 → 0" in page
    assert "Change accepted by the supplier" in page


def test_a_higher_quantity_is_refused_on_the_page_as_a_new_order(world, client) -> None:
    with PartnerServer() as partner:
        po = confirmed(world, client, partner)
    before = OutboxMessage.objects.count()
    page = signed_in(world.rita).post(f"/purchasing/{po.number}/change/", {"qty_1": "5"}, follow=True)
    assert (
        "Line 1: a higher quantity (or a new line) is a new order. Order the extra quantity on a new "
        "requisition; here you can only lower quantities or cancel lines."
    ) in page.content.decode()
    assert OutboxMessage.objects.count() == before
    po.refresh_from_db()
    assert (po.version, lines_of(po)[0][1]) == (1, Decimal(3))


def test_a_change_the_supplier_refuses_leaves_the_order_as_it_was(world, budget, client) -> None:
    with PartnerServer() as partner:
        po = confirmed(world, client, partner)
        signed_in(world.rita).post(f"/purchasing/{po.number}/change/", {"qty_2": "1"})
        partner.script(
            (
                200,
                cxml_response(
                    409,
                    "Conflict",
                    "ALREADY_SHIPPED: Order PO-1 has already shipped, in whole or in part: line 2 (2 of 2 shipped).",
                ),
            )
        )
        po = deliver(po, partner.url)
    assert (po.status, po.version, po.total_amount) == ("confirmed", 1, Decimal("2400.00"))
    assert lines_of(po)[1] == (2, Decimal(2), Decimal(0), Decimal("600.00"))
    assert budgets.committed_by_budget([budget])[budget.pk] == Decimal("2400.00")
    refused = Transmission.objects.get(purchase_order=po, type="update")
    assert (refused.status, refused.version) == ("refused", 2)
    page = signed_in(world.rita).get(f"/purchasing/{po.number}/").content.decode()
    assert "line 2 (2 of 2 shipped)" in page and "Change refused by the supplier" in page
    # A later change is the next version.
    with PartnerServer() as partner:
        signed_in(world.rita).post(f"/purchasing/{po.number}/change/", {"qty_2": "1"})
        po = deliver(po, partner.url)
    assert cxml.parse(partner.received[0].body).document.message.header.order_version == 3
    assert (po.version, po.total_amount) == (3, Decimal("2100.00"))


def test_cancel_a_confirmed_order_sends_delete_and_releases_the_budget(world, budget, client) -> None:
    with PartnerServer() as partner:
        po = confirmed(world, client, partner)
        # Someone who may not see the order is told it does not exist (one visibility rule, web and API).
        assert signed_in(world.bob).post(f"/purchasing/{po.number}/cancel/").status_code == 404
        assert OutboxMessage.objects.filter(reference=po.number).count() == 1
        signed_in(world.rita).post(f"/purchasing/{po.number}/cancel/", {"reason": "Bought elsewhere"})
        po.refresh_from_db()
        assert po.status == "confirmed"  # until the supplier accepts it
        po = deliver(po, partner.url)
    new, delete = (cxml.parse(r.body).document for r in partner.received)
    assert (delete.message.header.type.value, delete.message.header.order_version) == ("delete", 2)
    assert delete.message.header.document_reference == new.payload_id
    assert po.status == "cancelled"
    assert budgets.committed_by_budget([budget])[budget.pk] == Decimal("0")
    assert [line.cancel_reason for line in po.lines.all()] == ["Bought elsewhere", "Bought elsewhere"]
    status = post_cxml(
        client,
        confirmation(po, "reject", [], "Order 1 cancelled at your request (OrderRequest type=delete)."),
        "c2@s",
    )
    assert status.code == 200
    assert SupplierIssue.objects.count() == 0
    assert list(po.events.values_list("kind", flat=True))[-1] == "cancellation_confirmed"


def test_no_change_once_the_supplier_has_shipped(world, client) -> None:
    with PartnerServer() as partner:
        po = confirmed(world, client, partner)
    notice = cxml.ShipNoticeRequest(
        header=cxml.ShipNoticeHeader(shipment_id="SHIP-1", notice_date=NOW, shipment_date=NOW),
        portions=[
            cxml.ShipNoticePortion(
                order_reference=cxml.OrderReference(order_id=po.number, payload_id="x@y"),
                items=[cxml.ShipNoticeItem(line_number=1, quantity=Decimal(3), unit_of_measure="EA")],
            )
        ],
    )
    assert post_cxml(client, notice, "ship1@s").code == 200
    before = OutboxMessage.objects.count()
    rita = signed_in(world.rita)
    page = rita.post(f"/purchasing/{po.number}/change/", {"qty_2": "1"}, follow=True).content.decode()
    assert (
        "is Partially shipped: it can change only once the supplier has accepted it, and until it ships."
        in page
    )
    page = rita.post(f"/purchasing/{po.number}/cancel/", follow=True).content.decode()
    assert "and until it ships." in page
    assert OutboxMessage.objects.count() == before


def test_only_the_requester_or_a_procurement_administrator_changes_cancels_or_closes(world, client) -> None:
    with PartnerServer() as partner:
        po = confirmed(world, client, partner)
    before = OutboxMessage.objects.count()
    mona = world.mona  # an approver, neither the order's requester nor a procurement administrator
    actions = {
        "change": lambda: services.request_change(po=po, actor=mona, quantities={2: Decimal(1)}),
        "cancel": lambda: services.cancel_purchase_order(po=po, actor=mona, reason="No longer needed"),
        "close": lambda: services.close_remaining(po=po, actor=mona, reason="Enough"),
    }
    for verb, action in actions.items():
        with pytest.raises(services.PurchasingError) as refused:
            action()
        assert (
            refused.value.message
            == f"Only the requester or a procurement administrator can {verb} this order."
        )
    po.refresh_from_db()
    assert po.status == "confirmed"
    assert lines_of(po) == [
        (1, Decimal(3), Decimal(0), Decimal("1800.00")),
        (2, Decimal(2), Decimal(0), Decimal("600.00")),
    ]
    assert OutboxMessage.objects.count() == before


def test_the_supplier_cancels_a_confirmed_line(world, budget, client) -> None:
    with PartnerServer() as partner:
        po = confirmed(world, client, partner)
    reason = (
        "Line(s) 2 of order 111-2 cancelled by the supplier before shipment: nothing will ship or be charged."
    )
    status = post_cxml(
        client,
        confirmation(po, "detail", [(2, "reject", "2", f"LINE_CANCELLED_BY_US: {reason}")], reason),
        "c2@s",
    )
    assert (status.code, status.message) == (
        200,
        f"Confirmation of {po.number} recorded. 1 change(s) passed to the buyer.",
    )
    po.refresh_from_db()
    assert (po.status, po.total_amount) == ("confirmed", Decimal("1800.00"))
    line = po.lines.get(line_number=2)
    assert (line.quantity, line.cancelled_quantity, line.cancel_reason) == (
        Decimal(0),
        Decimal(2),
        f"LINE_CANCELLED_BY_US: {reason}",
    )
    assert budgets.committed_by_budget([budget])[budget.pk] == Decimal("1800.00")
    assert LineFulfilment.objects.get(po_line=line).state == "cancelled"
    page = signed_in(world.rita).get(f"/purchasing/{po.number}/").content.decode()
    assert "Lines cancelled by the supplier" in page and reason in page


def test_the_supplier_cancels_the_whole_order(world, budget, client) -> None:
    with PartnerServer() as partner:
        po = confirmed(world, client, partner)
    reason = "Order 111-2 cancelled by the supplier before shipment: nothing will ship or be charged."
    assert post_cxml(client, confirmation(po, "reject", [], reason), "c2@s").code == 200
    po.refresh_from_db()
    assert (po.status, po.supplier_message, po.total_amount) == ("cancelled", reason, Decimal("0.00"))
    assert budgets.committed_by_budget([budget])[budget.pk] == Decimal("0")
    assert list(SupplierIssue.objects.values_list("kind", flat=True)) == ["order_rejected"]
    page = signed_in(world.rita).get(f"/purchasing/{po.number}/").content.decode()
    assert "Cancelled by the supplier" in page and reason in page


def test_the_confirmation_of_a_change_may_arrive_before_its_delivery_is_recorded(world, client) -> None:
    with PartnerServer() as partner:
        po = confirmed(world, client, partner)
        signed_in(world.rita).post(f"/purchasing/{po.number}/change/", {"qty_2": "0"})
        # The supplier's confirmation overtakes the outbox's record of the update's delivery.
        status = post_cxml(
            client,
            confirmation(
                po, "detail", [(1, "accept", "3", ""), (2, "reject", "2", "LINE_CANCELLED: update")]
            ),
            "c2@s",
        )
        assert (status.code, status.message) == (200, f"Confirmation of {po.number} recorded.")
        assert SupplierIssue.objects.count() == 0
        po = deliver(po, partner.url)
    assert (po.version, po.total_amount) == (2, Decimal("1800.00"))
    assert lines_of(po)[1] == (2, Decimal(0), Decimal(2), Decimal("0.00"))
    assert LineFulfilment.objects.get(po_line__purchase_order=po, po_line__line_number=2).state == "cancelled"


# -- what the supplier rejects leaves the budget ------------------------------------------------------
def committed(budget: Budget) -> Decimal:
    return budgets.committed_by_budget([budget])[budget.pk]


def rejection_rows(po: PurchaseOrder) -> list[tuple[str, int, Decimal]]:
    """The commitment rows that follow the supplier's rejections: reference, line number, amount."""
    return [
        (row.reference, row.rejected_line.line_number, row.amount)
        for row in BudgetCommitment.objects.filter(rejected_line__purchase_order=po).order_by("id")
    ]


def sent_and_delivered(world, partner: PartnerServer) -> PurchaseOrder:
    return deliver(two_line_order(world), partner.url)


PART_REJECTED = [(1, "accept", "2", ""), (1, "reject", "1", "Only 2 in stock."), (2, "accept", "2", "")]


def test_a_partly_rejected_line_releases_its_rejected_part_once(world, budget, client) -> None:
    """1 of the 3 chairs at 600 is rejected: 600.00 leave the budget, once however often the same
    answer comes; receiving the rest in full releases nothing more."""
    with PartnerServer() as partner:
        po = sent_and_delivered(world, partner)
    assert committed(budget) == Decimal("2400.00")
    assert post_cxml(client, confirmation(po, "detail", PART_REJECTED), "c1@s").code == 200
    assert committed(budget) == Decimal("1800.00")
    assert post_cxml(client, confirmation(po, "detail", PART_REJECTED), "c2@s").code == 200
    assert committed(budget) == Decimal("1800.00")
    assert rejection_rows(po) == [(po.number, 1, Decimal("-600.00"))]
    row = LineFulfilment.objects.get(po_line__purchase_order=po, po_line__line_number=1)
    assert (row.state, row.accepted_quantity, row.rejected_quantity) == ("accepted", Decimal(2), Decimal(1))
    assert lines_of(po)[0] == (1, Decimal(3), Decimal(0), Decimal("1800.00"))
    receive(signed_in(world.rita), po, {1: "2", 2: "2"})
    po.refresh_from_db()
    assert po.status == "received"
    assert committed(budget) == Decimal("1800.00")


def test_a_line_rejected_whole_stays_rejected_and_leaves_the_budget_page(world, budget, client) -> None:
    with PartnerServer() as partner:
        po = sent_and_delivered(world, partner)
    rejecting = confirmation(po, "detail", [(1, "accept", "3", ""), (2, "reject", "2", "Discontinued.")])
    assert post_cxml(client, rejecting, "c1@s").code == 200
    assert committed(budget) == Decimal("1800.00")
    row = LineFulfilment.objects.get(po_line__purchase_order=po, po_line__line_number=2)
    assert (row.state, row.rejected_quantity) == ("rejected", Decimal(2))
    assert lines_of(po)[1] == (2, Decimal(2), Decimal(0), Decimal("600.00"))  # not cancelled
    assert list(SupplierIssue.objects.values_list("kind", flat=True)) == ["line_rejected"]
    page = signed_in(world.ada).get("/approvals/budgets/").content.decode()
    assert '<td class="num">10,000.00\xa0EUR</td><td class="num">1,800.00\xa0EUR</td>' in page


def test_a_rejected_line_accepted_again_commits_its_money_again(world, budget, client) -> None:
    with PartnerServer() as partner:
        po = sent_and_delivered(world, partner)
    post_cxml(client, confirmation(po, "detail", [(1, "accept", "3", ""), (2, "reject", "2", "")]), "c1@s")
    assert committed(budget) == Decimal("1800.00")
    accepting = confirmation(po, "detail", [(1, "accept", "3", ""), (2, "accept", "2", "")])
    for payload_id in ("c2@s", "c3@s"):
        assert post_cxml(client, accepting, payload_id).code == 200
        assert committed(budget) == Decimal("2400.00")
    assert rejection_rows(po) == [(po.number, 2, Decimal("-600.00")), (po.number, 2, Decimal("600.00"))]
    assert LineFulfilment.objects.get(po_line__purchase_order=po, po_line__line_number=2).state == "accepted"
    # Rejected again, in part this time: 1 desk at 300 leaves.
    partly = confirmation(po, "detail", [(2, "accept", "1", ""), (2, "reject", "1", "")])
    assert post_cxml(client, partly, "c4@s").code == 200
    assert committed(budget) == Decimal("2100.00")


def test_cancelling_a_partly_rejected_line_releases_only_the_rest(world, budget, client) -> None:
    with PartnerServer() as partner:
        po = sent_and_delivered(world, partner)
        post_cxml(client, confirmation(po, "detail", PART_REJECTED), "c1@s")
        assert committed(budget) == Decimal("1800.00")
        signed_in(world.rita).post(f"/purchasing/{po.number}/change/", {"qty_1": "0"})
        po = deliver(po, partner.url)
    assert lines_of(po) == [
        (1, Decimal(0), Decimal(3), Decimal("0.00")),
        (2, Decimal(2), Decimal(0), Decimal("600.00")),
    ]
    # 1,200.00 released by the cancellation, 600.00 by the rejection before it: the desks remain.
    assert committed(budget) == Decimal("600.00")
    # The supplier's answer to the change, rejecting the cancelled line, changes nothing.
    post_cxml(client, confirmation(po, "detail", [(1, "reject", "3", ""), (2, "accept", "2", "")]), "c2@s")
    assert committed(budget) == Decimal("600.00")
    assert rejection_rows(po) == [(po.number, 1, Decimal("-600.00"))]


def test_the_supplier_cancelling_a_partly_rejected_line_releases_only_the_rest(world, budget, client) -> None:
    with PartnerServer() as partner:
        po = sent_and_delivered(world, partner)
    partly = confirmation(
        po, "detail", [(1, "accept", "3", ""), (2, "accept", "1", ""), (2, "reject", "1", "")]
    )
    post_cxml(client, partly, "c1@s")
    assert committed(budget) == Decimal("2100.00")
    post_cxml(client, confirmation(po, "detail", [(2, "reject", "2", "No more desks.")]), "c2@s")
    assert lines_of(po)[1] == (2, Decimal(0), Decimal(2), Decimal("0.00"))
    assert committed(budget) == Decimal("1800.00")
    assert rejection_rows(po) == [(po.number, 2, Decimal("-300.00"))]


def test_closing_after_a_rejection_releases_what_was_neither_received_nor_rejected(
    world, budget, client
) -> None:
    with PartnerServer() as partner:
        po = sent_and_delivered(world, partner)
    post_cxml(client, confirmation(po, "detail", PART_REJECTED), "c1@s")
    rita = signed_in(world.rita)
    receive(rita, po, {1: "1"})
    rita.post(f"/purchasing/{po.number}/close/", {"confirm": "on", "reason": "Enough"})
    po.refresh_from_db()
    assert (po.status, po.total_amount) == ("received", Decimal("1200.00"))
    assert lines_of(po) == [
        (1, Decimal(2), Decimal(1), Decimal("1200.00")),
        (2, Decimal(0), Decimal(2), Decimal("0.00")),
    ]
    # The one chair received: 600 rejected and 600 closed of line 1, 600 of line 2 closed.
    assert committed(budget) == Decimal("600.00")


def test_a_rejection_before_the_delivery_is_recorded_is_released_once(world, budget, client) -> None:
    po = two_line_order(world)
    rejecting = confirmation(po, "detail", [(1, "accept", "3", ""), (2, "reject", "2", "Discontinued.")])
    for payload_id in ("c1@s", "c2@s"):
        assert post_cxml(client, rejecting, payload_id).code == 200
    po.refresh_from_db()
    assert po.status == "sent"
    assert committed(budget) == Decimal("1800.00")
    with PartnerServer() as partner:
        po = deliver(po, partner.url)
    assert (po.status, po.total_amount) == ("confirmed", Decimal("2400.00"))
    assert LineFulfilment.objects.get(po_line__purchase_order=po, po_line__line_number=2).state == "rejected"
    assert committed(budget) == Decimal("1800.00")
    assert post_cxml(client, rejecting, "c3@s").code == 200
    assert committed(budget) == Decimal("1800.00")
    assert rejection_rows(po) == [(po.number, 2, Decimal("-600.00"))]


def test_a_reject_once_shipping_started_keeps_what_shipped_committed(world, budget, client) -> None:
    """1 of the 3 chairs at 600 has shipped when the supplier rejects the whole order: the shipped chair
    stays committed (it will be received and invoiced), the rest leaves the budget."""
    with PartnerServer() as partner:
        po = sent_and_delivered(world, partner)
    notice = cxml.ShipNoticeRequest(
        header=cxml.ShipNoticeHeader(shipment_id="SHIP-1", notice_date=NOW, shipment_date=NOW),
        portions=[
            cxml.ShipNoticePortion(
                order_reference=cxml.OrderReference(order_id=po.number, payload_id="x@y"),
                items=[cxml.ShipNoticeItem(line_number=1, quantity=Decimal(1), unit_of_measure="EA")],
            )
        ],
    )
    assert post_cxml(client, notice, "ship1@s").code == 200
    assert post_cxml(client, confirmation(po, "reject", [], "Closing the account."), "c1@s").code == 200
    assert committed(budget) == Decimal("600.00")
    assert rejection_rows(po) == [(po.number, 1, Decimal("-1200.00")), (po.number, 2, Decimal("-600.00"))]


def test_the_rejected_part_leaves_each_cost_center_in_its_share(world, budget, client) -> None:
    """Line 1 (3 chairs, 1,800.00) is split 60 % CC100 / 40 % CC200: 1 chair rejected releases 360.00
    and 240.00."""
    it_budget = Budget.objects.create(
        cost_center=world.cc_it,
        period_start=budget.period_start,
        period_end=budget.period_end,
        amount=Decimal("5000.00"),
        currency="EUR",
    )
    req = requisition(world, price="600.00", quantity="3")
    line = req.lines.get()
    line.split_mode = "percentage"
    line.save(update_fields=["split_mode"])
    for cost_center, share in ((world.cc_ops, "60"), (world.cc_it, "40")):
        AccountingSplit.objects.create(line=line, cost_center=cost_center, percentage=Decimal(share))
    submit(world, req)
    assert (committed(budget), committed(it_budget)) == (Decimal("1080.00"), Decimal("720.00"))
    with PartnerServer() as partner:
        po = deliver(PurchaseOrder.objects.get(requisition=req), partner.url)
    partly = confirmation(po, "detail", [(1, "accept", "2", ""), (1, "reject", "1", "")])
    assert post_cxml(client, partly, "c1@s").code == 200
    assert (committed(budget), committed(it_budget)) == (Decimal("720.00"), Decimal("480.00"))
    # Accepted again: each cost center commits its share again.
    post_cxml(client, confirmation(po, "detail", [(1, "accept", "3", "")]), "c2@s")
    assert (committed(budget), committed(it_budget)) == (Decimal("1080.00"), Decimal("720.00"))


def test_a_line_lowered_below_what_the_supplier_rejected_commits_nothing_below_zero(
    world, budget, client
) -> None:
    """2 of the 3 chairs are rejected (1,200.00 released), then we lower the line to 1 chair: the
    change releases 1,200.00 more, and the line, of which nothing is expected, commits nothing."""
    with PartnerServer() as partner:
        po = sent_and_delivered(world, partner)
        rejecting = confirmation(po, "detail", [(1, "accept", "1", ""), (1, "reject", "2", "")])
        post_cxml(client, rejecting, "c1@s")
        assert committed(budget) == Decimal("1200.00")
        signed_in(world.rita).post(f"/purchasing/{po.number}/change/", {"qty_1": "1"})
        po = deliver(po, partner.url)
    assert lines_of(po)[0] == (1, Decimal(1), Decimal(0), Decimal("600.00"))
    assert committed(budget) == Decimal("600.00")  # the desks
    # The supplier confirms the change (1 chair accepted): it is committed again.
    post_cxml(client, confirmation(po, "detail", [(1, "accept", "1", "")]), "c2@s")
    assert committed(budget) == Decimal("1200.00")
