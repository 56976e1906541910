"""Closing a partly shipped order short, across the two sites running as processes (``openprocure demo``).

requester@acme.test orders from Marketplace (the loop simulator's steps over HTTP: PunchOut, cart,
approval, the storefront's confirmation); the operator ships half of each line; she receives it and
closes the order ("nothing more expected"). The storefront accepts the change order: its order is
Shipped at what shipped, nothing is left in the operators' queue, and both sites state the same
amount, the one invoiced.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from openprocure.simulate.loop import Plan, SimOrder, Simulator
from openprocure.simulate.web import wait_until

pytestmark = [pytest.mark.slow]


def test_closing_a_partly_shipped_order_short_is_accepted_by_the_storefront(demo: Any) -> None:
    sim = Simulator(buyer_url=demo.buyer_url, supplier_url=demo.supplier_url, seed=7)
    sim.sign_in()
    order = SimOrder(1, Plan(parts=2))
    sim.shop(order)
    sim.approve([order])
    sim.follow_po(order)
    sim.confirmation(order)
    sim.ship(order, 1)
    assert order.plan.parts == 2, order.lines  # something of the order is left to ship
    sim.receive(order)
    assert sim.po_status(order) == "part_received"

    page = sim.requester.get(f"{sim.buyer}/purchasing/{order.po}/")
    closed = sim.requester.submit(
        page, page.form(action="/close/"), {"confirm": "on", "reason": "Enough for now"}
    )
    assert (
        f"Order {order.po} closed: nothing more is expected. The supplier was sent a change order."
        in closed.messages()
    )
    assert sim.buyer_api is not None and sim.shop_api is not None
    buyer_api, shop_api = sim.buyer_api, sim.shop_api

    def storefront_order() -> dict[str, Any]:
        return next(row for row in shop_api.get("orders/", limit=500) if row["buyer_order_id"] == order.po)

    wait_until(
        lambda: (buyer_api.get(f"purchase-orders/{order.po}") or {}).get("version") == 2,
        seconds=120,
        what=f"the storefront's answer to the change order of {order.po}",
    )
    po = buyer_api.get(f"purchase-orders/{order.po}")
    assert po["supplier_message"] == ""
    assert po["status"] in ("received", "invoiced", "closed")
    shown = storefront_order()
    assert (shown["status"], shown["order_version"]) == ("shipped", 2)
    # Both sites state what shipped, and it is what the storefront invoiced.
    invoices = [row for row in shop_api.get("invoices/", limit=500) if row["buyer_order_id"] == order.po]
    assert [row["kind"] for row in invoices] == ["invoice"]
    assert Decimal(shown["subtotal"]) == Decimal(po["total_amount"]) == Decimal(invoices[0]["subtotal"])
    assert Decimal(shown["total"]) == Decimal(invoices[0]["total"])
    queue = sim.operator.get(f"{sim.supplier}/fulfilment/")
    assert f"({order.po})" not in queue.text
