"""The conformance pages of a supplier connection in Chromium, in English and French, on a desktop
(1366 px) and a phone (390 px): an administrator starts a run from the supplier's page, sees it wait
(the page reloads itself), then the report with each check's outcome in words and its exchanges folded;
no page scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from openprocure.buyer.suppliers.conformance import execute_conformance_run
from openprocure.buyer.suppliers.models import ConformanceRun, PunchOutConnection
from tests.browser import signed_in_page
from tests.buyer.punchout_world import SupplierServer

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
PROFILE = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<cXML payloadID="p1@market.test" timestamp="2026-11-26T10:00:00+00:00"><Response>'
    b'<Status code="200" text="OK"/><ProfileResponse effectiveDate="2026-01-01T00:00:00+00:00">'
    b'<Transaction requestName="PunchOutSetupRequest"><URL>http://market.test/cxml/</URL></Transaction>'
    b"</ProfileResponse></Response></cXML>"
)
WORDS = {
    "en-GB": {
        "run": "Run conformance checks",
        "waiting": "Waiting to start",
        "passed": "Passed",
        "request": "Request",
    },
    "fr-FR": {
        "run": "Lancer les contrôles de conformité",
        "waiting": "En attente de démarrage",
        "passed": "Réussi",
        "request": "Requête",
    },
}


def _scrolls_sideways(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"))


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_an_administrator_runs_the_checks_and_reads_the_report(
    live_server: Any, chromium: Any, locale: str, viewport: dict[str, int]
) -> None:
    with override_settings(DEMO_MODE=True, DEMO_PEER_URL="http://127.0.0.1:8100"):
        call_command("seed_demo")
    words = WORDS[locale]
    with SupplierServer(lambda body: (200, PROFILE)) as server:
        connection = PunchOutConnection.objects.get(supplier__name="Marketplace")
        PunchOutConnection.objects.filter(pk=connection.pk).update(setup_url=server.url)
        page = signed_in_page(chromium, live_server.url, "admin@acme.test", viewport=viewport, locale=locale)
        page.goto(f"{live_server.url}/suppliers/{connection.supplier_id}/")
        assert not _scrolls_sideways(page)
        page.get_by_role("link", name=words["run"]).click()
        page.wait_for_url(f"**/suppliers/connections/{connection.pk}/conformance/")
        assert not _scrolls_sideways(page)
        page.get_by_role("button", name=words["run"]).click()
        page.wait_for_url("**/suppliers/conformance/*/")
        assert page.locator("#run-status").inner_text() == words["waiting"]
        assert page.locator('meta[http-equiv="refresh"]').get_attribute("content") == "3"
        assert not _scrolls_sideways(page)

        execute_conformance_run(ConformanceRun.objects.get().pk)
        page.reload()

    check = page.locator("#check-profile")
    assert check.locator(".badge").inner_text() == words["passed"]
    assert check.locator(".check-title").get_attribute("lang") == "en"
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    body = check.locator("details.exchange pre").first
    assert not body.is_visible()
    check.locator("details.exchange summary").first.click()
    assert body.is_visible()
    assert "<SharedSecret>********</SharedSecret>" in body.inner_text()
    assert check.get_by_role("heading", name=words["request"]).is_visible()
    assert not _scrolls_sideways(page)
    page.context.close()
