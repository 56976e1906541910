"""The report of “Check your procurement system” in the browser, in English and French: the page's
own words are translated, the checks' evidence stays in English; no serious accessibility violation."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from openprocure.supplier.orders import services
from openprocure.supplier.orders.models import ConformanceRun
from tests.accessibility import serious_violations
from tests.browser import signed_in_page
from tests.partner_server import PartnerServer, cxml_response
from tests.supplier.worlds import PASSWORD, globex_test_order

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en-GB": (
        "Check your procurement system — Globex",
        "Finished",
        "Passed: every required check passed.",
        "Passed",
    ),
    "fr-FR": (
        "Contrôler votre système d’achat — Globex",
        "Terminé",
        "Réussi : tous les contrôles obligatoires sont passés.",
        "Réussi",
    ),
}


def test_the_report_page_in_english_and_french(
    live_server: Any, chromium: Any, globex: Any, products: Any
) -> None:
    with PartnerServer() as buyer:
        ok = (200, cxml_response(200, "OK", "Recorded"))
        buyer.script(*[ok] * 6, (200, cxml_response(401, "Unauthorized", "Wrong secret")), ok)
        globex_test_order(Client(), globex, buyer.url)
        run = services.start_conformance_run(
            integration=globex, actor=globex.business.memberships.first().user
        )
        services.run_conformance(run_id=run.pk)
    assert ConformanceRun.objects.get().report["passed"] is True
    url = live_server.url + reverse("business-conformance-run", kwargs={"integration_id": globex.pk})
    for locale, (title, status, result, passed) in WORDS.items():
        page = signed_in_page(
            chromium, live_server.url, "admin@globex.test", PASSWORD, locale=locale, bypass_csp=True
        )
        answer = page.goto(url)
        assert answer is not None and answer.status == 200
        assert page.locator("h1").inner_text() == title
        assert page.locator("#run-status").inner_text() == status
        assert page.locator("#report-result strong").inner_text() == result
        row = page.locator("#check-confirm\\.accept")
        assert row.locator(".badge").inner_text() == passed
        # The evidence is the checks' own English, in every language.
        assert "ConfirmationRequest type accept is accepted" in row.inner_text()
        assert "The confirmation of order PO-T-9 was answered cXML 200 OK (Recorded) in " in row.inner_text()
        exchange = row.locator("details pre").first
        assert not exchange.is_visible()
        row.locator("details summary").first.click()
        assert exchange.is_visible() and "<SharedSecret>********</SharedSecret>" in exchange.inner_text()
        assert serious_violations(page) == []
        page.context.close()
