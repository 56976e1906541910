"""Drive orders through both running sites, as their people and systems would, and check they agree.

Every step goes over HTTP: the buyer suite's pages (sign-in, Shop, requisitions, approvals, purchase
orders, receiving) and its REST API (personal tokens), the storefront's PunchOut pages (search,
cart), its staff pages (fulfilment, returns), its business pages (cancel an order, API keys) and its
REST API. The sites' workers carry the documents between them (OrderRequest, ConfirmationRequest,
ShipNoticeRequest, InvoiceDetailRequest); the simulator only waits for them.

Orders go in waves (``batch`` at a time), each stage of a wave done for all its orders before the
next, as a busy team would work through its queues.
"""

from __future__ import annotations

import contextlib
import random
import re
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TextIO

from lxml import etree

from openprocure.simulate.web import KEY, TOKEN, Api, Browser, Page, SimulationError, wait_until

PASSWORD = "demo"
REQUESTER = "requester@acme.test"
APPROVER = "approver@acme.test"
AP_CLERK = "ap@acme.test"
BUYER_ADMIN = "admin@acme.test"
OPERATOR = "operator@marketplace.test"
BUSINESS_ADMIN = "admin@acme.test"

QUERIES = ("paper", "pen", "ink", "toner", "notebook", "label", "tape", "folder", "marker", "envelope")
# Quantities around the catalog's tier breaks (10, 12, 25, 50…), so tier prices show up in carts.
QUANTITIES = (1, 2, 3, 5, 10, 12, 24, 25, 50)
# Under the 5,000 EUR step of the demo's approval policy: one approver at most.
MAX_SUBTOTAL = Decimal("4500")
WORKER_SECONDS = 180.0

# What the buyer's purchase order should say at the end, per plan.
FINAL_PO = {"full": {"received", "closed", "invoiced"}, "cancelled": {"cancelled"}}


def money(text: str) -> Decimal:
    """``"1,234.50 EUR"`` → ``Decimal("1234.50")``."""
    found = re.search(r"-?[\d,]+(?:\.\d+)?", text.replace("\u202f", "").replace("\xa0", ""))
    if not found:
        raise SimulationError(f"no amount in {text!r}")
    return Decimal(found[0].replace(",", ""))


@dataclass
class Figures:
    """Subtotal, shipping, tax and total of one document, in its currency."""

    subtotal: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    currency: str = "EUR"

    def __str__(self) -> str:
        return f"{self.subtotal}+{self.shipping}+{self.tax}={self.total} {self.currency}"


@dataclass
class Plan:
    """What happens to one order: cancelled (by whom), shipped in how many parts, a return, a lie."""

    cancel: str = ""  # "", "buyer" (before confirmation) or "supplier" (the business cancels it)
    parts: int = 1
    returned: bool = False
    dishonest: bool = False


@dataclass
class SimOrder:
    index: int
    plan: Plan
    lines: list[tuple[str, int]] = field(default_factory=list)  # (ASIN, quantity)
    cart: Figures | None = None
    requisition_url: str = ""
    requisition: str = ""
    requisition_total: Decimal | None = None
    po: str = ""
    po_total: Decimal | None = None
    po_status: str = ""
    supplier_number: str = ""
    supplier_id: int = 0
    confirmation: Figures | None = None
    shipments: int = 0
    received_notices: int = 0
    returns: int = 0
    invoices: dict[str, Figures] = field(default_factory=dict)
    credit_memos: dict[str, Figures] = field(default_factory=dict)
    buyer_invoices: dict[str, dict[str, object]] = field(default_factory=dict)
    dishonest_invoice: str = ""
    cancelled: str = ""  # who cancelled in the end
    late_cancel: bool = False  # the buyer wanted to cancel, the order had shipped already
    late_answers: list[str] = field(default_factory=list)  # what the buyer suite said when it refused
    stage: str = "new"
    problems: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.po or self.requisition or f"order {self.index}"

    def disagree(self, text: str) -> None:
        self.problems.append(text)


