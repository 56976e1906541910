"""The whole procure-to-pay loop as people use it, in Chromium, against both sites running as processes.

One ``openprocure demo`` (the session fixture) serves every case:

1. requester@acme.test signs in to the buyer suite, opens Shop and punches out to Marketplace;
2. searches, adds two products, raises a quantity and clicks "Submit items for approval": the cart
   comes back as a draft requisition with exactly those lines;
3. moves both lines to another cost center through the accounting page and submits; the approver
   approves from the approval inbox, or (second case) from the link in the approval e-mail;
4. the purchase order goes out, the storefront accepts it, the confirmation e-mail reaches the
   PunchOut user and the ConfirmationRequest moves the PO to Confirmed;
5. the storefront operator ships it from the fulfilment queue with a carrier and a tracking number;
   the ship notice moves the PO to Shipped with the tracking number on the Receiving page, and the
   requester receives the goods;
6. the invoice sent with the shipment is matched and approved for payment; the spend dashboard
   (filtered on the case's cost center) shows the PO total next to Marketplace;
7. one item comes back: the operator records the return, and the storefront's line-level credit
   memo reaches the buyer suite, where it is matched against the PO and approved for payment.

A second business, Globex, is in Test status. The test plays Globex's procurement system from
Python: a real PunchOutSetupRequest, the StartPage in the browser with its Test banner, the cart
captured by a small HTTP server whose URL Globex's administrator adds to the allowed return URLs,
then an OrderRequest for that cart. The order is recorded as a test order and is never charged nor
shipped, even after the automatic fulfilment delay set for Globex by the operator.
"""

from __future__ import annotations

import re
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from punchout import cxml
from punchout.cxml.transport import decode_form
from tests.e2e.browsing import (
    AP_CLERK,
    APPROVER,
    GLOBEX_ADMIN,
    GLOBEX_SECRET,
    OPERATOR,
    PASSWORD,
    REQUESTER,
    SUPPORT,
    TIMEOUT_MS,
    WORKER_SECONDS,
    Shots,
    body_of,
    expect,
    money,
    nav,
    new_page,
    reload_until,
    sign_in,
    text_of,
    wait_for_mail,
)
from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


# The two products of the Acme cart (the first two in-stock results for "paper") and quantities that
# put the requisition between 500 and 5,000 EUR: one approval step (approver@acme.test).
SEARCH = "paper"
FIRST_QUANTITY = 50
SECOND_QUANTITY = 3


# -- helpers ---------------------------------------------------------------------------------------


# -- Globex, a business in Test status -------------------------------------------------------------
@dataclass
class CartCatcher:
    """Globex's procurement system receiving the cart: an HTTP server that keeps each form POST."""

    posts: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8"), keep_blank_values=True)
                outer.posts.append({name: values[0] for name, values in form.items()})
                page = b"<!DOCTYPE html><title>Globex</title><h1>Cart received by Globex</h1>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def prefix(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/globex/"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def globex_envelope(message: Any) -> bytes:
    return cxml.build(
        cxml.CXML(
            message=message,
            payload_id=cxml.new_payload_id("procurement.globex.test"),
            timestamp=datetime.now(UTC).replace(microsecond=0),
            header=cxml.make_header(
                from_=[cxml.Credential("NetworkId", "GLOBEX")],
                to=[cxml.Credential("NetworkId", "MARKETPLACE")],
                sender=[cxml.Credential("NetworkId", "GLOBEX", GLOBEX_SECRET)],
                user_agent="Globex procurement 1.0",
            ),
        )
    )


def post_cxml(url: str, body: bytes) -> tuple[int, cxml.CXML]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "text/xml; charset=utf-8"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return answer.status, cxml.parse(answer.read()).document


def globex_order_request(items: list[Any], order_id: str) -> bytes:
    """An OrderRequest for the punched-out cart: every ItemIn copied to an ItemOut (with its aux ID)."""
    lines = [
        cxml.ItemOut(
            quantity=item.quantity,
            item_id=cxml.ItemID(item.item_id.supplier_part_id, item.item_id.supplier_part_auxiliary_id),
            item_detail=cxml.ItemDetail(
                unit_price=item.item_detail.unit_price,
                descriptions=list(item.item_detail.descriptions),
                unit_of_measure=item.item_detail.unit_of_measure,
                classifications=list(item.item_detail.classifications),
            ),
            line_number=index,
        )
        for index, item in enumerate(items, start=1)
    ]
    address = cxml.Address(
        name="Globex — Cypress Creek plant",
        postal_address=cxml.PostalAddress(
            street=["1 Globex Way"],
            city="Cypress Creek",
            postal_code="97401",
            country="United States",
            iso_country_code="US",
        ),
    )
    total = sum((line.quantity * line.item_detail.unit_price.amount for line in lines), Decimal("0"))
    return globex_envelope(
        cxml.OrderRequest(
            header=cxml.OrderRequestHeader(
                order_id=order_id,
                order_date=datetime.now(UTC).replace(microsecond=0),
                total=cxml.Money(total, "EUR"),
                type=cxml.OrderRequestType.NEW,
                order_version=1,
                ship_to=address,
                bill_to=address,
                extrinsics=[cxml.Extrinsic("UserEmail", GLOBEX_ADMIN)],
            ),
            items=lines,
        )
    )


