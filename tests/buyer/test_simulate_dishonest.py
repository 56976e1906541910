"""``openprocure simulate --dishonest``: the invoice it sends on purpose copies the order's last standard
invoice as the buyer received it, never a credit memo, even when the credit memo reached the buyer
after that invoice. The buyer runs as a live server; the invoice and the credit memo reach it through
its real cXML endpoint, the simulator reads them back through its REST API and posts its copy there.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from openprocure.buyer.approvals.services import create_api_token
from openprocure.buyer.invoicing.models import Invoice
from openprocure.simulate.loop import Plan, SimOrder, Simulator
from openprocure.simulate.web import Api
from tests.buyer.fulfilment_world import SECRET, envelope, invoice_request, make_po, make_supplier, post

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_dishonest_copy_is_the_last_standard_invoice_though_a_credit_memo_came_after_it(
    live_server: Any, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    supplier, connection = make_supplier()
    po = make_po(supplier, connection, lines=[("PAPER-A4", "12", "10.00"), ("PEN-BLUE", "5", "2.00")])
    first = invoice_request(invoice_id="INV-1", lines=[(1, "6", "10.00")])
    last = invoice_request(invoice_id="INV-2", lines=[(1, "6", "10.00"), (2, "5", "2.00")])
    credit = invoice_request(invoice_id="CM-1", lines=[(2, "1", "2.00")], purpose="lineLevelCreditMemo")
    for number, document in (("inv-1", first), ("inv-2", last), ("cm-1", credit)):
        with django_capture_on_commit_callbacks(execute=True):
            assert post(client, envelope(document, payload_id=f"{number}@s")).code == 200
    # The credit memo is the order's newest document: what a careless copy would take.
    assert list(Invoice.objects.order_by("pk").values_list("number", "kind")) == [
        ("INV-1", "invoice"),
        ("INV-2", "invoice"),
        ("CM-1", "line_credit"),
    ]

    _row, token = create_api_token(user=po.buyer, name="Loop simulator")
    simulator = Simulator(
        buyer_url=live_server.url, supplier_url=live_server.url, dishonest=1, supplier_secret=SECRET
    )
    simulator.buyer_api = Api(live_server.url, token)
    order = SimOrder(1, Plan(dishonest=True), po=po.number)
    simulator.send_dishonest(order)

    assert order.dishonest_invoice == "INV-2-X"
    assert order.buyer_invoices == {}  # taken in (200), left to the matching step
    copy = Invoice.objects.get(number="INV-2-X")
    # A standard invoice, the copy of INV-2 (both lines) with 1.00 more on every summary amount.
    assert (copy.kind, copy.is_credit) == ("invoice", False)
    assert (copy.subtotal, copy.total, copy.due_amount) == (
        Decimal("71.00"),
        Decimal("71.00"),
        Decimal("71.00"),
    )
    assert list(
        copy.lines.order_by("line_number").values_list("order_line_number", "quantity", "amount")
    ) == [
        (1, Decimal("6"), Decimal("60.00")),
        (2, Decimal("5"), Decimal("10.00")),
    ]
    assert not Invoice.objects.filter(number__in=["CM-1-X", "INV-1-X"]).exists()
    # The buyer's matching catches it: its lines add up to 70.00, not the 71.00 it states.
    assert copy.status == "exception"
