"""A returned cart is read by the money rules: its header total is compared with the line amounts each
rounded on its own line (``punchout.amounts``), as the supplier built it; and a line's ``ListPrice``
Extrinsic (the storefront sends one on every line) is kept for the savings figures."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client

from openprocure.buyer.requisitions.models import Requisition
from openprocure.buyer.suppliers.models import PunchOutConnection
from tests.buyer.punchout_world import SupplierServer, cart, launch


def test_a_total_of_lines_rounded_each_on_its_own_is_no_mismatch(
    acme: PunchOutConnection,
    requester: Client,
    supplier: SupplierServer,
) -> None:
    # 0.005 + 0.005: each line is 0.01, the cart says 0.02 (rounding their sum would say 0.01)
    items = [("P-1", None, "1", "0.005", "Staple"), ("P-2", None, "1", "0.005", "Clip")]
    session = launch(requester, acme, supplier)
    requester.post(
        f"/punchout/return/{session.cookie}/", {"cxml-urlencoded": cart(session.cookie, items, "0.02")}
    )
    requisition = Requisition.objects.get()
    assert requisition.warnings == []
    assert [line.amount for line in requisition.lines.order_by("line_number")] == [Decimal("0.01")] * 2

    session = launch(requester, acme, supplier)
    requester.post(
        f"/punchout/return/{session.cookie}/", {"cxml-urlencoded": cart(session.cookie, items, "0.01")}
    )
    assert [w["code"] for w in Requisition.objects.order_by("-id").first().warnings] == ["total-mismatch"]  # type: ignore[union-attr]


def test_the_list_price_extrinsic_is_kept_on_the_line(
    acme: PunchOutConnection,
    requester: Client,
    supplier: SupplierServer,
) -> None:
    session = launch(requester, acme, supplier)
    body = cart(session.cookie, [("P-1", "CL-1", "2", "9.50", "Toner")], "19.00").replace(
        '<Extrinsic name="Color">blue</Extrinsic>',
        '<Extrinsic name="Color">blue</Extrinsic><Extrinsic name="ListPrice">12.00</Extrinsic>',
    )
    requester.post(f"/punchout/return/{session.cookie}/", {"cxml-urlencoded": body})
    line = Requisition.objects.get().lines.get()
    assert line.extrinsics == {"Color": "blue", "ListPrice": "12.00"}
    from openprocure.buyer.spend.services import list_price_of

    assert list_price_of(line.extrinsics, ("ListPrice",)) == Decimal("12.00")