def auto_fulfil_runs(demo: Any) -> tuple[int, int]:
    """(started, finished) runs of the storefront's automatic fulfilment task, from the demo's log."""
    log = demo.log_path.read_text(errors="replace") if demo.log_path.exists() else ""
    path = "path=openprocure.supplier.fulfilment.tasks.auto_fulfil"
    return log.count(f"{path} state=RUNNING"), log.count(f"{path} state=SUCCESSFUL")


@dataclass
class GlobexOrder:
    """The Globex test order (the ``globex_test_order`` fixture), checked by both Globex tests."""

    order_id: str
    number: str
    runs_before: int  # automatic fulfilment runs started before Globex's delay was set


@pytest.fixture(scope="module")
def globex_test_order(demo: Any, browser: Any) -> GlobexOrder:
    """Globex, in test status, punches out and places a test order; the operator sets its automatic
    fulfilment to ship at once. Placed once for the module by whichever Globex test runs first, so each
    of them also runs alone."""
    folder = ARTIFACTS / "screenshots" / "globex_test_order"
    folder.mkdir(parents=True, exist_ok=True)
    shots = Shots(folder)
    supplier = demo.supplier_url
    catcher = CartCatcher()
    contexts = []
    try:
        # Globex's administrator allows the return URL of Globex's procurement system.
        admin_context, admin = new_page(browser)
        contexts.append(admin_context)
        sign_in(admin, supplier, GLOBEX_ADMIN)
        nav(admin, "Manage your business")
        expect()(admin.locator("h1")).to_have_text("Manage your business — Globex")
        expect()(admin.locator("#integration-status")).to_have_text("Test")
        allowed = admin.locator("textarea[name=allowed_return_urls]")
        before = [line for line in allowed.input_value().splitlines() if line.strip()]
        assert before == [f"{demo.buyer_url}/"]  # the demo allows only its buyer suite
        allowed.fill("\n".join([*before, catcher.prefix]))
        admin.locator("#punchout form[action$='/return-urls/'] button").click()
        expect()(admin.locator("ul.messages")).to_contain_text("Allowed return URLs saved.")
        assert admin.locator("textarea[name=allowed_return_urls]").input_value().splitlines() == [
            *before,
            catcher.prefix,
        ]
        shots(admin, "globex-return-urls")

        # Globex's system sends a PunchOutSetupRequest, server to server.
        cookie = f"globex-{time.time_ns()}"
        status, answer = post_cxml(
            f"{supplier}/cxml/",
            globex_envelope(
                cxml.PunchOutSetupRequest(
                    buyer_cookie=cookie,
                    operation=cxml.PunchOutOperation.CREATE,
                    browser_form_post_url=f"{catcher.prefix}punchout/return",
                    extrinsics=[cxml.Extrinsic("UserEmail", GLOBEX_ADMIN)],
                    contacts=[],
                    items=[],
                )
            ),
        )
        assert (status, answer.status.code) == (200, 200), answer.status
        start_page = answer.message.start_page_url
        assert start_page.startswith(f"{supplier}/po/start/"), start_page

        # The StartPage in the browser: the Test banner on every page of the session.
        shopper_context, shopper = new_page(browser)
        contexts.append(shopper_context)
        shopper.goto(start_page)
        banner = shopper.locator("#punchout-test-banner")
        expect()(banner).to_have_text(
            "TEST PunchOut session: orders from this cart are flagged test — they are never charged nor shipped."
        )
        expect()(shopper.locator("#punchout-bar")).to_contain_text("Shopping for Globex")
        shots(shopper, "globex-start-page")
        shopper.fill("#catalog-q", SEARCH)
        shopper.press("#catalog-q", "Enter")
        card = shopper.locator("article.product-card:has(form[action$='/cart/add/'] button:enabled)").first
        part = str(card.get_attribute("data-asin"))
        card.locator("input[name=quantity]").fill("2")
        card.locator("form[action$='/cart/add/'] button").click()
        shopper.wait_for_url(re.compile(r".*/cart/$"))
        expect()(banner).to_be_visible()
        expect()(shopper.locator("#cart-lines tbody tr")).to_have_count(1)
        shots(shopper, "globex-cart")
        shopper.click("button:has-text('Submit items for approval')")
        expect()(shopper.locator("h1")).to_have_text("Cart received by Globex")
        shots(shopper, "globex-cart-returned")

        # The cart as Globex's system received it.
        assert len(catcher.posts) == 1
        message = cxml.parse(decode_form(catcher.posts[0])).document
        assert message.kind == "PunchOutOrderMessage"
        assert message.deployment_mode == "test"
        assert message.message.buyer_cookie == cookie
        items = list(message.message.items)
        assert [(i.item_id.supplier_part_id, i.quantity) for i in items] == [(part, Decimal("2"))]
        assert items[0].item_id.supplier_part_auxiliary_id  # the cart line's key, required in the order

        # The OrderRequest for that cart: 200, recorded as a test order.
        order_id = f"GLOBEX-PO-{time.time_ns() % 10**9}"
        status, answer = post_cxml(f"{supplier}/cxml/", globex_order_request(items, order_id))
        assert (status, answer.status.code) == (200, 200), answer.status
        said = re.fullmatch(
            r"Test order: recorded, never charged nor shipped\. Order received as (\d{3}-\d{7}-\d{7}).*",
            answer.status.message,
        )
        assert said, answer.status.message
        number = said[1]

        # The operator sets Globex's automatic fulfilment to ship at once, as it would for a real order.
        operator_context, operator = new_page(browser)
        contexts.append(operator_context)
        sign_in(operator, supplier, OPERATOR)
        nav(operator, "Administration")
        operator.get_by_role("link", name="Order settings", exact=True).click()
        row = operator.locator("#result_list tbody tr", has_text="Globex")
        expect()(row).to_have_count(1)
        row.locator("th a").click()
        field = operator.locator("#id_auto_fulfil_after_minutes")
        assert field.input_value() == "2"  # the demo ships orders automatically after 2 minutes
        field.fill("0")
        runs_before, _finished = auto_fulfil_runs(demo)
        operator.locator("input[name=_save]").click()
        expect()(operator.locator("ul.messagelist")).to_contain_text("was changed successfully")
        shots(operator, "globex-automatic-fulfilment")
    finally:
        catcher.close()
        for opened in contexts:
            opened.close()
    return GlobexOrder(order_id, number, runs_before)


