"""Change and cancel after confirmation, across the two sites running as processes, in Chromium.

requester@acme.test orders two products from Marketplace three times (under 500 EUR: no approval;
the storefront confirms within seconds):

1. On the first order she lowers line 1 and cancels line 2: the change order reaches the storefront,
   which keeps line 1 at its new quantity and confirms line 2 as cancelled at the buyer's request;
   the buyer's order shows version 2 and line 2 Cancelled. A higher quantity is refused on the page
   (a new order). The operator ships it; the page then offers neither change nor cancellation
   (the storefront's coded refusal after shipment is tested on each site through POST /cxml/).
2. The second order she cancels whole: the storefront's order is Cancelled, its history says the
   buyer's procurement system asked; the buyer's order becomes Cancelled.
3. The third order the storefront's support staff cancel: the buyer's order becomes Cancelled with the
   storefront's reason, "cancelled by the supplier".
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browsing import (
    OPERATOR,
    REQUESTER,
    SUPPORT,
    Shots,
    card_facts,
    expect,
    money,
    nav,
    new_page,
    reload_until,
    sign_in,
    text_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def confirmed_order(page: Any, context: Any, buyer: str, first_quantity: int) -> str:
    """Punch out, cart two cheap products (the first ``first_quantity`` times), order, wait for the
    storefront's confirmation; the PO number."""
    page.goto(f"{buyer}/")
    nav(page, "Shop")
    page.click("button:has-text('Shop at Marketplace')")
    page.wait_for_url(re.compile(r".*/(po/[^/]+|welcome)/$"))
    store = page  # the supplier opens in the suite's own tab
    if store.url.endswith("/welcome/"):
        store.click("button:has-text('Continue to the store')")
    prefix = re.match(r"^(.*/po/[^/]+/)", store.url)[1]  # type: ignore[index]
    chosen: dict[str, str] = {}  # ASIN → the query that found it
    for query in ("paper", "pen", "tape", "folder", "label"):
        store.goto(f"{prefix}search/?q={query}")
        for card in card_facts(store):
            if card["in_stock"] and card["asin"] not in chosen and money(card["price"]) < 60:
                chosen[card["asin"]] = query
                break
        if len(chosen) == 2:
            break
    for asin, query in chosen.items():
        store.goto(f"{prefix}search/?q={query}")
        store.locator(f"article.product-card[data-asin='{asin}'] form[action$='/cart/add/'] button").click()
        store.wait_for_url(re.compile(r".*/cart/$"))
    rows = store.locator("#cart-lines tbody tr")
    expect()(rows).to_have_count(2)
    if first_quantity != 1:
        rows.first.get_by_label("Quantity", exact=True).fill(str(first_quantity))
        rows.first.locator("button:has-text('Update')").click()
        store.wait_for_url(re.compile(r".*/cart/$"))
    store.click("button:has-text('Submit items for approval')")
    store.wait_for_url(re.compile(r".*/requisitions/\d+/$"))
    requisition = text_of(store.locator("h1")).split(" ")[0]
    store.click("button:has-text('Submit for approval')")
    nav(store, "Purchase orders")
    po_row = store.locator("table tbody tr", has_text=requisition)
    reload_until(store, f"{buyer}/purchasing/", lambda: po_row.count() == 1, f"the PO of {requisition}")
    po_number = text_of(po_row.locator("td").nth(0))
    badge = store.locator("h1 .badge")
    reload_until(
        store,
        f"{buyer}/purchasing/{po_number}/",
        lambda: badge.inner_text() == "Confirmed",
        f"{po_number} confirmed",
    )
    return po_number


def support_order(support: Any, supplier: str, po_number: str) -> None:
    """Open the storefront's support page of the order for ``po_number``."""
    support.goto(f"{supplier}/support/lookup/?q={po_number}")
    found = support.locator("#orders tbody tr")
    expect()(found).to_have_count(1)
    found.locator("a").first.click()
    expect()(support.locator("h1")).to_contain_text(f"PO {po_number}")


def timeline(page: Any) -> list[str]:
    return [
        " ".join(text.split(" — ", 1)[1].split()) for text in page.locator("#timeline li").all_inner_texts()
    ]


