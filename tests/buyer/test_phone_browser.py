"""In Chromium at 390 px wide: the menu folds behind a button, tables become stacked rows, and no page
of the everyday path scrolls sideways (a long unbroken reason made a requisition 52,000 px wide)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from openprocure.buyer.requisitions.services import add_free_text_line, create_requisition, submit_requisition
from openprocure.core.models import User
from tests.browser import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def _scrolls_sideways(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"))


@pytest.fixture
def demo_with_a_long_reason() -> str:
    with override_settings(DEMO_MODE=True, DEMO_PEER_URL="http://127.0.0.1:8100"):
        call_command("seed_demo")
    requester = User.objects.get(email="requester@acme.test")
    requisition = create_requisition(requester=requester, currency="EUR")
    add_free_text_line(
        requisition=requisition,
        actor=requester,
        description="Ergonomic chair " + "x" * 400,
        quantity=Decimal("2"),
        unit_price=Decimal("349.50"),
    )
    submit_requisition(requisition, requester, reason="because" * 300)
    return f"/requisitions/{requisition.pk}/"


def test_on_a_phone_the_menu_folds_and_no_page_scrolls_sideways(
    live_server: Any, chromium: Any, demo_with_a_long_reason: str
) -> None:
    page = signed_in_page(chromium, live_server.url, "requester@acme.test", viewport=PHONE)
    menu = page.locator("#site-menu")
    toggle = page.get_by_role("button", name="Menu")
    assert not menu.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert menu.is_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("nav.mainnav").get_by_role("link", name="My requisitions", exact=True).is_visible()

    for path in ("/", "/requisitions/", demo_with_a_long_reason, "/purchasing/", "/fulfilment/", "/spend/"):
        page.goto(f"{live_server.url}{path}")
        assert not _scrolls_sideways(page), path

    page.goto(f"{live_server.url}/requisitions/")
    first_cell = page.locator("table.stacked tbody tr").first.locator("td").first
    assert first_cell.get_attribute("data-label") == page.locator("table thead th").first.inner_text().strip()
    page.context.close()

    approver = signed_in_page(chromium, live_server.url, "approver@acme.test", viewport=PHONE, locale="fr-FR")
    approver.goto(f"{live_server.url}/approvals/")
    assert not _scrolls_sideways(approver)
    assert approver.get_by_role("button", name="Menu").is_visible()
    approver.context.close()


def test_on_a_desktop_the_menu_is_open_and_has_no_button(live_server: Any, chromium: Any) -> None:
    with override_settings(DEMO_MODE=True, DEMO_PEER_URL="http://127.0.0.1:8100"):
        call_command("seed_demo")
    page = signed_in_page(chromium, live_server.url, "requester@acme.test", viewport=DESKTOP)
    assert page.locator("#site-menu").is_visible()
    assert not page.get_by_role("button", name="Menu").is_visible()
    assert not _scrolls_sideways(page)
    page.context.close()