@dataclass
class Report:
    orders: list[SimOrder]
    seconds: float
    undelivered: dict[str, int]
    honest_invoices: int = 0
    first_time: int = 0
    dishonest_sent: int = 0
    dishonest_caught: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def disagreements(self) -> list[str]:
        return [f"{o.label}: {p}" for o in self.orders for p in o.problems] + self.failures

    @property
    def stuck(self) -> list[str]:
        return [
            f"{o.label} ({o.stage}, buyer: {o.po_status or '—'})"
            for o in self.orders
            if o.po_status not in FINAL_PO["cancelled" if o.cancelled else "full"]
        ]

    @property
    def match_rate(self) -> Decimal:
        if not self.honest_invoices:
            return Decimal("100.0")
        return (Decimal(100) * self.first_time / self.honest_invoices).quantize(Decimal("0.1"))

    @property
    def ok(self) -> bool:
        return (
            not self.disagreements
            and not self.stuck
            and not sum(self.undelivered.values())
            and self.first_time == self.honest_invoices
            and self.dishonest_caught == self.dishonest_sent
            and not self.dishonest_sent
        )

    def text(self) -> str:
        done = [o for o in self.orders if not o.cancelled]
        cancelled = [o for o in self.orders if o.cancelled]
        lines = [
            f"Orders: {len(self.orders)} ({len(done)} delivered and invoiced, {len(cancelled)} cancelled: "
            f"{sum(1 for o in cancelled if o.cancelled == 'buyer')} by the buyer, "
            f"{sum(1 for o in cancelled if o.cancelled == 'supplier')} by the supplier)",
            f"Buyer cancellations too late (shipped already, or refused by the supplier): "
            f"{sum(1 for o in self.orders if o.late_cancel)}",
            *(f"  - {o.label}: refused: {text}" for o in self.orders for text in o.late_answers),
            f"Shipments: {sum(o.shipments for o in self.orders)} · returns: {sum(o.returns for o in self.orders)}"
            f" · invoices: {sum(len(o.invoices) for o in self.orders)}"
            f" · credit memos: {sum(len(o.credit_memos) for o in self.orders)}",
            f"First-time match of honest invoices: {self.first_time}/{self.honest_invoices} ({self.match_rate} %)",
            f"Dishonest invoices caught: {self.dishonest_caught}/{self.dishonest_sent}",
            *(
                f"  - {o.dishonest_invoice} on {o.po}: {o.buyer_invoices[o.dishonest_invoice]['status']}"
                for o in self.orders
                if o.dishonest_invoice in o.buyer_invoices
            ),
            f"Totals disagreeing (cart, order, confirmation, invoice): {len(self.disagreements)}",
            *(f"  - {d}" for d in self.disagreements),
            f"Outbox messages not delivered: {sum(self.undelivered.values())}",
            *(f"  - {what}: {n}" for what, n in self.undelivered.items()),
            f"Orders stuck: {len(self.stuck)}",
            *(f"  - {s}" for s in self.stuck),
            f"Wall time: {self.seconds:.1f} s",
        ]
        return "\n".join(lines)


