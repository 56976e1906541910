"""axe-core over the storefront's main pages, for a visitor, a business administrator and an
operator, in English and French: no serious or critical violation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.accessibility import serious_violations
from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PAGES = {
    "": ["/", "/search/?q=paper", "/accounts/login/", "/business/register/"],
    "admin@acme.test": ["/account/orders/", "/business/", "/account/api-keys/"],
    "operator@marketplace.test": ["/fulfilment/", "/support/lookup/?q=PO"],
}


@pytest.fixture
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_main_pages_have_no_serious_accessibility_violation(
    live_server: Any, chromium: Any, locale: str
) -> None:
    with override_settings(DEMO_MODE=True, DEMO_PEER_URL="http://127.0.0.1:8000"):
        call_command("seed_demo", products=30)
    found: dict[str, list[str]] = {}
    for email, paths in PAGES.items():
        page = chromium.new_context(bypass_csp=True, locale=locale).new_page()
        if email:
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("#id_username", email)
            page.fill("#id_password", "demo")
            with page.expect_navigation():
                page.click("main button[type=submit]")
        for path in paths:
            answer = page.goto(f"{live_server.url}{path}")
            assert answer is not None and answer.status == 200, (email, path)
            problems = serious_violations(page)
            if problems:
                found[f"{email or 'visitor'} {path}"] = problems
        page.context.close()
    assert found == {}
