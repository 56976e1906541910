"""In Chromium: the requester edits a cart at the supplier and reads, back on the requisition, which
line's accounting the new cart changed (English and French)."""

from __future__ import annotations

import html
from decimal import Decimal
from typing import Any

import pytest

from openprocure.buyer.organization.models import CostCenter, GLAccount
from openprocure.buyer.punchout.models import PunchOutSession
from openprocure.buyer.requisitions.choices import SplitMode
from openprocure.buyer.requisitions.services import (
    CartLine,
    SplitInput,
    create_requisition_from_cart,
    set_accounting,
    update_header,
)
from openprocure.buyer.suppliers.models import PunchOutConnection
from openprocure.core.models import User
from tests.browser import signed_in_page
from tests.buyer.punchout_world import SupplierServer, cart, setup_response

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TOLD = {
    "en-GB": (
        "Line 1 (PEN-001): its amount changed from 2.50\u00a0EUR to 1,250.00\u00a0EUR at the supplier, so its "
        "split by amount no longer added up. It is now charged to CC-200/6000 (the requisition's coding) "
        "instead of CC-100 2.00\u00a0EUR; CC-300 0.50\u00a0EUR: check its accounting."
    ),
    "fr-FR": (
        "Ligne 1 (PEN-001) : son montant est passé de 2,50\u00a0EUR à 1\u202f250,00\u00a0EUR chez le fournisseur, "
        "sa répartition par montant ne tombait donc plus juste. Elle est désormais imputée à CC-200/6000 "
        "(l'imputation de la demande) au lieu de CC-100 2,00\u00a0EUR ; CC-300 0,50\u00a0EUR : vérifiez son "
        "imputation."
    ),
}


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_an_edited_cart_that_changes_a_lines_coding_says_so_on_the_requisition(
    live_server: Any, chromium: Any, acme: PunchOutConnection, locale: str
) -> None:
    rita = User.objects.get(email="requester@acme.test")
    pen = CartLine(
        supplier_part_id="PEN-001", supplier_part_auxiliary_id="cart-7/1", quantity=Decimal("2"),
        unit_price=Decimal("1.25"), currency="EUR", description="Blue pen",
    )  # fmt: skip
    requisition = create_requisition_from_cart(
        requester=rita, lines=[pen], supplier=acme.supplier, connection=acme
    )
    update_header(
        requisition=requisition, actor=rita, title="Pens", justification="", need_by=None,
        ship_to=requisition.ship_to, cost_center=CostCenter.objects.get(code="CC-200"),
        gl_account=GLAccount.objects.get(code="6000"),
    )  # fmt: skip
    set_accounting(
        line=requisition.lines.get(), actor=rita, mode=SplitMode.AMOUNT,
        splits=[
            SplitInput(CostCenter.objects.get(code="CC-100"), amount=Decimal("2.00")),
            SplitInput(CostCenter.objects.get(code="CC-300"), amount=Decimal("0.50")),
        ],
    )  # fmt: skip

    def storefront(path: str) -> bytes:
        """The supplier's shop: a thousand pens in the cart, returned by a button (a form post)."""
        cookie = PunchOutSession.objects.order_by("-id").values_list("cookie", flat=True).first()
        items = [("PEN-001", "cart-7/1", "1000", "1.25", "Blue pen")]
        body = html.escape(cart(cookie or "", items, "1250.00", "edit"))
        return (
            '<!doctype html><html lang="en"><title>Shop</title><form method="post" '
            f'action="{live_server.url}/punchout/return/{cookie}/"><input type="hidden" '
            f'name="cxml-urlencoded" value="{body}"><button>Return cart</button></form></html>'
        ).encode()

    with SupplierServer(lambda body: (200, b""), storefront) as shop:
        shop.answer = lambda body: (200, setup_response(f"{shop.origin}/start/abc"))
        acme.setup_url = shop.url
        acme.save(update_fields=["setup_url"])
        page = signed_in_page(chromium, live_server.url, rita.email, locale=locale)
        page.goto(f"{live_server.url}/requisitions/{requisition.pk}/")
        with page.expect_navigation(url=f"{shop.origin}/start/abc"):
            page.locator("form:has(input[name=operation][value=edit]) button").click()
        with page.expect_navigation(url=f"{live_server.url}/requisitions/{requisition.pk}/"):
            page.get_by_role("button", name="Return cart").click()
    assert page.locator(".messages li.warning").all_inner_texts() == [TOLD[locale]]
    assert page.locator("#events .coding-note").all_inner_texts() == [TOLD[locale]]
    assert page.locator("#lines tbody tr td:nth-child(8)").all_inner_texts() == ["CC-200/6000"]
    assert len(page.context.pages) == 1