class Progress:
    """One stderr line updated in place (a plain counter on a non-terminal)."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.stream = stream
        self.done = 0
        self.stage = ""
        self.started = time.monotonic()
        self.tty = stream.isatty()

    def show(self, stage: str, done: int | None = None) -> None:
        self.stage = stage
        if done is not None:
            self.done = done
        width = 30
        filled = int(width * self.done / max(1, self.total))
        text = (
            f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} orders · "
            f"{time.monotonic() - self.started:5.0f} s · {stage}"
        )
        self.stream.write("\r" + text.ljust(100) if self.tty else text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")


class Simulator:
    def __init__(
        self,
        *,
        buyer_url: str,
        supplier_url: str,
        seed: int = 1,
        cancel_share: float = 0.1,
        dishonest: int = 0,
        supplier_secret: str = "acme-demo-secret",
        batch: int = 10,
        progress: Progress | None = None,
    ) -> None:
        for url in (buyer_url, supplier_url):
            if not url.lower().startswith(("http://", "https://")):
                raise SimulationError(f"{url!r} is not an http(s) URL")
        self.buyer = buyer_url.rstrip("/")
        self.supplier = supplier_url.rstrip("/")
        self.random = random.Random(seed)
        self.cancel_share = cancel_share
        self.dishonest = dishonest
        self.supplier_secret = supplier_secret
        self.batch = max(1, batch)
        self.progress = progress
        self.requester = Browser(REQUESTER)
        self.since = datetime.now(UTC).replace(microsecond=0)  # set again when a run begins
        self.approver = Browser(APPROVER)
        self.clerk = Browser(AP_CLERK)
        self.buyer_admin = Browser(BUYER_ADMIN)
        self.operator = Browser(OPERATOR)
        self.business_admin = Browser(BUSINESS_ADMIN)
        self.buyer_api: Api | None = None
        self.clerk_api: Api | None = None
        self.shop_api: Api | None = None
        self.invoice_pks: dict[str, int] = {}

    # -- set-up -------------------------------------------------------------------------------
    def sign_in(self) -> None:
        for browser in (self.requester, self.approver, self.clerk, self.buyer_admin):
            browser.sign_in(self.buyer, browser.who, PASSWORD)
        for browser in (self.operator, self.business_admin):
            browser.sign_in(self.supplier, browser.who, PASSWORD)
        self.buyer_api = Api(self.buyer, self._buyer_token(self.requester))
        self.clerk_api = Api(self.buyer, self._buyer_token(self.clerk))
        page = self.business_admin.get(f"{self.supplier}/account/api-keys/")
        answer = self.business_admin.submit(page, page.form(button="Create"), {"name": "Loop simulator"})
        keys = KEY.findall(answer.text)
        if not keys:
            raise SimulationError(f"no storefront API key for {BUSINESS_ADMIN}: {answer.status}")
        self.shop_api = Api(self.supplier, keys[0])

    def _buyer_token(self, browser: Browser) -> str:
        page = browser.get(f"{self.buyer}/approvals/tokens/")
        answer = browser.submit(page, page.form(button="Create"), {"name": "Loop simulator"})
        tokens = TOKEN.findall(answer.text)
        if not tokens:
            raise SimulationError(f"no API token for {browser.who}: {answer.status}")
        return tokens[0]

    def plans(self, count: int) -> list[Plan]:
        """The orders' fates, drawn from the seed: most go the whole way; some cancelled, split, returned."""
        plans = []
        cancellations = 0
        for index in range(count):
            cancel = ""
            if index and self.random.random() < self.cancel_share:
                cancel = ("supplier", "buyer")[cancellations % 2]
                cancellations += 1
            plans.append(
                Plan(
                    cancel=cancel,
                    parts=2 if self.random.random() < 0.5 else 1,
                    returned=self.random.random() < 0.3,
                )
            )
        # Every small run still shows each path: the first order split and returned.
        if plans:
            plans[0].parts, plans[0].returned, plans[0].cancel = 2, True, ""
        honest = [p for p in plans if not p.cancel]
        for plan in honest[-self.dishonest :] if self.dishonest else []:
            plan.dishonest = True
        return plans

    # -- the run -----------------------------------------------------------------------------
    def run(self, count: int) -> Report:
        started = time.monotonic()
        # The outboxes are read for what this run made: a site in use holds other messages too.
        self.since = datetime.now(UTC).replace(microsecond=0)
        self.say("signing in", 0)
        self.sign_in()
        orders = [SimOrder(index + 1, plan) for index, plan in enumerate(self.plans(count))]
        finished = 0
        for start in range(0, len(orders), self.batch):
            wave = orders[start : start + self.batch]
            self.wave(wave, finished)
            finished += len(wave)
            self.say("wave done", finished)
        report = Report(orders, 0.0, {})
        report.undelivered = self.undelivered()
        for order in orders:
            for number, seen in order.buyer_invoices.items():
                if number == order.dishonest_invoice:
                    report.dishonest_sent += 1
                    report.dishonest_caught += seen.get("status") != "approved"
                    continue
                report.honest_invoices += 1
                if seen.get("first_time"):
                    report.first_time += 1
        report.seconds = time.monotonic() - started
        if self.progress:
            self.progress.close()
        return report

    def say(self, stage: str, done: int | None = None) -> None:
        if self.progress:
            self.progress.show(stage, done)

    def each(self, orders: list[SimOrder], stage: str, step: Callable[[SimOrder], None]) -> None:
        for order in orders:
            if order.problems and order.stage == "failed":
                continue
            try:
                step(order)
            except SimulationError as error:
                order.disagree(f"{stage}: {error}")
                order.stage = "failed"

    def wave(self, orders: list[SimOrder], finished: int) -> None:
        self.say("shopping", finished)
        self.each(orders, "shopping", self.shop)
        self.say("approving", finished)
        self.approve(orders)
        self.say("cancelling", finished)
        # The buyer's cancellations race the storefront's confirmation: first, and polled quickly.
        buyer_cancels = [o for o in orders if o.plan.cancel == "buyer" and o.stage == "submitted"]
        self.each(buyer_cancels, "purchase order", lambda o: self.follow_po(o, pause=0.1))
        self.each(buyer_cancels, "cancel", self.cancel)
        self.say("waiting for purchase orders", finished)
        self.each([o for o in orders if o.stage == "submitted"], "purchase order", self.follow_po)
        self.each([o for o in orders if o.plan.cancel == "supplier"], "cancel", self.cancel)
        live = [o for o in orders if not o.cancelled and o.stage != "failed"]
        self.say("waiting for confirmations", finished)
        self.each(live, "confirmation", self.confirmation)
        for part in (1, 2):
            shipping = [o for o in live if o.plan.parts >= part and o.stage != "failed"]
            self.say(f"shipping part {part}", finished)
            self.each(shipping, "shipping", lambda o, p=part: self.ship(o, p))  # type: ignore[misc]  # mypy cannot type a default argument of a lambda
            self.say("receiving", finished)
            self.each(shipping, "receiving", self.receive)
        self.say("returns", finished)
        self.each([o for o in live if o.plan.returned], "return", self.record_return)
        self.say("invoices", finished)
        self.each(live, "invoices", self.invoices)
        self.each([o for o in live if o.plan.dishonest], "dishonest invoice", self.send_dishonest)
        self.say("matching", finished)
        self.each(live, "matching", self.matching)
        self.each(orders, "final state", self.final_state)

    # -- buyer: shop, cart, requisition --------------------------------------------------------
    def shop(self, order: SimOrder) -> None:
        browser = self.requester
        shop = browser.get(f"{self.buyer}/shop/")
        store = browser.submit(shop, shop.form(button="Shop at Marketplace"))
        if store.url.endswith("/welcome/"):  # the first PunchOut of this person at the storefront
            store = browser.submit(store, store.form(button="Continue to the store"))
        found = re.match(r"^(.*/po/[^/]+/)", store.url)
        if not found or store.status != 200:
            raise SimulationError(f"PunchOut did not open the store: {store.status} {store.url}")
        prefix = found[1]
        sellers: set[str] = set()
        subtotal = Decimal(0)
        wanted = self.random.choice((2, 3, 3, 4))
        queries = list(QUERIES)
        self.random.shuffle(queries)
        cart: Page | None = None
        for query in queries:
            results = browser.get(f"{prefix}search/?q={urllib.parse.quote(query)}")
            cards = results.doc.xpath("//article[contains(@class,'product-card')]")
            self.random.shuffle(cards)
            for card in cards:
                forms = card.xpath(".//form[contains(@class,'add-to-cart')]")
                seller = " ".join(
                    " ".join(p.text_content().split()) for p in card.xpath(".//p[contains(@class,'small')]")
                )
                if not forms or forms[0].xpath(".//button[@disabled]") or seller in sellers:
                    continue
                price = money(" ".join(p.text_content() for p in card.xpath(".//p[@class='price']/strong")))
                quantity = self.random.choice(QUANTITIES)
                while quantity > 1 and subtotal + price * quantity > MAX_SUBTOTAL / wanted * len(
                    sellers or [1]
                ):
                    quantity //= 2
                if subtotal + price * quantity > MAX_SUBTOTAL:
                    continue
                cart = browser.submit(results, forms[0], {"quantity": str(quantity)})
                if "Added to your cart" not in cart.messages():
                    continue
                sellers.add(seller)
                subtotal += price * quantity
                order.lines.append((str(card.get("data-asin")), quantity))
                break
            if len(sellers) >= wanted:
                break
        if cart is None or len(sellers) < 2:
            raise SimulationError(f"the catalog gave fewer than two sellers ({sellers})")
        cart = browser.get(f"{prefix}cart/")
        shown = cart.texts("//dl/dd")
        if len(shown) != 4:
            raise SimulationError(f"the cart shows {shown}")
        subtotal, shipping, tax, total = (money(text) for text in shown)
        order.cart = Figures(subtotal, shipping, tax, total, shown[0].split()[-1])
        if order.cart.subtotal + order.cart.shipping + order.cart.tax != order.cart.total:
            order.disagree(f"cart figures do not add up: {order.cart}")
        back = browser.submit(cart, cart.form(button="Submit items for approval"))
        landed = browser.submit(back, back.doc.forms[-1])
        if "/requisitions/" not in landed.url:
            raise SimulationError(f"the cart did not land in a requisition: {landed.status} {landed.url}")
        order.requisition_url = landed.url
        order.requisition = landed.texts("//h1")[0].split()[0]
        order.requisition_total = money(landed.texts("//*[@id='total']")[0])
        if order.requisition_total != order.cart.subtotal:
            order.disagree(f"requisition {order.requisition_total} ≠ cart subtotal {order.cart.subtotal}")
        submitted = browser.submit(landed, landed.form(button="Submit for approval"))
        if "submitted" not in submitted.messages() and not submitted.texts("//*[@id='status']"):
            raise SimulationError(f"submitting {order.requisition}: {submitted.messages()}")
        order.stage = "submitted"

    def approve(self, orders: list[SimOrder]) -> None:
        """The approver approves the wave's requisitions from the inbox, all at once."""
        numbers = {o.requisition for o in orders if o.stage == "submitted"}
        for _round in range(3):
            inbox = self.approver.get(f"{self.buyer}/approvals/")
            form = inbox.form(action="/approvals/approve-selected/")
            boxes = [
                ("assignment", str(box.get("value")))
                for row in form.xpath(".//tbody/tr")
                for box in row.xpath(".//input[@name='assignment']")
                if any(number in " ".join(row.text_content().split()) for number in numbers)
            ]
            if not boxes:
                return
            self.approver.submit(inbox, form, {"comment": "Approved (loop simulator)"}, ticked=boxes)

    def follow_po(self, order: SimOrder, pause: float = 1.0) -> None:
        assert self.buyer_api is not None

        def found() -> bool:
            for po in self.buyer_api.get("purchase-orders/", limit=200) or []:  # type: ignore[union-attr]  # the client is set before this stage runs
                if po["requisition"] == order.requisition:
                    order.po, order.po_status = po["number"], po["status"]
                    order.po_total = Decimal(po["total_amount"])
                    return True
            return False

        wait_until(
            found, seconds=WORKER_SECONDS, what=f"the purchase order of {order.requisition}", pause=pause
        )
        order.stage = "ordered"
        if order.cart and order.po_total != order.cart.subtotal:
            order.disagree(f"purchase order {order.po_total} ≠ cart subtotal {order.cart.subtotal}")

    def po_status(self, order: SimOrder) -> str:
        assert self.buyer_api is not None
        po = self.buyer_api.get(f"purchase-orders/{order.po}")
        order.po_status = str(po["status"]) if po else "missing"
        return order.po_status

    # -- cancellations ---------------------------------------------------------------------
    def cancel(self, order: SimOrder) -> None:
        if order.plan.cancel == "buyer":
            page = self.requester.get(f"{self.buyer}/purchasing/{order.po}/")
            try:
                form = page.form(button="Cancel order")
            except SimulationError:
                # Shipped already: the page offers no cancel; the order goes on.
                order.plan.cancel = ""
                order.late_cancel = True
                return
            answer = self.requester.submit(page, form, {"reason": "No longer needed (loop simulator)"})
            try:
                # A confirmed order is cancelled once the supplier accepts the delete (its worker answers).
                wait_until(
                    lambda: self.po_status(order) == "cancelled",
                    seconds=WORKER_SECONDS,
                    what=f"{order.po} cancelled on the buyer",
                    pause=2,
                )
            except SimulationError:
                # Refused (shipped meanwhile): too late; the order goes on.
                order.plan.cancel = ""
                order.late_cancel = True
                order.late_answers.append(answer.messages())
                return
            order.cancelled = "buyer"
            order.stage = "cancelled"
            return
        self.confirmation(order)
        page = self.business_admin.get(f"{self.supplier}/account/orders/{order.supplier_number}/")
        # No line ticked: the whole order.
        answer = self.business_admin.submit(
            page, page.form(action=f"/account/orders/{order.supplier_number}/cancel/")
        )
        mine = self.shop_api.get(f"orders/{order.supplier_number}") if self.shop_api else None
        if not mine or mine["status"] != "cancelled":
            raise SimulationError(
                f"the storefront did not cancel {order.supplier_number}: {answer.messages()}"
            )
        order.cancelled = "supplier"
        order.stage = "cancelled"
        # The buyer's side is read at the end of the wave (final_state): a purchase order still open
        # there is reported as stuck.

    # -- storefront: confirmation, shipping, returns, invoices ----------------------------------
    def confirmation(self, order: SimOrder) -> None:
        assert self.shop_api is not None and self.buyer_api is not None
        if not order.supplier_number:

            def found() -> bool:
                for row in self.shop_api.get("orders/", limit=500) or []:  # type: ignore[union-attr]  # the client is set before this stage runs
                    if row["buyer_order_id"] == order.po:
                        order.supplier_number = row["number"]
                        order.confirmation = Figures(
                            Decimal(row["subtotal"]),
                            Decimal(row["shipping"]),
                            Decimal(row["tax"]),
                            Decimal(row["total"]),
                            row["currency"],
                        )
                        return True
                return False

            wait_until(found, seconds=WORKER_SECONDS, what=f"the storefront's order for {order.po}")
            if order.cart and order.confirmation and str(order.cart) != str(order.confirmation):
                order.disagree(f"cart {order.cart} ≠ storefront order {order.confirmation}")
        if order.plan.cancel == "supplier":
            return
        wait_until(
            lambda: self.po_status(order) == "confirmed",
            seconds=WORKER_SECONDS,
            what=f"{order.po} confirmed on the buyer",
            pause=2,
        )
        order.stage = "confirmed"

    def ship(self, order: SimOrder, part: int) -> None:
        if not order.supplier_id:
            queue = self.operator.get(f"{self.supplier}/fulfilment/")
            for row in queue.doc.xpath("//table//tbody/tr"):
                if f"({order.po})" in row.text_content():
                    link = row.xpath(".//a[contains(@href,'/ship/')]")[0].get("href")
                    order.supplier_id = int(re.findall(r"/orders/(\d+)/ship/", link)[0])
            if not order.supplier_id:
                raise SimulationError(f"{order.po} is not in the fulfilment queue")
        page = self.operator.get(f"{self.supplier}/fulfilment/orders/{order.supplier_id}/ship/")
        form = page.form(button="Ship")
        values = {
            "carrier": self.random.choice(("DHL Express", "UPS", "DPD", "La Poste Colissimo")),
            "tracking_number": f"1Z{order.index:04d}{part}{self.random.randrange(10**6):06d}",
        }
        if part == 1 and order.plan.parts == 2:
            boxes = form.xpath(".//input[starts-with(@name,'line-')]")
            left = [int(box.get("value") or 0) for box in boxes]
            if max(left, default=0) < 2:
                order.plan.parts = 1  # one of each item: nothing to split, it ships at once
            else:
                for box, quantity in zip(boxes, left, strict=True):
                    values[str(box.get("name"))] = str((quantity + 1) // 2)
        answer = self.operator.submit(page, form, values)
        if "Shipment" not in answer.messages():
            raise SimulationError(f"shipping part {part}: {answer.status} {answer.messages()}")
        order.shipments += 1
        order.stage = f"shipped {part}/{order.plan.parts}"

    def receive(self, order: SimOrder) -> None:
        url = f"{self.buyer}/fulfilment/orders/{order.po}/"
        page = self.requester.get(url)

        def notice_arrived() -> bool:
            nonlocal page
            page = self.requester.get(url)
            return len(page.doc.xpath("//form[contains(@action,'/ship-notices/')]")) > 0

        wait_until(notice_arrived, seconds=WORKER_SECONDS, what=f"the ship notice of {order.po}", pause=2)
        while True:
            forms = page.doc.xpath("//form[contains(@action,'/ship-notices/')]")
            if not forms:
                break
            answer = self.requester.submit(page, forms[0])
            if "Received" not in answer.messages():
                raise SimulationError(f"receiving {order.po}: {answer.status} {answer.messages()}")
            order.received_notices += 1
            page = self.requester.get(url)
        order.stage = f"received {order.received_notices}/{order.plan.parts}"

    def record_return(self, order: SimOrder) -> None:
        page = self.operator.get(f"{self.supplier}/fulfilment/orders/{order.supplier_id}/return/")
        form = page.form(button="Record the return")
        values = {"reason": "Damaged in transit (loop simulator)"}
        boxes = form.xpath(".//input[starts-with(@name,'line-')]")
        for index, box in enumerate(boxes):
            values[str(box.get("name"))] = "1" if index == 0 else "0"
        answer = self.operator.submit(page, form, values)
        if "recorded" not in answer.messages():
            raise SimulationError(f"return: {answer.status} {answer.messages()}")
        order.returns += 1
        order.stage = "returned"

    def invoices(self, order: SimOrder) -> None:
        """The storefront's invoices (one per shipment) and credit memos (one per return) of the order."""
        assert self.shop_api is not None

        def figures(row: dict[str, Any]) -> Figures:
            return Figures(
                Decimal(row["subtotal"]),
                Decimal(row["shipping"]),
                Decimal(row["tax"]),
                Decimal(row["total"]),
                row["currency"],
            )

        shop_api = self.shop_api

        def complete() -> bool:
            rows = [r for r in shop_api.get("invoices/", limit=500) or [] if r["buyer_order_id"] == order.po]
            order.invoices = {r["number"]: figures(r) for r in rows if r["kind"] == "invoice"}
            order.credit_memos = {r["number"]: figures(r) for r in rows if r["kind"] == "credit_memo"}
            return len(order.invoices) >= order.shipments and len(order.credit_memos) >= order.returns

        wait_until(complete, seconds=WORKER_SECONDS, what=f"the storefront's invoices of {order.po}", pause=2)
        for number, shown in {**order.invoices, **order.credit_memos}.items():
            if shown.subtotal + shown.shipping + shown.tax != shown.total:
                order.disagree(f"invoice {number} does not add up: {shown}")
        if order.confirmation:
            invoiced = Figures(
                sum((f.subtotal for f in order.invoices.values()), Decimal(0)),
                sum((f.shipping for f in order.invoices.values()), Decimal(0)),
                sum((f.tax for f in order.invoices.values()), Decimal(0)),
                sum((f.total for f in order.invoices.values()), Decimal(0)),
                order.confirmation.currency,
            )
            if (
                invoiced.subtotal != order.confirmation.subtotal
                or invoiced.shipping != order.confirmation.shipping
            ):
                order.disagree(f"invoiced {invoiced} ≠ order {order.confirmation}")
            elif order.plan.parts == 1 and str(invoiced) != str(order.confirmation):
                order.disagree(f"invoice {invoiced} ≠ order {order.confirmation}")

    def send_dishonest(self, order: SimOrder) -> None:
        """The supplier's system sends one more invoice for the order, its totals raised by 1.00.

        It is the order's last invoice as the buyer received it (its copy on the purchase order; never
        a credit memo, which may have reached the buyer after it), numbered anew, with 1.00 added to
        the summary's subtotal, gross, net and due amounts: an overcharge the buyer's matching must
        catch.
        """
        assert self.buyer_api is not None
        po = self.buyer_api.get(f"purchase-orders/{order.po}") or {}
        invoices = []
        for document in po.get("documents", []):
            if document["kind"] != "InvoiceDetailRequest" or document["direction"] != "in":
                continue
            root = etree.fromstring(document["raw"].encode())
            header = root.find(".//InvoiceDetailRequestHeader")
            if header is not None and header.get("purpose", "standard") == "standard":
                invoices.append((root, header))
        if not invoices:
            raise SimulationError(f"no invoice of {order.po} to copy")
        root, header = invoices[-1]
        number = f"{header.get('invoiceID')}-X"
        header.set("invoiceID", number)
        root.set("payloadID", f"{time.time_ns()}.{order.index}@simulator.openprocure.local")
        for tag in ("SubtotalAmount", "GrossAmount", "NetAmount", "DueAmount"):
            for money_node in root.findall(f".//InvoiceDetailSummary/{tag}/Money"):
                money_node.text = str(Decimal(money_node.text or "0") + 1)
        for secret in root.findall(".//Sender/Credential/SharedSecret"):
            secret.text = self.supplier_secret
        body = etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")  # keeps the DOCTYPE
        assert isinstance(body, bytes)
        answer = self.operator.post_body(f"{self.buyer}/cxml/", body, "text/xml; charset=UTF-8")
        code = re.search(r'<Status code="(\d+)"', answer.text)
        if not code or not code[1].startswith("2"):
            # Refused at the door: caught before it could be matched.
            status = f"refused {code[1] if code else answer.status}"
            order.buyer_invoices[number] = {"status": status, "first_time": False}
            order.dishonest_invoice = number
            order.disagree(
                f"invoice {number} charges 1.00 more than the order (sent on purpose); the buyer {status}"
            )
            return
        order.dishonest_invoice = number

    def matching(self, order: SimOrder) -> None:
        """The buyer's copy of each invoice: the same amount, and approved without anyone touching it."""
        assert self.clerk_api is not None
        numbers = list(order.invoices) + list(order.credit_memos)
        if order.dishonest_invoice and order.dishonest_invoice not in order.buyer_invoices:
            numbers.append(order.dishonest_invoice)

        def arrived() -> bool:
            missing = [n for n in numbers if n not in self.invoice_pks]
            if missing:
                listing = self.clerk.get(f"{self.buyer}/invoicing/")
                for link in listing.doc.xpath("//table//tbody/tr/td[1]/a"):
                    pk = re.findall(r"/invoicing/(\d+)/", str(link.get("href")))
                    if pk:
                        self.invoice_pks[" ".join(link.text_content().split())] = int(pk[0])
            return all(n in self.invoice_pks for n in numbers)

        wait_until(arrived, seconds=WORKER_SECONDS, what=f"the buyer's invoices of {order.po}", pause=2)
        settled = ("approved", "exception", "rejected", "paid", "disputed")
        for number in numbers:
            seen: dict[str, object] = {}

            def decided(number: str = number, seen: dict[str, object] = seen) -> bool:
                answer = self.clerk_api.get(f"invoices/{self.invoice_pks[number]}")  # type: ignore[union-attr]  # the client is set before this stage runs
                seen.update(answer or {})
                return str(seen.get("status")) in settled

            try:
                wait_until(decided, seconds=60, what=f"the match of {number}", pause=2)
            except SimulationError:
                order.disagree(
                    f"invoice {number}: the buyer had not decided after 60 s ({seen.get('status')})"
                )
            status = str(seen.get("status"))
            first_time = status in ("approved", "paid") and not seen.get("exceptions")
            order.buyer_invoices[number] = {"status": status, "first_time": first_time}
            if number == order.dishonest_invoice:
                order.disagree(
                    f"invoice {number} charges 1.00 more than the order (sent on purpose); the buyer "
                    + ("approved it: not caught" if status in ("approved", "paid") else f"says {status}")
                )
                continue
            theirs = order.invoices.get(number) or order.credit_memos.get(number)
            due = Decimal(str(seen.get("due_amount", "0")))
            if theirs is not None and abs(due) != abs(theirs.total):
                order.disagree(f"invoice {number}: buyer due {due} ≠ storefront total {theirs.total}")
            if not first_time:
                order.disagree(
                    f"invoice {number} not matched at the first attempt: {status} {seen.get('exceptions')}"
                )
        order.stage = "matched"

    def final_state(self, order: SimOrder) -> None:
        if order.po:
            self.po_status(order)

    # -- outbox --------------------------------------------------------------------------------
    def undelivered(self) -> dict[str, int]:
        """Messages made since this run began that the sites' outboxes hold undelivered, per site and
        kind, as their administrators see them (Django admin, filtered by status and creation time),
        once the workers have had time to deliver them."""
        since = urllib.parse.quote(self.since.isoformat())
        counts: dict[str, int] = {}
        sites = (("buyer", self.buyer_admin, self.buyer), ("storefront", self.operator, self.supplier))

        def rows(browser: Browser, url: str, status: str) -> list[str]:
            """The kinds of the messages in ``status``, every page of the admin's list (100 a page)."""
            kinds: list[str] = []
            page_number = 1
            while True:
                page = browser.get(
                    f"{url}/admin/core/outboxmessage/?status__exact={status}&created_at__gte={since}&p={page_number}"
                )
                if page.status != 200:
                    raise SimulationError(f"outbox page of {url}: {page.status}")
                counted = page.texts("//p[contains(@class,'paginator')]")
                total = int(re.findall(r"\d+", counted[-1])[-1]) if counted else 0
                kinds += page.texts("//table[@id='result_list']/tbody/tr/td[contains(@class,'field-kind')]")
                if len(kinds) >= total or page_number * 100 >= total:
                    if len(kinds) != total:
                        raise SimulationError(f"the outbox of {url} lists {len(kinds)} {status} of {total}")
                    return kinds
                page_number += 1

        def settled() -> bool:
            return not any(
                rows(browser, url, status)
                for _site, browser, url in sites
                for status in ("pending", "delivering")
            )

        # Still in flight after 60 s: such messages are counted below as not delivered (the run fails).
        with contextlib.suppress(SimulationError):
            wait_until(settled, seconds=60, what="the outboxes to settle", pause=2)
        for site, browser, url in sites:
            for status in ("pending", "delivering", "retrying", "failed"):
                for kind in rows(browser, url, status):
                    key = f"{site} {kind} ({status})"
                    counts[key] = counts.get(key, 0) + 1
        return counts
