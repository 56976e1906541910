"""Helpers for the sites' browser tests (the ``chromium`` fixture is in ``tests/conftest.py``)."""

from __future__ import annotations

from typing import Any


def signed_in_page(browser: Any, base: str, email: str, password: str = "demo", **context: Any) -> Any:
    """A new page of a new browser context (``context`` options: viewport, locale…), signed in as ``email``."""
    page = browser.new_context(**{"locale": "en-GB", **context}).new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    return page
