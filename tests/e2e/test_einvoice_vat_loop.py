"""The storefront's CII and UBL e-invoices through the buyer's real intake when their VAT is the sum of
each line's rounded VAT and the VAT of their basis would differ by one cent.

Both sites run as processes (``openprocure demo --einvoicing-platform``: the e-invoices cross a folder
platform). The storefront's operator switches Acme's invoice format to CII, then to UBL; each time the
requester orders two products whose prices make the per-line VAT (what the storefront records and
its e-invoice states per rate, BR-S-09/BR-CO-17) differ from rate × basis. The buyer's worker pulls the
e-invoice, validates it (XSD and the official schematron), matches it against the order and the
receipt with no tolerance rule, approves it with no exception and answers 205 Approuvée through the
platform, which the storefront keeps with its invoice.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from decimal import Decimal
from itertools import combinations
from typing import Any

import pytest
from lxml import etree

from openprocure.simulate.loop import QUERIES, Plan, SimOrder, Simulator, money
from openprocure.simulate.web import Browser, wait_until
from punchout import amounts, cdar
from tests.e2e.conftest import Demo, start_demo, wait_for

pytestmark = [pytest.mark.slow]

D = Decimal
SELLER, BUYER = "732829304", "732829320"
VAT = D(20)
SHIPPING = D("4.99")  # one charge per marketplace seller; items we fulfil ship free
CII_ROOT = "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}CrossIndustryInvoice"
UBL_ROOT = "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice"


@pytest.fixture(scope="module")
def einvoicing_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    demo = start_demo(tmp_path_factory.mktemp("vat-demo"), products=200, options=("--einvoicing-platform",))
    yield demo
    demo.stop()


@pytest.fixture(scope="module")
def simulator(einvoicing_demo: Demo) -> Simulator:
    """The loop simulator's people, signed in: its steps drive the order after the cart."""
    sim = Simulator(
        buyer_url=einvoicing_demo.buyer_url, supplier_url=einvoicing_demo.supplier_url, cancel_share=0
    )
    sim.sign_in()
    return sim


@pytest.fixture(scope="module")
def carted() -> set[str]:
    """The products this module's orders carted (each order takes two others)."""
    return set()


def per_line_and_basis(cards: tuple[dict[str, Any], ...]) -> tuple[amounts.Totals, Decimal]:
    """The cart of one of each card by the storefront's rules (VAT rounded per line and per shipping
    charge), and the VAT of its basis rounded once."""
    sellers = {card["seller"] for card in cards if not card["fba"]}
    totals = amounts.compute(
        "EUR",
        [amounts.Line(D(1), card["price"], VAT) for card in cards],
        [amounts.Charge(SHIPPING, VAT, amounts.SHIPPING) for _seller in sellers],
    )
    basis = totals.subtotal + totals.shipping
    return totals, amounts.round_money(basis * VAT / 100, "EUR")


def differs(totals: amounts.Totals, basis_tax: Decimal) -> bool:
    return totals.tax != basis_tax


def set_invoice_format(operator: Browser, shop: str, invoice_format: str) -> None:
    review = operator.get(f"{shop}/business/review/")
    [link] = [
        a.get("href")
        for a in review.doc.xpath("//a[contains(@href, '/integrations/')]")
        if a.text_content().strip() == "Acme Industries"
    ]
    page = operator.get(urllib.parse.urljoin(f"{shop}/", link))
    answer = operator.submit(
        page,
        page.doc.xpath("//form[.//select[@name='field']]")[0],
        {"field": "invoice_format", "value": invoice_format, "reason": "E-invoice VAT loop test"},
    )
    assert answer.messages() == "Setting changed.", (answer.status, answer.messages())


def shop_two(sim: Simulator, order: SimOrder, used: set[str]) -> amounts.Totals:
    """The requester carts one each of two products whose per-line VAT differs from the VAT of their
    basis, and submits the requisition; the cart's figures by the rules."""
    browser = sim.requester
    shop = browser.get(f"{sim.buyer}/shop/")
    store = browser.submit(shop, shop.form(button="Shop at Marketplace"))
    if store.url.endswith("/welcome/"):
        store = browser.submit(store, store.form(button="Continue to the store"))
    prefix = re.match(r"^(.*/po/[^/]+/)", store.url)[1]  # type: ignore[index]
    cards: list[dict[str, Any]] = []
    for query in QUERIES:
        results = browser.get(f"{prefix}search/?q={urllib.parse.quote(query)}")
        for card in results.doc.xpath("//article[contains(@class,'product-card')]"):
            forms = card.xpath(".//form[contains(@class,'add-to-cart')]")
            asin = str(card.get("data-asin"))
            if not forms or forms[0].xpath(".//button[@disabled]") or asin in used:
                continue
            price = money(" ".join(p.text_content() for p in card.xpath(".//p[@class='price']/strong")))
            if price > 200 or asin in {c["asin"] for c in cards}:
                continue
            seller = " ".join(
                " ".join(p.text_content().split()) for p in card.xpath(".//p[contains(@class,'small')]")
            )
            fba = bool(card.xpath(".//*[contains(@class,'badge') and contains(@class,'good')]"))
            cards.append({"asin": asin, "query": query, "price": price, "seller": seller, "fba": fba})
    pair = next((pair for pair in combinations(cards, 2) if differs(*per_line_and_basis(pair))), None)
    assert pair is not None, f"no two products whose per-line VAT differs from their basis VAT: {cards}"
    for card in pair:
        results = browser.get(f"{prefix}search/?q={urllib.parse.quote(card['query'])}")
        [form] = results.doc.xpath(
            f"//article[@data-asin='{card['asin']}']//form[contains(@class,'add-to-cart')]"
        )
        added = browser.submit(results, form, {"quantity": "1"})
        assert "Added to your cart" in added.messages(), added.messages()
        used.add(card["asin"])
        order.lines.append((card["asin"], 1))
    totals, _basis = per_line_and_basis(pair)
    cart = browser.get(f"{prefix}cart/")
    assert [money(text) for text in cart.texts("//dl/dd")] == [
        totals.subtotal,
        totals.shipping,
        totals.tax,
        totals.total,
    ]
    back = browser.submit(cart, cart.form(button="Submit items for approval"))
    landed = browser.submit(back, back.doc.forms[-1])
    assert "/requisitions/" in landed.url, (landed.status, landed.url)
    order.requisition = landed.texts("//h1")[0].split()[0]
    browser.submit(landed, landed.form(button="Submit for approval"))
    order.stage = "submitted"
    return totals