def test_globex_in_test_status_punches_out_and_places_a_test_order(
    globex_test_order: GlobexOrder, demo: Any, browser: Any, screenshots: Path
) -> None:
    placed = globex_test_order
    contexts: list[Any] = []
    try:
        check_globex_order_not_charged_nor_shipped(
            demo, browser, Shots(screenshots), placed.order_id, placed.number, contexts
        )
    finally:
        for opened in contexts:
            opened.close()


# -- the Acme loop ---------------------------------------------------------------------------------
@dataclass
class Cart:
    parts: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    quantities: list[int] = field(default_factory=list)
    unit_prices: list[Decimal] = field(default_factory=list)
    line_totals: list[Decimal] = field(default_factory=list)
    subtotal: Decimal = Decimal("0")


def punch_out_and_fill_cart(context: Any, page: Any, shots: Shots) -> tuple[Any, Cart]:
    """Steps 1 and 2 up to the cart: Shop → Marketplace (in the same tab) → search → two products."""
    nav(page, "Shop")
    expect()(page.locator("h1")).to_have_text("Shop at your suppliers")
    shots(page, "shop")
    buyer_origin = page.url.split("/", 3)[:3]
    page.click("button:has-text('Shop at Marketplace')")
    page.wait_for_url(lambda url: url.split("/", 3)[:3] != buyer_origin, timeout=TIMEOUT_MS)
    store = page
    store.wait_for_load_state()
    assert context.pages == [page]  # the supplier opened in the suite's own tab
    if store.url.endswith("/welcome/"):  # the first PunchOut of this e-mail at the storefront
        expect()(store.locator("h1")).to_have_text("Create your business account")
        assert store.input_value("#id_first_name") == "Rita"
        assert store.input_value("#id_last_name") == "Requester"
        shots(store, "storefront-welcome")
        store.click("button:has-text('Continue to the store')")
    expect()(store.locator("#punchout-bar")).to_contain_text("Shopping for Acme Industries")
    assert store.locator("#punchout-test-banner").count() == 0  # Acme is Active
    assert re.fullmatch(r".*/po/[A-Za-z0-9_-]{40,64}/", store.url), store.url
    shots(store, "storefront")

    store.fill("#catalog-q", SEARCH)
    store.press("#catalog-q", "Enter")
    store.wait_for_url(re.compile(r".*/search/\?q=paper$"))
    in_stock = store.locator("article.product-card:has(form[action$='/cart/add/'] button:enabled)")
    expect()(in_stock.first).to_be_visible()
    cart = Cart()
    for index in range(2):
        card = in_stock.nth(index)
        cart.parts.append(str(card.get_attribute("data-asin")))
        cart.titles.append(text_of(card.locator("h3")))
    shots(store, "search-results")

    # The first product with a quantity typed on the search page, the second with the default 1.
    first = store.locator(f"article.product-card[data-asin='{cart.parts[0]}'] form[action$='/cart/add/']")
    first.get_by_label("Quantity", exact=True).fill(str(FIRST_QUANTITY))
    first.locator("button").click()
    store.wait_for_url(re.compile(r".*/cart/$"))
    expect()(store.locator("#cart-lines tbody tr")).to_have_count(1)
    store.go_back()
    store.locator(
        f"article.product-card[data-asin='{cart.parts[1]}'] form[action$='/cart/add/'] button"
    ).click()
    store.wait_for_url(re.compile(r".*/cart/$"))
    rows = store.locator("#cart-lines tbody tr")
    expect()(rows).to_have_count(2)
    # Raise the second line's quantity in the cart ("Update").
    second = rows.filter(has_text=cart.parts[1])
    second.get_by_label("Quantity", exact=True).fill(str(SECOND_QUANTITY))
    second.locator("button:has-text('Update')").click()
    expect()(rows.filter(has_text=cart.parts[1]).get_by_label("Quantity", exact=True)).to_have_value(
        str(SECOND_QUANTITY)
    )
    cart.quantities = [FIRST_QUANTITY, SECOND_QUANTITY]
    for part in cart.parts:
        cells = rows.filter(has_text=part).locator("td")
        cart.unit_prices.append(money(cells.nth(2).inner_text()))
        cart.line_totals.append(money(cells.nth(4).inner_text()))
    cart.subtotal = money(store.locator("dl dd").first.inner_text())
    assert [q * p for q, p in zip(cart.quantities, cart.unit_prices, strict=True)] == cart.line_totals
    assert sum(cart.line_totals) == cart.subtotal
    assert Decimal("500") < cart.subtotal < Decimal("5000"), cart.subtotal  # one approval step
    shots(store, "cart")
    return store, cart