def test_change_and_cancel_after_confirmation_between_the_two_sites(
    demo: Any, browser: Any, screenshots: Path
) -> None:
    shots = Shots(screenshots)
    buyer, supplier = demo.buyer_url, demo.supplier_url
    contexts = []
    try:
        context, page = new_page(browser)
        contexts.append(context)
        sign_in(page, buyer, REQUESTER)
        support_context, support = new_page(browser)
        contexts.append(support_context)
        sign_in(support, supplier, SUPPORT)

        # 1. Lower line 1 (3 → 2) and cancel line 2 of a confirmed order.
        first = confirmed_order(page, context, buyer, 3)
        po_url = f"{buyer}/purchasing/{first}/"
        page.goto(po_url)
        page.fill("input[name=qty_1]", "5")
        page.click("button:has-text('Send change order')")
        expect()(page.locator("ul.messages")).to_contain_text(
            "Line 1: a higher quantity (or a new line) is a new order."
        )
        page.fill("input[name=qty_1]", "2")
        page.fill("input[name=qty_2]", "0")
        page.click("button:has-text('Send change order')")
        expect()(page.locator("ul.messages")).to_contain_text("Change order sent")
        version = page.locator("main p").first
        reload_until(page, po_url, lambda: "version 2" in version.inner_text(), f"{first} version 2")
        lines = page.locator("table.table tbody tr")
        assert "Cancelled" in text_of(lines.nth(1)), text_of(lines.nth(1))
        assert text_of(lines.nth(0).locator("td").nth(3)).startswith("2 "), text_of(lines.nth(0))
        reload_until(
            page,
            po_url,
            lambda: page.locator("main", has_text="Change accepted by the supplier").count() == 1,
            "the change accepted",
        )
        shots(page, "buyer-change-accepted")
        support_order(support, supplier, first)
        storefront_lines = support.locator("table.order-lines tbody tr")
        reload_until(
            support,
            support.url,
            lambda: "LINE_CANCELLED" in text_of(support.locator("table.order-lines")),
            "the storefront's update",
        )
        assert text_of(storefront_lines.nth(0).locator("td").nth(2)) == "2"
        assert any(
            "Order updated — asked by the buyer's procurement system (cXML) · lines cancelled: 2" in t
            for t in timeline(support)
        ), timeline(support)
        shots(support, "storefront-updated")

        # The operator ships it: no more change nor cancellation on the buyer's page.
        operator_context, operator = new_page(browser)
        contexts.append(operator_context)
        sign_in(operator, supplier, OPERATOR)
        nav(operator, "Fulfilment")
        operator.locator("#queue tbody tr", has_text=first).locator("a:has-text('Ship')").click()
        operator.fill("input[name=carrier]", "DHL Express")
        operator.fill("input[name=tracking_number]", "1ZCHANGE0001")
        operator.click("button.primary:has-text('Ship')")
        expect()(operator.locator("#queue tbody tr", has_text=first)).to_have_count(0)
        badge = page.locator("h1 .badge")
        # Shipped, then invoiced at once (the storefront invoices at shipment).
        reload_until(
            page,
            po_url,
            lambda: badge.inner_text() in ("Shipped", "Invoiced"),
            f"{first} shipped",
        )
        assert page.locator("button:has-text('Cancel order')").count() == 0
        assert page.locator("button:has-text('Send change order')").count() == 0

        # 2. Cancel a whole confirmed order.
        second = confirmed_order(page, context, buyer, 1)
        po_url = f"{buyer}/purchasing/{second}/"
        page.goto(po_url)
        page.fill("input[name=reason]", "Bought elsewhere")
        page.click("button:has-text('Cancel order')")
        expect()(page.locator("ul.messages")).to_contain_text(f"Cancellation of {second} sent")
        badge = page.locator("h1 .badge")
        reload_until(page, po_url, lambda: badge.inner_text() == "Cancelled", f"{second} cancelled")
        reload_until(
            page,
            po_url,
            lambda: page.locator("main", has_text="Cancellation confirmed by the supplier").count() == 1,
            "the storefront's confirmation of the cancellation",
        )
        shots(page, "buyer-cancelled")
        support_order(support, supplier, second)
        expect()(support.locator("main .badge").first).to_have_text("Cancelled")
        assert "Order cancelled — asked by the buyer's procurement system (cXML)" in timeline(support), (
            timeline(support)
        )

        # 3. The storefront's operator cancels a confirmed order: the buyer's order follows.
        third = confirmed_order(page, context, buyer, 1)
        support_order(operator, supplier, third)
        operator.click("form.cancel-order button:has-text('Cancel')")
        expect()(operator.locator("ul.messages")).to_contain_text(
            "Order cancelled; the buyer's system is told."
        )
        assert any(
            t.startswith("Order cancelled — by our staff (operator@marketplace.test)")
            for t in timeline(operator)
        )
        po_url = f"{buyer}/purchasing/{third}/"
        badge = page.locator("h1 .badge")
        reload_until(
            page, po_url, lambda: badge.inner_text() == "Cancelled", f"{third} cancelled by the supplier"
        )
        answer = text_of(page.locator(".supplier-message"))
        assert "cancelled by the supplier before shipment: nothing will ship or be charged." in answer, answer
        assert page.locator("main", has_text="Cancelled by the supplier").count() == 1
        shots(page, "buyer-cancelled-by-supplier")
    finally:
        for opened in contexts:
            opened.close()
