"""Shared by the browser tests of both sites: the demo's people, signing in, waiting for pages and mail,
screenshots, and reading amounts and product cards off a page."""

from __future__ import annotations

import email
import email.policy
import re
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from typing import Any

# The machine is shared and slow: every wait is generous, and worker effects are polled.
TIMEOUT_MS = 60_000
WORKER_SECONDS = 120.0
PASSWORD = "demo"
REQUESTER = "requester@acme.test"
APPROVER = "approver@acme.test"
AP_CLERK = "ap@acme.test"
OPERATOR = "operator@marketplace.test"
SUPPORT = "support@marketplace.test"
GLOBEX_ADMIN = "admin@globex.test"
GLOBEX_SECRET = "globex-demo-secret"


def expect() -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def new_page(browser: Any) -> tuple[Any, Any]:
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context, context.new_page()


def nav(page: Any, name: str) -> None:
    """Follow a link of the site's main navigation."""
    link = page.locator("nav.mainnav").get_by_role("link", name=name, exact=True)
    target = str(link.get_attribute("href"))
    link.click()
    page.wait_for_url(lambda url: urllib.parse.urlsplit(url).path.startswith(target))


def sign_in(page: Any, base_url: str, email_address: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", email_address)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect()(page.locator("header .who")).to_have_text(email_address, timeout=TIMEOUT_MS)


@dataclass
class Shots:
    """Numbered full-page screenshots in the test's folder."""

    folder: Path
    count: int = 0

    def __post_init__(self) -> None:
        for old in self.folder.glob("*.png"):  # only this run's pictures
            old.unlink()

    def __call__(self, page: Any, name: str) -> None:
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)


def reload_until(
    page: Any, url: str, ready: Callable[[], bool], what: str, seconds: float = WORKER_SECONDS
) -> None:
    """Open ``url`` again and again until ``ready()`` holds (worker effects are asynchronous)."""
    deadline = time.monotonic() + seconds
    while True:
        page.goto(url)
        if ready():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"after {seconds:.0f} s, still waiting for {what} on {url}")
        time.sleep(2)


def text_of(locator: Any) -> str:
    return " ".join(locator.inner_text().split())


def spooled_mail(data_dir: Path, site: str) -> list[EmailMessage]:
    """Every message in a site's mail spool (Django's file backend: dashes between messages)."""
    found: list[EmailMessage] = []
    for path in sorted((data_dir / site / "mail").glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                found.append(email.message_from_bytes(chunk.strip(), policy=email.policy.default))  # type: ignore[arg-type]
    return found


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, message["Subject"]
    return str(part.get_content())


def wait_for_mail(
    data_dir: Path, site: str, match: Callable[[EmailMessage], bool], what: str
) -> list[EmailMessage]:
    deadline = time.monotonic() + WORKER_SECONDS
    while True:
        found = [m for m in spooled_mail(data_dir, site) if match(m)]
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"no e-mail in the {site} spool: {what}")
        time.sleep(1)


def money(text: str) -> Decimal:
    """``"1,234.50 EUR"`` → Decimal("1234.50")."""
    found = re.search(r"-?[\d,]+(?:\.\d+)?", text)
    assert found, text
    return Decimal(found[0].replace(",", ""))


def card_facts(store: Any) -> list[dict[str, Any]]:
    """Every product card of the page: ASIN, seller, fulfilled by us, in stock, price, list price."""
    return list(
        store.eval_on_selector_all(
            "article.product-card",
            """cards => cards.map(card => ({
                asin: card.dataset.asin,
                seller: (card.querySelector('p.small') || {}).textContent || '',
                fba: !!card.querySelector('.badge.good'),
                in_stock: !!card.querySelector("form[action$='/cart/add/'] button:enabled"),
                price: (card.querySelector('p.price strong') || {}).textContent || '',
                list: (card.querySelector('p.price s') || {}).textContent || '',
            }))""",
        )
    )


def submit_sign_in(page: Any, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", "demo")
    page.click("button[type=submit]")
