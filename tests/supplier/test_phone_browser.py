"""In Chromium at 390 px wide, the storefront's menu folds behind a button and the pages of a
business administrator and of an operator do not scroll sideways."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.browser import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("email", "paths"),
    [
        ("admin@acme.test", ["/", "/account/orders/", "/business/", "/account/api-keys/"]),
        ("operator@marketplace.test", ["/", "/fulfilment/", "/support/lookup/"]),
    ],
)
def test_on_a_phone_the_menu_folds_and_pages_fit(
    live_server: Any, chromium: Any, email: str, paths: list[str]
) -> None:
    with override_settings(DEMO_MODE=True, DEMO_PEER_URL="http://127.0.0.1:8000"):
        call_command("seed_demo", products=20)
    page = signed_in_page(
        chromium, live_server.url, email, viewport={"width": 390, "height": 844}, locale="fr-FR"
    )
    toggle = page.get_by_role("button", name="Menu")
    assert toggle.is_visible()
    assert not page.locator("nav.mainnav").is_visible()
    toggle.click()
    assert page.locator("nav.mainnav").is_visible()
    for path in paths:
        answer = page.goto(f"{live_server.url}{path}")
        assert answer is not None and answer.status == 200, path
        wide = page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
        assert not wide, path
    page.context.close()
