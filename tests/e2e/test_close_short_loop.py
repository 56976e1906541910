"""Closing a partly shipped order short, across the two sites running as processes (``openprocure demo``).

requester@acme.test orders from Marketplace (the loop simulator's steps over HTTP: PunchOut, cart,
approval, the storefront's confirmation); the operator ships half of each line; she receives it and
closes the order ("nothing more expected"). The storefront accepts the change order: its order is
Shipped at what shipped, nothing is left in the operators' queue, and both sites state the same
amount, the one invoiced.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from openprocure.simulate.loop import Plan, SimOrder, Simulator
from openprocure.simulate.web import wait_until

pytestmark = [pytest.mark.slow]


def _first_part_received(demo: Any, number: int) -> tuple[Simulator, SimOrder]:
    """Order ``number`` of two parts shopped, approved, confirmed; its first part shipped and received."""
    sim = Simulator(buyer_url=demo.buyer_url, supplier_url=demo.supplier_url, seed=7)
    sim.sign_in()
    order = SimOrder(number, Plan(parts=2))
    sim.shop(order)
    sim.approve([order])
    sim.follow_po(order)
    sim.confirmation(order)
    sim.ship(order, 1)
    assert order.plan.parts == 2, order.lines  # something of the order is left to ship
    sim.receive(order)
    return sim, order


def test_closing_a_partly_shipped_order_short_is_accepted_by_the_storefront(demo: Any) -> None:
    sim, order = _first_part_received(demo, 1)
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


def test_closing_while_goods_are_in_transit_keeps_them_on_both_sites(demo: Any) -> None:
    """Part of a second shipment is on its way when she closes: the change order keeps what shipped,
    the storefront accepts it as it is, both sites state the amount of what shipped and invoiced, and
    the order is Received once the goods in transit arrive."""
    sim, order = _first_part_received(demo, 2)
    # A second shipment of one item of the first line still open: on its way, not received.
    page = sim.operator.get(f"{sim.supplier}/fulfilment/orders/{order.supplier_id}/ship/")
    form = page.form(button="Ship")
    boxes = form.xpath(".//input[starts-with(@name,'line-')]")
    left = [int(box.get("value") or 0) for box in boxes]
    first = next(index for index, quantity in enumerate(left) if quantity >= 2)
    values = {str(box.get("name")): "1" if index == first else "0" for index, box in enumerate(boxes)}
    values.update(carrier="UPS", tracking_number="1Z0002TRANSIT")
    shipped = sim.operator.submit(page, form, values)
    assert "Shipment" in shipped.messages()
    assert sim.buyer_api is not None and sim.shop_api is not None
    buyer_api, shop_api = sim.buyer_api, sim.shop_api
    fulfilment_page = f"{sim.buyer}/fulfilment/orders/{order.po}/"
    wait_until(
        lambda: bool(
            sim.requester.get(fulfilment_page).doc.xpath("//form[contains(@action,'/ship-notices/')]")
        ),
        seconds=120,
        what=f"the second ship notice of {order.po}",
    )

    page = sim.requester.get(f"{sim.buyer}/purchasing/{order.po}/")
    closed = sim.requester.submit(page, page.form(action="/close/"), {"confirm": "on", "reason": "Enough"})
    # One line has goods on its way (the ship form lists lines by their storefront id, not number).
    assert re.fullmatch(
        re.escape(
            f"Order {order.po} closed: nothing more is expected. The supplier was sent a change order. "
        )
        + r"Goods already shipped are still on their way \(line\(s\) \d+\): receive them when they arrive\.",
        closed.messages(),
    ), closed.messages()
    wait_until(
        lambda: (buyer_api.get(f"purchase-orders/{order.po}") or {}).get("version") == 2,
        seconds=120,
        what=f"the storefront's answer to the change order of {order.po}",
    )
    po = buyer_api.get(f"purchase-orders/{order.po}")
    # Goods are still on their way (its invoices may have come already: Invoiced shows first).
    assert po["supplier_message"] == ""
    assert po["status"] in ("part_received", "invoiced")
    shown = next(row for row in shop_api.get("orders/", limit=500) if row["buyer_order_id"] == order.po)
    assert (shown["status"], shown["order_version"]) == ("shipped", 2)
    invoices = [row for row in shop_api.get("invoices/", limit=500) if row["buyer_order_id"] == order.po]
    assert {row["kind"] for row in invoices} == {"invoice"}
    invoiced = sum((Decimal(row["subtotal"]) for row in invoices), Decimal(0))
    assert Decimal(shown["subtotal"]) == Decimal(po["total_amount"]) == invoiced
    assert f"({order.po})" not in sim.operator.get(f"{sim.supplier}/fulfilment/").text
    # The goods in transit arrive: the order is Received at what shipped.
    sim.receive(order)
    po = buyer_api.get(f"purchase-orders/{order.po}")
    assert po["status"] in ("received", "invoiced", "closed")
    assert Decimal(po["total_amount"]) == invoiced