@pytest.mark.parametrize(("invoice_format", "root"), [("cii", CII_ROOT), ("ubl", UBL_ROOT)])
def test_per_line_vat_crosses_the_buyers_intake_and_matches_first_time(
    einvoicing_demo: Demo, simulator: Simulator, carted: set[str], invoice_format: str, root: str
) -> None:
    sim = simulator
    set_invoice_format(sim.operator, sim.supplier, invoice_format)
    order = SimOrder(len(carted) + 1, Plan(parts=1))
    totals = shop_two(sim, order, carted)
    basis_tax = amounts.round_money((totals.subtotal + totals.shipping) * VAT / 100, "EUR")
    assert abs(totals.tax - basis_tax) == D("0.01"), (totals.tax, basis_tax)

    sim.approve([order])
    sim.follow_po(order)
    sim.confirmation(order)
    sim.ship(order, 1)
    sim.receive(order)
    sim.invoices(order)
    [(number, recorded)] = order.invoices.items()
    assert (recorded.subtotal, recorded.shipping, recorded.tax, recorded.total) == (
        totals.subtotal,
        totals.shipping,
        totals.tax,
        totals.total,
    )

    # It crossed the platform as the e-invoice of the chosen format, stating the per-line VAT.
    shared = einvoicing_demo.data_dir / "platform"
    [taken] = wait_for(shared / "to-buyer" / "done", f"platform-invoice-{SELLER}-{number}.xml")
    document = etree.fromstring(taken.read_bytes())
    assert document.tag == root
    stated = [
        node.text
        for node in document.iter()
        if etree.QName(node).localname in ("TaxAmount", "TaxTotalAmount", "CalculatedAmount")
    ]
    assert set(stated) == {str(totals.tax)}, stated
    failed = shared / "to-buyer" / "failed"
    assert not failed.exists() or not list(failed.glob(f"*{number}*"))

    # The buyer validated, stored and matched it: approved at the first attempt, for the same amount.
    sim.matching(order)
    assert order.problems == [], order.problems
    assert order.buyer_invoices[number] == {"status": "approved", "first_time": True}
    assert sim.clerk_api is not None
    seen = sim.clerk_api.get(f"invoices/{sim.invoice_pks[number]}")
    assert (seen["status"], D(seen["due_amount"]), seen["exceptions"]) == ("approved", totals.total, [])
    assert seen["lifecycle_status"] == "205"
    explanation = seen["explanation"]
    basis = recorded.subtotal + recorded.shipping
    assert explanation[-3:-1] == [
        f"Subtotal {recorded.subtotal} + tax {recorded.tax} + shipping {recorded.shipping} + handling 0.00 = "
        f"total {recorded.total}.",
        f"Tax {totals.tax} equals the sum of its tax details.",
    ], explanation
    assert explanation[-1].startswith(
        f"VAT at 20%: {totals.tax} on {basis} (20% of it is {basis_tax}; accepted from "
    ), explanation

    # 205 Approuvée went back through the platform; the storefront keeps it with its invoice.
    [answer] = wait_for(shared / "to-supplier" / "done", f"platform-status-{BUYER}-{number}_205_*.xml")
    status = cdar.parse(answer.read_bytes())
    assert (status.status_code, status.label, status.invoice_id, status.invoice_issuer_id) == (
        "205",
        "Approuvée",
        number,
        SELLER,
    )
    assert sim.shop_api is not None

    def kept() -> bool:
        rows = sim.shop_api.get("invoices/", limit=500) or []  # type: ignore[union-attr]  # set by sign_in
        return any(row["number"] == number and row["lifecycle_status"] == "205" for row in rows)

    wait_until(kept, seconds=120, what=f"205 kept with {number} on the storefront", pause=2)
