"""One money model across the two sites, in Chromium, against both running as processes.

requester@acme.test punches out to Marketplace and carts three products: two sold and shipped by two
marketplace sellers (one shipping charge each) and one we fulfil. Under 500 EUR, the requisition needs
no approval: the order goes out, the storefront confirms it, the operator ships it, and its invoice —
three lines, each with its VAT rounded on the line, and each seller's shipping taxed on its own —
reaches the buyer suite before the goods are received. It waits for the receipt (no exception), and
the requester's receipt approves it for payment with no tolerance rule (exact matching), nobody
having handled it: the purchase history counts it matched at the first attempt. Two items come back;
the storefront's credit memo is matched and approved too. The spend dashboard shows the savings
against the list prices the storefront sent with the cart.
"""

from __future__ import annotations

import re
import urllib.parse
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from punchout import amounts
from tests.e2e.browsing import (
    AP_CLERK,
    OPERATOR,
    REQUESTER,
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

D = Decimal
VAT = D("20")
QUERIES = ("paper", "pen", "ink", "toner", "notebook", "label", "tape", "folder", "marker", "envelope")
MAX_PRICE = D("120")


def choose_products(store: Any, prefix: str) -> list[dict[str, Any]]:
    """Two products of two marketplace sellers that ship them, and one we fulfil, each under 120 EUR."""
    chosen: list[dict[str, Any]] = []
    sellers: set[str] = set()
    for query in QUERIES:
        store.goto(f"{prefix}search/?q={query}")
        for card in card_facts(store):
            if not card["in_stock"] or card["asin"] in {c["asin"] for c in chosen}:
                continue
            price = money(card["price"])
            if price > MAX_PRICE:
                continue
            card.update(query=query, price=price, list=money(card["list"]) if card["list"] else price)
            if not card["fba"] and card["seller"] not in sellers and len(sellers) < 2:
                sellers.add(card["seller"])
                chosen.append(card)
            elif card["fba"] and not any(c["fba"] for c in chosen):
                chosen.append(card)
        if len(chosen) == 3:
            return chosen
    raise AssertionError(f"the demo catalog has no two marketplace sellers and one of ours: {chosen}")


def find_invoice(clerk: Any, buyer: str, number: str, *, po_number: str, kind: str = "Invoice") -> str:
    """The AP page URL of the invoice (or credit memo) of ``po_number`` named ``number`` ("" = any)."""
    clerk.goto(f"{buyer}/invoicing/")
    rows = clerk.locator("table tbody tr", has_text="Marketplace").filter(has_text=kind)
    for index in range(rows.count()):
        link = rows.nth(index).locator("a").first
        if number and text_of(link) != number:
            continue
        url = urllib.parse.urljoin(clerk.url, str(link.get_attribute("href")))
        clerk.goto(url)
        if po_number in text_of(clerk.locator("table").first):
            return url
        clerk.goto(f"{buyer}/invoicing/")
    return ""


def savings_on_dashboard(clerk: Any, buyer: str) -> D:
    """The savings KPI of cost center CC-100 on the spend dashboard (0 while it has no data)."""
    clerk.goto(f"{buyer}/spend/dashboard/")
    options = clerk.locator("#id_cost_center option").all_inner_texts()
    clerk.select_option("#id_cost_center", label=next(o for o in options if o.startswith("CC-100")))
    clerk.locator("form.filters button:has-text('Update')").click()
    clerk.wait_for_load_state()
    value = text_of(clerk.locator("#kpi-savings .value"))
    if "No data yet" in value:
        return D(0)
    assert value.endswith(" EUR"), value
    return D(value.removesuffix(" EUR").replace(",", ""))


def test_several_lines_with_shipping_and_a_credit_memo_match_with_zero_tolerance(
    demo: Any, browser: Any, screenshots: Path
) -> None:
    shots = Shots(screenshots)
    buyer, supplier = demo.buyer_url, demo.supplier_url
    contexts = []
    try:
        # The demo is shared by the whole-loop tests: the savings this order adds are measured from here.
        clerk_context, clerk = new_page(browser)
        contexts.append(clerk_context)
        sign_in(clerk, buyer, AP_CLERK)
        savings_before = savings_on_dashboard(clerk, buyer)

        # 1. The requester punches out and carts three products.
        context, page = new_page(browser)
        contexts.append(context)
        sign_in(page, buyer, REQUESTER)
        nav(page, "Shop")
        page.click("button:has-text('Shop at Marketplace')")
        page.wait_for_url(re.compile(r".*/(po/[^/]+|welcome)/$"))
        store = page  # the supplier opens in the suite's own tab
        if store.url.endswith("/welcome/"):  # the first PunchOut of this e-mail at the storefront
            store.click("button:has-text('Continue to the store')")
        expect()(store.locator("#punchout-bar")).to_contain_text("Shopping for Acme Industries")
        prefix = re.match(r"^(.*/po/[^/]+/)", store.url)[1]  # type: ignore[index]
        chosen = choose_products(store, prefix)
        for card in chosen:
            store.goto(f"{prefix}search/?q={card['query']}")
            store.locator(
                f"article.product-card[data-asin='{card['asin']}'] form[action$='/cart/add/'] button"
            ).click()
            store.wait_for_url(re.compile(r".*/cart/$"))
        expect()(store.locator("#cart-lines tbody tr")).to_have_count(3)

        # The cart's estimate, by the rules: each line's VAT rounded on it, each seller's 4.99 shipping
        # taxed on its own (1.00 each), never 20 % of a total.
        totals = amounts.compute(
            "EUR",
            [amounts.Line(D(1), card["price"], VAT) for card in chosen],
            [amounts.Charge(D("4.99"), VAT), amounts.Charge(D("4.99"), VAT)],
        )
        figures = [text_of(dd) for dd in store.locator("dl dd").all()]
        assert figures == [
            f"{value:,} EUR" for value in (totals.subtotal, totals.shipping, totals.tax, totals.total)
        ]
        shots(store, "cart")
        store.click("button:has-text('Submit items for approval')")
        store.wait_for_url(re.compile(r".*/requisitions/\d+/$"))
        requisition = text_of(store.locator("h1")).split(" ")[0]
        expect()(store.locator("#total")).to_have_text(f"{totals.subtotal:,} EUR")

        # 2. Under 500 EUR no approval is needed: the PO goes out and is confirmed.
        store.click("button:has-text('Submit for approval')")
        nav(store, "Purchase orders")
        po_row = store.locator("table tbody tr", has_text=requisition)
        reload_until(store, f"{buyer}/purchasing/", lambda: po_row.count() == 1, f"the PO of {requisition}")
        po_number = text_of(po_row.locator("td").nth(0))
        po_url = f"{buyer}/purchasing/{po_number}/"
        badge = store.locator("h1 .badge")
        reload_until(store, po_url, lambda: badge.inner_text() == "Confirmed", f"{po_number} confirmed")

        # 3. The operator ships it; its invoice reaches the buyer before the goods are received.
        operator_context, operator = new_page(browser)
        contexts.append(operator_context)
        sign_in(operator, supplier, OPERATOR)
        nav(operator, "Fulfilment")
        operator.locator("#queue tbody tr", has_text=po_number).locator("a:has-text('Ship')").click()
        operator.fill("input[name=carrier]", "DHL Express")
        operator.fill("input[name=tracking_number]", f"1Z{po_number[-6:]}MONEY")
        operator.click("button.primary:has-text('Ship')")
        expect()(operator.locator("#queue tbody tr", has_text=po_number)).to_have_count(0)

        clerk.goto(f"{buyer}/invoicing/tolerances/")
        expect()(clerk.locator("#tolerance-rules tbody")).to_have_text(
            "No rule: invoices must match exactly (3-way, any shipping)."
        )
        found: dict[str, str] = {}

        def invoice_arrived() -> bool:
            found["url"] = find_invoice(clerk, buyer, "", po_number=po_number)
            return bool(found["url"])

        reload_until(clerk, f"{buyer}/invoicing/", invoice_arrived, f"the invoice of {po_number}")
        invoice_url = found["url"]
        clerk.goto(invoice_url)
        summary = text_of(clerk.locator("main p").first)
        assert "Status: Waiting for the goods receipt" in summary, summary
        expect()(clerk.locator("#awaiting-receipt")).to_be_visible()
        assert clerk.locator("h2:has-text('Exceptions') + div.exceptions").inner_text().strip() == "None."
        totals_text = text_of(clerk.locator("main p").nth(2))
        assert totals_text == (
            f"Subtotal {totals.subtotal:,} EUR · Tax {totals.tax:,} EUR · Shipping {totals.shipping:,} EUR · "
            f"Total {totals.total:,} EUR · Amount due {totals.total:,} EUR"
        ), totals_text
        shots(clerk, "invoice-waiting-for-receipt")

        # 4. The requester receives everything: the invoice is matched exactly and approved.
        store.goto(f"{buyer}/fulfilment/orders/{po_number}/")
        store.locator("button:has-text('Receive everything on this ship notice')").first.click()
        expect()(store.locator("ul.messages")).to_contain_text("Received: ")
        status = clerk.locator("main p").first
        reload_until(
            clerk, invoice_url, lambda: "Approved for payment" in status.inner_text(), "the approval"
        )
        explanation = clerk.locator("ol.explanation li")
        assert clerk.locator("ol.explanation li.fail").count() == 0
        texts = [text_of(item) for item in explanation.all()]
        line_taxes = sum((line.tax for line in totals.lines), D(0))
        for expected in [
            "✓ Tax on shipping: 1.00 = 20% of 4.99.",
            f"✓ Tax {totals.tax} = line taxes {line_taxes} + tax on shipping and special handling 2.00.",
            f"✓ Subtotal {totals.subtotal} + tax {totals.tax} + shipping 9.98 + handling 0.00 = total {totals.total}.",
        ]:
            assert expected in texts, (expected, texts)
        assert len([t for t in texts if re.fullmatch(r"✓ Line \d: tax [\d.]+ = 20% of [\d.]+\.", t)]) == 3
        invoice_number = text_of(clerk.locator("h1")).split(" ")[1]
        shots(clerk, "invoice-approved")

        # Nobody handled it: matched at the first attempt.
        history = f"{buyer}/spend/history/?kind=invoice&in_spend=on&q={invoice_number}"
        clerk.goto(history + "&first_match=yes")
        expect()(clerk.locator("main")).to_contain_text(invoice_number)
        clerk.goto(history + "&first_match=no")
        assert clerk.locator("main", has_text=invoice_number).count() == 0

        # 5. Two items come back: the storefront's credit memo is matched and approved.
        operator.goto(f"{supplier}/support/lookup/?q={po_number}")
        operator.locator("#orders a").first.click()
        operator.click("text=Record a return")
        inputs = operator.locator("#return-form input[type=number]")
        inputs.nth(0).fill("1")
        inputs.nth(1).fill("1")
        operator.fill("#return-reason", "Not needed after all")
        with operator.expect_navigation():
            operator.click("#return-form button.primary")
        recorded = text_of(operator.locator("ul.messages"))
        said = re.search(
            r"Return (RT-\S+) recorded: ([\d,.]+) EUR refunded, credit memo (CM-[\w-]+)\.", recorded
        )
        assert said, recorded
        credit = amounts.compute("EUR", [amounts.Line(D(1), card["price"], VAT) for card in chosen[:2]])
        assert D(said[2].replace(",", "")) == credit.total  # written for people: 1,234.56
        memo_row = clerk.locator("table tbody tr", has_text=said[3])
        reload_until(
            clerk, f"{buyer}/invoicing/", lambda: memo_row.count() == 1, f"the credit memo {said[3]}"
        )
        assert [text_of(memo_row.locator("td").nth(i)) for i in (2, 4, 5)] == [
            "Line-level credit memo",
            f"-{credit.total:,} EUR",
            "Approved for payment",
        ]
        memo_row.locator("a").first.click()
        assert clerk.locator("ol.explanation li.fail").count() == 0
        assert f"✓ Tax -{credit.tax} equals the line taxes." in [text_of(i) for i in explanation.all()]
        shots(clerk, "credit-memo-approved")

        # 6. The savings against the list prices the cart carried show on the spend dashboard.
        savings = sum((card["list"] - card["price"] for card in chosen), D(0))
        assert savings > 0
        nav(clerk, "Spend")
        reload_until(
            clerk,
            f"{buyer}/spend/dashboard/",
            lambda: savings_on_dashboard(clerk, buyer) == savings_before + savings,
            "the savings",
        )
        assert savings_on_dashboard(clerk, buyer) == savings_before + savings
        shots(clerk, "savings")
    finally:
        for opened in contexts:
            opened.close()