def check_requisition(page: Any, cart: Cart) -> str:
    """The returned cart as a draft requisition; its number."""
    page.wait_for_url(re.compile(r".*/requisitions/\d+/$"))
    number = text_of(page.locator("h1")).split(" ")[0]
    assert re.fullmatch(r"REQ-\d{6}", number), number
    expect()(page.locator("ul.messages")).to_contain_text(
        f"2 lines from Marketplace ({cart.subtotal:,} EUR) are in requisition {number}."
    )
    assert page.context.pages == [page]  # back in the same tab, on the requisition
    expect()(page.locator("#status")).to_have_text("Draft")
    rows = page.locator("#lines tbody tr")
    expect()(rows).to_have_count(2)
    assert [text_of(rows.nth(i).locator("td").nth(2)) for i in range(2)] == cart.parts
    assert [text_of(rows.nth(i).locator("td").nth(1)) for i in range(2)] == ["Marketplace", "Marketplace"]
    assert [text_of(rows.nth(i).locator("td").nth(3)) for i in range(2)] == cart.titles
    assert [money(rows.nth(i).locator("td").nth(6).inner_text()) for i in range(2)] == cart.line_totals
    assert [text_of(rows.nth(i).locator("td").nth(7)) for i in range(2)] == ["CC-100", "CC-100"]
    expect()(page.locator("#total")).to_have_text(f"{cart.subtotal:,} EUR")
    return number


def set_cost_center(page: Any, line_index: int, cost_center: str, gl_account: str) -> None:
    """The line's Accounting page: one split, 100 % to ``cost_center``/``gl_account``."""
    page.locator("#lines tbody tr").nth(line_index).locator("a:has-text('Accounting')").click()
    expect()(page.locator("h1")).to_contain_text(f"Accounting of line {line_index + 1}")
    page.select_option("#id_mode", "percentage")
    cost_centers = page.locator("#id_split-0-cost_center option").all_inner_texts()
    page.select_option(
        "#id_split-0-cost_center", label=next(o for o in cost_centers if o.startswith(cost_center))
    )
    accounts = page.locator("#id_split-0-gl_account option").all_inner_texts()
    page.select_option("#id_split-0-gl_account", label=next(o for o in accounts if o.startswith(gl_account)))
    page.fill("#id_split-0-share", "100")
    page.click("button:has-text('Save')")
    page.wait_for_url(re.compile(r".*/requisitions/\d+/$"))


