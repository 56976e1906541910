"""The whole loop over OAGIS between the two sites running as processes (``openprocure demo``).

The buyer's procurement administrator switches the Marketplace connection's order channel to OAGIS
(order URL: the storefront's ``POST /oagis/``). The requester shops, the order goes out as a
ProcessPurchaseOrder through the buyer's outbox and worker; the storefront's intake takes it in and
answers AcknowledgePurchaseOrder, which confirms the buyer's order. She lowers a line (a
ChangePurchaseOrder, version 2), then cancels the order (a CancelPurchaseOrder): both sites follow.
A BOD with a wrong secret is refused with a coded ConfirmBOD. Every step over HTTP, as the people
and systems of each side would (``openprocure.simulate``'s browser and REST clients).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from openprocure.simulate.loop import WORKER_SECONDS, Plan, SimOrder, Simulator
from openprocure.simulate.web import wait_until
from punchout import oagis
from punchout.oagis.transport import basic_credentials

pytestmark = [pytest.mark.slow]


def set_order_channel(sim: Simulator, channel: str, order_url: str) -> tuple[str, str]:
    """The procurement administrator sets the Marketplace connection's order channel and order URL;
    returns the ones it had (the demo is shared by the session's tests: the test puts them back)."""
    admin = sim.buyer_admin
    listing = admin.get(f"{sim.buyer}/suppliers/")
    [detail] = listing.doc.xpath("//a[normalize-space()='Marketplace']/@href")
    page = admin.get(f"{sim.buyer}{detail}")
    [edit] = page.doc.xpath("//a[normalize-space()='Edit']/@href")
    form_page = admin.get(f"{sim.buyer}{edit}")
    form = form_page.form(button="Save")
    previous = (form.fields["order_channel"] or "cxml", form.fields["order_url"] or "")
    saved = admin.submit(form_page, form, {"order_channel": channel, "order_url": order_url})
    assert saved.status == 200 and "/connections/" not in saved.url, saved.texts("//ul[@class='errorlist']")
    return previous


def po_detail(sim: Simulator, order: SimOrder) -> dict[str, Any]:
    assert sim.buyer_api is not None
    found = sim.buyer_api.get(f"purchase-orders/{order.po}")
    assert found is not None
    return dict(found)


def storefront_order(sim: Simulator, order: SimOrder) -> dict[str, Any]:
    assert sim.shop_api is not None
    found = sim.shop_api.get(f"orders/{order.supplier_number}")
    assert found is not None
    return dict(found)


def test_order_change_cancel_and_acknowledgements_over_oagis(demo: Any) -> None:
    sim = Simulator(buyer_url=demo.buyer_url, supplier_url=demo.supplier_url, seed=20, cancel_share=0)
    sim.sign_in()
    previous = set_order_channel(sim, "oagis", f"{sim.supplier}/oagis/")
    try:
        # The order: a ProcessPurchaseOrder, acknowledged by the storefront; the buyer's PO is confirmed.
        order = SimOrder(index=0, plan=Plan())
        sim.shop(order)
        sim.approve([order])
        sim.follow_po(order)
        sim.confirmation(order)  # waits for the storefront's order and the buyer's "confirmed"
        mine = storefront_order(sim, order)
        assert (mine["buyer_order_id"], mine["order_version"], mine["status"]) == (order.po, 1, "accepted")
        assert Decimal(mine["subtotal"]) == order.po_total
        po = po_detail(sim, order)
        assert (po["status"], po["version"], po["supplier_message"]) == ("confirmed", 1, "")
        page = sim.requester.get(f"{sim.buyer}/purchasing/{order.po}/")
        assert "Accepted by the supplier" in page.text and "Confirmation received" in page.text

        # The change: the last line cancelled (ChangePurchaseOrder, version 2).
        last = len(order.lines)
        answer = sim.requester.submit(page, page.form(button="Send change order"), {f"qty_{last}": "0"})
        assert "Change order sent" in answer.messages(), answer.messages()
        wait_until(
            lambda: po_detail(sim, order)["version"] == 2,
            seconds=WORKER_SECONDS,
            what=f"{order.po} changed to version 2",
            pause=2,
        )
        changed = storefront_order(sim, order)
        assert changed["order_version"] == 2
        cancelled_lines = [
            line
            for line in changed["lines"]
            if line["line_number"] == last and line["outcome"] == "cancelled"
        ]
        assert cancelled_lines, changed["lines"]
        page = sim.requester.get(f"{sim.buyer}/purchasing/{order.po}/")
        assert "Change accepted by the supplier" in page.text

        # The cancellation: a CancelPurchaseOrder; both sides end cancelled.
        answer = sim.requester.submit(
            page, page.form(button="Cancel order"), {"reason": "Bought elsewhere (OAGIS)"}
        )
        assert f"Cancellation of {order.po} sent" in answer.messages(), answer.messages()
        wait_until(
            lambda: po_detail(sim, order)["status"] == "cancelled",
            seconds=WORKER_SECONDS,
            what=f"{order.po} cancelled",
            pause=2,
        )
        assert storefront_order(sim, order)["status"] == "cancelled"

        # A coded refusal: the same BOD shape with a wrong secret.
        bod = oagis.PurchaseOrderBOD(
            verb=oagis.Verb.PROCESS,
            application_area=oagis.ApplicationArea(
                sender_logical_id="ACME",
                creation=datetime.now(UTC).replace(microsecond=0),
                bod_id="e2e-wrong@acme",
            ),
            purchase_orders=[oagis.PurchaseOrder(oagis.PurchaseOrderHeader(id="PO-E2E-REFUSED"))],
        )
        request = urllib.request.Request(
            f"{demo.supplier_url}/oagis/",
            data=oagis.build(bod),
            headers={
                "Content-Type": "application/xml",
                "Authorization": basic_credentials("ACME", "not-the-demo-secret"),
            },
            method="POST",
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 401
        confirm = oagis.parse_confirm(refused.value.read())
        [error] = confirm.results[0].errors
        assert (confirm.results[0].bod_id, error.reason_code) == ("e2e-wrong@acme", "AUTH_BAD_SECRET")
        assert error.description.startswith("The password (HTTP Basic) does not match the shared secret")
    finally:
        set_order_channel(sim, *previous)
