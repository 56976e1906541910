"""axe-core over the storefront's main pages, for a visitor, a business administrator and an
operator, in English and French: no serious or critical violation."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from openprocure.supplier.business.choices import IntegrationStatus
from openprocure.supplier.business.models import Integration
from tests.accessibility import serious_violations
from tests.browser import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PAGES = {
    "": ["/", "/search/?q=paper", "/accounts/login/", "/business/register/"],
    "admin@acme.test": [
        "/account/orders/",
        "/business/",
        "/account/api-keys/",
        "/business/punchout/checklist/",
        "/business/punchout/activate/",
        "/catalog-export/",
    ],
    "operator@marketplace.test": [
        "/fulfilment/",
        "/support/lookup/?q=PO",
        "/operations/",
        "/platforms/",
        "/business/integrations/{integration}/checklist/",
    ],
}


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_main_pages_have_no_serious_accessibility_violation(
    live_server: Any, chromium: Any, locale: str
) -> None:
    with override_settings(DEMO_MODE=True, DEMO_PEER_URL="http://127.0.0.1:8000"):
        call_command("seed_demo", products=30)
    # the integration checklist is for a business in Test
    integration = Integration.objects.get(business__email="admin@acme.test")
    Integration.objects.filter(pk=integration.pk).update(status=IntegrationStatus.TEST)
    found: dict[str, list[str]] = {}
    for email, paths in PAGES.items():
        if email:
            page = signed_in_page(chromium, live_server.url, email, bypass_csp=True, locale=locale)
        else:
            page = chromium.new_context(bypass_csp=True, locale=locale).new_page()
        for path in paths:
            path = path.format(integration=integration.pk)
            answer = page.goto(f"{live_server.url}{path}")
            assert answer is not None and answer.status == 200, (email, path)
            problems = serious_violations(page)
            if problems:
                found[f"{email or 'visitor'} {path}"] = problems
        page.context.close()
    assert found == {}