def approval_link(data_dir: Path, requisition: str) -> str:
    """The single-use "Approve now" link of the approval e-mail sent to the approver."""
    found = wait_for_mail(
        data_dir,
        "buyer",
        lambda m: APPROVER in str(m["To"]) and requisition in body_of(m),
        f"approval request for {requisition} to {APPROVER}",
    )
    assert len(found) == 1, [m["Subject"] for m in found]
    link = re.search(r"Approve now \(single use\): (\S+)", body_of(found[0]))
    assert link, body_of(found[0])
    return link[1]


@pytest.mark.parametrize(
    ("approval", "cost_center"),
    [("inbox", "CC-200"), ("email", "CC-300")],
    ids=["approved-in-the-inbox", "approved-from-the-email-link"],
)
def test_requester_to_paid_invoice(
    demo: Any, browser: Any, screenshots: Path, approval: str, cost_center: str
) -> None:
    shots = Shots(screenshots)
    buyer, supplier = demo.buyer_url, demo.supplier_url
    contexts = []

    # 1. The requester signs in and punches out to Marketplace.
    context, page = new_page(browser)
    contexts.append(context)
    sign_in(page, buyer, REQUESTER)
    shots(page, "requester-signed-in")
    store, cart = punch_out_and_fill_cart(context, page, shots)

    # 2. The cart goes back: the same window lands on the requisition in the buyer suite.
    store.click("button:has-text('Submit items for approval')")
    requisition = check_requisition(store, cart)
    shots(store, "requisition-from-cart")

    # 3. Both lines to the case's cost center through the accounting page, then submit.
    for index in range(2):
        set_cost_center(store, index, cost_center, "6000")
    rows = store.locator("#lines tbody tr")
    assert [text_of(rows.nth(i).locator("td").nth(7)) for i in range(2)] == [
        f"{cost_center}/6000 100 %",
        f"{cost_center}/6000 100 %",
    ]
    shots(store, "accounting-set")
    store.click("button:has-text('Submit for approval')")
    expect()(store.locator("#status")).to_have_text("Submitted")
    requisition_url = store.url
    shots(store, "submitted")

    approver_context, approver = new_page(browser)
    contexts.append(approver_context)
    if approval == "inbox":
        sign_in(approver, buyer, APPROVER)
        nav(approver, "Approvals")
        row = approver.locator("table tbody tr", has_text=requisition)
        expect()(row).to_have_count(1)
        assert money(text_of(row.locator("td").nth(3))) == cart.subtotal
        shots(approver, "approval-inbox")
        row.locator(f"a:has-text('{requisition}')").click()
        expect()(approver.locator("h1")).to_contain_text(requisition)
        approver.fill("#id_comment", "Paper for the Lyon office.")
        shots(approver, "approval-detail")
        approver.get_by_role("button", name="Approve", exact=True).click()
        approver.wait_for_load_state()
        shots(approver, "approved-in-inbox")
    else:
        link = approval_link(demo.data_dir, requisition)
        assert link.startswith(f"{buyer}/approvals/email/"), link
        approver.goto(link)  # from the mail client: the link acts for its addressee, who signs in first
        approver.fill("#id_username", APPROVER)
        approver.fill("#id_password", PASSWORD)
        approver.click("button[type=submit]")
        expect()(approver.locator("h1")).to_have_text(f"Approve {requisition}?")
        shots(approver, "approval-email-link")
        approver.click("button:has-text('Confirm')")
        expect()(approver.locator("h1")).to_have_text("Thank you")
        expect()(approver.locator("main")).to_contain_text(
            f"Your decision “Approve” on {requisition} was recorded."
        )
        shots(approver, "approved-from-email")
        approver.goto(link)  # single use
        expect()(approver.locator("h1")).to_have_text("This link can no longer be used")

    # 4. The PO goes out, is accepted, confirmed by e-mail and by a ConfirmationRequest.
    store.goto(requisition_url)
    expect()(store.locator("#status")).not_to_have_text("Submitted")
    nav(store, "Purchase orders")
    po_row = store.locator("table tbody tr", has_text=requisition)
    expect()(po_row).to_have_count(1)
    po_number = text_of(po_row.locator("td").nth(0))
    assert re.fullmatch(r"PO-\d{4}-\d{6}", po_number), po_number
    assert money(text_of(po_row.locator("td").nth(3))) == cart.subtotal
    po_url = f"{buyer}/purchasing/{po_number}/"
    badge = store.locator("h1 .badge")
    reload_until(store, po_url, lambda: badge.inner_text() == "Confirmed", f"{po_number} confirmed")
    shots(store, "po-confirmed")
    assert documents(store) == [
        "Outbound · OrderRequest",
        "Inbound · Response · 200",
        "Inbound · ConfirmationRequest · 200",
        "Outbound · Response · 200",
    ]

    confirmation = wait_for_mail(
        demo.data_dir,
        "supplier",
        lambda m: po_number in str(m["Subject"]) and "confirmed" in str(m["Subject"]),
        f"confirmation of {po_number}",
    )
    assert len(confirmation) == 1
    assert str(confirmation[0]["To"]) == REQUESTER
    text = body_of(confirmation[0])
    assert f"We received your purchase order {po_number}" in text
    for quantity, title in zip(cart.quantities, cart.titles, strict=True):
        assert f"{quantity} × {title}" in text, text

    # 5. The operator ships from the fulfilment queue; the ship notice reaches the buyer.
    operator_context, operator = new_page(browser)
    contexts.append(operator_context)
    sign_in(operator, supplier, OPERATOR)
    nav(operator, "Fulfilment")
    queued = operator.locator("#queue tbody tr", has_text=po_number)
    expect()(queued).to_have_count(1)
    assert text_of(queued.locator("td").nth(1)) == "Acme Industries"
    shots(operator, "fulfilment-queue")
    queued.locator("a:has-text('Ship')").click()
    expect()(operator.locator("h1")).to_contain_text("Ship order")
    tracking = f"1Z{po_number[-6:]}{approval.upper()[:2]}0042"
    operator.fill("input[name=carrier]", "DHL Express")
    operator.fill("input[name=tracking_number]", tracking)
    shots(operator, "ship-form")
    operator.click("button.primary:has-text('Ship')")
    expect()(operator.locator("#queue tbody tr", has_text=po_number)).to_have_count(0)
    expect()(operator.locator("main")).to_contain_text(f"DHL Express {tracking}")
    shots(operator, "shipped")

    # The ship notice and the invoice (issued at shipment) come in; the supplier's documents are
    # answered 200. The PO header then says "Invoiced" (invoices outrank shipments in its status),
    # so "shipped" is read where the buyer shows it per line: on the receiving page of the order.
    reload_until(
        store,
        po_url,
        lambda: (
            {"Inbound · ShipNoticeRequest · 200", "Inbound · InvoiceDetailRequest · 200"}
            <= set(documents(store))
        ),
        f"the ship notice and the invoice of {po_number}",
    )
    expect()(badge).to_have_text("Invoiced")
    shots(store, "po-ship-notice-and-invoice")
    nav(store, "Receiving")
    expect()(store.locator("h1")).to_have_text("Receiving")
    notice = store.locator("table tbody tr", has_text=tracking)
    expect()(notice).to_have_count(1)
    assert [text_of(notice.locator("td").nth(i)) for i in (1, 2, 3, 5)] == [
        "Marketplace",
        "DHL Express",
        tracking,
        "Expected",
    ]
    shots(store, "receiving")
    store.goto(f"{buyer}/fulfilment/orders/{po_number}/")
    expect()(store.locator("h1")).to_have_text(f"Order {po_number} from Marketplace")
    lines = store.locator("form[action$='/receive/'] table tbody tr")
    expect()(lines).to_have_count(2)
    assert [[text_of(lines.nth(i).locator("td").nth(c)) for c in (1, 4, 5, 6)] for i in range(2)] == [
        [f"{part} {title}", str(quantity), "0", "Shipped"]
        for part, title, quantity in zip(cart.parts, cart.titles, cart.quantities, strict=True)
    ]
    shots(store, "order-shipped")

    # The requester receives everything on the ship notice.
    store.locator("li", has_text=tracking).locator(
        "button:has-text('Receive everything on this ship notice')"
    ).click()
    expect()(store.locator("ul.messages")).to_contain_text("Received: ")
    assert [[text_of(lines.nth(i).locator("td").nth(c)) for c in (4, 5, 6)] for i in range(2)] == [
        [str(FIRST_QUANTITY), str(FIRST_QUANTITY), "Received"],
        [str(SECOND_QUANTITY), str(SECOND_QUANTITY), "Received"],
    ]
    expect()(store.locator("li", has_text=tracking)).to_contain_text("Received")
    shots(store, "received")

    # 6. The invoice is matched (PO, receipt, invoice) and approved for payment; the PO is closed.
    reload_until(store, po_url, lambda: badge.inner_text() == "Closed", f"{po_number} closed")
    shots(store, "po-closed")
    ap_context, clerk = new_page(browser)
    contexts.append(ap_context)
    sign_in(clerk, buyer, AP_CLERK)
    nav(clerk, "Invoices")
    expect()(clerk.locator("h1")).to_have_text("Invoices")
    expect()(clerk.locator("table tbody tr", has_text="Marketplace").first).to_be_visible()
    invoice_links = clerk.locator("table tbody tr", has_text="Marketplace").locator("a")
    numbers = invoice_links.all_inner_texts()
    for number in numbers:
        clerk.locator("table tbody tr a", has_text=number).first.click()
        if po_number in text_of(clerk.locator("table").first):
            break
        clerk.go_back()
    else:
        raise AssertionError(f"no invoice of {po_number} among {numbers}")
    expect()(clerk.locator("h1")).to_contain_text("from Marketplace")
    assert "Status: Approved for payment" in text_of(clerk.locator("main p").first)
    invoice_lines = clerk.locator("table").first.locator("tbody tr")
    expect()(invoice_lines).to_have_count(2)
    assert [text_of(invoice_lines.nth(i).locator("td").nth(1)) for i in range(2)] == [
        f"{po_number} / 1",
        f"{po_number} / 2",
    ]
    assert [money(text_of(invoice_lines.nth(i).locator("td").nth(5))) for i in range(2)] == cart.line_totals
    assert clerk.locator("ol.explanation li.fail").count() == 0
    shots(clerk, "invoice-approved")

    # The approval goes back to the storefront as a StatusUpdateRequest (its profile, read by the
    # buyer's worker, lists it) carrying the French lifecycle status 205: the invoice history says it
    # was delivered, and Acme's administrator reads "205 Approved" next to the invoice in the
    # storefront's Your account (the lifecycle status of record beside our own status).
    invoice_url = clerk.url
    reload_until(
        clerk,
        invoice_url,
        lambda: "Status sent to the supplier" in text_of(clerk.locator("main")),
        "the invoice status delivered to Marketplace",
    )
    assert "could not be delivered" not in text_of(clerk.locator("main"))
    acme_context, acme_admin = new_page(browser)
    contexts.append(acme_context)
    sign_in(acme_admin, supplier, "admin@acme.test")
    storefront_invoice = acme_admin.locator("table tbody tr", has_text=po_number)
    reload_until(
        acme_admin,
        f"{supplier}/account/invoices/",
        lambda: storefront_invoice.count() == 1 and "205 Approved" in text_of(storefront_invoice),
        f"Acme's status of the invoice of {po_number} on the storefront",
    )
    assert text_of(storefront_invoice.locator("td").nth(5)) == "Issued 205 Approved"
    assert text_of(storefront_invoice.locator("td").nth(6)).startswith("205 Approved ")
    shots(acme_admin, "storefront-invoice-reconciled")

    # ... and the spend dashboard, on the case's cost center, shows the PO total next to Marketplace.
    nav(clerk, "Spend")

    def marketplace_spend() -> bool:
        options = clerk.locator("#id_cost_center option").all_inner_texts()
        clerk.select_option("#id_cost_center", label=next(o for o in options if o.startswith(cost_center)))
        clerk.locator("form.filters button:has-text('Update')").click()
        clerk.wait_for_load_state()
        return spend_by_supplier(clerk).filter(has_text="Marketplace").count() == 1

    reload_until(
        clerk, f"{buyer}/spend/dashboard/", marketplace_spend, "Marketplace in the spend by supplier"
    )
    rows = spend_by_supplier(clerk)
    expect()(rows).to_have_count(1)
    assert [text_of(rows.first.locator("td").nth(i)) for i in range(3)] == [
        "Marketplace",
        f"{cart.subtotal:,} EUR",
        "100.0 %",
    ]
    shots(clerk, "spend-dashboard")

    # 7. One item of the first line comes back: the operator records the return on the storefront,
    #    which refunds it and sends a credit memo; the buyer suite receives it as a line-level
    #    credit memo against the PO.
    operator.goto(f"{supplier}/support/lookup/?q={po_number}")
    operator.locator("#orders a").first.click()
    operator.click("text=Record a return")
    operator.locator("#return-form input[type=number]").first.fill("1")
    operator.fill("#return-reason", "Damaged in transit")
    with operator.expect_navigation():
        operator.click("#return-form button.primary")
    recorded = text_of(operator.locator("ul.messages"))
    found = re.search(
        r"Return (RT-\S+) recorded: ([\d,.]+) EUR refunded, credit memo (CM-[\w-]+)\.", recorded
    )
    assert found, recorded
    # One unit at the cart's price, with 20 % VAT (shipping is not refunded).
    vat = (cart.unit_prices[0] * Decimal("0.20")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert money(found[2]) == cart.unit_prices[0] + vat
    shots(operator, "return-recorded")
    credit_row = clerk.locator("table tbody tr", has_text=found[3])
    reload_until(
        clerk,
        f"{buyer}/invoicing/",
        lambda: credit_row.count() == 1,
        f"the credit memo {found[3]} in the buyer suite",
    )
    # Matched against the PO's invoiced and received line, and approved for payment.
    assert [text_of(credit_row.locator("td").nth(i)) for i in (1, 2, 4, 5)] == [
        "Marketplace",
        "Line-level credit memo",
        f"-{found[2]} EUR",
        "Approved for payment",
    ]
    shots(clerk, "credit-memo-received")

    for opened in contexts:
        opened.close()


def spend_by_supplier(page: Any) -> Any:
    return page.locator("section.card", has=page.locator("h2", has_text="Spend by supplier")).locator(
        "table tbody tr"
    )


def documents(page: Any) -> list[str]:
    """The PO's document timeline: direction, kind and status code of each document, oldest first."""
    found = []
    for summary in page.locator("details.document > summary").all_inner_texts():
        parts = [part.strip() for part in " ".join(summary.split()).split(" · ")]
        kind = " · ".join(parts[1:3])
        first = parts[3].split(" ")[0] if len(parts) > 3 else ""
        code = first if re.fullmatch(r"\d{3}", first) else ""
        found.append(f"{kind} · {code}" if code else kind)
    return found


def check_globex_order_not_charged_nor_shipped(
    demo: Any, browser: Any, shots: Shots, order_id: str, number: str, contexts: list[Any]
) -> None:
    supplier = demo.supplier_url
    # Globex's administrator: the order is marked Test, nothing charged, no invoice.
    admin_context, admin = new_page(browser)
    contexts.append(admin_context)
    sign_in(admin, supplier, GLOBEX_ADMIN)
    admin.goto(f"{supplier}/account/orders/?all=1")
    order = admin.locator(f"#order-{number}")
    expect()(order.locator("h2")).to_contain_text(f"Order {number} (your PO {order_id})")
    expect()(order.locator("h2 .badge.warn")).to_have_text("Test order")
    admin.locator("a", has_text="Charges").first.click()
    expect()(admin.locator("h1")).to_have_text("Charges")
    expect()(admin.locator("table tbody tr")).to_have_text(["No charges yet."])
    shots(admin, "globex-no-charges")

    # Support's PO lookup: a test order, no charge, no shipment, no invoice in its timeline.
    support_context, support = new_page(browser)
    contexts.append(support_context)
    sign_in(support, supplier, SUPPORT)
    nav(support, "PO lookup")
    support.fill("#q", order_id)
    support.click("button:has-text('Find')")
    found = support.locator("#orders tbody tr")
    expect()(found).to_have_count(1)
    assert text_of(found.locator("td").nth(2)) == "Globex"
    found.locator("a", has_text=number).click()
    expect()(support.locator("h1")).to_have_text(f"Order {number} — PO {order_id} — Globex")
    expect()(support.locator("main .badge.warn")).to_have_text("Test order")
    events = [
        text.split(" — ", 1)[1]
        for text in support.locator("h2:has-text('Timeline') + ul li").all_inner_texts()
    ]
    assert events == ["Order received", "Confirmation sent"], events
    shots(support, "globex-support-lookup")

    # The operator's fulfilment queue never lists it.
    operator_context, operator = new_page(browser)
    contexts.append(operator_context)
    sign_in(operator, supplier, OPERATOR)
    nav(operator, "Fulfilment")
    expect()(operator.locator("h1")).to_have_text("Fulfilment queue")
    assert operator.locator("#queue tbody tr", has_text=order_id).count() == 0
    assert operator.locator("main", has_text=number).count() == 0
    shots(operator, "globex-not-in-fulfilment-queue")


def test_globex_test_order_is_never_shipped_even_after_the_automatic_fulfilment_delay(
    globex_test_order: GlobexOrder, demo: Any, browser: Any, screenshots: Path
) -> None:
    """Runs last: the whole Acme loop gave the automatic fulfilment time to run (or we wait for it)."""
    placed = globex_test_order
    deadline = time.monotonic() + WORKER_SECONDS + 60
    # Two finished runs more than had started when the delay was set: the last one read the new setting.
    while auto_fulfil_runs(demo)[1] <= placed.runs_before + 1:
        assert time.monotonic() < deadline, "the automatic fulfilment task did not run"
        time.sleep(2)
    contexts: list[Any] = []
    try:
        check_globex_order_not_charged_nor_shipped(
            demo, browser, Shots(screenshots), placed.order_id, placed.number, contexts
        )
    finally:
        for opened in contexts:
            opened.close()
