"""Returns of received goods, through the receiving page as the goods-in desk uses it: what may go
back (what was received and not yet returned), what a refused quantity on a return means (nothing:
goods are refused on the receipt, so it is refused beside its line), and what the order line shows
afterwards."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from openprocure.buyer.fulfilment.models import GoodsReceipt, GoodsReceiptLine, LineFulfilment
from openprocure.buyer.fulfilment.services import FulfilmentError, LineRefusal, ReceiptLineInput, return_goods
from openprocure.buyer.purchasing.models import PurchaseOrder, PurchaseOrderLine
from tests.buyer.fulfilment_world import receiving_desk

pytestmark = pytest.mark.django_db


def _quantities(line: PurchaseOrderLine) -> tuple[Decimal, Decimal, str]:
    row = LineFulfilment.objects.get(po_line=line)
    return row.received_quantity, row.refused_quantity, row.state


def _receive_and_return_one(
    client: Client, order: PurchaseOrder
) -> tuple[PurchaseOrderLine, PurchaseOrderLine]:
    """Line 1: 10 of 12 accepted and 2 refused, then 1 returned (9 kept); line 2: all 5 accepted."""
    client.force_login(receiving_desk())
    line1, line2 = order.lines.order_by("line_number")
    answer = client.post(
        f"/fulfilment/orders/{order.number}/receive/",
        {
            f"qty_{line1.pk}": "10",
            f"rejected_{line1.pk}": "2",
            f"reason_{line1.pk}": "Wet boxes",
            f"qty_{line2.pk}": "5",
        },
    )
    assert answer.status_code == 302
    answer = client.post(
        f"/fulfilment/orders/{order.number}/return/", {f"qty_{line1.pk}": "1", f"reason_{line1.pk}": "Torn"}
    )
    assert answer.status_code == 302
    return line1, line2


def _return_section(page: str) -> str:
    return page[page.index("Return goods") : page.index("Ship notices")]


def test_a_return_lowers_the_received_quantity_and_leaves_the_refused_one(
    client: Client, order: PurchaseOrder
) -> None:
    line1, line2 = _receive_and_return_one(client, order)
    assert _quantities(line1) == (Decimal(9), Decimal(2), "part_received")
    assert _quantities(line2) == (Decimal(5), Decimal(0), "received")
    returned = GoodsReceipt.objects.get(kind="return")
    assert [(r.po_line_id, r.quantity, r.rejected_quantity, r.reason) for r in returned.lines.all()] == [
        (line1.pk, Decimal(1), Decimal(0), "Torn")
    ]
    order.refresh_from_db()
    assert order.status == "part_received"
    # what was sent back is expected again: the receipt form offers it
    page = client.get(f"/fulfilment/orders/{order.number}/").content.decode()
    assert f'name="qty_{line1.pk}" value="3"' in page


def test_returning_more_than_was_received_and_not_yet_returned_is_refused_beside_its_line(
    client: Client, order: PurchaseOrder
) -> None:
    line1, line2 = _receive_and_return_one(client, order)
    answer = client.post(
        f"/fulfilment/orders/{order.number}/return/",
        {f"qty_{line1.pk}": "10", f"reason_{line1.pk}": "Wrong colour", f"qty_{line2.pk}": "2"},
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "Correct the values marked below, then record again." in page
    returns = _return_section(page)
    # each line's refusal beside it, what was typed kept
    assert (
        f'name="qty_{line1.pk}" value="10" inputmode="decimal" size="6" aria-label="Quantity returned">'
        in returns
    )
    assert (
        f'name="reason_{line1.pk}" value="Wrong colour" aria-label="Reason"> <span class="error">'
        "Line 1: 10 cannot be returned, only 9 received and not yet returned.</span>" in returns
    )
    assert (
        f'name="reason_{line2.pk}" value="" aria-label="Reason"> <span class="error">'
        "Line 2: say why the goods go back.</span>" in returns
    )
    assert GoodsReceipt.objects.count() == 2
    assert _quantities(line1) == (Decimal(9), Decimal(2), "part_received")
    assert _quantities(line2) == (Decimal(5), Decimal(0), "received")
    # everything that is left may go back
    answer = client.post(
        f"/fulfilment/orders/{order.number}/return/",
        {f"qty_{line1.pk}": "9", f"reason_{line1.pk}": "Wrong colour"},
    )
    assert answer.status_code == 302
    assert _quantities(line1) == (Decimal(0), Decimal(2), "open")


def test_the_return_form_offers_no_refused_quantity_and_one_posted_is_refused_not_dropped(
    client: Client, order: PurchaseOrder
) -> None:
    line1, _line2 = _receive_and_return_one(client, order)
    page = client.get(f"/fulfilment/orders/{order.number}/").content.decode()
    assert "rejected_" not in _return_section(page)
    answer = client.post(
        f"/fulfilment/orders/{order.number}/return/",
        {f"qty_{line1.pk}": "1", f"rejected_{line1.pk}": "2", f"reason_{line1.pk}": "Dented"},
    )
    assert answer.status_code == 400
    returns = _return_section(answer.content.decode())
    assert (
        f'name="reason_{line1.pk}" value="Dented" aria-label="Reason"> <span class="error">'
        "Line 1: a return has no refused quantity. Goods are refused on the receipt, when they arrive; "
        "a return sends back goods that were received.</span>" in returns
    )
    assert f'name="qty_{line1.pk}" value="1"' in returns
    assert GoodsReceipt.objects.count() == 2
    assert _quantities(line1) == (Decimal(9), Decimal(2), "part_received")


def test_the_return_service_refuses_a_refused_quantity_with_the_line_it_is_about(
    order: PurchaseOrder,
) -> None:
    line1 = order.lines.get(line_number=1)
    with pytest.raises(FulfilmentError) as refused:
        return_goods(
            po=order,
            actor=receiving_desk(),
            lines=[ReceiptLineInput(po_line_id=line1.pk, quantity=Decimal(0), rejected_quantity=Decimal(2))],
        )
    message = (
        "Line 1: a return has no refused quantity. Goods are refused on the receipt, when they arrive; "
        "a return sends back goods that were received."
    )
    assert refused.value.message == message
    assert refused.value.lines == [LineRefusal(po_line_id=line1.pk, field="rejected", message=message)]
    assert GoodsReceiptLine.objects.count() == 0


def test_a_receipt_refused_for_its_lines_shows_each_refusal_beside_its_line(
    client: Client, order: PurchaseOrder
) -> None:
    client.force_login(receiving_desk())
    line1, line2 = order.lines.order_by("line_number")
    answer = client.post(
        f"/fulfilment/orders/{order.number}/receive/",
        {f"qty_{line1.pk}": "13", f"qty_{line2.pk}": "1", f"rejected_{line2.pk}": "1"},
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "Correct the values marked below, then record again." in page
    assert (
        f'name="reason_{line1.pk}" value="" aria-label="Reason"> <span class="error">'
        "Line 1: 13 received but only 12 are still expected (ordered 12, received 0).</span>" in page
    )
    assert (
        f'name="reason_{line2.pk}" value="" aria-label="Reason"> <span class="error">'
        "Line 2: say why 1 were refused.</span>" in page
    )
    assert f'name="rejected_{line2.pk}" value="1"' in page
    assert GoodsReceipt.objects.count() == 0
