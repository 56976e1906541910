"""Both sites in a real browser: sign in, switch language, sign out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browsing import submit_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_requester_signs_in_to_the_buyer_suite(demo: Any, browser: Any, screenshots: Path) -> None:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    submit_sign_in(page, demo.buyer_url, "requester@acme.test")
    page.screenshot(path=str(screenshots / "01-signed-in.png"), full_page=True)
    assert page.locator("header .who").inner_text() == "requester@acme.test"
    with page.expect_navigation():
        page.select_option("#language-select", "fr")  # the form submits itself on change
    assert page.locator("html").get_attribute("lang") == "fr"
    page.screenshot(path=str(screenshots / "02-french.png"), full_page=True)
    context.close()


def test_wrong_password_is_explained(demo: Any, browser: Any) -> None:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{demo.supplier_url}/accounts/login/")
    page.fill("#id_username", "operator@marketplace.test")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    assert "correct" in page.locator("[role=alert]").inner_text()
    assert page.url.endswith("/accounts/login/")
    context.close()
