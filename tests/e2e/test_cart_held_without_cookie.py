"""A cart that reaches the buyer suite without its session cookie is held, then applied after sign-in.

In Debian's Chromium against the running demo. The requester signs in to the buyer suite as
``localhost`` while the suite's return URL (its public URL) is ``127.0.0.1``: the supplier's page
posts the cart to a host where this browser has no session cookie, as a cross-site POST without the
SameSite=Lax cookie, or a sign-in that expired while shopping, would arrive. The cart must not be
lost: it is held, the requester signs in there, and lands on the requisition with the cart's lines.
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browsing import PASSWORD, REQUESTER, Shots, expect, money, nav, new_page, sign_in, text_of

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_cart_returned_without_the_session_cookie_is_held_until_the_requester_signs_in(
    demo: Any, browser: Any, screenshots: Path
) -> None:
    shots = Shots(screenshots)
    public = urllib.parse.urlsplit(demo.buyer_url)
    assert public.hostname == "127.0.0.1", demo.buyer_url
    other_host = demo.buyer_url.replace("127.0.0.1", "localhost", 1)
    context, page = new_page(browser)
    try:
        sign_in(page, other_host, REQUESTER)
        nav(page, "Shop")
        page.click("button:has-text('Shop at Marketplace')")
        page.wait_for_url(re.compile(r".*/(po/[^/]+|welcome)/$"))
        store = page  # the supplier opens in the suite's own tab
        if store.url.endswith("/welcome/"):  # the first PunchOut of this e-mail at the storefront
            store.click("button:has-text('Continue to the store')")
        expect()(store.locator("#punchout-bar")).to_contain_text("Shopping for Acme Industries")
        store.fill("#catalog-q", "paper")
        store.press("#catalog-q", "Enter")
        in_stock = store.locator("article.product-card:has(form[action$='/cart/add/'] button:enabled)")
        expect()(in_stock.first).to_be_visible()
        part = str(in_stock.first.get_attribute("data-asin"))
        title = text_of(in_stock.first.locator("h3"))
        in_stock.first.locator("form[action$='/cart/add/'] button").click()
        store.wait_for_url(re.compile(r".*/cart/$"))
        subtotal = money(store.locator("dl dd").first.inner_text())
        shots(store, "cart")

        # Back to the suite's public URL, where this browser is not signed in: held, then sign in.
        store.click("button:has-text('Submit items for approval')")
        store.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/accounts/login/\?next="))
        return_path = urllib.parse.parse_qs(urllib.parse.urlsplit(store.url).query)["next"][0]
        assert re.fullmatch(r"/punchout/return/[A-Za-z0-9_-]{32}/", return_path), return_path
        expect()(store.locator("ul.messages")).to_have_text(
            "The cart from your supplier is kept. Sign in to add it to a requisition."
        )
        shots(store, "held-sign-in")
        store.fill("#id_username", REQUESTER)
        store.fill("#id_password", PASSWORD)
        store.click("button[type=submit]")

        store.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/requisitions/\d+/$"))
        number = text_of(store.locator("h1")).split(" ")[0]
        expect()(store.locator("ul.messages")).to_contain_text(
            f"1 line from Marketplace ({subtotal:,} EUR) is in requisition {number}."
        )
        assert context.pages == [page]  # shopped and returned in the suite's own tab
        rows = store.locator("#lines tbody tr")
        expect()(rows).to_have_count(1)
        assert text_of(rows.first.locator("td").nth(2)) == part
        assert text_of(rows.first.locator("td").nth(3)) == title
        shots(store, "requisition-from-held-cart")

        # Opening the return URL again creates nothing more: it shows the same requisition.
        requisition_url = store.url
        store.goto(f"{demo.buyer_url}{return_path}")
        assert store.url == requisition_url
        expect()(store.locator("#lines tbody tr")).to_have_count(1)
    finally:
        context.close()
